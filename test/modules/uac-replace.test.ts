// uac_replace_from / uac_replace_to: the header rewritten as 3.3 writes it,
// the original hidden in the Record-Route (vsf/vst) and put back on the
// dialog's later requests (auto: by loose_route; manual: uac_restore_*), the
// caller's own From given back in the relayed replies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeOriginal } from '../../src/modules/uac/replace.js';
import { replyTo, request, serverFor } from '../helpers/server.js';

const cfg = (replace: string, extra = '') => `socket=udp:127.0.0.1:5060
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "sipmsgops.so"
loadmodule "uac.so"
modparam("rr", "append_fromtag", 1)
${extra}
route {
\tif (has_totag()) {
\t\tif (loose_route()) {
\t\t\tif ($var(manual) == 1) uac_restore_from();
\t\t\tt_relay();
\t\t}
\t\texit;
\t}
\trecord_route();
\t$var(rc) = ${replace};
\txlog("L_NOTICE", "replace $var(rc)\\n");
\t$du = "sip:127.0.0.20:5060";
\tt_relay();
}
`;

const lastTo = (h: ReturnType<typeof serverFor>, start: string, to: string): string =>
  h.sent.filter((s) => s.text.startsWith(start) && s.to === to).pop()!.text;
const hdr = (text: string, name: string): string => new RegExp(`\\r\\n${name}: ([^\\r]*)\\r\\n`).exec(text)![1]!;

function inDialog(rr: string, from: string, to: string, cseq: number): string {
  return `BYE sip:x@127.0.0.20 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.11:5060;branch=z9hG4bK-b${cseq}\r\nRoute: <${rr}>\r\nFrom: ${from}\r\nTo: ${to}\r\nCall-ID: r1\r\nCSeq: ${cseq} BYE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n`;
}

test('auto mode: From replaced (token display, brackets), the original in ;vsf=, replies given it back, in-dialog requests restored both ways', () => {
  const h = serverFor(cfg('uac_replace_from("Anonymous", "sip:anonymous@anonymous.invalid")'));
  h.receive(request('INVITE', 'r1'), '127.0.0.11');
  const inv = lastTo(h, 'INVITE', '127.0.0.20:5060');
  assert.equal(hdr(inv, 'From'), 'Anonymous <sip:anonymous@anonymous.invalid>;tag=ar1');
  const rr = /<([^>]+)>/.exec(hdr(inv, 'Record-Route'))![1]!;
  assert.equal(
    rr,
    `sip:127.0.0.1;lr;ftag=ar1;vsf=${encodeOriginal('sip:1002@127.0.0.11', '<sip:anonymous@anonymous.invalid>', '')}`,
  );
  h.receive(
    replyTo(h, 'r1', '180 Ringing').replace(
      'From: <sip:1002@127.0.0.11>',
      'From: Anonymous <sip:anonymous@anonymous.invalid>',
    ),
    '127.0.0.20',
  );
  assert.equal(
    hdr(lastTo(h, 'SIP/2.0 180', '127.0.0.11:5060'), 'From'),
    '<sip:1002@127.0.0.11>;tag=ar1',
    'the caller sees its own From',
  );
  h.receive(inDialog(rr, '<sip:1002@127.0.0.11>;tag=ar1', '<sip:1001@127.0.0.1>;tag=b', 2), '127.0.0.11');
  assert.equal(
    hdr(lastTo(h, 'BYE', '127.0.0.20:5060'), 'From'),
    '<sip:anonymous@anonymous.invalid>;tag=ar1',
    'downstream: From gets the new URI',
  );
  h.receive(
    inDialog(rr, '<sip:1001@127.0.0.1>;tag=b', 'Anonymous <sip:anonymous@anonymous.invalid>;tag=ar1', 3).replace(
      'sip:x@127.0.0.20',
      'sip:1002@127.0.0.11',
    ),
    '127.0.0.20',
  );
  assert.equal(
    hdr(lastTo(h, 'BYE', '127.0.0.11:5060'), 'To'),
    'Anonymous <sip:1002@127.0.0.11>;tag=ar1',
    'upstream: To gets the original URI back',
  );
});

test('display quoting and removal, restore_passwd, restore_mode none (no parameter), -10 for a second call, uac_replace_to', () => {
  const quoted = serverFor(
    cfg('uac_replace_from("Bob Smith", "sip:bob@example.net")', 'modparam("uac", "restore_passwd", "k3y")'),
  );
  quoted.receive(request('INVITE', 'q1'), '127.0.0.11');
  const inv = lastTo(quoted, 'INVITE', '127.0.0.20:5060');
  assert.equal(hdr(inv, 'From'), '"Bob Smith" <sip:bob@example.net>;tag=aq1');
  assert.ok(
    hdr(inv, 'Record-Route').includes(`;vsf=${encodeOriginal('sip:1002@127.0.0.11', '<sip:bob@example.net>', 'k3y')}>`),
  );
  const none = serverFor(cfg('uac_replace_to(, "sip:ivr@example.net")', 'modparam("uac", "restore_mode", "none")'));
  none.receive(request('INVITE', 'n1'), '127.0.0.11');
  const ninv = lastTo(none, 'INVITE', '127.0.0.20:5060');
  assert.equal(hdr(ninv, 'To'), '<sip:ivr@example.net>');
  assert.doesNotMatch(hdr(ninv, 'Record-Route'), /vs[ft]=/);
  const twice = serverFor(
    cfg('uac_replace_from("", "sip:a@example.net");\n\t$var(rc) = uac_replace_from(, "sip:b@example.net")'),
  );
  twice.receive(request('INVITE', 't1'), '127.0.0.11');
  assert.ok(twice.logs.some((l) => l.includes('replace -10')));
});

test('manual mode: loose_route leaves the From alone, uac_restore_from() puts the new value in', () => {
  const h = serverFor(
    cfg('uac_replace_from(, "sip:anonymous@anonymous.invalid")', 'modparam("uac", "restore_mode", "manual")'),
  );
  h.receive(request('INVITE', 'r1'), '127.0.0.11');
  const rr = /<([^>]+)>/.exec(hdr(lastTo(h, 'INVITE', '127.0.0.20:5060'), 'Record-Route'))![1]!;
  h.receive(inDialog(rr, '<sip:1002@127.0.0.11>;tag=ar1', '<sip:1001@127.0.0.1>;tag=b', 2), '127.0.0.11');
  assert.equal(hdr(lastTo(h, 'BYE', '127.0.0.20:5060'), 'From'), '<sip:1002@127.0.0.11>;tag=ar1');
  h.server.rt.vars.set('manual', 1);
  h.receive(inDialog(rr, '<sip:1002@127.0.0.11>;tag=ar1', '<sip:1001@127.0.0.1>;tag=b', 3), '127.0.0.11');
  assert.equal(hdr(lastTo(h, 'BYE', '127.0.0.20:5060'), 'From'), '<sip:anonymous@anonymous.invalid>;tag=ar1');
});

test('the transaction made early by t_on_failure still gives the caller its From back in the relayed replies', () => {
  const h = serverFor(
    cfg('uac_replace_from(, "sip:anonymous@anonymous.invalid")').replace(
      '\trecord_route();',
      '\trecord_route();\n\tt_on_failure("f");',
    ) + 'failure_route[f] { exit; }\n',
  );
  h.receive(request('INVITE', 'e1'), '127.0.0.11');
  h.receive(
    replyTo(h, 'e1', '180 Ringing').replace('From: <sip:1002@127.0.0.11>', 'From: <sip:anonymous@anonymous.invalid>'),
    '127.0.0.20',
  );
  assert.equal(hdr(lastTo(h, 'SIP/2.0 180', '127.0.0.11:5060'), 'From'), '<sip:1002@127.0.0.11>;tag=ae1');
});

test('the relayed reply gets back a quoted display holding > and ; as it was', () => {
  const h = serverFor(cfg('uac_replace_from("x", "sip:anonymous@anonymous.invalid")'));
  h.receive(
    request('INVITE', 'q9').replace('From: <sip:1002@127.0.0.11>', 'From: "a>b; c" <sip:1002@127.0.0.11;user=phone>'),
    '127.0.0.11',
  );
  h.receive(
    replyTo(h, 'q9', '180 Ringing').replace('From: <sip:1002@127.0.0.11>', 'From: x <sip:anonymous@anonymous.invalid>'),
    '127.0.0.20',
  );
  assert.equal(
    hdr(lastTo(h, 'SIP/2.0 180', '127.0.0.11:5060'), 'From'),
    '"a>b; c" <sip:1002@127.0.0.11;user=phone>;tag=aq9',
  );
});

test('uac_restore_to (manual mode): 1 and the To the callee knows put back in; -1 when the route has no vst parameter', () => {
  const manual = (replace: string) =>
    serverFor(
      cfg(replace, 'modparam("uac", "restore_mode", "manual")').replace(
        '\t\t\tif ($var(manual) == 1) uac_restore_from();',
        '\t\t\t$var(back) = uac_restore_to();\n\t\t\txlog("L_NOTICE", "restore_to $var(back)\\n");',
      ),
    );
  const h = manual('uac_replace_to(, "sip:ivr@example.net")');
  h.receive(request('INVITE', 'r1'), '127.0.0.11');
  const inv = lastTo(h, 'INVITE', '127.0.0.20:5060');
  assert.equal(hdr(inv, 'To'), '<sip:ivr@example.net>');
  const rr = /<([^>]+)>/.exec(hdr(inv, 'Record-Route'))![1]!;
  assert.match(rr, /;vst=/);
  h.receive(inDialog(rr, '<sip:1002@127.0.0.11>;tag=ar1', '<sip:1001@127.0.0.1>;tag=b', 2), '127.0.0.11');
  assert.equal(hdr(lastTo(h, 'BYE', '127.0.0.20:5060'), 'To'), '<sip:ivr@example.net>;tag=b');
  assert.ok(h.logs.some((l) => l.includes('restore_to 1')));
  // A dialog whose From was replaced (vsf) has nothing for uac_restore_to.
  const other = manual('uac_replace_from(, "sip:anonymous@anonymous.invalid")');
  other.receive(request('INVITE', 'r1'), '127.0.0.11');
  const rr2 = /<([^>]+)>/.exec(hdr(lastTo(other, 'INVITE', '127.0.0.20:5060'), 'Record-Route'))![1]!;
  other.receive(inDialog(rr2, '<sip:1002@127.0.0.11>;tag=ar1', '<sip:1001@127.0.0.1>;tag=b', 2), '127.0.0.11');
  assert.ok(other.logs.some((l) => l.includes('restore_to -1')));
  assert.equal(hdr(lastTo(other, 'BYE', '127.0.0.20:5060'), 'To'), '<sip:1001@127.0.0.1>;tag=b');
});
