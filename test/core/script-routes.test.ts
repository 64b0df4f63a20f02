// startup_route, timer_route, event_route (usrloc's events) and local_route,
// run by the server on a virtual clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scenarioOf } from '../helpers/scenario.js';

const REGISTRAR = `socket=udp:127.0.0.1:5060
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "signaling.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
modparam("usrloc", "timer_interval", 10)
`;

const UA = `uas:\n  UA1: { address: "udp:127.0.0.10:5060", user: "1001" }\n`;

test('startup_route runs once before the first message; timer_route[name, N] every N seconds from the start, on the dummy request', async () => {
  const r = await scenarioOf(
    `${REGISTRAR}
startup_route { xlog("L_NOTICE", "startup $rm $ru $ci\\n"); $var(ticks) = 0; }
timer_route[tick, 20] { $var(ticks) = $var(ticks) + 1; xlog("L_NOTICE", "tick $var(ticks) at $Ts $rm\\n"); }
route { xlog("L_NOTICE", "request after $var(ticks) ticks\\n"); save("location"); }
`,
    `${UA}timeline:\n  - t=30 UA1 REGISTER expires=3600\nuntil: 65\n`,
  );
  const lines = r.logs
    .filter((l) => /startup|tick|request after/.test(l))
    .map((l) => l.replace(/^(\d+) P: .*?(startup|tick|request)/, '$1 $2'));
  assert.equal(lines[0], '0 startup DUMMY sip:user@dummy.com dummy-1');
  assert.deepEqual(
    lines.slice(1).map((l) => l.replace(/ at \d+/, '')),
    ['20 tick 1 DUMMY', '30 request after 1 ticks', '40 tick 2 DUMMY', '60 tick 3 DUMMY'],
  );
});

test('event_route: E_UL_AOR_INSERT and E_UL_CONTACT_INSERT after save(), E_UL_CONTACT_UPDATE on a refresh, E_UL_CONTACT_DELETE and E_UL_AOR_DELETE at expiry; $param(name)', async () => {
  const r = await scenarioOf(
    `${REGISTRAR}loadmodule "event_route.so"
event_route[E_UL_AOR_INSERT] { xlog("L_NOTICE", "aor insert $param(domain) $param(aor)\\n"); }
event_route[E_UL_CONTACT_INSERT] { xlog("L_NOTICE", "contact insert $param(aor) $param(uri) q=$param(qval) cseq=$param(cseq) exp=$param(expires) $param(socket)\\n"); }
event_route[E_UL_CONTACT_UPDATE] { xlog("L_NOTICE", "contact update $param(aor) cseq=$param(cseq)\\n"); }
event_route[E_UL_CONTACT_DELETE] { xlog("L_NOTICE", "contact delete $param(aor) $param(nosuch)\\n"); }
event_route[E_UL_AOR_DELETE] { xlog("L_NOTICE", "aor delete $param(aor)\\n"); }
route { xlog("L_NOTICE", "route\\n"); save("location"); xlog("L_NOTICE", "saved\\n"); }
`,
    `${UA}timeline:\n  - t=0 UA1 REGISTER expires=60\n  - t=30 UA1 REGISTER expires=60\nuntil: 100\n`,
  );
  const lines = r.logs
    .filter((l) => /route$|saved|insert|update|delete/.test(l))
    .map((l) => l.replace(/^(\d+) P: /, '$1 '));
  const start = Number(/exp=(\d+)/.exec(lines.find((l) => l.includes('contact insert'))!)![1]) - 60;
  assert.deepEqual(
    lines.map((l) => l.replace(/exp=\d+/, (m) => `exp=+${Number(m.slice(4)) - start}`)),
    [
      '0 route',
      '0 saved',
      '0 aor insert location 1001',
      '0 contact insert 1001 sip:1001@127.0.0.10:5060 q=-1 cseq=1 exp=+60 udp:127.0.0.1:5060',
      '30 route',
      '30 saved',
      '30 contact update 1001 cseq=2',
      '90 contact delete 1001 <null>',
      '90 aor delete 1001', // refreshed at 30 for 60 s; usrloc's timer runs every 10 s
    ],
  );
});

test('raise_event(): names and values newest first; values only are read by position; names only raise no parameters; no module, no event_route run', async () => {
  const cfg = `${REGISTRAR}loadmodule "event_route.so"
event_route[E_MY_EVENT] { xlog("L_NOTICE", "event from=$param(from) to=$param(to) first=$param(1) n=$param(2)\\n"); }
route {
\t$avp(name) = "from"; $avp(name) = "to";
\t$avp(val) = $si; $avp(val) = $tu;
\traise_event("E_MY_EVENT", $avp(name), $avp(val));
\traise_event("E_MY_EVENT", , $avp(val));
\traise_event("E_MY_EVENT", $avp(name));
\txlog("L_NOTICE", "raised $rc\\n");
\tsave("location");
}
`;
  const r = await scenarioOf(cfg, `${UA}timeline:\n  - t=0 UA1 REGISTER expires=60\nuntil: 1\n`);
  const lines = r.logs.filter((l) => /event from|raised/.test(l)).map((l) => l.replace(/^\d+ P: /, ''));
  assert.deepEqual(lines, [
    'raised 1',
    'event from=127.0.0.10 to=sip:1001@127.0.0.1 first=sip:1001@127.0.0.1 n=127.0.0.10',
    'event from=<null> to=<null> first=sip:1001@127.0.0.1 n=127.0.0.10',
    'event from=<null> to=<null> first=<null> n=<null>',
  ]);
  const off = await scenarioOf(
    cfg.replace('loadmodule "event_route.so"\n', ''),
    `${UA}timeline:\n  - t=0 UA1 REGISTER expires=60\nuntil: 1\n`,
  );
  assert.ok(off.logs.some((l) => l.endsWith('raised 1')));
  assert.ok(!off.logs.some((l) => l.includes('event from')), 'without event_route.so the route never runs');
});

test('error_route runs on a request that fails parsing, with $err.*, and answers; without it the request is dropped unanswered (3.3)', async () => {
  const { serverFor } = await import('../helpers/server.js');
  const cfg = (withErrorRoute: boolean): string =>
    `socket=udp:127.0.0.1:5060\nloadmodule "sl.so"\n${withErrorRoute ? 'error_route {\n\txlog("L_NOTICE", "err $err.class $err.level $err.info $err.rcode $err.rreason $rm\\n");\n\tsl_send_reply(400, "Bad CSeq, sorry");\n}\n' : ''}route {\n\tsl_send_reply(200, "OK");\n}\n`;
  const badCseq =
    'OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.11:5060;branch=z9hG4bK-e1\r\nFrom: <sip:a@127.0.0.11>;tag=1\r\nTo: <sip:b@127.0.0.1>\r\nCall-ID: e1\r\nCSeq: 1\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n';
  const h = serverFor(cfg(true));
  h.receive(badCseq, '127.0.0.11');
  assert.deepEqual(
    h.sent.map((m) => m.text.split('\r\n')[0]),
    ['SIP/2.0 400 Bad CSeq, sorry'],
  );
  assert.ok(
    h.logs.some((l) => l.endsWith('err 1 3 error parsing CSeq 400 bad CSeq header OPTIONS\n')),
    h.logs.join(''),
  );
  const plain = serverFor(cfg(false));
  plain.receive(badCseq, '127.0.0.11');
  assert.equal(plain.sent.length, 0, 'receive_msg drops what parse_msg refuses');
  // A CSeq number that is not a number is not a parse error in 3.3 (parse_cseq takes a token): the script runs.
  plain.receive(badCseq.replace('CSeq: 1\r\n', 'CSeq: x OPTIONS\r\n'), '127.0.0.11');
  assert.match(plain.sent[0]!.text, /^SIP\/2\.0 200 OK/);
});

test('error_route also runs after a script function sets the error info (a Privacy header that does not parse): nested, $err.* set, then the script goes on', async () => {
  const { serverFor, request } = await import('../helpers/server.js');
  const cfg =
    'socket=udp:127.0.0.1:5060\nloadmodule "sl.so"\nloadmodule "sipmsgops.so"\n' +
    'error_route {\n\txlog("L_NOTICE", "err $err.class $err.level $err.info $err.rcode $err.rreason\\n");\n}\n' +
    'route {\n\tif (is_privacy("id")) xlog("L_NOTICE", "private\\n");\n\txlog("L_NOTICE", "after: class=$err.class\\n");\n\tsl_send_reply(200, "OK");\n}\n';
  const h = serverFor(cfg);
  h.receive(
    request('OPTIONS', 'pe1').replace('Max-Forwards: 70\r\n', 'Max-Forwards: 70\r\nPrivacy: secret\r\n'),
    '127.0.0.11',
  );
  const lines = h.logs
    .filter((l) => /err |after:|private/.test(l))
    .map((l) => l.replace(/^\w{3} +\d+ [\d:]+ \[\d+\] /, '').trim());
  assert.deepEqual(
    lines,
    ['err 1 3 error parsing privacy header 400 bad headers', 'after: class=0'],
    'reset after error_route',
  );
  assert.match(h.sent[0]!.text, /^SIP\/2\.0 200 OK/, 'the script went on');
  const ok = serverFor(cfg);
  ok.receive(
    request('OPTIONS', 'pe2').replace('Max-Forwards: 70\r\n', 'Max-Forwards: 70\r\nPrivacy: id\r\n'),
    '127.0.0.11',
  );
  assert.ok(!ok.logs.some((l) => l.includes('err ')), 'a good header sets nothing');
});

test('a failed assert() with enable_asserts: CRITICAL log, error_route with class 4, and the script ends; without enable_asserts nothing happens', async () => {
  const { serverFor, request } = await import('../helpers/server.js');
  const cfg = (on: boolean): string =>
    `${on ? 'enable_asserts=yes\n' : ''}socket=udp:127.0.0.1:5060\nloadmodule "sl.so"\n` +
    'error_route {\n\txlog("L_NOTICE", "err $err.class $err.level $err.info $err.rcode $err.rreason\\n");\n}\n' +
    'route {\n\tassert($rm == "INVITE", "not an INVITE");\n\tsl_send_reply(200, "OK");\n}\n';
  const on = serverFor(cfg(true));
  on.receive(request('OPTIONS', 'as1'), '127.0.0.11');
  assert.ok(
    on.logs.some((l) => l.includes('CRITICAL:core:do_action: ASSERTION FAILED - not an INVITE')),
    on.logs.join(''),
  );
  assert.ok(
    on.logs.some((l) => l.endsWith('err 4 1 assertion failed 500 server error\n')),
    on.logs.join(''),
  );
  assert.equal(on.sent.length, 0, 'the script ended at the assert');
  const off = serverFor(cfg(false));
  off.receive(request('OPTIONS', 'as2'), '127.0.0.11');
  assert.match(off.sent[0]!.text, /^SIP\/2\.0 200 OK/);
});

test("save() with a Contact that does not parse: its 400, then error_route with OpenSIPS's parser info", async () => {
  const { serverFor, request } = await import('../helpers/server.js');
  const cfg =
    'socket=udp:127.0.0.1:5060\nloadmodule "sl.so"\nloadmodule "usrloc.so"\nloadmodule "registrar.so"\n' +
    'error_route {\n\txlog("L_NOTICE", "err $err.info / $err.rreason\\n");\n}\n' +
    'route {\n\tsave("location");\n}\n';
  const h = serverFor(cfg);
  h.receive(
    request('REGISTER', 'ce1').replace(
      'Max-Forwards: 70\r\n',
      'Max-Forwards: 70\r\nContact: <sip:1001@127.0.0.11:5060\r\n',
    ),
    '127.0.0.11',
  );
  assert.match(h.sent[0]!.text, /^SIP\/2\.0 400 Bad Request\r\n[^]*\r\nP-Registrar-Error: Contact parse error\r\n/);
  assert.ok(
    h.logs.some((l) => l.endsWith('err error parsing CONTACT headers / bad headers\n')),
    h.logs.join(''),
  );
});
