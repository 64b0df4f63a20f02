// Timer jobs (fr_timeout's failure_route, module pings) run outside any
// message's guard: one that throws is logged and the others go on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engineFor } from '../helpers/engine.js';
import { VirtualClock } from '../../src/base/clock.js';

test('a timer job that throws is logged, and the timers after it still run', () => {
  const { runtime, logs } = engineFor('socket=udp:127.0.0.1:5060\nroute { exit; }\n');
  let ran = 0;
  runtime.timers.after(10, () => {
    throw new Error('port out of range');
  });
  runtime.timers.every(10, () => {
    ran++;
  });
  assert.doesNotThrow(() => (runtime.clock as VirtualClock).advance(30));
  assert.equal(ran, 3);
  assert.ok(
    logs.some((l) => l.includes('error in a timer job: port out of range')),
    logs.join('\n'),
  );
});
