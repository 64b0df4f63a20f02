// Completion, chosen by what precedes the cursor on its line: module names
// in `loadmodule "` and `modparam("`, a module's parameters (and their
// default value), pseudo-variables after `$`, variable names inside
// `$var(`, route names inside `route(` and `t_on_*("`, flag names in the
// flag functions, and otherwise the functions of the loaded modules (inside
// a route) or the core parameters and top-level keywords (outside).
import { CompletionItemKind, type CompletionItem } from 'vscode-languageserver';
import { coreGlobals, findModule, keywordCommands, loadCatalog, moduleNames } from '../catalog/index.js';
import type { Analysis } from './analysis.js';
import { describeFunction, describeModParam, signature } from './describe.js';
import { ARMING, FLAG_FUNCTIONS } from './symbols.js';

const STATEMENT_KEYWORDS = ['if', 'else', 'switch', 'case', 'default', 'while', 'for', 'break', 'NULL'];
const TOP_KEYWORDS = [
  'loadmodule',
  'modparam',
  'socket',
  'include_file',
  'import_file',
  'route',
  'failure_route',
  'onreply_route',
  'branch_route',
  'error_route',
  'local_route',
  'startup_route',
  'timer_route',
  'event_route',
];

const item = (label: string, kind: CompletionItemKind, detail?: string): CompletionItem => ({ label, kind, detail });

function insideRoute(a: Analysis, offset: number): boolean {
  return a.items.some(
    (i) => i.kind === 'Route' && i.span.file === a.path && i.span.offset < offset && offset < i.span.endOffset,
  );
}

function pvarItems(a: Analysis): CompletionItem[] {
  const catalog = loadCatalog();
  const out = new Map<string, CompletionItem>();
  const add = (name: string, owner: string, takesName: boolean): void => {
    if (!out.has(name))
      out.set(name, item(name, CompletionItemKind.Variable, `${owner}${takesName ? ', $' + name + '(name)' : ''}`));
  };
  for (const pv of catalog.core.pvs) add(pv.name, 'core', pv.takesName);
  for (const m of a.index.loaded) for (const pv of findModule(m)?.pvs ?? []) add(pv.name, m, pv.takesName);
  return [...out.values()];
}

function functionItems(a: Analysis): CompletionItem[] {
  const catalog = loadCatalog();
  const out = new Map<string, CompletionItem>();
  const add = (name: string, detail: string): void => {
    if (!out.has(name)) out.set(name, { ...item(name, CompletionItemKind.Function, detail), data: { fn: name } });
  };
  for (const f of catalog.core.functions) add(f.name, signature({ module: null, fn: f }));
  for (const m of a.index.loaded)
    for (const f of findModule(m)?.functions ?? []) add(f.name, signature({ module: m, fn: f }));
  for (const k of keywordCommands())
    for (const n of k.names) if (!out.has(n)) out.set(n, item(n, CompletionItemKind.Keyword));
  for (const k of STATEMENT_KEYWORDS) out.set(k, item(k, CompletionItemKind.Keyword));
  return [...out.values()];
}

function routeItems(a: Analysis, kind: string, good?: Analysis): CompletionItem[] {
  return [...new Set([...a.index.routes.keys(), ...(good?.index.routes.keys() ?? [])])]
    .filter((k) => k.startsWith(kind + ':') && k !== kind + ':')
    .map((k) => item(k.slice(kind.length + 1), CompletionItemKind.Reference, kind));
}

/**
 * `good` is the document's last analysis without a syntax error: while the line being typed breaks the parse, route
 * and flag names come from it too.
 */
export function completeAt(a: Analysis, offset: number, good?: Analysis): CompletionItem[] {
  const lineStart = a.text.lastIndexOf('\n', offset - 1) + 1;
  const before = a.text.slice(lineStart, offset);
  let m: RegExpExecArray | null;
  if (/\bloadmodule\s+"[^"]*$/.test(before))
    return moduleNames().map((n) => ({ ...item(n, CompletionItemKind.Module), insertText: `${n}.so` }));
  if (/\bmodparam\s*\(\s*"[^"]*$/.test(before)) return a.index.loaded.map((n) => item(n, CompletionItemKind.Module));
  if ((m = /\bmodparam\s*\(\s*"([^"]+)"\s*,\s*"[^"]*$/.exec(before)))
    return (findModule(m[1]!)?.params ?? []).map((p) => ({
      ...item(p.name, CompletionItemKind.Property, p.types.join('|')),
      documentation: { kind: 'markdown', value: describeModParam(m![1]!, p) },
    }));
  if ((m = /\bmodparam\s*\(\s*"([^"]+)"\s*,\s*"([^"]+)"\s*,\s*"?[^"]*$/.exec(before))) {
    const p = findModule(m[1]!)?.params.find((x) => x.name === m![2]);
    return p && p.default !== null ? [item(String(p.default), CompletionItemKind.Value, 'the default')] : [];
  }
  if ((m = /\$(var|avp|shv)\(([A-Za-z0-9_]*)$/.exec(before))) {
    const cls = m[1];
    const names = new Set(a.pvars.filter((u) => u.name === cls && u.inner).map((u) => u.inner!));
    return [...names].map((n) => item(n, CompletionItemKind.Variable, `$${cls}(${n})`));
  }
  if (/\$\(?[A-Za-z_]*$/.test(before)) return pvarItems(a);
  if (/\broute\s*\(\s*"?[A-Za-z0-9_]*$/.test(before)) return routeItems(a, 'route', good);
  if ((m = /\b(t_on_\w+)\s*\(\s*"?[A-Za-z0-9_]*$/.exec(before)) && ARMING[m[1]!])
    return routeItems(a, ARMING[m[1]!]!, good);
  if ((m = /\b(\w+)\s*\(\s*"?[A-Za-z0-9_]*$/.exec(before)) && FLAG_FUNCTIONS.has(m[1]!))
    return [...new Set([...a.index.flags.keys(), ...(good?.index.flags.keys() ?? [])])].map((n) =>
      item(n, CompletionItemKind.Constant, 'flag'),
    );
  if (insideRoute(a, offset) || (good && insideRoute(good, offset)))
    return functionItems(a.index.loaded.length ? a : (good ?? a));
  if (/^\s*[A-Za-z_]*$/.test(before))
    return [
      ...TOP_KEYWORDS.map((k) => item(k, CompletionItemKind.Keyword)),
      ...coreGlobals().map((g) => item(g.name, CompletionItemKind.Property, g.valueKinds.join('|'))),
    ];
  return [];
}

/** completionItem/resolve: the function's full description. */
export function resolveCompletion(it: CompletionItem, loaded: readonly string[]): CompletionItem {
  const fn = (it.data as { fn?: string } | undefined)?.fn;
  const doc = fn && describeFunction(fn, loaded);
  return doc ? { ...it, documentation: { kind: 'markdown', value: doc } } : it;
}
