// What every lint rule sees: the loaded cfg, the engine built from it (module
// resolution, function table), the route types each route runs in, and a
// report() that makes positioned diagnostics.
import type * as A from '../cfg/ast.js';
import type { Diagnostic, Profile, RuleId, Severity } from '../cfg/diagnostic.js';
import type { LoadedCfg } from '../cfg/load.js';
import { MAIN_ROUTE } from '../cfg/script.js';
import { routeBodies, walkStatements } from '../cfg/walk.js';
import type { RouteType } from '../modules/types.js';
import type { Engine } from '../script/engine.js';

export interface LintContext {
  loaded: LoadedCfg;
  engine: Engine;
  profile: Profile;
  /** Route types each route body can run in, with the route() chain that leads there. */
  routeTypes: Map<A.RouteDecl, Map<RouteType, string[]>>;
  report(rule: RuleId, severity: Severity, message: string, span: A.Span, hint?: string): void;
}

export interface LintRule {
  id: string;
  description: string;
  check(ctx: LintContext): void;
}

const KIND_TYPE: Record<A.RouteKind, RouteType | undefined> = {
  route: undefined,
  failure_route: 'failure',
  onreply_route: 'onreply',
  branch_route: 'branch',
  error_route: 'error',
  local_route: 'local',
  startup_route: 'startup',
  timer_route: 'timer',
  event_route: 'event',
};

function routeLabel(r: A.RouteDecl): string {
  return r.name ? `${r.routeKind}[${r.name.text}]` : r.routeKind;
}

/** Propagate route types along `route(x)` calls until nothing changes. */
export function computeRouteTypes(loaded: LoadedCfg): Map<A.RouteDecl, Map<RouteType, string[]>> {
  const types = new Map<A.RouteDecl, Map<RouteType, string[]>>();
  const named = loaded.script.routes.route;
  for (const r of routeBodies(loaded.script.routes)) {
    const t = r.routeKind === 'route' ? (named.get(MAIN_ROUTE) === r ? 'request' : undefined) : KIND_TYPE[r.routeKind];
    types.set(r, new Map(t ? [[t, [routeLabel(r)]]] : []));
  }
  const calls = new Map<A.RouteDecl, A.RouteDecl[]>();
  for (const r of routeBodies(loaded.script.routes)) {
    const targets: A.RouteDecl[] = [];
    walkStatements(r.body, {
      statement: (s) => {
        if (s.kind === 'RouteCall' && !('kind' in s.target)) {
          const target = named.get(s.target.text);
          if (target) targets.push(target);
        }
      },
    });
    calls.set(r, targets);
  }
  for (let changed = true; changed;) {
    changed = false;
    for (const [from, targets] of calls) {
      const fromTypes = types.get(from)!;
      for (const to of targets) {
        const toTypes = types.get(to)!;
        for (const [t, chain] of fromTypes) {
          if (!toTypes.has(t)) {
            toTypes.set(t, [...chain, routeLabel(to)]);
            changed = true;
          }
        }
      }
    }
  }
  return types;
}

export function makeReport(out: Diagnostic[]): LintContext['report'] {
  return (rule, severity, message, span, hint) =>
    out.push({ rule, severity, message, span, ...(hint ? { hint } : {}) });
}
