// drouting live: SIPp calls through `opensips-ts run`; the rule's first
// gateway never answers, so the first call fails over (fr_timeout, then
// dr_disable + use_next_gw in failure_route) to the SIPp UAS and completes;
// the second goes straight to the UAS, the dead gateway being disabled (state
// 2 in dr_gateways). The R-URI keeps the caller's parameters after the
// gateway's address, as 3.3's build_ruri does. Loopback only (127.0.117.0/24); SIPp runs are bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logsSettled, runSipp, SIP_DIR, SIPP, sippSkip, startServer, startUas, stopServers } from '../helpers/sipp.js';

test(
  'SIPp: drouting fails over from a dead gateway to the live one, then avoids the dead one',
  { skip: sippSkip(), timeout: 90000 },
  async () => {
    assert.ok(SIPP, 'CI=true: SIPp must be installed (apt-get install -y sip-tester)');
    const dir = mkdtempSync(join(tmpdir(), 'osts-dr-'));
    const db = join(dir, 'dr.db');
    const sql = new Database(db);
    sql.exec(`CREATE TABLE dr_gateways (id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, gwid CHAR(64) NOT NULL, type INTEGER DEFAULT 0 NOT NULL,
      address CHAR(128) NOT NULL, strip INTEGER DEFAULT 0 NOT NULL, pri_prefix CHAR(16) DEFAULT NULL, attrs CHAR(255) DEFAULT NULL,
      probe_mode INTEGER DEFAULT 0 NOT NULL, state INTEGER DEFAULT 0 NOT NULL, socket CHAR(128) DEFAULT NULL, description CHAR(128) DEFAULT NULL);
    CREATE TABLE dr_rules (ruleid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, groupid CHAR(255) NOT NULL, prefix CHAR(64) NOT NULL,
      timerec CHAR(255) DEFAULT NULL, priority INTEGER DEFAULT 0 NOT NULL, routeid CHAR(255) DEFAULT NULL, gwlist CHAR(255),
      sort_alg CHAR(1) DEFAULT 'N' NOT NULL, sort_profile INTEGER DEFAULT NULL, attrs CHAR(255) DEFAULT NULL, description CHAR(128) DEFAULT NULL);
    CREATE TABLE dr_carriers (id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, carrierid CHAR(64) NOT NULL, gwlist CHAR(255) NOT NULL,
      flags INTEGER DEFAULT 0 NOT NULL, sort_alg CHAR(1) DEFAULT 'N' NOT NULL, state INTEGER DEFAULT 0 NOT NULL, attrs CHAR(255) DEFAULT NULL,
      description CHAR(128) DEFAULT NULL);
    CREATE TABLE dr_groups (id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, username CHAR(64) NOT NULL, domain CHAR(128) DEFAULT NULL,
      groupid INTEGER DEFAULT 0 NOT NULL, description CHAR(128) DEFAULT NULL);
    INSERT INTO dr_gateways (gwid, address) VALUES ('dead', '127.0.117.2:5999'), ('live', '127.0.117.2:5070');
    INSERT INTO dr_rules (groupid, prefix, gwlist) VALUES ('1', '', 'dead,live');`);
    sql.close();
    const cfg = join(dir, 'drouting.cfg');
    writeFileSync(cfg, readFileSync(`${SIP_DIR}drouting.cfg.in`, 'utf8').replaceAll('@DB@', db));
    const server = await startServer({ cfg, sockets: 1 });
    try {
      const uas = (await startUas({ scenario: 'uas-invite.xml', ip: '127.0.117.2', port: 5070, transport: 'u1', calls: 2 })).done;
      const place = () =>
        runSipp(
          { scenario: 'uac-invite.xml', ip: '127.0.117.3', port: 5312, transport: 'u1', target: '127.0.117.1:5060', service: 'gw' },
          true,
        );
      const first = await place();
      const uac = first.code === 0 ? await place() : first;
      const uasResult = await uas;
      await logsSettled([server]);
      const log = server.log.join('');
      assert.equal(uac.code, 0, `SIPp UAC failed:\n${uac.out.slice(-2000)}\n${log.slice(-2000)}`);
      assert.equal(uasResult.code, 0, `SIPp UAS failed:\n${uasResult.out.slice(-2000)}`);
      const routing = log
        .split('\n')
        .filter((l) => / to sip:| fails over /.test(l))
        .map((l) => l.replace(/^.*call \S+ /, ''));
      assert.deepEqual(routing, [
        'to sip:gw@127.0.117.2:5999;transport=UDP via dead',
        'fails over to sip:gw@127.0.117.2:5070;transport=UDP via live',
        'to sip:gw@127.0.117.2:5070;transport=UDP via live',
      ]);
      const state = new Database(db, { readonly: true }).prepare("SELECT state FROM dr_gateways WHERE gwid = 'dead'").get() as {
        state: number;
      };
      assert.equal(state.state, 2, 'the dead gateway is disabled in the table');
    } finally {
      await stopServers([server]);
    }
  },
);
