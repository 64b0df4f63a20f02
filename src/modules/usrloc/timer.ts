// usrloc's timer (ul_timer in OpenSIPS): every timer_interval seconds the
// expired bindings go away (and write-back/sql modes flush).
import type { TimerHandle } from '../../base/clock.js';
import type { Runtime } from '../../script/runtime.js';
import { peek } from '../../base/keys.js';
import { UL_FLUSH, usrlocOf } from './api.js';

export function startExpiryTimer(rt: Runtime): TimerHandle {
  const every = Number(rt.param('usrloc', 'timer_interval') ?? 60) * 1000;
  return rt.timers.every(every, () => {
    const now = Math.floor(rt.clock.now() / 1000);
    for (const d of usrlocOf(rt).domains.values()) d.expire(now);
    peek(rt.services, UL_FLUSH)?.();
  });
}
