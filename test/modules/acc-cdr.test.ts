// acc's CDRs: do_accounting(..., "cdr") accounts an answered INVITE once,
// when its dialog ends (BYE or timeout), with created, call_start_time,
// duration, ms_duration and setuptime, in the log, the acc table and
// E_ACC_CDR; $acc_extra values (set on the INVITE or the BYE) ride along;
// missed calls still go out on failure; acc_db_request / acc_evi_request.
// What goes into the database (acc, missed_calls, CDRs, legs) is checked on
// each DB backend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverFor, type Harness } from '../helpers/server.js';
import { scenarioOf } from '../helpers/scenario.js';
import { DbError, type Db, type DbRow } from '../../src/db/index.js';
import { dbModuleFor, forEachBackend } from '../helpers/db-backends.js';

function invite(id: string): string {
  return (
    `INVITE sip:1001@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.11:5060;branch=z9hG4bK-${id}\r\n` +
    `From: <sip:1002@127.0.0.11>;tag=a${id}\r\nTo: <sip:1001@127.0.0.1>\r\nCall-ID: ${id}\r\nCSeq: 10 INVITE\r\n` +
    `Contact: <sip:1002@127.0.0.11:5060>\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n`
  );
}

/** The reply of the callee (127.0.0.20) to the last forwarded request of `method` in call `id`. */
function reply(h: Harness, id: string, method: string, code = '200 OK'): string {
  const fwd = [...h.sent]
    .reverse()
    .find((s) => s.text.startsWith(`${method} `) && s.text.includes(`Call-ID: ${id}\r\n`))!.text;
  const vias = fwd.match(/\r\nVia: [^\r]+/g)!.join('');
  const rrs = (fwd.match(/\r\nRecord-Route: [^\r]+/g) ?? []).join('');
  const cseq = /CSeq: (\d+)/.exec(fwd)![1];
  return (
    `SIP/2.0 ${code}${vias}${rrs}\r\nFrom: <sip:1002@127.0.0.11>;tag=a${id}\r\nTo: <sip:1001@127.0.0.1>;tag=b${id}\r\n` +
    `Call-ID: ${id}\r\nCSeq: ${cseq} ${method}\r\nContact: <sip:1001@127.0.0.20:5060>\r\nContent-Length: 0\r\n\r\n`
  );
}

function route(h: Harness, id: string): string {
  const fwd = h.sent.find((s) => s.text.startsWith('INVITE') && s.text.includes(`Call-ID: ${id}\r\n`))!.text;
  return /\r\nRecord-Route: <([^>]+)>/.exec(fwd)![1]!;
}

function inDialog(method: string, id: string, cseq: number, rr: string): string {
  return (
    `${method} sip:1001@127.0.0.20:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.11:5060;branch=z9hG4bK-${method}${cseq}${id}\r\n` +
    `Route: <${rr}>\r\nFrom: <sip:1002@127.0.0.11>;tag=a${id}\r\nTo: <sip:1001@127.0.0.1>;tag=b${id}\r\n` +
    `Call-ID: ${id}\r\nCSeq: ${cseq} ${method}\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n`
  );
}

const cfg = (acc: string, extra = '', routes = ''): string => `socket=udp:127.0.0.1:5060
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "dialog.so"
loadmodule "acc.so"
${extra}
route {
\tif (has_totag()) {
\t\tif (loose_route()) {
\t\t\tif (is_method("BYE")) $acc_extra(hangup) = "caller";
\t\t\tt_relay();
\t\t}
\t\texit;
\t}
\t${acc}
\trecord_route();
\t$du = "sip:127.0.0.20:5060";
\tt_relay();
}
${routes}
`;

const accLines = (logs: string[]): string[] =>
  logs.filter((l) => / ACC: /.test(l)).map((l) => l.replace(/^.*? ACC: /, 'ACC: ').trimEnd());

/** INVITE at T, 200 at T+2.25 s, ACK, BYE at T+67.75 s and its 200. */
function call(h: Harness, id: string): number {
  const t0 = Math.floor(h.clock.now() / 1000);
  h.receive(invite(id), '127.0.0.11');
  h.clock.advance(2250);
  h.receive(reply(h, id, 'INVITE'), '127.0.0.20');
  const rr = route(h, id);
  h.receive(inDialog('ACK', id, 10, rr), '127.0.0.11');
  h.clock.advance(65500);
  h.receive(inDialog('BYE', id, 11, rr), '127.0.0.11');
  h.receive(reply(h, id, 'BYE'), '127.0.0.20');
  return t0;
}

test('log: one "call ended" record when the BYE is answered, with created, call_start_time, duration, ms_duration, setuptime and the extras; nothing at the 2xx', () => {
  const h = serverFor(
    cfg(
      'do_accounting("log", "cdr");\n\t$acc_extra(src) = $si;',
      'modparam("acc", "extra_fields", "log: src->caller_ip; hangup")',
    ),
  );
  const t0 = call(h, 'c1');
  assert.deepEqual(accLines(h.logs), [
    `ACC: call ended: created=${t0};call_start_time=${t0 + 2};duration=66;ms_duration=65500;setuptime=2;method=INVITE;from_tag=ac1;to_tag=bc1;call_id=c1;code=200;reason=OK;caller_ip=127.0.0.11;hangup=caller`,
  ]);
});

test('without cdr the 2xx is accounted at once ("transaction answered"); a failed call with cdr|missed is still a missed call', () => {
  const h = serverFor(cfg('do_accounting("log", "cdr|missed");'));
  h.receive(invite('m1'), '127.0.0.11');
  h.receive(reply(h, 'm1', 'INVITE', '486 Busy Here'), '127.0.0.20');
  assert.match(
    accLines(h.logs)[0]!,
    /^ACC: call missed: timestamp=\d+;created=\d+;setuptime=0;method=INVITE;from_tag=am1;to_tag=bm1;call_id=m1;code=486;reason=Busy Here$/,
  );
  const plain = serverFor(cfg('do_accounting("log");'));
  call(plain, 'p1');
  assert.deepEqual(
    accLines(plain.logs).map((l) => l.replace(/=\d{6,}/g, '=T')),
    [
      'ACC: transaction answered: timestamp=T;created=0;setuptime=T;method=INVITE;from_tag=ap1;to_tag=bp1;call_id=p1;code=200;reason=OK',
    ],
  );
});

test('evi: E_ACC_CDR with the core values, time, duration, ms_duration, setuptime and created; a dialog timeout ends the call too', () => {
  const h = serverFor(
    cfg(
      'do_accounting("evi", "cdr");',
      'loadmodule "event_route.so"\nmodparam("dialog", "default_timeout", 30)',
      'event_route[E_ACC_CDR] {\n\txlog("L_NOTICE", "CDR $param(callid) $param(sip_code) time=$param(time) dur=$param(duration) ms=$param(ms_duration) setup=$param(setuptime) created=$param(created)\\n");\n}',
    ),
  );
  const t0 = Math.floor(h.clock.now() / 1000);
  h.receive(invite('e1'), '127.0.0.11');
  h.clock.advance(1000);
  h.receive(reply(h, 'e1', 'INVITE'), '127.0.0.20');
  h.clock.advance(31000);
  const lines = h.logs.filter((l) => / CDR /.test(l)).map((l) => l.replace(/^.*? CDR /, 'CDR ').trimEnd());
  assert.deepEqual(lines, [`CDR e1 200 time=${t0 + 1} dur=30 ms=30000 setup=1 created=${t0}`]);
});

/** Rows of `table` once `n` are there (acc writes asynchronously, never blocking the script); bounded. */
async function rowsOf(db: Db, table: string, n: number, cols?: string[]): Promise<DbRow[]> {
  for (let i = 0; ; i++) {
    const rows = db.query(table, { ...(cols ? { cols } : {}), order: 'id' });
    if (rows instanceof DbError) throw new Error(rows.message);
    if (rows.length >= n || i >= 100) return rows;
    await new Promise((r) => setTimeout(r, 30));
  }
}

forEachBackend('acc into the database', (b) => {
  const accDb = (): { url: string; db: Db; dbLines: string } => {
    const { url, db } = b.fresh(['acc', 'missed_calls']);
    return { url, db, dbLines: `loadmodule "${dbModuleFor(url)}.so"\nmodparam("acc", "db_url", "${url}")` };
  };
  const ok = (r: unknown): void => assert.ok(!(r instanceof DbError), String(r));

  test('answered and failed transactions in the acc table, missed calls in missed_calls (tables from db create)', async () => {
    const { db, dbLines } = accDb();
    const cfg = `socket=udp:127.0.0.1:5060
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "signaling.so"
loadmodule "acc.so"
${dbLines}
route {
\tdo_accounting("db", "missed|failed");
\tif ($ci =~ "call-1") t_reply(486, "Busy Here"); else t_reply(200, "OK");
}
`;
    await scenarioOf(
      cfg,
      `uas:\n  UA2: { address: "udp:127.0.0.11:5060", user: "1002" }\ntimeline:\n  - t=1 UA2 INVITE 1001 via=P\n  - t=2 UA2 INVITE 1001 via=P\nuntil: 3\n`,
    );
    const cols = ['method', 'callid', 'sip_code', 'sip_reason'];
    assert.deepEqual(await rowsOf(db, 'acc', 2, cols), [
      { method: 'INVITE', callid: 'UA2-call-1@127.0.0.11', sip_code: '486', sip_reason: 'Busy Here' },
      { method: 'INVITE', callid: 'UA2-call-2@127.0.0.11', sip_code: '200', sip_reason: 'OK' },
    ]);
    assert.deepEqual(await rowsOf(db, 'missed_calls', 1, cols), [
      { method: 'INVITE', callid: 'UA2-call-1@127.0.0.11', sip_code: '486', sip_reason: 'Busy Here' },
    ]);
  });

  test("the CDR is an acc row (or a row of do_accounting's table) with duration, ms_duration, setuptime and created", async () => {
    const { db, dbLines } = accDb();
    // A table of the acc layout under another name.
    ok(
      db.raw(
        b.kind === 'sqlite'
          ? 'CREATE TABLE my_cdrs AS SELECT * FROM acc WHERE 0'
          : b.kind === 'postgres'
            ? 'CREATE TABLE my_cdrs (LIKE acc INCLUDING ALL)'
            : 'CREATE TABLE my_cdrs LIKE acc',
      ),
    );
    const h = serverFor(cfg('do_accounting("db", "cdr", "my_cdrs");', dbLines));
    const t0 = call(h, 'd1');
    const rows = await rowsOf(db, 'my_cdrs', 1);
    const iso = (s: number) => new Date(s * 1000).toISOString().replace('T', ' ').slice(0, 19);
    assert.deepEqual(
      rows.map(({ id: _id, ...r }) => r),
      [
        {
          method: 'INVITE',
          from_tag: 'ad1',
          to_tag: 'bd1',
          callid: 'd1',
          sip_code: '200',
          sip_reason: 'OK',
          time: iso(t0 + 2),
          duration: 66,
          ms_duration: 65500,
          setuptime: 2,
          created: iso(t0),
        },
      ],
    );
  });

  test('acc_db_request and acc_evi_request: one record of the request now; -1 for acc_db_request without db support', async () => {
    const { db, dbLines } = accDb();
    const h = serverFor(`socket=udp:127.0.0.1:5060
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "acc.so"
loadmodule "event_route.so"
${dbLines}
route {
\t$var(a) = acc_db_request("403 Forbidden", "missed_calls");
\t$var(b) = acc_db_request("Bye now", "acc");
\t$var(c) = acc_evi_request("200");
\t$var(d) = acc_log_request("404");
\t$var(e) = acc_db_request("500", "");
\txlog("L_NOTICE", "rc $var(a) $var(b) $var(c) $var(d) $var(e)\\n");
\tsl_send_reply(403, "Forbidden");
}
event_route[E_ACC_EVENT] {
\txlog("L_NOTICE", "EVENT $param(sip_code) $param(sip_reason)\\n");
}
`);
    h.receive(invite('r1'), '127.0.0.11');
    h.clock.advance(10);
    assert.deepEqual(await rowsOf(db, 'missed_calls', 1, ['sip_code', 'sip_reason']), [
      { sip_code: '403', sip_reason: 'Forbidden' },
    ]);
    assert.deepEqual(await rowsOf(db, 'acc', 1, ['sip_code', 'sip_reason']), [{ sip_code: '', sip_reason: 'Bye now' }]);
    const lines = h.logs
      .map((l) => l.replace(/^.*?: /, ''))
      .filter((l) => /^(rc|EVENT|ACC)/.test(l) || / ACC: /.test(l));
    assert.ok(
      h.logs.some((l) => /rc 1 1 1 1 -1/.test(l)),
      h.logs.join('\n'),
    );
    assert.ok(h.logs.some((l) => /EVENT 200 OK/.test(l)));
    assert.ok(
      h.logs.some((l) =>
        /ACC: request accounted: timestamp=\d+;method=INVITE;from_tag=ar1;to_tag=;call_id=r1;code=404;reason=Not Found/.test(
          l,
        ),
      ),
      lines.join('\n'),
    );
  });

  test('leg fields: acc_new_leg() opens a leg, $acc_leg sets its values; the log line carries every leg, the db one row per leg', async () => {
    const { db, dbLines } = accDb();
    ok(db.raw('ALTER TABLE acc ADD COLUMN dst VARCHAR(64)'));
    const h = serverFor(
      cfg(
        'do_accounting("log|db", "cdr");\n\t$var(n1) = acc_new_leg();\n\t$acc_leg(callee) = "1001";\n\tacc_new_leg();\n\t$acc_leg(callee) = "1009";\n\txlog("L_NOTICE", "legs n1=$var(n1) current=$acc_current_leg last=$acc_leg(callee)\\n");',
        `${dbLines}\nmodparam("acc", "leg_fields", "log: callee")\nmodparam("acc", "leg_fields", "db: callee->dst")`,
      ),
    );
    call(h, 'l1');
    assert.ok(h.logs.some((l) => /legs n1=1 current=1 last=1009/.test(l)));
    assert.match(accLines(h.logs)[0]!, /;code=200;reason=OK;callee=1001;callee=1009$/);
    assert.deepEqual(await rowsOf(db, 'acc', 2, ['dst', 'duration']), [
      { dst: '1001', duration: 66 },
      { dst: '1009', duration: 66 },
    ]);
  });
});
