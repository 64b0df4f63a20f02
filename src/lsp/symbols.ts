// What the cfg names, and where: route declarations and their callers, calls
// of functions, module parameters, flags. Built once per analysis from the
// expanded items (includes in place, each span naming its own file), so that
// go-to-definition, references, rename, hover and document symbols all read
// one index.
import type * as A from '../cfg/ast.js';
import { walkStatements } from '../cfg/walk.js';

/** Functions that arm a route of another kind by name (tm). */
export const ARMING: Readonly<Record<string, A.RouteKind>> = {
  t_on_failure: 'failure_route',
  t_on_reply: 'onreply_route',
  t_on_branch: 'branch_route',
};

/** Functions whose first argument is a message or branch flag name. */
export const FLAG_FUNCTIONS = new Set(['setflag', 'resetflag', 'isflagset', 'setbflag', 'resetbflag', 'isbflagset']);

export interface RouteRef {
  /** `route:NAME`, `failure_route:NAME`... */
  key: string;
  span: A.Span;
  /** A string argument (`t_on_failure("x")`): a rename keeps the quotes. */
  quoted: boolean;
}

export interface SymbolIndex {
  routes: Map<string, A.RouteDecl>;
  routeRefs: RouteRef[];
  calls: A.Call[];
  modparams: A.ModParam[];
  loadmodules: A.LoadModule[];
  globals: A.GlobalParam[];
  /** Flag name -> the argument spans that name it. */
  flags: Map<string, A.Span[]>;
  /** Names of the loaded modules (`tm`, `registrar`...). */
  loaded: string[];
}

export function routeKey(kind: A.RouteKind, name: string): string {
  return `${kind}:${name}`;
}

/** `route[x]`'s key; the main route and unnamed blocks are keyed by kind alone. */
export function declKey(r: A.RouteDecl): string {
  return routeKey(r.routeKind, r.name?.text ?? '');
}

export function moduleOfPath(path: string): string {
  return (path.split('/').pop() ?? path).replace(/\.so$/, '');
}

function argText(a: A.CallArg | undefined): { text: string; span: A.Span; quoted: boolean } | undefined {
  if (a?.kind === 'String' && a.parts.every((p) => typeof p === 'string'))
    return { text: a.value, span: a.span, quoted: true };
  if (a?.kind === 'BareWord') return { text: a.text, span: a.span, quoted: false };
  return undefined;
}

function indexStatements(body: readonly A.Statement[], idx: SymbolIndex): void {
  walkStatements(body, {
    statement: (s) => {
      if (s.kind === 'RouteCall' && !('kind' in s.target))
        idx.routeRefs.push({ key: routeKey('route', s.target.text), span: s.target.span, quoted: s.target.quoted });
      else if (s.kind === 'Async' && s.resumeRoute)
        idx.routeRefs.push({
          key: routeKey('route', s.resumeRoute.text),
          span: s.resumeRoute.span,
          quoted: s.resumeRoute.quoted,
        });
      else if (s.kind === 'Call') {
        idx.calls.push(s);
        const arg = argText(s.args[0]);
        if (arg && ARMING[s.name])
          idx.routeRefs.push({ key: routeKey(ARMING[s.name]!, arg.text), span: arg.span, quoted: arg.quoted });
        if (arg && FLAG_FUNCTIONS.has(s.name)) idx.flags.set(arg.text, [...(idx.flags.get(arg.text) ?? []), arg.span]);
      }
    },
  });
}

export function buildIndex(items: readonly A.TopItem[]): SymbolIndex {
  const idx: SymbolIndex = {
    routes: new Map(),
    routeRefs: [],
    calls: [],
    modparams: [],
    loadmodules: [],
    globals: [],
    flags: new Map(),
    loaded: [],
  };
  for (const item of items) {
    if (item.kind === 'Route') {
      if (!idx.routes.has(declKey(item))) idx.routes.set(declKey(item), item);
      indexStatements(item.body, idx);
    } else if (item.kind === 'ModParam') idx.modparams.push(item);
    else if (item.kind === 'LoadModule') {
      idx.loadmodules.push(item);
      idx.loaded.push(moduleOfPath(item.path));
    } else if (item.kind === 'Global') idx.globals.push(item);
  }
  return idx;
}

/** The span of the name of a route reference, without its quotes. */
export function nameSpanOf(ref: { span: A.Span; quoted: boolean }): A.Span {
  if (!ref.quoted) return ref.span;
  const s = ref.span;
  return { ...s, col: s.col + 1, offset: s.offset + 1, endCol: s.endCol - 1, endOffset: s.endOffset - 1 };
}
