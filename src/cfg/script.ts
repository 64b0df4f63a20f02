// The user-facing model of a cfg: globals, sockets, loaded modules, modparams
// in order, and the route tables by type and name.
import type * as A from './ast.js';
import type { Diagnostic } from './diagnostic.js';

export interface LoadedModule {
  /** Module identity: the basename without `.so` (`"/x/usrloc.so"` -> `usrloc`). */
  name: string;
  decl: A.LoadModule;
}

export interface Script {
  globals: Map<string, A.GlobalParam>;
  sockets: A.SocketDecl[];
  aliases: A.HostPort[];
  modules: LoadedModule[];
  modparams: A.ModParam[];
  /** Route tables; the main request route is `routes.route.get('0')`. */
  routes: Record<A.RouteKind, Map<string, A.RouteDecl>>;
}

export const MAIN_ROUTE = '0';

export function moduleName(path: string): string {
  const base = path.split('/').pop() ?? path;
  return base.endsWith('.so') ? base.slice(0, -3) : base;
}

function emptyRoutes(): Script['routes'] {
  return {
    route: new Map(),
    failure_route: new Map(),
    onreply_route: new Map(),
    branch_route: new Map(),
    error_route: new Map(),
    local_route: new Map(),
    startup_route: new Map(),
    timer_route: new Map(),
    event_route: new Map(),
  };
}

export function routeKey(r: A.RouteDecl): string {
  if (!r.name) return r.routeKind === 'route' ? MAIN_ROUTE : '';
  return r.name.text;
}

export function buildScript(items: readonly A.TopItem[]): { script: Script; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const script: Script = {
    globals: new Map(),
    sockets: [],
    aliases: [],
    modules: [],
    modparams: [],
    routes: emptyRoutes(),
  };
  for (const item of items) {
    switch (item.kind) {
      case 'Global':
        script.globals.set(item.name, item);
        break;
      case 'Socket':
        script.sockets.push(item);
        break;
      case 'Alias':
        script.aliases.push(...item.aliases);
        break;
      case 'ModParam':
        script.modparams.push(item);
        break;
      case 'LoadModule': {
        const name = moduleName(item.path);
        const dup = script.modules.find((m) => m.name === name);
        if (dup) {
          diagnostics.push({
            rule: 'module-duplicate',
            severity: 'error',
            message: `module \`${name}\` is loaded twice`,
            span: item.pathSpan,
            hint: `it was first loaded at line ${dup.decl.span.line}`,
          });
        } else script.modules.push({ name, decl: item });
        break;
      }
      case 'Route': {
        const table = script.routes[item.routeKind];
        const key = routeKey(item);
        const prev = table.get(key);
        if (prev) {
          const what =
            key === MAIN_ROUTE && item.routeKind === 'route'
              ? 'the main `route`'
              : key
                ? `\`${item.routeKind}[${key}]\``
                : `\`${item.routeKind}\``;
          diagnostics.push({
            rule: 'route-duplicate',
            severity: 'error',
            message: `${what} is defined twice`,
            span: item.name?.span ?? item.span,
            hint: `first defined at ${prev.span.file === item.span.file ? '' : prev.span.file + ':'}${prev.span.line}:${prev.span.col}`,
          });
        } else table.set(key, item);
        break;
      }
      default:
        break;
    }
  }
  return { script, diagnostics };
}
