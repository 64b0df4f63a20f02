// A short bench:live-path round in npm test (issue 22): the floor (a bare Node
// dgram responder), the in-process path and `opensips-ts run` answering
// REGISTERs from SIPp, CPU per REGISTER printed side by side (Kamailio's too
// when it is installed), so that a regression of the live path shows in every
// CI log. Nothing timed is asserted: only that each figure was taken.
// Loopback only (127.0.113.x); bounded: a few thousand REGISTERs per server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sippSkip } from '../helpers/sipp.js';
import { kamailioOrWarn, liveRound } from '../../scripts/bench-live-path.js';
import { loadNow } from '../../scripts/bench-lib.js';

test(
  'live path: CPU per REGISTER of the floor, the in-process path, opensips-ts run (and Kamailio) printed',
  { skip: sippSkip() },
  async () => {
    const o = { kind: 'register' as const, rate: 3000, count: 3000, warm: 3000, kamailio: kamailioOrWarn() };
    // A short warm-up (V8 still compiling): figures run higher than bench:live-path's; compare runs of this test.
    console.log(
      `live path, ${o.warm} REGISTERs to warm up then ${o.count} at ${o.rate}/s per server (load ${loadNow()}):`,
    );
    const r = await liveRound(o);
    for (const [name, f] of Object.entries(r))
      assert.ok(Number.isFinite(f.cpuUs) && f.cpuUs > 0, `${name}: no CPU figure`);
    assert.ok(r.inProcess.ok, 'the in-process path answered every REGISTER');
  },
);
