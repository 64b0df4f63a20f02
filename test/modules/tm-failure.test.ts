// tm in failure_route: t_was_cancelled, t_check_status and $T_reply_code on
// the winning reply, t_local_replied after timeouts; append_branch and
// has_body on the request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request, replyTo, scriptLines, serverFor } from '../helpers/server.js';
import { sipEngine } from '../helpers/engine.js';

const CFG = `socket=udp:127.0.0.1:5060
loadmodule "tm.so"
loadmodule "sl.so"
modparam("tm", "fr_timeout", 5)
route {
\tt_on_failure("f");
\t$du = "sip:127.0.0.20:5060";\n\tt_relay();
}
failure_route[f] {
\tif (t_was_cancelled()) xlog("L_NOTICE", "cancelled\\n"); else xlog("L_NOTICE", "not cancelled\\n");
\tif (t_check_status("48[67]")) xlog("L_NOTICE", "busy or terminated: $T_reply_code\\n");
\tif (t_local_replied("all")) xlog("L_NOTICE", "local $T_reply_code\\n");
}
`;

/** The script's xlog lines (core and module lines carry `LEVEL:module:function:`). */
const notices = scriptLines;

test('failure_route: t_was_cancelled 1 after a CANCEL, t_check_status and $T_reply_code on the winning reply', () => {
  const h = serverFor(CFG);
  h.receive(request('INVITE', 'c1'), '127.0.0.11');
  h.receive(request('CANCEL', 'c1'), '127.0.0.11');
  h.receive(replyTo(h, 'c1', '487 Request Terminated'), '127.0.0.20');
  h.receive(request('INVITE', 'c2'), '127.0.0.11');
  h.receive(replyTo(h, 'c2', '486 Busy Here'), '127.0.0.20');
  h.receive(request('INVITE', 'c3'), '127.0.0.11');
  h.receive(replyTo(h, 'c3', '503 Service Unavailable'), '127.0.0.20');
  assert.deepEqual(notices(h.logs), [
    'cancelled',
    'busy or terminated: 487',
    'not cancelled',
    'busy or terminated: 486',
    'not cancelled',
  ]);
});

test('t_local_replied: 1 when no branch got a reply (fr_timeout, no provisional reply), and the winning code is the local 408', () => {
  const h = serverFor(CFG);
  h.receive(request('INVITE', 't1'), '127.0.0.11');
  h.clock.advance(6000);
  assert.deepEqual(notices(h.logs), ['not cancelled', 'local 408']);
});

test('append_branch(): the R-URI (with its $du) becomes a branch and its $du resets; with a URI, that one; t_relay forks to all', () => {
  const e = sipEngine(`socket=udp:127.0.0.1:5060
loadmodule "tm.so"
loadmodule "sl.so"
route {
\t$du = "sip:127.0.0.30:5060";
\tappend_branch();
\txlog("L_NOTICE", "du after: $du\\n");
\tappend_branch("sip:1001@127.0.0.31:5070", "0.5");
\t$ru = "sip:1001@127.0.0.32:5080";
\tt_relay();
}
`);
  const sent = e.send(Buffer.from(request('INVITE', 'f1'))).sent.filter((m) => m.kind === 'request');
  assert.deepEqual(
    sent.map((m) => `${m.to.ip}:${m.to.port} ${m.text.split('\r\n')[0]}`),
    [
      '127.0.0.32:5080 INVITE sip:1001@127.0.0.32:5080 SIP/2.0',
      '127.0.0.30:5060 INVITE sip:1001@127.0.0.1 SIP/2.0',
      '127.0.0.31:5070 INVITE sip:1001@127.0.0.31:5070 SIP/2.0',
    ],
  );
});

test('has_body(): -1 without a body; 1 with one; with a MIME type, 1 only when the Content-Type is it', () => {
  const e = sipEngine(
    'socket=udp:127.0.0.1:5060\nloadmodule "sipmsgops.so"\nroute {\n\t$var(a) = has_body(); $var(b) = has_body("application/sdp"); $var(c) = has_body("text/plain");\n}\n',
  );
  const bare = e.send(Buffer.from(request('MESSAGE', 'b1')));
  assert.deepEqual(
    ['a', 'b', 'c'].map((k) => bare.vars.get(k)),
    [-1, -1, -1],
  );
  const withBody = e.send(
    Buffer.from(
      request('MESSAGE', 'b2').replace(
        'Content-Length: 0\r\n\r\n',
        'Content-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello',
      ),
    ),
  );
  assert.deepEqual(
    ['a', 'b', 'c'].map((k) => withBody.vars.get(k)),
    [1, -1, 1],
  );
});

test('onreply_route edits go out with the relayed reply: append_hf, remove_hf, fix_nated_contact', () => {
  const h = serverFor(`socket=udp:127.0.0.1:5060
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "sipmsgops.so"
loadmodule "nathelper.so"
onreply_route[r] {
\tappend_hf("X-Reply: yes\\r\\n");
\tremove_hf("X-Drop");
\tfix_nated_contact();
}
route {
\tt_on_reply("r");
\t$du = "sip:127.0.0.20:5060";
\tt_relay();
}
`);
  h.receive(request('INVITE', 'e1'), '127.0.0.11');
  h.receive(
    replyTo(h, 'e1', '200 OK').replace(
      'Content-Length: 0',
      'X-Drop: 1\r\nContact: <sip:1001@192.0.2.7:5062>\r\nContent-Length: 0',
    ),
    '127.0.0.20',
  );
  const out = h.sent.at(-1)!.text;
  assert.match(out, /^SIP\/2\.0 200 OK\r\n/);
  assert.match(out, /\r\nX-Reply: yes\r\n/);
  assert.doesNotMatch(out, /X-Drop/);
  assert.match(
    out,
    /\r\nContact: <sip:1001@127\.0\.0\.20:5060>\r\n/,
    'the Contact points at where the reply came from',
  );
});

test('change_reply_status in onreply_route: a 486 goes on as 480 and tm treats it as 480; a 200 cannot become a 4xx (-1)', () => {
  const h = serverFor(`socket=udp:127.0.0.1:5060
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "sipmsgops.so"
onreply_route[r] {
\t$var(rc) = change_reply_status(480, "Temporarily Unavailable");
\txlog("L_NOTICE", "change $rs: $var(rc)\\n");
}
failure_route[f] {
\txlog("L_NOTICE", "failure sees $T_reply_code\\n");
}
route {
\tt_on_reply("r");
\tt_on_failure("f");
\t$du = "sip:127.0.0.20:5060";
\tt_relay();
}
`);
  h.receive(request('INVITE', 'x1'), '127.0.0.11');
  h.receive(replyTo(h, 'x1', '486 Busy Here'), '127.0.0.20');
  h.receive(request('INVITE', 'x2'), '127.0.0.11');
  h.receive(replyTo(h, 'x2', '200 OK'), '127.0.0.20');
  const toCaller = h.sent
    .filter((m) => m.to === '127.0.0.11:5060' && /^SIP\/2\.0 [2-6]/.test(m.text))
    .map((m) => m.text.split('\r\n')[0]);
  assert.deepEqual(toCaller, ['SIP/2.0 480 Temporarily Unavailable', 'SIP/2.0 200 OK']);
  assert.deepEqual(notices(h.logs), ['change 480: 1', 'failure sees 480', 'change 200: -1']);
});

test('t_reply_with_body: the body after the headers with its Content-Length; the Content-Type from append_to_reply', () => {
  const e = sipEngine(
    `socket=udp:127.0.0.1:5060\nloadmodule "tm.so"\nloadmodule "sl.so"\nloadmodule "sipmsgops.so"\nroute {\n\tappend_to_reply("Content-Type: text/plain\\r\\n");\n\tt_reply_with_body(200, "OK", "hello, $fU");\n}\n`,
  );
  const text = e.send(Buffer.from(request('MESSAGE', 'wb1'))).sent[0]!.text;
  assert.match(text, /^SIP\/2\.0 200 OK\r\n/);
  assert.match(text, /\r\nContent-Type: text\/plain\r\n/);
  assert.match(text, /\r\nContent-Length: 11\r\n\r\nhello, 1002$/);
});

test("AVPs belong to the transaction: failure_route sees the request route's (and what it sets stays); onreply_route only with onreply_avp_mode 1", () => {
  const cfg = (mode: number): string => `socket=udp:127.0.0.1:5060
loadmodule "tm.so"
loadmodule "sl.so"
modparam("tm", "onreply_avp_mode", ${mode})
route {
\t$avp(who) = "alice";
\tt_on_failure("f");
\tt_on_reply("r");
\t$du = "sip:127.0.0.20:5060";
\tt_relay();
\t$avp(after) = "late";
}
onreply_route[r] {
\txlog("L_NOTICE", "reply sees $avp(who)\\n");
}
failure_route[f] {
\txlog("L_NOTICE", "failure sees $avp(who) $avp(after)\\n");
}
`;
  const off = serverFor(cfg(0));
  off.receive(request('INVITE', 'av1'), '127.0.0.11');
  off.receive(replyTo(off, 'av1', '486 Busy Here'), '127.0.0.20');
  assert.deepEqual(notices(off.logs), ['reply sees <null>', 'failure sees alice late']);
  const on = serverFor(cfg(1));
  on.receive(request('INVITE', 'av2'), '127.0.0.11');
  on.receive(replyTo(on, 'av2', '486 Busy Here'), '127.0.0.20');
  assert.deepEqual(notices(on.logs), ['reply sees alice', 'failure sees alice late']);
});

test('$T_fr_timeout / $T_fr_inv_timeout: per transaction, read back, and used for its branches; $T_branch_idx in branch_route', () => {
  const h = serverFor(`socket=udp:127.0.0.1:5060
loadmodule "tm.so"
loadmodule "sl.so"
modparam("tm", "fr_timeout", 30)
route {
\t$var(d) = $T_fr_timeout;
\t$T_fr_timeout = 2;
\txlog("L_NOTICE", "fr $var(d) -> $T_fr_timeout\\n");
\tt_on_branch("b");
\tt_on_failure("f");
\t$du = "sip:127.0.0.20:5060";
\tt_relay();
}
branch_route[b] {
\txlog("L_NOTICE", "branch $T_branch_idx\\n");
}
failure_route[f] {
\txlog("L_NOTICE", "failed $T_reply_code\\n");
}
`);
  h.receive(request('OPTIONS', 'fr1'), '127.0.0.11');
  h.clock.advance(2500);
  assert.deepEqual(notices(h.logs), ['fr 30 -> 2', 'branch 0', 'failed 408'], 'the 408 came after 2 s, not 30');
});

test('$sig_local_totag: the To tag a local reply will carry (sl outside a transaction, tm inside)', () => {
  const h = serverFor(`socket=udp:127.0.0.1:5060
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "signaling.so"
route {
\txlog("L_NOTICE", "tag $sig_local_totag\\n");
\tt_newtran();
\txlog("L_NOTICE", "tag $sig_local_totag\\n");
\tt_reply(404, "Not Here");
}
`);
  h.receive(request('OPTIONS', 'tg1'), '127.0.0.11');
  const [sl, tmTag] = notices(h.logs).map((l) => l.replace('tag ', ''));
  assert.match(sl!, /^[0-9a-f]{4}\.[0-9a-f]{32}$/);
  assert.match(tmTag!, /^[0-9a-f]{4}-[0-9a-f]{32}$/);
  assert.ok(h.sent[0]!.text.includes(`;tag=${tmTag}\r\n`), 'the reply carries it');
});

test('t_cancel_branch("o") in onreply_route: the other branches are cancelled, at once with a provisional reply, else at their first one', () => {
  const cfg = `socket=udp:127.0.0.1:5060
loadmodule "tm.so"
loadmodule "sl.so"
route {
\t$ru = "sip:a@127.0.0.21";
\tappend_branch("sip:b@127.0.0.22");
\tt_on_reply("r");
\tt_relay();
}
onreply_route[r] {
\tif ($rs == 180) $var(c) = t_cancel_branch("o");
}
`;
  const replyFrom = (h: ReturnType<typeof serverFor>, ip: string, status: string): string => {
    const inv = h.sent.find((s) => s.text.startsWith('INVITE') && s.to.startsWith(ip))!;
    const via = /\r\nVia: ([^\r]+)\r\n/.exec(inv.text)![1]!;
    return `SIP/2.0 ${status}\r\nVia: ${via}\r\nVia: SIP/2.0/UDP 127.0.0.11:5060;branch=z9hG4bK-cb\r\nFrom: <sip:1002@127.0.0.11>;tag=acb\r\nTo: <sip:1001@127.0.0.1>;tag=${ip}\r\nCall-ID: cb\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n`;
  };
  const cancels = (h: ReturnType<typeof serverFor>): string[] =>
    h.sent.filter((s) => s.text.startsWith('CANCEL')).map((s) => s.to);
  const now = serverFor(cfg);
  now.receive(request('INVITE', 'cb'), '127.0.0.11');
  now.receive(replyFrom(now, '127.0.0.22', '100 Trying'), '127.0.0.22');
  now.receive(replyFrom(now, '127.0.0.21', '180 Ringing'), '127.0.0.21');
  assert.deepEqual(cancels(now), ['127.0.0.22:5060']);
  const later = serverFor(cfg);
  later.receive(request('INVITE', 'cb'), '127.0.0.11');
  later.receive(replyFrom(later, '127.0.0.21', '180 Ringing'), '127.0.0.21');
  assert.deepEqual(cancels(later), [], 'no provisional reply from b yet');
  later.receive(replyFrom(later, '127.0.0.22', '100 Trying'), '127.0.0.22');
  assert.deepEqual(cancels(later), ['127.0.0.22:5060']);
});

test('t_add_hdrs: -1 without a transaction; with one, its headers go into the CANCEL and the ACK tm builds', () => {
  const h = serverFor(`socket=udp:127.0.0.1:5060
loadmodule "tm.so"
loadmodule "sl.so"
route {
\t$var(a) = t_add_hdrs("X-Before: 1\\r\\n");
\tt_newtran();
\t$var(b) = t_add_hdrs("Reason: SIP;cause=480;text=\\"Gone\\"\\r\\n");
\txlog("L_NOTICE", "add $var(a) $var(b)\\n");
\t$du = "sip:127.0.0.20:5060";
\tt_relay();
}
`);
  h.receive(request('INVITE', 'ah1'), '127.0.0.11');
  assert.deepEqual(notices(h.logs), ['add -1 1']);
  h.receive(replyTo(h, 'ah1', '180 Ringing'), '127.0.0.20');
  h.receive(request('CANCEL', 'ah1'), '127.0.0.11');
  const cancel = h.sent.find((s) => s.text.startsWith('CANCEL'))!.text;
  assert.match(cancel, /\r\nReason: SIP;cause=480;text="Gone"\r\nContent-Length: 0\r\n/);
  assert.ok(!cancel.includes('X-Before'));
  h.receive(replyTo(h, 'ah1', '487 Request Terminated'), '127.0.0.20');
  assert.match(h.sent.find((s) => s.text.startsWith('ACK'))!.text, /\r\nReason: SIP;cause=480;text="Gone"\r\n/);
});

test("a branch relayed from failure_route carries the request route's header edits (record_route, append_hf), as OpenSIPS's cloned request does", () => {
  const h = serverFor(`socket=udp:127.0.0.1:5060
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "textops.so"
modparam("tm", "fr_timeout", 5)
route {
\trecord_route();
\tappend_hf("X-Leg: first\\r\\n");
\tt_on_failure("again");
\t$du = "sip:127.0.0.20:5060";
\tt_relay();
}
failure_route[again] {
\tappend_hf("X-Retry: 1\\r\\n");
\t$du = "sip:127.0.0.21:5060";
\tt_relay();
}
`);
  h.receive(request('INVITE', 'rr1'), '127.0.0.11');
  h.receive(replyTo(h, 'rr1', '503 Service Unavailable'), '127.0.0.20');
  const second = h.sent.find((s) => s.to === '127.0.0.21:5060' && s.text.startsWith('INVITE'));
  assert.ok(second, h.sent.map((s) => s.to).join(' '));
  assert.match(second.text, /\r\nRecord-Route: <sip:127\.0\.0\.1;lr;ftag=arr1>\r\n/);
  assert.match(second.text, /\r\nX-Leg: first\r\n/);
  assert.match(second.text, /\r\nX-Retry: 1\r\n/);
  const first = h.sent.find((s) => s.to === '127.0.0.20:5060' && s.text.startsWith('INVITE'))!;
  assert.doesNotMatch(first.text, /X-Retry/, "the failure route's own edits stay on its branch");
});

test("the picked branch follows tm's preference: a 407 beats a 404 of a parallel branch, and a 407 beats the local 408 of one that timed out", () => {
  const cfg = `socket=udp:127.0.0.1:5060
loadmodule "tm.so"
loadmodule "sl.so"
modparam("tm", "fr_timeout", 3)
route {
\tt_on_failure("f");
\tappend_branch("sip:1001@127.0.0.21:5060");
\t$du = "sip:127.0.0.20:5060";
\tt_relay();
}
failure_route[f] { xlog("L_NOTICE", "picked $T_reply_code\\n"); }
`;
  const answer = (h: ReturnType<typeof serverFor>, id: string, to: string, status: string): string => {
    const fwd = h.sent.find(
      (s) => s.to === to && s.text.startsWith('INVITE') && s.text.includes(`Call-ID: ${id}\r\n`),
    )!;
    const via = /\r\nVia: ([^\r]+)\r\n/.exec(fwd.text)![1]!;
    return `SIP/2.0 ${status}\r\nVia: ${via}\r\nVia: SIP/2.0/UDP 127.0.0.11:5060;branch=z9hG4bK-${id}\r\nFrom: <sip:1002@127.0.0.11>;tag=a${id}\r\nTo: <sip:1001@127.0.0.1>;tag=x\r\nCall-ID: ${id}\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n`;
  };
  const h = serverFor(cfg);
  h.receive(request('INVITE', 'p1'), '127.0.0.11');
  h.receive(answer(h, 'p1', '127.0.0.20:5060', '404 Not Found'), '127.0.0.20');
  h.receive(answer(h, 'p1', '127.0.0.21:5060', '407 Proxy Authentication Required'), '127.0.0.21');
  assert.match(h.sent.filter((s) => s.text.startsWith('SIP/2.0 4')).pop()!.text, /^SIP\/2\.0 407 /);
  h.receive(request('INVITE', 'p2'), '127.0.0.11');
  h.receive(answer(h, 'p2', '127.0.0.21:5060', '407 Proxy Authentication Required'), '127.0.0.21');
  h.clock.advance(4000);
  assert.deepEqual(notices(h.logs), ['picked 407', 'picked 407']);
  assert.match(h.sent.filter((s) => s.text.startsWith('SIP/2.0 4')).pop()!.text, /^SIP\/2\.0 407 /);
});

test('t_flush_flags: -1 without a transaction; 1 with one, and flags set after t_relay reach failure_route only when flushed', () => {
  const h = serverFor(`socket=udp:127.0.0.1:5060
loadmodule "tm.so"
loadmodule "sl.so"
route {
\t$var(rc) = 0;
\t$var(before) = t_flush_flags();
\tsetflag(1);
\tt_on_failure("f");
\tt_relay("udp:127.0.0.20:5060");
\tsetflag(2);
\tif ($ci == "flushed") $var(rc) = t_flush_flags();
\txlog("L_NOTICE", "before=$var(before) flush=$var(rc)\\n");
\tsetflag(3);
}
failure_route[f] {
\t$var(f) = "";
\tif (isflagset(1)) $var(f) = $var(f) + "1";
\tif (isflagset(2)) $var(f) = $var(f) + "2";
\tif (isflagset(3)) $var(f) = $var(f) + "3";
\txlog("L_NOTICE", "failure $ci flags=$var(f)\\n");
}
`);
  h.receive(request('INVITE', 'flushed'), '127.0.0.11');
  h.receive(replyTo(h, 'flushed', '486 Busy Here'), '127.0.0.20');
  h.receive(request('INVITE', 'unflushed'), '127.0.0.11');
  h.receive(replyTo(h, 'unflushed', '486 Busy Here'), '127.0.0.20');
  assert.deepEqual(scriptLines(h.logs), [
    'before=-1 flush=1',
    'failure flushed flags=12',
    'before=-1 flush=0',
    'failure unflushed flags=1',
  ]);
});
