// load_balancer live: SIPp calls through `opensips-ts run`; the destination
// with the most free capacity never answers, so the first call fails over
// (fr_timeout, then lb_disable_dst + lb_next in failure_route) to the SIPp
// UAS and completes; the second goes straight to the UAS, the dead one being
// disabled. Loopback only (127.0.117.0/24); SIPp runs
// are bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logsSettled, runSipp, SIP_DIR, SIPP, sippSkip, startServer, startUas, stopServers } from '../helpers/sipp.js';

test(
  'SIPp: load_balancer fails over from a dead destination to the live one, then avoids the dead one',
  { skip: sippSkip(), timeout: 90000 },
  async () => {
    assert.ok(SIPP, 'CI=true: SIPp must be installed (apt-get install -y sip-tester)');
    const dir = mkdtempSync(join(tmpdir(), 'osts-lb-'));
    const db = join(dir, 'lb.db');
    const sql = new Database(db);
    sql.exec(`CREATE TABLE load_balancer (id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, group_id INTEGER DEFAULT 0 NOT NULL,
      dst_uri CHAR(128) NOT NULL, resources CHAR(255) NOT NULL, probe_mode INTEGER DEFAULT 0 NOT NULL, attrs CHAR(255) DEFAULT NULL,
      description CHAR(128) DEFAULT NULL);
    INSERT INTO load_balancer (id, group_id, dst_uri, resources) VALUES (1, 1, 'sip:127.0.117.12:5999', 'pstn=10'),
      (2, 1, 'sip:127.0.117.12:5070', 'pstn=5');`);
    sql.close();
    const cfg = join(dir, 'load-balancer.cfg');
    writeFileSync(cfg, readFileSync(`${SIP_DIR}load-balancer.cfg.in`, 'utf8').replaceAll('@DB@', db));
    const server = await startServer({ cfg, sockets: 1 });
    try {
      const uas = (await startUas({ scenario: 'uas-invite.xml', ip: '127.0.117.12', port: 5070, transport: 'u1', calls: 2 })).done;
      const place = () =>
        runSipp(
          { scenario: 'uac-invite.xml', ip: '127.0.117.13', port: 5312, transport: 'u1', target: '127.0.117.11:5060', service: 'lb' },
          true,
        );
      const first = await place();
      const uac = first.code === 0 ? await place() : first;
      const uasResult = await uas;
      await logsSettled([server]);
      const log = server.log.join('');
      assert.equal(first.code, 0, `SIPp UAC failed:\n${first.out.slice(-2000)}\n${log.slice(-2000)}`);
      assert.equal(uac.code, 0, `SIPp UAC failed:\n${uac.out.slice(-2000)}\n${log.slice(-2000)}`);
      assert.equal(uasResult.code, 0, `SIPp UAS failed:\n${uasResult.out.slice(-2000)}`);
      const routing = log
        .split('\n')
        .filter((l) => / to sip:| fails over /.test(l))
        .map((l) => l.replace(/^.*call \S+ /, ''));
      assert.deepEqual(routing, [
        'to sip:127.0.117.12:5999',
        'fails over to sip:127.0.117.12:5070',
        'to sip:127.0.117.12:5070',
      ]);
    } finally {
      await stopServers([server]);
    }
  },
);
