// forward(): stateless forwarding with a branch computed from the request
// (retransmissions and the CANCEL leave with the INVITE's), and replies that
// no transaction claims relayed on by their Via after the default
// onreply_route, or dropped when the first Via is not ours.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request, serverFor } from '../helpers/server.js';

const CFG = `socket=udp:127.0.0.1:5060
loadmodule "sl.so"
onreply_route {
\txlog("L_NOTICE", "reply $rs\\n");
\tif ($rs == 183) drop();
}
route {
\tforward("udp:127.0.0.20:5060");
}
`;

const topBranch = (text: string): string =>
  /\r\nVia: SIP\/2\.0\/UDP 127\.0\.0\.1:5060;branch=(z9hG4bK\w+)/.exec(text)![1]!;

test('forward(): our Via on top with a stateless branch; a retransmission and the CANCEL get the same one', () => {
  const h = serverFor(CFG);
  h.receive(request('INVITE', 's1'), '127.0.0.11');
  h.receive(request('INVITE', 's1'), '127.0.0.11');
  h.receive(request('CANCEL', 's1'), '127.0.0.11');
  h.receive(request('INVITE', 's2'), '127.0.0.11');
  assert.deepEqual(
    h.sent.map((m) => m.to),
    ['127.0.0.20:5060', '127.0.0.20:5060', '127.0.0.20:5060', '127.0.0.20:5060'],
  );
  const [a, b, c, d] = h.sent.map((m) => topBranch(m.text));
  assert.equal(a, b, 'retransmission');
  assert.equal(a, c, 'CANCEL');
  assert.notEqual(a, d, 'another transaction');
  assert.match(
    h.sent[0]!.text,
    /^INVITE sip:1001@127\.0\.0\.1 SIP\/2\.0\r\nVia: SIP\/2\.0\/UDP 127\.0\.0\.1:5060;branch=z9hG4bK\w{16}\r\nVia: SIP\/2\.0\/UDP 127\.0\.0\.11:5060;branch=z9hG4bK-s1\r\n/,
  );
});

test('replies without a transaction: relayed by the second Via after onreply_route (drop() stops one); a first Via not ours is dropped', () => {
  const h = serverFor(CFG);
  h.receive(request('INVITE', 'r1'), '127.0.0.11');
  const ours = /\r\nVia: ([^\r]+)\r\n/.exec(h.sent[0]!.text)![1]!;
  const reply = (status: string, topVia: string): string =>
    `SIP/2.0 ${status}\r\nVia: ${topVia}\r\nVia: SIP/2.0/UDP 127.0.0.11:5062;branch=z9hG4bK-r1;rport=5070;received=127.0.0.12\r\nFrom: <sip:1002@127.0.0.11>;tag=ar1\r\nTo: <sip:1001@127.0.0.1>;tag=b\r\nCall-ID: r1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n`;
  h.receive(reply('180 Ringing', ours), '127.0.0.20');
  h.receive(reply('183 Session Progress', ours), '127.0.0.20');
  h.receive(reply('200 OK', 'SIP/2.0/UDP 127.0.0.99:5060;branch=z9hG4bKother'), '127.0.0.20');
  const relayed = h.sent.slice(1);
  assert.deepEqual(
    relayed.map((m) => `${m.to} ${m.text.split('\r\n')[0]}`),
    ['127.0.0.12:5070 SIP/2.0 180 Ringing'],
    'to received/rport of the next Via; the 183 dropped by the script; the 200 not ours',
  );
  assert.doesNotMatch(relayed[0]!.text, /127\.0\.0\.1:5060/, 'our Via is gone');
  assert.deepEqual(
    h.logs.filter((l) => l.includes('reply ')).map((l) => l.replace(/^.*\] /, '').trim()),
    ['reply 180', 'reply 183'],
  );
});
