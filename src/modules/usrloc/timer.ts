// usrloc's timer (ul_timer in OpenSIPS): every timer_interval seconds the
// expired bindings go away (and write-back/sql modes flush).
import type { TimerHandle } from '../../base/clock.js';
import type { Runtime } from '../../script/runtime.js';
import { peek } from '../../base/keys.js';
import { UL_FLUSH, usrlocOf } from './api.js';

/** Records visited per slice of the sweep; between slices the receive loop runs (OpenSIPS sweeps in its timer process). */
export const EXPIRY_SLICE = 5000;

export function startExpiryTimer(rt: Runtime): TimerHandle {
  const every = Number(rt.param('usrloc', 'timer_interval') ?? 60) * 1000;
  let sweeping = false;
  return rt.timers.every(every, () => {
    if (sweeping) return; // the last sweep has not finished its slices yet
    sweeping = true;
    const now = Math.floor(rt.clock.now() / 1000);
    const domains = [...usrlocOf(rt).domains.values()];
    let d = 0;
    let records = domains[0]?.records.values();
    // One slice now; the rest after the datagrams queued meanwhile (a small table is swept in one go, as before).
    const slice = (): void => {
      for (let visited = 0; d < domains.length;) {
        const next = records!.next();
        if (next.done) {
          records = domains[++d]?.records.values();
          continue;
        }
        domains[d]!.expireRecord(next.value, now);
        if (++visited >= EXPIRY_SLICE) {
          rt.timers.after(0, slice);
          return;
        }
      }
      sweeping = false;
      peek(rt.services, UL_FLUSH)?.();
    };
    slice();
  });
}
