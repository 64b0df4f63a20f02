// acc CDRs live: a SIPp call (INVITE, 200, ACK, BYE 200 ms later) through
// `opensips-ts run` with do_accounting("log|db", "cdr|missed"): one
// "ACC: call ended" line and one acc row with the call's duration,
// ms_duration, setuptime, created and the extra field. Loopback only
// (127.0.117.0/24); SIPp runs are bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTables, DbError, openDb } from '../../src/db/index.js';
import { waitFor } from '../helpers/wait.js';
import { logsSettled, runSipp, SIP_DIR, SIPP, sippSkip, startServer, startUas, stopServers } from '../helpers/sipp.js';

test('SIPp: a call accounted as a CDR in the log and the acc table', { skip: sippSkip(), timeout: 120000 }, async () => {
  assert.ok(SIPP, 'CI=true: SIPp must be installed (apt-get install -y sip-tester)');
  const dir = mkdtempSync(join(tmpdir(), 'osts-cdr-'));
  const path = join(dir, 'acc.db');
  const db = openDb(`sqlite://${path}`, undefined, { create: true });
  assert.ok(!(db instanceof DbError));
  assert.ok(!(createTables(db, ['acc', 'missed_calls']) instanceof DbError));
  db.close();
  const sql = new Database(path);
  sql.exec('ALTER TABLE acc ADD COLUMN src_ip CHAR(64)');
  sql.close();
  const cfg = join(dir, 'acc-cdr.cfg');
  writeFileSync(cfg, readFileSync(`${SIP_DIR}acc-cdr.cfg.in`, 'utf8').replaceAll('@DB@', path));
  const server = await startServer({ cfg, sockets: 1 });
  try {
    const uas = (await startUas({ scenario: 'uas-invite.xml', ip: '127.0.117.22', port: 5070, transport: 'u1', calls: 1 })).done;
    const uac = await runSipp(
      { scenario: 'uac-invite.xml', ip: '127.0.117.23', port: 5312, transport: 'u1', target: '127.0.117.21:5060', service: 'cdr' },
      true,
    );
    const uasResult = await uas;
    await logsSettled([server]);
    const log = server.log.join('');
    assert.equal(uac.code, 0, `SIPp UAC failed:\n${uac.out.slice(-2000)}\n${log.slice(-2000)}`);
    assert.equal(uasResult.code, 0, `SIPp UAS failed:\n${uasResult.out.slice(-2000)}`);
    const ended = log.split('\n').filter((l) => l.includes('ACC: call ended: '));
    assert.equal(ended.length, 1, log.slice(-3000));
    // duration is ms_duration in whole seconds, rounded up: the 200 ms call takes longer on a loaded machine.
    const timing = /;duration=(\d+);ms_duration=(\d+);/.exec(ended[0]!);
    assert.equal(Number(timing?.[1]), Math.ceil(Number(timing?.[2]) / 1000), ended[0]);
    assert.match(
      ended[0]!,
      /ACC: call ended: created=\d+;call_start_time=\d+;duration=\d+;ms_duration=\d+;setuptime=\d+;method=INVITE;from_tag=\S+;to_tag=\S+;call_id=\S+;code=200;reason=OK;src_ip=127\.0\.117\.23$/,
    );
    assert.doesNotMatch(log, /transaction answered/, 'the 2xx is not accounted on its own');
    const acc = (): Record<string, unknown>[] => new Database(path, { readonly: true }).prepare('SELECT * FROM acc').all() as Record<string, unknown>[];
    await waitFor(() => acc().length > 0, 'the acc row');
    const rows = acc();
    assert.equal(rows.length, 1);
    const row = rows[0]!;
    assert.equal(row.method, 'INVITE');
    assert.equal(row.sip_code, '200');
    assert.equal(row.duration, Math.ceil(Number(row.ms_duration) / 1000));
    assert.ok(Number(row.ms_duration) >= 150 && Number(row.ms_duration) < 20000, `ms_duration ${String(row.ms_duration)}`);
    assert.ok(Number(row.setuptime) >= 0);
    assert.match(String(row.created), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    assert.equal(row.src_ip, '127.0.117.23');
    assert.equal((new Database(path, { readonly: true }).prepare('SELECT count(*) AS n FROM missed_calls').get() as { n: number }).n, 0);
  } finally {
    await stopServers([server]);
  }
});
