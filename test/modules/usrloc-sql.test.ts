// usrloc persistence in OpenSIPS's `location` table, on each DB backend:
// write-through, write-back, registrations back after a restart, ul_sync,
// sql-only (lookups and ul_dump read the table).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DbError, type Db, type DbRow, type Stmt } from '../../src/db/index.js';
import { dbFor } from '../../src/modules/common/db.js';
import { dbModuleFor, forEachBackend } from '../helpers/db-backends.js';
import { attachUsrlocPersistence } from '../../src/modules/usrloc/sql.js';
import { coreMi } from '../../src/core/mi-core.js';
import { usrlocOf } from '../../src/modules/usrloc/api.js';
import { sipEngine } from '../helpers/engine.js';
import { register } from '../helpers/sip.js';

const cfg = (url: string, mode: string) => `socket=udp:127.0.0.1:5060
loadmodule "${dbModuleFor(url)}.so"
loadmodule "usrloc.so"
loadmodule "signaling.so"
loadmodule "sl.so"
loadmodule "registrar.so"
modparam("usrloc", "db_url", "${url}")
modparam("usrloc", ${mode})
route { setbflag("NAT"); save("location"); }`;

function engine(url: string, mode: string) {
  const e = sipEngine(cfg(url, mode));
  assert.deepEqual(e.diagnostics, []);
  const p = attachUsrlocPersistence(e.rt, ['location']);
  if ('error' in p) throw new Error(p.error);
  return { e, p };
}

const rows = (db: Db): DbRow[] => {
  const r = db.query('location', { order: 'contact' });
  if (r instanceof DbError) throw new Error(r.message);
  return r;
};
const ok = (r: unknown): void => assert.ok(!(r instanceof DbError), String(r));

/** `check` once it holds (writes from timers are asynchronous on PostgreSQL and MariaDB); bounded. */
async function eventually(check: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 30));
}

test('an unreachable database is a clear start-up error: the URL (password masked) and the driver reason', () => {
  const e = sipEngine(cfg('mysql://u:secret@127.0.5.77:1/opensips', '"db_mode", 1'));
  const p = attachUsrlocPersistence(e.rt, ['location']);
  assert.ok('error' in p);
  assert.match(p.error, /^cannot connect to mysql:\/\/u:\*\*\*@127\.0\.5\.77:1\/opensips: .*ECONNREFUSED/);
});

/** Counts the statements usrloc sends to its connection (waited or not; a batch counts each of its statements). */
function countStatements(e: ReturnType<typeof sipEngine>, url: string): { n: number; texts: string[] } {
  const conn = dbFor(e.rt, url);
  assert.ok(!(conn instanceof DbError));
  const seen = { n: 0, texts: [] as string[] };
  const note = (s: Stmt): void => {
    seen.n++;
    const verb = s.text.split(' ')[0]!;
    seen.texts.push(verb === 'REPLACE' ? 'INSERT' : verb); // MySQL's upsert is REPLACE INTO
  };
  const { exec, batch, execAsync, batchAsync } = conn;
  conn.exec = (s) => (note(s), exec.call(conn, s));
  conn.execAsync = (s) => (note(s), execAsync.call(conn, s));
  conn.batch = (ss) => (ss.forEach(note), batch.call(conn, ss));
  conn.batchAsync = (ss) => (ss.forEach(note), batchAsync.call(conn, ss));
  return seen;
}

forEachBackend('usrloc in the location table', (backend) => {
  test('write-through (db_mode 1): every change is in the location table at once, in OpenSIPS columns', () => {
    const { url, db } = backend.fresh(['location']);
    const { e } = engine(url, '"db_mode", 1');
    e.send(register({ contacts: ['<sip:1001@127.0.0.1:5062>;q=0.5'], expires: 600, extra: ['User-Agent: Zoiper'] }));
    const [r] = rows(db);
    const now = Math.floor(e.clock.now() / 1000);
    assert.deepEqual(
      [
        r!.username,
        r!.domain,
        r!.contact,
        r!.expires,
        r!.q,
        r!.callid,
        r!.cseq,
        r!.cflags,
        r!.user_agent,
        r!.socket,
        r!.methods,
      ],
      [
        '1001',
        null,
        'sip:1001@127.0.0.1:5062',
        now + 600,
        0.5,
        'call-1',
        1,
        'NAT',
        'Zoiper',
        'udp:127.0.0.1:5060',
        null,
      ],
    );
    assert.equal(
      String(r!.contact_id),
      usrlocOf(e.rt).domain('location').get('1001')!.bindings[0]!.contactId,
      'the usrloc contact id is the row id',
    );
    const version = db.query('version', { keys: ['table_name'], vals: ['location'], cols: ['table_version'] });
    assert.deepEqual(version, [{ table_version: 1013 }]);
    e.send(register({ contacts: ['<sip:1001@127.0.0.1:5062>'], expires: 0, cseq: 2 }));
    assert.deepEqual(rows(db), [], 'a de-registration deletes the row');
  });

  test('write-back (working_mode_preset): nothing written until a flush (timer, ul_flush, shutdown)', async () => {
    const { url, db } = backend.fresh(['location']);
    const { e, p } = engine(url, '"working_mode_preset", "single-instance-sql-write-back"');
    e.send(register({ expires: 600 }));
    assert.deepEqual(rows(db), []);
    assert.equal(usrlocOf(e.rt).domain('location').get('1001')!.bindings[0]!.state, 'CS_NEW');
    p.flush();
    await eventually(() => usrlocOf(e.rt).domain('location').get('1001')!.bindings[0]!.state === 'CS_SYNC');
    assert.equal(rows(db).length, 1);
    assert.equal(usrlocOf(e.rt).domain('location').get('1001')!.bindings[0]!.state, 'CS_SYNC');
  });

  test('after a restart the registrations that have not expired are back, branch flags and all; expired ones are not', () => {
    const { url, db } = backend.fresh(['location']);
    const first = engine(url, '"db_mode", 1');
    first.e.send(register({ user: '1001', contacts: ['<sip:1001@127.0.0.1:5062>'], expires: 600 }));
    first.e.send(register({ user: '1002', contacts: ['<sip:1002@127.0.0.1:5064>'], expires: 60, callId: 'c2' }));
    first.p.close();
    const second = sipEngine(cfg(url, '"db_mode", 1'));
    second.advance(100); // 1002's 60 s are over
    const p = attachUsrlocPersistence(second.rt, ['location']);
    assert.ok(!('error' in p));
    assert.equal(p.loaded, 1);
    const b = usrlocOf(second.rt).domain('location').get('1001')!.bindings[0]!;
    assert.deepEqual(
      [b.uri, second.rt.flags.namesOf('branch', b.cflags), b.callid, b.cseq],
      ['sip:1001@127.0.0.1:5062', 'NAT', 'call-1', 1],
    );
    assert.equal(usrlocOf(second.rt).domain('location').get('1002'), undefined);
    // The restored binding answers with its remaining expiry.
    const refresh = second.send(register({ contacts: [], cseq: 2 }));
    assert.match(refresh.sent[0]!.text, /Contact: <sip:1001@127\.0\.0\.1:5062>;expires=500\r\n/);
  });

  test("a location table with the wrong version row is refused with OpenSIPS's message", () => {
    const { url, db } = backend.fresh(['location']);
    engine(url, '"db_mode", 1').p.close();
    ok(db.update('version', { keys: ['table_name'], vals: ['location'] }, { table_version: 1012 }));
    const e = sipEngine(cfg(url, '"db_mode", 1'));
    const p = attachUsrlocPersistence(e.rt, ['location']);
    assert.deepEqual(p, { error: 'invalid version 1012 for table location found, expected 1013' });
  });

  test('MI ul_sync rewrites the table (or one AoR) from memory', () => {
    const { url, db } = backend.fresh(['location']);
    const { e } = engine(url, '"db_mode", 1');
    e.send(register({ contacts: ['<sip:1001@127.0.0.1:5062>'], expires: 600 }));
    ok(db.delete('location'));
    assert.deepEqual(rows(db), []);
    const mi = coreMi('t');
    assert.equal(
      mi.handle({ jsonrpc: '2.0', method: 'ul_sync', params: ['location', '1001'], id: 1 }, e.rt)!.result,
      'OK',
    );
    assert.deepEqual(
      rows(db).map((r) => r.contact),
      ['sip:1001@127.0.0.1:5062'],
    );
    ok(db.update('location', {}, { contact: 'sip:stale@x' }));
    assert.equal(mi.handle({ jsonrpc: '2.0', method: 'ul_sync', params: ['location'], id: 2 }, e.rt)!.result, 'OK');
    assert.deepEqual(
      rows(db).map((r) => r.contact),
      ['sip:1001@127.0.0.1:5062'],
    );
    assert.deepEqual(
      mi.handle({ jsonrpc: '2.0', method: 'ul_sync', params: ['location', '9999'], id: 3 }, e.rt)!.error,
      {
        code: 404,
        message: 'AOR not found',
      },
    );
  });

  test("sql-only (db_mode 3): lookups and ul_dump read the table (another node's rows are seen at once), the timer deletes expired rows whoever wrote them", async () => {
    const { url, db } = backend.fresh(['location']);
    const a = engine(url, '"db_mode", 3');
    a.e.send(register({ user: '1001', contacts: ['<sip:1001@127.0.0.1:5062>'], expires: 600 }));
    const b = engine(url, '"db_mode", 3');
    assert.equal(b.p.loaded, 0, 'sql-only loads nothing at start');
    assert.deepEqual(
      usrlocOf(b.e.rt)
        .domain('location')
        .get('1001')!
        .bindings.map((x) => x.uri),
      ['sip:1001@127.0.0.1:5062'],
      "node B sees node A's registration",
    );
    const now = Math.floor(a.e.clock.now() / 1000);
    ok(
      db.insert('location', {
        contact_id: 77,
        username: 'gone',
        contact: 'sip:gone@x',
        expires: now - 5,
        callid: 'c',
        cseq: 1,
      }),
    );
    // ul_dump on node B: the table's AoRs (A's included), the expired row left out.
    a.e.send(register({ user: '1003', contacts: ['<sip:1003@127.0.0.1:5066>'], expires: 600, callId: 'c3' }));
    const dump = (brief?: 'brief') =>
      (
        coreMi('t').handle({ jsonrpc: '2.0', method: 'ul_dump', params: brief ? [brief] : [], id: 1 }, b.e.rt) as {
          result: { Domains: { name: string; AORs: { AOR: string; Contacts?: { Contact: string }[] }[] }[] };
        }
      ).result.Domains[0]!;
    assert.deepEqual(
      dump('brief')
        .AORs.map((x) => x.AOR)
        .sort(),
      ['1001', '1003'],
    );
    assert.deepEqual(
      dump()
        .AORs.map((x) => `${x.AOR} ${x.Contacts!.map((c) => c.Contact).join(',')}`)
        .sort(),
      ['1001 sip:1001@127.0.0.1:5062', '1003 sip:1003@127.0.0.1:5066'],
    );
    b.p.flush();
    await eventually(() => !rows(db).some((r) => r.username === 'gone'));
    assert.deepEqual(
      rows(db).map((r) => r.username),
      ['1001', '1003'],
      'the expired row of a node that is gone was deleted',
    );
    a.e.send(register({ user: '1003', contacts: ['<sip:1003@127.0.0.1:5066>'], expires: 0, cseq: 2, callId: 'c3' }));
    assert.deepEqual(
      dump('brief').AORs.map((x) => x.AOR),
      ['1001'],
      "node B's dump follows the table",
    );
    b.e.send(register({ user: '1001', contacts: ['<sip:1001@127.0.0.1:5062>'], expires: 0, cseq: 2 }));
    assert.deepEqual(rows(db), [], 'de-registered through node B');
    assert.equal(usrlocOf(a.e.rt).domain('location').get('1001'), undefined, 'node A sees it at once');
  });

  test("statements per REGISTER in each mode, as 3.3's usrloc sends them: sql-only reads the AoR then writes the contact (db_load_urecord + db_insert_ucontact), write-through only writes, write-back writes nothing until the flush", async () => {
    const cases: [string, number, string[]][] = [
      ['"working_mode_preset", "sql-only"', 2, ['SELECT', 'INSERT']],
      ['"working_mode_preset", "single-instance-sql-write-through"', 1, ['INSERT']],
      ['"working_mode_preset", "single-instance-sql-write-back"', 0, []],
    ];
    for (const [mode, perRegister, kinds] of cases) {
      const { url, db } = backend.fresh(['location']);
      const { e, p } = engine(url, mode);
      const seen = countStatements(e, url);
      const sent = e.send(register({ user: '2001', contacts: ['<sip:2001@127.0.0.1:5062>'], expires: 600 }));
      assert.match(sent.sent[0]!.text, /^SIP\/2\.0 200 /, mode);
      assert.equal(seen.n, perRegister, `${mode}: a new AoR`);
      assert.deepEqual(seen.texts, kinds, mode);
      seen.n = 0;
      e.send(register({ user: '2001', contacts: ['<sip:2001@127.0.0.1:5062>'], expires: 600, cseq: 2 }));
      assert.equal(seen.n, perRegister, `${mode}: a refresh`);
      e.send(register({ user: '2002', contacts: ['<sip:2002@127.0.0.1:5064>'], expires: 600, callId: 'c2' }));
      seen.n = 0;
      if (perRegister === 0) {
        p.flush();
        assert.equal(seen.n, 2, 'write-back: one statement per dirty contact at the flush');
        await eventually(() => rows(db).length === 2);
        assert.deepEqual(
          rows(db).map((r) => [r.username, r.cseq]),
          [
            ['2001', 2],
            ['2002', 1],
          ],
        );
      }
      p.close();
    }
  });
});
