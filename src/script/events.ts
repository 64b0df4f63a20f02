// event_route: events raised by modules (usrloc's E_UL_*) or by the script
// (raise_event) run their event_route after the current processing, as
// OpenSIPS 3.3 hands them to another process, on OpenSIPS's dummy request.
// Only with the event_route module loaded: without it 3.3 never runs them.
import type { Diagnostic } from '../cfg/diagnostic.js';
import type { Script } from '../cfg/script.js';
import { routeBodies, walkStatements } from '../cfg/walk.js';
import { EVENT_PUBLISHERS } from '../catalog/events.js';
import { parseSipMessage } from '../sip/index.js';
import type { ArgValue, RouteType } from './module-contract.js';
import { runRoute } from './compile.js';
import { ExecContext } from './context.js';
import type { SocketInfo } from '../net/types.js';
import type { ModuleResolution } from './modules-resolve.js';
import type { CompiledRoute, Runtime } from './runtime.js';
import { scriptMessage } from './sip-adapter.js';
import type { Val } from './values.js';

/** The request OpenSIPS builds for routes that have no message of their own (action.c). */
const DUMMY_REQUEST =
  'DUMMY sip:user@dummy.com SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKdummy\r\n' +
  'To: <sip:to@dummy.com>\r\nFrom: <sip:from@dummy.com>;tag=1\r\nCall-ID: dummy-1\r\nCSeq: 1 DUMMY\r\n\r\n';

/** No socket received the dummy request: $Ri/$Rp read as the zero address. */
const NO_SOCKET: SocketInfo = { proto: 'udp', ip: '0.0.0.0', port: 0 };

function dummyContext(rt: Runtime): ExecContext {
  const parsed = parseSipMessage(DUMMY_REQUEST);
  if (parsed.error !== undefined) throw new Error(`dummy request: ${parsed.error}`);
  return new ExecContext(rt, scriptMessage(parsed.msg), { ip: '0.0.0.0', port: 0, proto: 'udp' }, NO_SOCKET);
}

/** A route on the dummy request; a script error is logged, never thrown at the timer or the caller. */
export function runOnDummy(
  rt: Runtime,
  route: CompiledRoute,
  type: RouteType,
  fn: string,
  named?: Record<string, Val>,
): void {
  try {
    runRoute(dummyContext(rt), route, type, route.name, [], named);
  } catch (err) {
    rt.logger.log(
      -1,
      'core',
      fn,
      `error running ${type}_route${route.name ? `[${route.name}]` : ''}: ${(err as Error).message}`,
    );
  }
}

/** Whether the cfg has an event_route for `name` (raisers skip building parameters otherwise). */
export function hasEventRoute(rt: Runtime, name: string): boolean {
  return rt.modparams.has('event_route') && rt.route('event_route', name) !== undefined;
}

/**
 * Raises an event: its event_route runs after the current processing, as
 * OpenSIPS 3.3 hands event_route jobs to another process. `$param(name)`
 * reads the parameters.
 */
export function raiseEvent(rt: Runtime, name: string, params: Record<string, Val>): void {
  const route = hasEventRoute(rt, name) ? rt.route('event_route', name) : undefined;
  if (route) rt.timers.after(0, () => runOnDummy(rt, route, 'event', 'route_received', params));
}

/**
 * raise_event(name, [$avp(attrs)], [$avp(values)]): the values (and names)
 * newest first, as evi_raise_script_event() walks the AVPs. Unnamed values
 * are read by position.
 */
export function raiseScriptEvent(
  ctx: ExecContext,
  name: string,
  attrs: ArgValue | undefined,
  vals: ArgValue | undefined,
): number {
  // raise_event("E", $avp(x)) passes names only, so no parameters at all, as 3.3 does.
  const values = vals?.pv ? vals.pv.all(ctx) : [];
  const names = vals?.pv && attrs?.pv ? attrs.pv.all(ctx) : undefined;
  if (names && names.length < values.length) {
    ctx.runtime.logger.log(-1, 'core', 'evi_raise_script_event', 'missing attribute');
    return -1;
  }
  if (names && names.length > values.length)
    ctx.runtime.logger.log(-1, 'core', 'evi_raise_script_event', 'too many attribute names');
  const params: Record<string, Val> = {};
  values.forEach((v, i) => {
    params[names ? String(names[i]) : `#${i + 1}`] = v;
  });
  raiseEvent(ctx.runtime, name, params);
  return 1;
}

/** Functions whose literal first argument publishes an event name (their fix-up calls evi_publish_event). */
const PUBLISHING_FUNCTIONS = new Set(['raise_event', 'subscribe_event']);

function scriptPublished(script: Script): Set<string> {
  const names = new Set<string>();
  for (const r of routeBodies(script.routes)) {
    walkStatements(r.body, {
      statement: (s) => {
        const a = s.kind === 'Call' && PUBLISHING_FUNCTIONS.has(s.name) ? s.args[0] : undefined;
        if (a?.kind === 'String') names.add(a.value);
      },
    });
  }
  return names;
}

/**
 * Start-up problems of event_route blocks: without the event_route module
 * they never run; with it, one for an event nobody publishes stops 3.3.
 */
export function eventRouteProblems(script: Script, resolution: ModuleResolution): Diagnostic[] {
  const routes = [...script.routes.event_route.values()];
  if (!routes.length) return [];
  if (!resolution.modules.has('event_route')) {
    return routes.map((r) => ({
      rule: 'event-route-not-loaded',
      severity: 'warning' as const,
      span: r.name?.span ?? r.span,
      message: `event_route[${r.name?.text ?? ''}] never runs: the event_route module is not loaded (OpenSIPS 3.3 ignores it the same way)`,
      hint: 'add `loadmodule "event_route.so"`',
    }));
  }
  const published = scriptPublished(script);
  const out: Diagnostic[] = [];
  for (const r of routes) {
    const name = r.name?.text ?? '';
    const publisher = EVENT_PUBLISHERS[name];
    if (published.has(name) || publisher === 'core' || (publisher && resolution.modules.has(publisher))) continue;
    out.push({
      rule: 'event-route-unknown',
      severity: 'error',
      span: r.name?.span ?? r.span,
      message: `event \`${name}\` is not published${publisher ? ` unless the ${publisher} module is loaded` : ' by OpenSIPS 3.3 or the loaded modules'}: OpenSIPS 3.3 refuses to start ("Event ${name} not registered")`,
      hint: publisher
        ? `add \`loadmodule "${publisher}.so"\``
        : 'check the name, or raise it from the script with raise_event("...")',
    });
  }
  return out;
}
