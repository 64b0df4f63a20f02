// A module table's timers and destroy hook as one start-up job: the timers
// whose interval this cfg sets start with the server (after every module's
// init and the route compilation), and stopping the server cancels them,
// runs their stop work, then the module's destroy.
import type { TimerHandle } from '../base/clock.js';
import type { Runtime } from './runtime.js';
import type { NativeModule } from './module-contract.js';

export function moduleStarter(rt: Runtime, table: NativeModule): (() => TimerHandle | undefined) | undefined {
  const timers = table.timers ?? [];
  const destroy = table.destroy;
  if (!timers.length && !destroy) return undefined;
  return () => {
    const running: { handle: TimerHandle; stop?: (rt: Runtime) => void }[] = [];
    for (const t of timers) {
      const ms = t.interval(rt);
      if (ms > 0) running.push({ handle: rt.timers.every(ms, () => t.job(rt)), ...(t.stop ? { stop: t.stop } : {}) });
    }
    if (!running.length && !destroy) return undefined;
    return {
      cancel: () => {
        for (const r of running) {
          r.handle.cancel();
          r.stop?.(rt);
        }
        destroy?.(rt);
      },
    };
  };
}
