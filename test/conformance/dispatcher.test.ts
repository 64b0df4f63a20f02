// dispatcher live: SIPp calls through `opensips-ts run`; the set's first
// destination never answers, so the first call fails over (fr_timeout, then
// ds_mark_dst + ds_next_dst in failure_route) to the SIPp UAS and completes;
// the second goes straight to the UAS, the dead one being inactive (also in
// the table's state column). Loopback only; SIPp runs are bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logsSettled, runSipp, SIP_DIR, SIPP, sippSkip, startServer, startUas, stopServers } from '../helpers/sipp.js';

test('SIPp: dispatcher fails over from a dead destination to the live one and then avoids the dead one', { skip: sippSkip(), timeout: 90000 }, async () => {
  assert.ok(SIPP, 'CI=true: SIPp must be installed (apt-get install -y sip-tester)');
  const dir = mkdtempSync(join(tmpdir(), 'osts-ds-'));
  const db = join(dir, 'dispatcher.db');
  const sql = new Database(db);
  sql.exec("CREATE TABLE dispatcher (id INTEGER PRIMARY KEY, setid INTEGER NOT NULL DEFAULT 0, destination TEXT NOT NULL DEFAULT '', socket TEXT, state INTEGER NOT NULL DEFAULT 0, weight TEXT NOT NULL DEFAULT '1', priority INTEGER NOT NULL DEFAULT 0, attrs TEXT NOT NULL DEFAULT '', description TEXT NOT NULL DEFAULT '')");
  sql.prepare('INSERT INTO dispatcher (setid, destination, priority) VALUES (?, ?, ?)').run(1, 'sip:127.0.22.2:5070', 0);
  sql.prepare('INSERT INTO dispatcher (setid, destination, priority) VALUES (?, ?, ?)').run(1, 'sip:127.0.22.2:5999', 10);
  sql.close();
  const cfg = join(dir, 'dispatcher.cfg');
  writeFileSync(cfg, readFileSync(`${SIP_DIR}dispatcher.cfg.in`, 'utf8').replaceAll('@DB@', db));
  const server = await startServer({ cfg, sockets: 1 });
  try {
    const uas = (await startUas({ scenario: 'uas-invite.xml', ip: '127.0.22.2', port: 5070, transport: 'u1', calls: 2 })).done;
    // One call after the other: the second is placed once the first has failed over.
    const first = await runSipp({ scenario: 'uac-invite.xml', ip: '127.0.22.3', port: 5312, transport: 'u1', target: '127.0.22.1:5060', service: 'gw', }, true);
    const uac = first.code === 0 ? await runSipp({ scenario: 'uac-invite.xml', ip: '127.0.22.3', port: 5312, transport: 'u1', target: '127.0.22.1:5060', service: 'gw' }, true) : first;
    const uasResult = await uas;
    await logsSettled([server]);
    const log = server.log.join('');
    assert.equal(uac.code, 0, `SIPp UAC failed:\n${uac.out.slice(-2000)}\n${log.slice(-2000)}`);
    assert.equal(uasResult.code, 0, `SIPp UAS failed:\n${uasResult.out.slice(-2000)}`);
    const routing = log.split('\n').filter((l) => / to sip:| fails over /.test(l)).map((l) => l.replace(/^.*call \S+ /, ''));
    assert.deepEqual(routing, ['to sip:127.0.22.2:5999', 'fails over to sip:127.0.22.2:5070', 'to sip:127.0.22.2:5070']);
    const state = new Database(db, { readonly: true }).prepare('SELECT state FROM dispatcher WHERE destination = ?').get('sip:127.0.22.2:5999') as { state: number };
    assert.equal(state.state, 1, 'the dead destination is inactive in the table');
  } finally {
    await stopServers([server]);
  }
});
