// usrloc's timer (ul_timer in OpenSIPS): every timer_interval seconds the
// expired bindings go away (and write-back/sql modes flush).
import type { TimerHandle } from '../../base/clock.js';
import type { Runtime } from '../../script/runtime.js';
import { peek } from '../../base/keys.js';
import { visitInSlices } from '../../base/sliced.js';
import { UL_FLUSH, usrlocOf, type AorRecord, type UsrlocDomain } from './api.js';

function* everyRecord(domains: Iterable<UsrlocDomain>): Generator<[UsrlocDomain, AorRecord]> {
  for (const d of domains) for (const r of d.records.values()) yield [d, r];
}

export function startExpiryTimer(rt: Runtime): TimerHandle {
  const every = Number(rt.param('usrloc', 'timer_interval') ?? 60) * 1000;
  let sweeping = false;
  return rt.timers.every(every, () => {
    if (sweeping) return; // the last sweep is still going through its slices
    sweeping = true;
    const now = Math.floor(rt.clock.now() / 1000);
    visitInSlices(
      rt.timers,
      everyRecord([...usrlocOf(rt).domains.values()]),
      ([d, r]) => d.expireRecord(r, now),
      () => {
        sweeping = false;
        peek(rt.services, UL_FLUSH)?.();
      },
    );
  });
}
