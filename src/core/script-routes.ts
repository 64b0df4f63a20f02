// The routes the server runs on something other than a received message:
// startup_route once before serving and timer_route[name, N] every N seconds,
// on OpenSIPS's dummy request (event_route: src/script/events.ts). local_route
// is tm's (modules/tm/local-route.ts).
import { runOnDummy } from '../script/events.js';
import type { Runtime } from '../script/runtime.js';
import type { TimerHandle } from '../base/clock.js';

/** startup_route, once, before the server reads its sockets. */
export function runStartupRoute(rt: Runtime): void {
  const route = rt.route('startup_route', '');
  if (route) runOnDummy(rt, route, 'startup', 'run_startup_route');
}

/** Every timer_route fires first one interval after the start, then every interval. */
export function startTimerRoutes(rt: Runtime): TimerHandle[] {
  const handles: TimerHandle[] = [];
  for (const route of rt.routes.get('timer_route')?.values() ?? []) {
    const seconds = Number(route.extra);
    if (!(seconds > 0)) continue;
    handles.push(rt.timers.every(seconds * 1000, () => runOnDummy(rt, route, 'timer', 'route_timer_f')));
  }
  return handles;
}
