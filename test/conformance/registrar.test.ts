// A live registrar: SIPp registers, MI over HTTP shows the bindings (ul_dump), the
// SQLite location table holds them, and after a restart they are back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSipp, SIP_DIR, SIPP, sippSkip, startServer, stopServers } from '../helpers/sipp.js';

async function ulDump(): Promise<{ Domains: { AORs: { AOR: string; Contacts: { Contact: string; Expires: number }[] }[] }[] }> {
  const r = await fetch('http://127.0.21.1:18888/mi', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', method: 'ul_dump', id: 1 }) });
  return ((await r.json()) as { result: never }).result;
}

test('live registrar with SQLite write-through and MI over HTTP: REGISTER, ul_dump, location table, restart', { skip: sippSkip(), timeout: 90000 }, async () => {
  assert.ok(SIPP, 'CI=true: SIPp must be installed (apt-get install -y sip-tester)');
  const dir = mkdtempSync(join(tmpdir(), 'osts-reg-'));
  const db = join(dir, 'location.db');
  const cfg = join(dir, 'registrar.cfg');
  writeFileSync(cfg, readFileSync(`${SIP_DIR}registrar-db.cfg.in`, 'utf8').replaceAll('@DB@', db));
  let server = await startServer({ cfg, sockets: 3 });
  try {
    const uac = await runSipp({ scenario: 'uac-register.xml', ip: '127.0.21.2', port: 5310, transport: 'u1', target: '127.0.21.1:5060', calls: 3 }, true);
    assert.equal(uac.code, 0, uac.out.slice(-2000));
    const dump = await ulDump();
    const aors = dump.Domains[0]!.AORs.map((a) => a.AOR).sort();
    assert.deepEqual(aors, ['1001', '1002', '1003']);
    for (const a of dump.Domains[0]!.AORs) assert.ok(a.Contacts[0]!.Expires > 590 && a.Contacts[0]!.Expires <= 600);
    const rows = new Database(db, { readonly: true }).prepare('SELECT username, contact, user_agent FROM location ORDER BY username').all();
    assert.deepEqual(rows, [1, 2, 3].map((i) => ({ username: `100${i}`, contact: `sip:100${i}@127.0.21.2:5310;transport=UDP`, user_agent: 'SIPp conformance' })));
    await stopServers([server]);
    server = await startServer({ cfg, sockets: 3 });
    const again = await ulDump();
    assert.deepEqual(again.Domains[0]!.AORs.map((a) => a.AOR).sort(), ['1001', '1002', '1003'], 'no registration lost on restart');
  } finally {
    await stopServers([server]);
  }
});
