// topology_hiding: what each side sees of the other (Via, Record-Route,
// Route, Contact, Call-ID), with and without a dialog, and the return codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scriptLines, serverFor, type Harness } from '../helpers/server.js';
import { decodeThInfo } from '../../src/modules/topology_hiding/contact.js';

const cfg = (opts: { dialog: boolean; flags?: string; extra?: string }) => `socket=udp:127.0.0.1:5060
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
${opts.dialog ? 'loadmodule "dialog.so"\n' : ''}loadmodule "topology_hiding.so"
${opts.extra ?? ''}
route {
\tif (has_totag()) {
\t\t$var(m) = topology_hiding_match();
\t\txlog("L_NOTICE", "$rm match=$var(m) ru=$ru du=$du ci=$ci\\n");
\t\tif ($var(m) == 1) t_relay();
\t\telse if ($rm != "ACK") sl_send_reply(404, "Not here");
\t\texit;
\t}
\tif (is_method("CANCEL")) { if (t_check_trans()) t_relay(); exit; }
${opts.dialog ? '\tcreate_dialog();\n' : ''}\trecord_route();
\t$var(t) = topology_hiding(${opts.flags ? `"${opts.flags}"` : ''});
\txlog("L_NOTICE", "initial th=$var(t) callee_callid=$TH_callee_callid\\n");
\t$du = "sip:127.0.0.20:5060";
\tt_relay();
}
`;

const CALLER_VIAS =
  'Via: SIP/2.0/UDP 127.0.0.11:5060;branch=z9hG4bK-c1\r\nVia: SIP/2.0/UDP 10.1.1.1:5060;branch=z9hG4bK-inner\r\n';

function invite(id: string): string {
  return (
    `INVITE sip:1001@127.0.0.1 SIP/2.0\r\n${CALLER_VIAS}Record-Route: <sip:127.0.0.9;lr>\r\n` +
    `From: <sip:1002@10.1.1.1>;tag=a${id}\r\nTo: <sip:1001@127.0.0.1>\r\nCall-ID: ${id}\r\nCSeq: 10 INVITE\r\n` +
    `Contact: <sip:1002@10.1.1.1:5060;transport=udp>\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n`
  );
}

function lastSent(h: Harness, re: RegExp): string {
  const s = h.sent.filter((x) => re.test(x.text)).pop();
  assert.ok(s, `nothing sent matching ${re}:\n${h.sent.map((x) => x.text.split('\r\n')[0]).join('\n')}`);
  return s.text;
}

function header(text: string, name: string): string[] {
  return [...text.matchAll(new RegExp(`\\r\\n${name}: ([^\\r]*)`, 'gi'))].map((m) => m[1]!);
}

/** The callee's reply to what it received. */
function calleeReply(fwd: string, status: string, contact = '<sip:1001@192.168.5.5:5070>'): string {
  const vias = header(fwd, 'Via')
    .map((v) => `Via: ${v}\r\n`)
    .join('');
  const callId = header(fwd, 'Call-ID')[0];
  return (
    `SIP/2.0 ${status}\r\n${vias}Record-Route: <sip:192.168.5.1;lr>\r\nFrom: ${header(fwd, 'From')[0]}\r\nTo: ${header(fwd, 'To')[0]};tag=callee\r\n` +
    `Call-ID: ${callId}\r\nCSeq: ${header(fwd, 'CSeq')[0]}\r\nContact: ${contact}\r\nContent-Length: 0\r\n\r\n`
  );
}

test('with a dialog and C: the callee sees our Via, our Contact with the did, no Record-Route and a masked Call-ID; the caller sees its Vias and Record-Route back, our Contact and its Call-ID', () => {
  const h = serverFor(cfg({ dialog: true, flags: 'C' }));
  h.receive(invite('th1'), '127.0.0.11');
  const fwd = lastSent(h, /^INVITE /);
  assert.equal(header(fwd, 'Via').length, 1);
  assert.match(header(fwd, 'Via')[0]!, /^SIP\/2\.0\/UDP 127\.0\.0\.1:5060;branch=/);
  assert.deepEqual(header(fwd, 'Record-Route'), []);
  assert.deepEqual(header(fwd, 'Contact'), ['<sip:127.0.0.1:5060;did=1.1>']);
  const masked = header(fwd, 'Call-ID')[0]!;
  assert.match(masked, /^DLGCH_/);
  assert.doesNotMatch(fwd, /Call-ID: th1|10\.1\.1\.1:5060|127\.0\.0\.9|127\.0\.0\.11/);
  assert.deepEqual(scriptLines(h.logs), [`initial th=1 callee_callid=${masked}`]);

  h.receive(calleeReply(fwd, '200 OK'), '127.0.0.20');
  const ok = lastSent(h, /^SIP\/2\.0 200/);
  assert.deepEqual(header(ok, 'Via'), [
    'SIP/2.0/UDP 127.0.0.11:5060;branch=z9hG4bK-c1',
    'SIP/2.0/UDP 10.1.1.1:5060;branch=z9hG4bK-inner',
  ]);
  assert.deepEqual(header(ok, 'Record-Route'), ['<sip:127.0.0.9;lr>']);
  assert.deepEqual(header(ok, 'Contact'), ['<sip:127.0.0.1:5060;did=1.1>']);
  assert.deepEqual(header(ok, 'Call-ID'), ['th1']);
  assert.doesNotMatch(ok, /192\.168\.5/);

  // The caller's ACK and re-INVITE come to our Contact: matched, sent to the callee's contact through its route set.
  const seq = (method: string, cseq: number, up = false) =>
    up
      ? `${method} sip:127.0.0.1:5060;did=1.1 SIP/2.0\r\nVia: SIP/2.0/UDP 192.168.5.5:5070;branch=z9hG4bK-${method}${cseq}\r\nFrom: <sip:1001@127.0.0.1>;tag=callee\r\nTo: <sip:1002@10.1.1.1>;tag=ath1\r\nCall-ID: ${masked}\r\nCSeq: ${cseq} ${method}\r\nContact: <sip:1001@192.168.5.5:5070>\r\nContent-Length: 0\r\n\r\n`
      : `${method} sip:127.0.0.1:5060;did=1.1 SIP/2.0\r\n${CALLER_VIAS.replace('-c1', `-${method}${cseq}`)}Route: <sip:127.0.0.9;lr>\r\nFrom: <sip:1002@10.1.1.1>;tag=ath1\r\nTo: <sip:1001@127.0.0.1>;tag=callee\r\nCall-ID: th1\r\nCSeq: ${cseq} ${method}\r\nContact: <sip:1002@10.1.1.1:5060;transport=udp>\r\nContent-Length: 0\r\n\r\n`;
  h.receive(seq('ACK', 10), '127.0.0.11');
  const ack = lastSent(h, /^ACK /);
  assert.match(ack, /^ACK sip:1001@192\.168\.5\.5:5070 SIP\/2\.0\r\n/);
  assert.equal(header(ack, 'Via').length, 1);
  assert.deepEqual(header(ack, 'Route'), ['<sip:192.168.5.1;lr>']);
  assert.deepEqual(header(ack, 'Call-ID'), [masked]);
  assert.deepEqual(header(ack, 'Contact'), ['<sip:127.0.0.1:5060;did=1.1>']);

  // The callee hangs up: its BYE (masked Call-ID) goes to the caller's contact via the caller's route set.
  h.receive(seq('BYE', 5, true), '127.0.0.20');
  const bye = lastSent(h, /^BYE /);
  assert.match(bye, /^BYE sip:1002@10\.1\.1\.1:5060;transport=udp SIP\/2\.0\r\n/);
  assert.deepEqual(header(bye, 'Route'), ['<sip:127.0.0.9;lr>']);
  assert.deepEqual(header(bye, 'Call-ID'), ['th1']);
  assert.equal(header(bye, 'Via').length, 1);
  assert.deepEqual(header(bye, 'Contact'), ['<sip:127.0.0.1:5060;did=1.1>']);
  assert.doesNotMatch(bye, /192\.168\.5/);
  // The caller's 200 for it goes back to the callee with its Via restored and the Call-ID masked again.
  const byeVia = header(bye, 'Via')[0]!;
  h.receive(
    `SIP/2.0 200 OK\r\nVia: ${byeVia}\r\nFrom: <sip:1001@127.0.0.1>;tag=callee\r\nTo: <sip:1002@10.1.1.1>;tag=ath1\r\nCall-ID: th1\r\nCSeq: 5 BYE\r\nContent-Length: 0\r\n\r\n`,
    '127.0.0.9',
  );
  const byeOk = lastSent(h, /^SIP\/2\.0 200 OK\r\n[^]*CSeq: 5 BYE/);
  assert.deepEqual(header(byeOk, 'Call-ID'), [masked]);
  assert.deepEqual(header(byeOk, 'Via'), ['SIP/2.0/UDP 192.168.5.5:5070;received=127.0.0.20;branch=z9hG4bK-BYE5']);
  assert.deepEqual(scriptLines(h.logs).slice(1), [
    'ACK match=1 ru=sip:1001@192.168.5.5:5070 du=sip:192.168.5.1;lr ci=th1',
    'BYE match=1 ru=sip:1002@10.1.1.1:5060;transport=udp du=sip:127.0.0.9;lr ci=th1',
  ]);
});

test('U and D: the Contact keeps the user and carries the did in the user part; a 3xx to the INVITE keeps its Contact', () => {
  const h = serverFor(cfg({ dialog: true, flags: 'UD' }));
  h.receive(invite('th2'), '127.0.0.11');
  const fwd = lastSent(h, /^INVITE /);
  assert.deepEqual(header(fwd, 'Contact'), ['<sip:1002.did.1.1@127.0.0.1:5060>']);
  assert.deepEqual(header(fwd, 'Call-ID'), ['th2']);
  h.receive(calleeReply(fwd, '302 Moved Temporarily', '<sip:elsewhere@192.168.9.9>'), '127.0.0.20');
  const moved = lastSent(h, /^SIP\/2\.0 302/);
  assert.deepEqual(header(moved, 'Contact'), ['<sip:elsewhere@192.168.9.9>']);
  assert.equal(header(moved, 'Via').length, 2);
});

test('without a dialog: the Contact carries the route set, contact and socket, encoded; a request to it goes back there', () => {
  const h = serverFor(cfg({ dialog: false, flags: 'U' }));
  h.receive(invite('th3'), '127.0.0.11');
  const fwd = lastSent(h, /^INVITE /);
  assert.equal(header(fwd, 'Via').length, 1);
  assert.deepEqual(header(fwd, 'Record-Route'), []);
  const ct = header(fwd, 'Contact')[0]!;
  const m = /^<sip:1002@127\.0\.0\.1:5060;thinfo=([^>;]+)>$/.exec(ct);
  assert.ok(m, ct);
  assert.deepEqual(decodeThInfo(h.server.rt, m[1]!), {
    routeSet: '<sip:127.0.0.9;lr>',
    contact: 'sip:1002@10.1.1.1:5060;transport=udp',
    socket: 'udp:127.0.0.1:5060',
  });
  h.receive(calleeReply(fwd, '200 OK'), '127.0.0.20');
  const ok = lastSent(h, /^SIP\/2\.0 200/);
  assert.equal(header(ok, 'Via').length, 2);
  assert.deepEqual(header(ok, 'Record-Route'), ['<sip:127.0.0.9;lr>']);
  const okCt = /^<sip:1001@127\.0\.0\.1:5060;thinfo=([^>;]+)>$/.exec(header(ok, 'Contact')[0]!);
  assert.ok(okCt);
  assert.deepEqual(decodeThInfo(h.server.rt, okCt[1]!), {
    routeSet: '<sip:192.168.5.1;lr>',
    contact: 'sip:1001@192.168.5.5:5070',
    socket: 'udp:127.0.0.1:5060',
  });
  // The caller's BYE to that Contact.
  h.receive(
    `BYE sip:1001@127.0.0.1:5060;thinfo=${okCt[1]} SIP/2.0\r\n${CALLER_VIAS.replace('-c1', '-bye')}From: <sip:1002@10.1.1.1>;tag=ath3\r\nTo: <sip:1001@127.0.0.1>;tag=callee\r\nCall-ID: th3\r\nCSeq: 11 BYE\r\nContent-Length: 0\r\n\r\n`,
    '127.0.0.11',
  );
  const bye = lastSent(h, /^BYE /);
  assert.match(bye, /^BYE sip:1001@192\.168\.5\.5:5070 SIP\/2\.0\r\n/);
  assert.deepEqual(header(bye, 'Route'), ['<sip:192.168.5.1;lr>']);
  assert.equal(header(bye, 'Via').length, 1);
  assert.deepEqual(scriptLines(h.logs), [
    'initial th=1 callee_callid=<null>',
    'BYE match=1 ru=sip:1001@192.168.5.5:5070 du=sip:192.168.5.1;lr ci=th3',
  ]);
});

test('return codes: topology_hiding -1 on a sequential request; topology_hiding_match -1 for a request it cannot place', () => {
  const h = serverFor(`socket=udp:127.0.0.1:5060
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "dialog.so"
loadmodule "topology_hiding.so"
route {
\t$var(a) = topology_hiding();
\t$var(b) = topology_hiding_match();
\txlog("L_NOTICE", "$var(a) $var(b)\\n");
\tsl_send_reply(404, "No");
}
`);
  h.receive(
    'BYE sip:1001@127.0.0.1:5060;did=7.7 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.11;branch=z9hG4bK-x\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: nope\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n',
    '127.0.0.11',
  );
  assert.deepEqual(scriptLines(h.logs), ['-1 -1']);
});
