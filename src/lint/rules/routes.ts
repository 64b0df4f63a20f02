// Routes: calls to routes that do not exist, routes nothing can reach, and
// statements that can never run (after exit, return, drop).
import type * as A from '../../cfg/ast.js';
import { leniency } from '../../cfg/diagnostic.js';
import { MAIN_ROUTE } from '../../cfg/script.js';
import { forEachStatementList, routeBodies, walkStatements } from '../../cfg/walk.js';
import type { LintContext, LintRule } from '../context.js';

/** Functions that arm a route of another kind by name. */
const ARMING: Record<string, A.RouteKind> = {
  t_on_failure: 'failure_route',
  t_on_reply: 'onreply_route',
  t_on_branch: 'branch_route',
};

function references(ctx: LintContext): {
  calls: Map<string, A.Span[]>;
  armed: Map<string, A.Span[]>;
  dynamic: boolean;
} {
  const calls = new Map<string, A.Span[]>();
  const armed = new Map<string, A.Span[]>();
  let dynamic = false;
  const add = (m: Map<string, A.Span[]>, k: string, s: A.Span): void => {
    m.set(k, [...(m.get(k) ?? []), s]);
  };
  for (const r of routeBodies(ctx.loaded.script.routes)) {
    walkStatements(r.body, {
      statement: (s) => {
        if (s.kind === 'RouteCall') {
          if ('kind' in s.target) dynamic = true;
          else add(calls, s.target.text, s.target.span);
        } else if (s.kind === 'Call' && ARMING[s.name]) {
          const a = s.args[0];
          if (a?.kind === 'String' && a.parts.every((p) => typeof p === 'string'))
            add(armed, `${ARMING[s.name]}:${a.value}`, a.span);
          else dynamic = true;
        } else if (s.kind === 'Async' && s.resumeRoute) add(calls, s.resumeRoute.text, s.resumeRoute.span);
      },
    });
  }
  return { calls, armed, dynamic };
}

function checkReferences(ctx: LintContext): void {
  const { routes } = ctx.loaded.script;
  const { calls, armed, dynamic } = references(ctx);
  for (const [name, spans] of calls) {
    if (routes.route.has(name)) continue;
    for (const span of spans) {
      ctx.report(
        'route-undefined',
        leniency(ctx.profile),
        `route \`${name}\` is called but not defined: OpenSIPS 3.3 refuses to start`,
        span,
        ctx.profile.strict
          ? `define \`route[${name}] { ... }\``
          : `define \`route[${name}] { ... }\`; until then opensips-ts runs the call as an empty route returning 1`,
      );
    }
  }
  for (const [key, spans] of armed) {
    const [kind, name] = key.split(':') as [A.RouteKind, string];
    if (!routes[kind].has(name))
      for (const span of spans)
        ctx.report('route-armed-undefined', 'error', `\`${kind}[${name}]\` is armed here but not defined`, span);
  }
  if (dynamic) return; // a computed route name could reach anything
  for (const r of routeBodies(routes)) {
    if (!r.name) continue;
    const key = r.name.text;
    const reachable =
      r.routeKind === 'route'
        ? key === MAIN_ROUTE || calls.has(key)
        : ARMING_KINDS.has(r.routeKind)
          ? armed.has(`${r.routeKind}:${key}`)
          : true;
    if (!reachable) {
      const how =
        r.routeKind === 'route'
          ? `no \`route(${key})\` calls it`
          : `no \`${Object.keys(ARMING).find((k) => ARMING[k] === r.routeKind)}("${key}")\` arms it`;
      ctx.report('route-unreachable', 'warning', `\`${r.routeKind}[${key}]\` is never used: ${how}`, r.name.span);
    }
  }
}

const ARMING_KINDS = new Set(Object.values(ARMING));

function terminates(s: A.Statement): boolean {
  return s.kind === 'Exit' || s.kind === 'Drop' || s.kind === 'Return';
}

function checkUnreachable(ctx: LintContext, list: readonly A.Statement[]): void {
  const live = list.filter((s) => s.kind !== 'Placeholder');
  const stop = live.findIndex(terminates);
  if (stop >= 0 && stop < live.length - 1) {
    const next = live[stop + 1]!;
    ctx.report(
      'unreachable-code',
      'warning',
      `this statement never runs: the \`${live[stop]!.kind.toLowerCase()}\` above ends the route`,
      next.span,
    );
  }
}

export const routeRules: LintRule = {
  id: 'routes',
  description: 'undefined and unreachable routes, code after exit/return/drop',
  check(ctx) {
    checkReferences(ctx);
    for (const r of routeBodies(ctx.loaded.script.routes))
      forEachStatementList(r.body, (list) => checkUnreachable(ctx, list));
  },
};
