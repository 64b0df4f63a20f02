// The virtual clock fires timers at their own due times, in order, as it advances.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock, realTimers, timersFor, realClock } from '../../src/base/clock.js';

test('advance fires one-shot and periodic timers at their due times, in order; cancelled ones never', () => {
  const c = new VirtualClock(1000);
  const seen: string[] = [];
  c.after(500, () => seen.push(`a@${c.now()}`));
  const tick = c.every(300, () => seen.push(`t@${c.now()}`));
  const never = c.after(100, () => seen.push('never'));
  never.cancel();
  c.advance(700);
  assert.deepEqual(seen, ['t@1300', 'a@1500', 't@1600']);
  assert.equal(c.now(), 1700);
  tick.cancel();
  c.advance(10_000);
  assert.equal(seen.length, 3);
  assert.equal(c.nextAt(), undefined);
});

test('a timer scheduled by a timer fires in the same advance when due', () => {
  const c = new VirtualClock(0);
  const seen: number[] = [];
  c.after(10, () => c.after(10, () => seen.push(c.now())));
  c.advance(25);
  assert.deepEqual(seen, [20]);
});

test('timersFor: a virtual clock schedules on itself, the real clock on Node timers', () => {
  const c = new VirtualClock();
  assert.equal(timersFor(c), c);
  assert.equal(timersFor(realClock), realTimers);
});
