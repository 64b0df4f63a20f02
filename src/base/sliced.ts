// Periodic work over a large table (usrloc's expiry, nathelper's pings) runs in
// slices: OpenSIPS does it in its timer process while the workers keep reading
// the socket; one event loop has to take turns instead. Between slices the
// datagrams queued meanwhile are handled, so a sweep of 300,000 AoRs never holds
// the receive loop longer than one slice.
import type { Timers } from './clock.js';

/** Items visited per slice: a few milliseconds of work. */
export const SLICE_ITEMS = 5000;

/**
 * Visits every item `items` yields, `slice` at a time, the next slice scheduled
 * with `timers.after(0)`; `done` runs after the last. A table that fits one slice
 * is visited at once, inside the caller (as a virtual clock's tests expect).
 */
export function visitInSlices<T>(
  timers: Timers,
  items: Iterator<T>,
  visit: (item: T) => void,
  done: () => void = () => undefined,
  slice = SLICE_ITEMS,
): void {
  const step = (): void => {
    for (let n = 0; n < slice; n++) {
      const next = items.next();
      if (next.done) {
        done();
        return;
      }
      visit(next.value);
    }
    timers.after(0, step);
  };
  step();
}
