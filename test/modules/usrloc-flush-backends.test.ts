// usrloc write-back's flush on every backend (REPLACE on MySQL, INSERT OR
// REPLACE on SQLite, INSERT ... ON CONFLICT on PostgreSQL, one transaction):
// every dirty contact lands whole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DbError } from '../../src/db/index.js';
import { attachUsrlocPersistence } from '../../src/modules/usrloc/sql.js';
import { dbModuleFor, forEachBackend } from '../helpers/db-backends.js';
import { sipEngine } from '../helpers/engine.js';
import { register } from '../helpers/sip.js';

forEachBackend('usrloc write-back flush', (b) => {
  test('70 dirty contacts are all in the table, whole, after the flush at shutdown', () => {
    const { url, db } = b.fresh(['location']);
    const e = sipEngine(
      [
        'socket=udp:127.0.0.1:5060',
        `loadmodule "${dbModuleFor(url)}.so"`,
        'loadmodule "usrloc.so"',
        'loadmodule "signaling.so"',
        'loadmodule "sl.so"',
        'loadmodule "registrar.so"',
        `modparam("usrloc", "db_url", "${url}")`,
        'modparam("usrloc", "working_mode_preset", "single-instance-sql-write-back")',
        'route { save("location"); }',
        '',
      ].join('\n'),
    );
    assert.deepEqual(e.diagnostics, []);
    const p = attachUsrlocPersistence(e.rt, ['location']);
    if ('error' in p) throw new Error(p.error);
    for (let i = 0; i < 70; i++)
      e.send(register({ user: `u${i}`, contacts: [`<sip:u${i}@127.0.0.1:5062>`], expires: 600, callId: `c${i}` }));
    p.close(); // waits for the flush
    const rows = db.query('location', { cols: ['username', 'contact', 'callid', 'expires', 'cseq'] });
    assert.ok(!(rows instanceof DbError), String(rows));
    assert.equal(rows.length, 70);
    const now = Math.floor(e.clock.now() / 1000);
    for (const i of [0, 63, 64, 69]) {
      const r: Record<string, unknown> | undefined = rows.find((x) => x.username === `u${i}`);
      assert.deepEqual(
        [r?.contact, r?.callid, Number(r?.expires), Number(r?.cseq)],
        [`sip:u${i}@127.0.0.1:5062`, `c${i}`, now + 600, 1],
        `u${i}`,
      );
    }
  });
});
