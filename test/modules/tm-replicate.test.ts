// t_replicate(uri): a copy of the request to another destination on a local
// transaction; nothing it brings back goes upstream (t_fwd.c, T_IS_LOCAL_FLAG).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverFor, request, replyTo } from '../helpers/server.js';

const CFG =
  'socket=udp:127.0.0.1:5060\nloadmodule "sl.so"\nloadmodule "tm.so"\n' +
  'route {\n  sl_send_reply(200, "OK");\n  $var(rc) = t_replicate("sip:127.0.0.30:5070");\n  xlog("L_ERR", "rc=$var(rc) du=$du\\n");\n}\n';

test('the copy goes to the URI with the R-URI unchanged; $du keeps it; 1', () => {
  const h = serverFor(CFG);
  h.receive(request('REGISTER', 'rep1'), '127.0.0.11');
  assert.equal(h.sent.length, 2);
  assert.match(h.sent[0]!.text, /^SIP\/2\.0 200 OK\r\n/);
  assert.equal(h.sent[0]!.to, '127.0.0.11:5060');
  assert.equal(h.sent[1]!.to, '127.0.0.30:5070');
  assert.match(
    h.sent[1]!.text,
    /^REGISTER sip:1001@127\.0\.0\.1 SIP\/2\.0\r\nVia: SIP\/2\.0\/UDP 127\.0\.0\.1:5060;branch=z9hG4bK\w+\r\nVia: SIP\/2\.0\/UDP 127\.0\.0\.11:5060;/,
  );
  assert.ok(
    h.logs.some((l) => l.includes('rc=1 du=sip:127.0.0.30:5070')),
    h.logs.join(''),
  );
});

test("the replicated branch's replies stop here, and so does its timeout: nothing more goes upstream", () => {
  const h = serverFor(CFG);
  h.receive(request('REGISTER', 'rep2'), '127.0.0.11');
  h.receive(replyTo(h, 'rep2', '200 OK').replace('CSeq: 1 INVITE', 'CSeq: 1 REGISTER'), '127.0.0.30', 5070);
  assert.equal(h.sent.length, 2, 'the 200 from the replica is consumed');
  const t = serverFor(CFG);
  t.receive(request('REGISTER', 'rep3'), '127.0.0.11');
  t.clock.advance(40_000);
  assert.ok(
    t.sent.slice(2).every((s) => /^REGISTER /.test(s.text)),
    'only retransmissions of the copy; no 408 upstream',
  );
  assert.ok(!t.sent.some((s) => /^SIP\/2\.0 408/.test(s.text)));
});
