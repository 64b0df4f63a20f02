// auth + auth_db on the wire: SIPp answers the 401 with its own digest
// computation (MD5, qop=auth); the right password registers (200), a wrong
// one gets 403 from the cfg, and the server log shows the return codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logsSettled, runSipp, SIP_DIR, SIPP, sippSkip, startServer, stopServers } from '../helpers/sipp.js';

test('digest authentication of REGISTERs against SQLite, with SIPp computing the credentials', { skip: sippSkip(), timeout: 120000 }, async () => {
  assert.ok(SIPP, 'CI=true: SIPp must be installed (apt-get install -y sip-tester)');
  const dir = mkdtempSync(join(tmpdir(), 'osts-auth-'));
  const db = join(dir, 'subscriber.db');
  const d = new Database(db);
  d.exec('CREATE TABLE subscriber (username TEXT, domain TEXT, password TEXT)');
  d.prepare('INSERT INTO subscriber VALUES (?, ?, ?)').run('3001', '127.0.24.1', 'sesame');
  d.close();
  const cfg = join(dir, 'auth.cfg');
  writeFileSync(cfg, readFileSync(`${SIP_DIR}auth-registrar.cfg.in`, 'utf8').replaceAll('@DB@', db));
  const server = await startServer({ cfg, sockets: 1 });
  try {
    const reg = (password: string, scenario: string, port: number) => runSipp({
      scenario, ip: '127.0.24.2', port, transport: 'u1', target: '127.0.24.1:5060',
      keys: { user: '3001', contact: `127.0.24.2:${port}` }, callId: `auth-${port}`, auth: { user: '3001', password },
    }, true);
    const good = await reg('sesame', 'uac-reg-auth.xml', 5471);
    assert.equal(good.code, 0, `${good.out.slice(-600)}\n${server.log.join('')}`);
    const bad = await reg('guess', 'uac-reg-auth-403.xml', 5472);
    assert.equal(bad.code, 0, bad.out.slice(-2000));
    await logsSettled([server]);
    const codes = [...server.log.join('').matchAll(/auth of 3001 failed with (-?\d+)/g)].map((m) => Number(m[1]));
    assert.deepEqual(codes, [-4, -4, -2], `no credentials twice, then a wrong password:\n${server.log.join('')}`);
  } finally {
    await stopServers([server]);
  }
});
