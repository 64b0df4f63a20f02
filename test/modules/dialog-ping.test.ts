// create_dialog's pinging (P/p: OPTIONS every options_ping_interval; R/r:
// re-INVITE every reinvite_ping_interval), on a virtual clock: a ping
// answered 408/481 or not at all ends the dialog with a BYE to each side; an
// answered one keeps it; the pings' CSeq numbers shift the later requests
// relayed to that leg, their replies getting the sender's number back, and
// the ACK of a renumbered re-INVITE keeps the re-INVITE's number.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scriptLines, serverFor, type Harness } from '../helpers/server.js';
import { coreMi } from '../../src/core/mi-core.js';
import { loadCfg } from '../../src/cfg/load.js';
import { VirtualClock } from '../../src/base/clock.js';
import { Logger } from '../../src/base/logger.js';
import { buildEngine } from '../../src/core/engine.js';
import { notNative } from '../../src/script/native-coverage.js';

const SDP_A = 'v=0\r\no=a 1 1 IN IP4 127.0.0.11\r\ns=-\r\nc=IN IP4 127.0.0.11\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n';
const SDP_B = 'v=0\r\no=b 1 1 IN IP4 127.0.0.20\r\ns=-\r\nc=IN IP4 127.0.0.20\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\n';

function cfg(flags: string, params = ''): string {
  return `socket=udp:127.0.0.1:5060
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "dialog.so"
modparam("tm", "fr_timeout", 2)
modparam("dialog", "options_ping_interval", 10)
modparam("dialog", "reinvite_ping_interval", 20)
${params}
route {
\tif (has_totag()) {
\t\tloose_route();
\t\tif (is_method("BYE")) xlog("L_NOTICE", "bye $cs\\n");
\t\tt_relay();
\t\texit;
\t}
\tcreate_dialog("${flags}");
\tdlg_on_hangup("hangup");
\trecord_route();
\t$du = "sip:127.0.0.20:5060";
\tt_relay();
}
route[hangup] {
\txlog("L_NOTICE", "hangup $DLG_end_reason\\n");
}
`;
}

function invite(id: string): string {
  return (
    `INVITE sip:1001@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.11:5060;branch=z9hG4bK-${id}\r\n` +
    `From: <sip:1002@127.0.0.11>;tag=a${id}\r\nTo: <sip:1001@127.0.0.1>\r\nCall-ID: ${id}\r\nCSeq: 10 INVITE\r\n` +
    `Contact: <sip:1002@127.0.0.11:5060>\r\nMax-Forwards: 70\r\nContent-Type: application/sdp\r\n` +
    `Content-Length: ${SDP_A.length}\r\n\r\n${SDP_A}`
  );
}

/** The callee's 200 to the forwarded INVITE, with its SDP. */
function ok(h: Harness, id: string): string {
  const fwd = h.sent.find((s) => s.text.startsWith('INVITE') && s.text.includes(`Call-ID: ${id}\r\n`))!.text;
  const vias = fwd.match(/\r\nVia: [^\r]+/g)!.join('');
  const rrs = (fwd.match(/\r\nRecord-Route: [^\r]+/g) ?? []).join('');
  return (
    `SIP/2.0 200 OK${vias}${rrs}\r\nFrom: <sip:1002@127.0.0.11>;tag=a${id}\r\nTo: <sip:1001@127.0.0.1>;tag=b${id}\r\n` +
    `Call-ID: ${id}\r\nCSeq: 10 INVITE\r\nContact: <sip:1001@127.0.0.20:5060>\r\nContent-Type: application/sdp\r\n` +
    `Content-Length: ${SDP_B.length}\r\n\r\n${SDP_B}`
  );
}

function ourRoute(h: Harness, id: string): string {
  const fwd = h.sent.find((s) => s.text.startsWith('INVITE') && s.text.includes(`Call-ID: ${id}\r\n`))!.text;
  return /\r\nRecord-Route: <([^>]+)>/.exec(fwd)![1]!;
}

/** A sequential request from the caller (or from the callee: `up`). */
function seq(method: string, id: string, cseq: number, route: string, up = false, branch = `${method}${cseq}`): string {
  const [from, to] = up
    ? [`<sip:1001@127.0.0.1>;tag=b${id}`, `<sip:1002@127.0.0.11>;tag=a${id}`]
    : [`<sip:1002@127.0.0.11>;tag=a${id}`, `<sip:1001@127.0.0.1>;tag=b${id}`];
  const ruri = up ? 'sip:1002@127.0.0.11:5060' : 'sip:1001@127.0.0.20:5060';
  return (
    `${method} ${ruri} SIP/2.0\r\nVia: SIP/2.0/UDP ${up ? '127.0.0.20' : '127.0.0.11'}:5060;branch=z9hG4bK-${branch}${id}\r\n` +
    `Route: <${route}>\r\nFrom: ${from}\r\nTo: ${to}\r\nCall-ID: ${id}\r\nCSeq: ${cseq} ${method}\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n`
  );
}

/** The reply a UA gives to a request the proxy sent it. */
function answer(req: string, status: string): string {
  const h = (name: string): string => new RegExp(`\\r\\n(${name}: [^\\r]+)`).exec(req)![1]!;
  return `SIP/2.0 ${status}\r\n${h('Via')}\r\n${h('From')}\r\n${h('To')}\r\n${h('Call-ID')}\r\n${h('CSeq')}\r\nContent-Length: 0\r\n\r\n`;
}

/** The requests sent from index `from` on whose first line starts with `start`, retransmissions left out. */
function sentRequests(h: Harness, start: string, from = 0): string[] {
  const seen = new Set<string>();
  return h.sent
    .slice(from)
    .map((s) => s.text)
    .filter((t) => t.startsWith(start))
    .filter((t) => {
      const branch = /branch=([^;\r]+)/.exec(t)?.[1] ?? t;
      if (seen.has(branch)) return false;
      seen.add(branch);
      return true;
    });
}

const cseqOf = (t: string): string => /\r\nCSeq: ([^\r]+)/.exec(t)![1]!;

function mi(h: Harness, method: string): { result?: any } {
  return coreMi('test').handle({ jsonrpc: '2.0', method, id: 1 }, h.server.rt) as never;
}

/** A call set up through the proxy: INVITE, 200, ACK. */
function call(h: Harness, id: string): string {
  h.receive(invite(id), '127.0.0.11');
  const rr = ourRoute(h, id);
  h.receive(ok(h, id), '127.0.0.20');
  h.receive(seq('ACK', id, 10, rr), '127.0.0.11');
  return rr;
}

test('create_dialog("p"): the callee gets an OPTIONS every options_ping_interval from the ACK on; answered, the call goes on', () => {
  const h = serverFor(cfg('p'));
  const rr = call(h, 'p1');
  h.clock.advance(9_000);
  assert.deepEqual(sentRequests(h, 'OPTIONS'), [], 'no ping before the interval');
  h.clock.advance(1_000);
  const [first] = sentRequests(h, 'OPTIONS');
  assert.ok(first, 'a ping after options_ping_interval');
  assert.match(first, /^OPTIONS sip:1001@127\.0\.0\.20:5060 SIP\/2\.0\r\n/);
  assert.match(first, /\r\nFrom: <sip:1002@127\.0\.0\.11>;tag=ap1\r\nTo: <sip:1001@127\.0\.0\.1>;tag=bp1\r\n/);
  assert.equal(cseqOf(first), '11 OPTIONS', "the INVITE's CSeq plus one");
  assert.doesNotMatch(first, /\r\nContact:/, 'an OPTIONS ping has no Contact (send_leg_msg without headers)');
  h.receive(answer(first, '200 OK'), '127.0.0.20');
  h.clock.advance(10_000);
  const pings = sentRequests(h, 'OPTIONS');
  assert.deepEqual(pings.map(cseqOf), ['11 OPTIONS', '12 OPTIONS']);
  h.receive(answer(pings[1]!, '405 Method Not Allowed'), '127.0.0.20');
  assert.equal(
    sentRequests(h, 'OPTIONS', 0).filter((t) => t.startsWith('OPTIONS sip:1002')).length,
    0,
    'p pings only the callee',
  );
  assert.equal(mi(h, 'dlg_list').result?.Dialogs.length, 1, 'a 405 answers the ping: the call goes on');
  // The caller's next request leaves with the number after the pings; the reply carries the caller's own.
  const before = h.sent.length;
  h.receive(seq('INFO', 'p1', 11, rr), '127.0.0.11');
  const info = sentRequests(h, 'INFO', before)[0]!;
  assert.equal(cseqOf(info), '13 INFO');
  h.receive(answer(info, '200 OK'), '127.0.0.20');
  const relayed = h.sent.slice(before).find((s) => s.text.startsWith('SIP/2.0 200') && s.to === '127.0.0.11:5060')!;
  assert.equal(cseqOf(relayed.text), '11 INFO');
  h.receive(seq('BYE', 'p1', 12, rr), '127.0.0.11');
  const bye = sentRequests(h, 'BYE', before)[0]!;
  assert.equal(cseqOf(bye), '14 BYE');
  // 3.3 runs dlg_on_hangup's route before it sets the reason of a BYE received.
  assert.deepEqual(scriptLines(h.logs), ['hangup <null>', 'bye 12']);
  const n = sentRequests(h, 'OPTIONS').length;
  h.clock.advance(30_000);
  assert.equal(sentRequests(h, 'OPTIONS').length, n, 'no ping after the BYE');
});

for (const [status, why] of [
  ['481 Call/Transaction Does Not Exist', '481 ping reply'],
  ['408 Request Timeout', 'ping timeout'],
] as const) {
  test(`create_dialog("p"): a ping answered ${status.slice(0, 3)} ends the dialog with a BYE to each side`, () => {
    const h = serverFor(cfg('p'));
    call(h, 'q1');
    h.clock.advance(10_000);
    const [ping] = sentRequests(h, 'OPTIONS');
    const before = h.sent.length;
    h.receive(answer(ping!, status), '127.0.0.20');
    assert.equal(sentRequests(h, 'BYE', before).length, 0, 'the once-a-second check ends it');
    h.clock.advance(1_000);
    const byes = sentRequests(h, 'BYE', before);
    assert.equal(byes.length, 2);
    const toCaller = byes.find((b) => b.startsWith('BYE sip:1002@127.0.0.11:5060 '))!;
    const toCallee = byes.find((b) => b.startsWith('BYE sip:1001@127.0.0.20:5060 '))!;
    assert.equal(cseqOf(toCaller), '11 BYE');
    assert.equal(cseqOf(toCallee), '12 BYE', 'after the ping');
    assert.match(toCaller, /\r\nFrom: <sip:1001@127\.0\.0\.1>;tag=bq1\r\nTo: <sip:1002@127\.0\.0\.11>;tag=aq1\r\n/);
    assert.equal(mi(h, 'dlg_list').result?.Dialogs.length, 0);
    assert.ok(
      h.logs.some((l) => l.includes(`terminating dialog due to ${why} on callee leg, ci: [q1]`)),
      h.logs.join(''),
    );
  });
}

test('create_dialog("P"): a caller that never answers its ping (tm timeout) gets the call ended: "Ping Timeout"', () => {
  const h = serverFor(cfg('P'));
  call(h, 'u1');
  h.clock.advance(10_000);
  const [ping] = sentRequests(h, 'OPTIONS');
  assert.match(ping!, /^OPTIONS sip:1002@127\.0\.0\.11:5060 /);
  assert.match(ping!, /\r\nFrom: <sip:1001@127\.0\.0\.1>;tag=bu1\r\nTo: <sip:1002@127\.0\.0\.11>;tag=au1\r\n/);
  assert.equal(cseqOf(ping!), '11 OPTIONS');
  h.clock.advance(1_500);
  assert.equal(sentRequests(h, 'BYE').length, 0, 'still within fr_timeout');
  h.clock.advance(2_000);
  assert.equal(sentRequests(h, 'BYE').length, 2);
  assert.deepEqual(scriptLines(h.logs), ['hangup Ping Timeout'], "dlg_on_hangup's route, with the reason");
  assert.equal(mi(h, 'dlg_list').result?.Dialogs.length, 0);
  assert.equal(
    sentRequests(h, 'OPTIONS').length,
    1,
    'a leg with a ping pending is not pinged again; an ended dialog is not pinged',
  );
});

test('create_dialog("R"): the caller gets a re-INVITE with the SDP it was last sent; its 2xx is ACKed with the same CSeq', () => {
  const h = serverFor(cfg('R'));
  const rr = call(h, 'r1');
  h.clock.advance(19_000);
  assert.equal(sentRequests(h, 'INVITE sip:1002').length, 0);
  h.clock.advance(1_000);
  const [reinv] = sentRequests(h, 'INVITE sip:1002@127.0.0.11:5060 ');
  assert.ok(reinv);
  assert.equal(cseqOf(reinv), '11 INVITE');
  assert.match(reinv, /\r\nContact: <sip:1001@127\.0\.0\.20:5060>\r\nContent-Type: application\/sdp\r\n/);
  assert.ok(reinv.endsWith(`\r\n\r\n${SDP_B}`), 'the SDP the caller got in the 200');
  const before = h.sent.length;
  h.receive(answer(reinv, '200 OK'), '127.0.0.11');
  const [ack] = sentRequests(h, 'ACK', before);
  assert.ok(ack, 'the 2xx is ACKed');
  assert.match(ack, /^ACK sip:1002@127\.0\.0\.11:5060 /);
  assert.equal(cseqOf(ack), '11 ACK');
  // The callee's BYE goes to the caller with the number after the ping.
  h.receive(seq('BYE', 'r1', 5, rr, true), '127.0.0.20');
  assert.equal(cseqOf(sentRequests(h, 'BYE')[0]!), '12 BYE');
});

test('create_dialog("r"): a re-INVITE ping timing out ends the call ("ReINVITE Ping Timeout")', () => {
  const h = serverFor(cfg('r', 'modparam("tm", "fr_inv_timeout", 3)'));
  call(h, 'r2');
  h.clock.advance(20_000);
  const [reinv] = sentRequests(h, 'INVITE sip:1001@127.0.0.20:5060 ', 2);
  assert.ok(reinv);
  assert.ok(reinv.endsWith(`\r\n\r\n${SDP_A}`), 'the SDP the callee got in the INVITE');
  h.clock.advance(3_000);
  assert.equal(sentRequests(h, 'BYE').length, 2);
  assert.equal(mi(h, 'dlg_list').result?.Dialogs.length, 0);
});

test("the ACK of a re-INVITE renumbered after a ping keeps the re-INVITE's number even when another ping went in between", () => {
  const h = serverFor(cfg('p'));
  const rr = call(h, 'm1');
  h.clock.advance(10_000);
  h.receive(answer(sentRequests(h, 'OPTIONS')[0]!, '200 OK'), '127.0.0.20');
  const before = h.sent.length;
  h.receive(seq('INVITE', 'm1', 11, rr), '127.0.0.11');
  const reinv = sentRequests(h, 'INVITE', before)[0]!;
  assert.equal(cseqOf(reinv), '12 INVITE');
  h.clock.advance(10_000);
  const pings = sentRequests(h, 'OPTIONS');
  assert.equal(cseqOf(pings[1]!), '13 OPTIONS', 'the ping takes the next number');
  h.receive(seq('ACK', 'm1', 11, rr), '127.0.0.11');
  assert.equal(cseqOf(sentRequests(h, 'ACK', before)[0]!), '12 ACK');
});

test('create_dialog with P, p, R and r runs natively (run no longer refuses the cfg)', () => {
  const text = cfg('PpRr');
  const loaded = loadCfg('/t/p.cfg', {
    profile: { strict: false },
    readFile: () => text,
    fileExists: () => true,
    cwd: '/t',
  });
  const clock = new VirtualClock();
  const { runtime } = buildEngine(loaded, {
    profile: { strict: false },
    clock,
    logger: new Logger(clock, { write: () => undefined }),
  });
  assert.deepEqual(
    notNative(loaded, runtime).map((d) => d.message),
    [],
  );
});

/** A re-INVITE from the caller with a new Contact (a target refresh). */
function reinvite(id: string, cseq: number, route: string, contact: string, branch: string): string {
  return seq('INVITE', id, cseq, route, false, branch).replace(
    '\r\nMax-Forwards:',
    `\r\nContact: <${contact}>\r\nMax-Forwards:`,
  );
}

test("a re-INVITE's Contact and its 2xx's Contact refresh the legs' targets: later pings go to the new contacts", () => {
  const h = serverFor(cfg('Pp'));
  const rr = call(h, 'c1');
  const before = h.sent.length;
  h.receive(reinvite('c1', 11, rr, 'sip:1002@127.0.0.12:5070', 'ri1'), '127.0.0.11');
  const fwd = sentRequests(h, 'INVITE', before)[0]!;
  const ok200 = answer(fwd, '200 OK').replace(
    '\r\nContent-Length:',
    '\r\nContact: <sip:1001@127.0.0.21:5060>\r\nContent-Length:',
  );
  h.receive(ok200, '127.0.0.20');
  h.receive(seq('ACK', 'c1', 11, rr), '127.0.0.11');
  h.clock.advance(10_000);
  const pings = sentRequests(h, 'OPTIONS').map((t) => t.split(' ')[1]);
  assert.deepEqual(pings.sort(), ['sip:1001@127.0.0.21:5060', 'sip:1002@127.0.0.12:5070']);
});

test('a 401 to a renumbered re-INVITE relayed back to the caller moves the callee leg on by one (its next request skips a number)', () => {
  const h = serverFor(cfg('p'));
  const rr = call(h, 'a1');
  h.clock.advance(10_000);
  h.receive(answer(sentRequests(h, 'OPTIONS')[0]!, '200 OK'), '127.0.0.20');
  let before = h.sent.length;
  h.receive(seq('INVITE', 'a1', 11, rr, false, 'r1'), '127.0.0.11');
  const first = sentRequests(h, 'INVITE', before)[0]!;
  assert.equal(cseqOf(first), '12 INVITE');
  h.receive(answer(first, '401 Unauthorized'), '127.0.0.20');
  const relayed = h.sent.slice(before).find((s) => s.text.startsWith('SIP/2.0 401') && s.to === '127.0.0.11:5060')!;
  assert.equal(cseqOf(relayed.text), '11 INVITE', 'the caller sees its own number');
  before = h.sent.length;
  h.receive(seq('INVITE', 'a1', 12, rr, false, 'r2'), '127.0.0.11');
  assert.equal(
    cseqOf(sentRequests(h, 'INVITE', before)[0]!),
    '14 INVITE',
    "3.3's dlg_update_callee_rpl_contact bumped 12 to 13",
  );
});
