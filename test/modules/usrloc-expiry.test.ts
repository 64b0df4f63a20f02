// usrloc's expiry sweep on a large table runs in slices, so the receive loop
// is not held for the whole table (300,000 AoRs took 100-250 ms in one go).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverFor } from '../helpers/server.js';
import { countContinuations, fillDomain } from '../helpers/usrloc-table.js';
import { usrlocOf } from '../../src/modules/usrloc/api.js';
import { startExpiryTimer } from '../../src/modules/usrloc/timer.js';
import { SLICE_ITEMS } from '../../src/base/sliced.js';

const CFG = `socket=udp:127.0.0.1:5060
loadmodule "usrloc.so"
loadmodule "signaling.so"
loadmodule "sl.so"
loadmodule "registrar.so"
modparam("usrloc", "timer_interval", 10)
route { save("location"); }`;

test('the expiry sweep over more than one slice of AoRs: every expired binding goes, the others stay, the work yields between slices', () => {
  const h = serverFor(CFG);
  const rt = h.server.rt;
  const d = usrlocOf(rt).domain('location');
  const now = Math.floor(h.clock.now() / 1000);
  const total = SLICE_ITEMS * 2 + 1000;
  fillDomain(d, total, (i) => (i % 2 ? now + 5 : now + 3600), now);
  const continuations = countContinuations(h.clock);
  const timer = startExpiryTimer(rt);
  h.clock.advance(10_000);
  timer.cancel();
  assert.equal(d.records.size, total / 2, 'the bindings expiring at +5 s are gone, those at +3600 s stay');
  assert.equal(d.expiredCount, total / 2);
  assert.ok([...d.records.values()].every((r) => r.bindings.every((b) => b.expires === now + 3600)));
  assert.equal(continuations.n, Math.ceil(total / SLICE_ITEMS) - 1, 'one continuation per further slice');
});

test('a small table is swept in the timer callback itself, as before', () => {
  const h = serverFor(CFG);
  const d = usrlocOf(h.server.rt).domain('location');
  h.receive(
    'REGISTER sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.11:5060;branch=z9hG4bK-e1\r\nFrom: <sip:1001@127.0.0.1>;tag=a\r\n' +
      'To: <sip:1001@127.0.0.1>\r\nCall-ID: e1\r\nCSeq: 1 REGISTER\r\nContact: <sip:1001@127.0.0.11:5060>;expires=5\r\nContent-Length: 0\r\n\r\n',
    '127.0.0.11',
  );
  assert.equal(d.records.size, 1);
  const continuations = countContinuations(h.clock);
  const timer = startExpiryTimer(h.server.rt);
  h.clock.advance(70_000); // registrar's min_expires (60 s) lengthens expires=5
  timer.cancel();
  assert.equal(d.records.size, 0);
  assert.equal(continuations.n, 0);
});
