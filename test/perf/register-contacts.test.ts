// One REGISTER with thousands of contacts costs work linear in their number
// (issue 14: it was quadratic, 2,000 contacts blocked the event loop 2.3 s),
// and a 200 OK too big for one UDP datagram is logged as OpenSIPS logs it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverFor } from '../helpers/server.js';
import { cpuMs, fmtGrowth, growth } from '../helpers/linear.js';
import { usrlocOf } from '../../src/modules/usrloc/api.js';

const CFG = `socket=udp:127.0.0.1:5060
loadmodule "usrloc.so"
loadmodule "signaling.so"
loadmodule "sl.so"
loadmodule "registrar.so"
route { save("location"); }`;

/** A REGISTER for 1001 with `n` contacts, one Contact line each or all in one comma-separated line. */
export function manyContacts(n: number, oneLine = false, id = `n${n}`): string {
  const cs = Array.from({ length: n }, (_, i) => `<sip:u${i}@127.0.0.1:${10000 + i}>`);
  const contact = oneLine ? `Contact: ${cs.join(',')}\r\n` : cs.map((c) => `Contact: ${c}\r\n`).join('');
  return (
    `REGISTER sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.11:5060;branch=z9hG4bK-${id}\r\nFrom: <sip:1001@127.0.0.1>;tag=a\r\n` +
    `To: <sip:1001@127.0.0.1>\r\nCall-ID: ${id}\r\nCSeq: 1 REGISTER\r\nMax-Forwards: 70\r\n${contact}Expires: 600\r\nContent-Length: 0\r\n\r\n`
  );
}

const handle = (oneLine: boolean) => (n: number) => {
  const h = serverFor(CFG);
  const text = manyContacts(n, oneLine);
  // Each call is a new refresh (its own branch and CSeq): an exact copy would be a retransmission,
  // answered from the replay cache without being handled again.
  let seq = 1;
  return () => {
    seq++;
    h.receive(
      text.replace(`branch=z9hG4bK-n${n}`, `branch=z9hG4bK-n${n}-${seq}`).replace('CSeq: 1 ', `CSeq: ${seq} `),
      '127.0.0.11',
    );
  };
};

test('2,000 contacts in one REGISTER: all stored, work linear in the count (one line each, or comma-separated)', () => {
  for (const oneLine of [false, true]) {
    const g = growth(handle(oneLine), 500, 4, 6);
    console.log(fmtGrowth(`REGISTER contacts (${oneLine ? 'one Contact line' : 'a line each'})`, 500, g));
    assert.ok(g.ratio < 6, `4x the contacts cost x${g.ratio.toFixed(1)} CPU: not linear`);
  }
  const h = serverFor(CFG);
  const text = manyContacts(2000, true);
  assert.ok(text.length < 65_535, 'the request itself fits in one datagram');
  const ms = cpuMs(() => h.receive(text, '127.0.0.11'));
  console.log(`one 2,000-contact REGISTER (${text.length} bytes), warm: ${ms.toFixed(1)} ms CPU`);
  const stored = usrlocOf(h.server.rt).domain('location').get('1001')?.bindings ?? [];
  assert.equal(stored.length, 2000);
});

test('a 200 OK larger than one UDP datagram is not sent: L_ERR as proto_udp_send logs it, the bindings stay stored', () => {
  const h = serverFor(CFG);
  h.receive(manyContacts(2000, true), '127.0.0.11');
  assert.equal(h.sent.length, 0);
  assert.ok(
    h.logs.some((l) =>
      /ERROR:core:proto_udp_send: sendto\(sock,8\d{4},udp:127\.0\.0\.1:5060\): Message too long\(90\) \[127\.0\.0\.11:5060\]/.test(
        l,
      ),
    ),
    h.logs.join('\n'),
  );
  assert.equal(usrlocOf(h.server.rt).domain('location').get('1001')?.bindings.length, 2000);
  // A refresh of the same 2,000 contacts matches each one (no duplicates), still without a reply.
  h.receive(manyContacts(2000, true).replace('CSeq: 1 ', 'CSeq: 2 '), '127.0.0.11');
  assert.equal(usrlocOf(h.server.rt).domain('location').get('1001')?.bindings.length, 2000);
  // 500 contacts fit: the 200 OK lists every one of them.
  const small = serverFor(CFG);
  small.receive(manyContacts(500), '127.0.0.11');
  assert.match(small.sent[0]!.text, /^SIP\/2\.0 200 OK/);
  assert.equal(small.sent[0]!.text.match(/<sip:u\d+@/g)?.length, 500);
});
