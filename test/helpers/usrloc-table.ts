// Large location tables for the tests of periodic sweeps (usrloc expiry,
// nathelper pings): bindings put straight into a domain, and a count of the
// zero-delay continuations a sliced sweep schedules on the virtual clock.
import type { VirtualClock } from '../../src/base/clock.js';
import type { UsrlocDomain } from '../../src/modules/usrloc/api.js';

/** `count` AoRs u<i>@example.com, one binding each, at a distinct loopback address; `expires(i)` in Unix seconds. */
export function fillDomain(d: UsrlocDomain, count: number, expires: (i: number) => number, nowSec: number): void {
  for (let i = 0; i < count; i++) {
    d.insert(d.getOrCreate(`u${i}@example.com`), {
      uri: `sip:u${i}@127.0.${1 + (i >> 16)}.${(i >> 8) & 255}:${5000 + (i & 255)}`,
      expires: expires(i),
      q: -1,
      callid: `c${i}`,
      cseq: 1,
      flags: 0,
      cflags: 0,
      userAgent: 'ua',
      lastModified: nowSec,
      state: 'CS_NEW',
    } as never);
  }
}

/** Counts the `after(0, ...)` calls made on `clock` from now on (the slices after the first). */
export function countContinuations(clock: VirtualClock): { readonly n: number } {
  const counter = { n: 0 };
  const after = clock.after.bind(clock);
  clock.after = (ms, fn) => {
    if (ms === 0) counter.n++;
    return after(ms, fn);
  };
  return counter;
}
