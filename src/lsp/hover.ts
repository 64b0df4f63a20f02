// Hover: on a function call, a module parameter, a module, a global, a
// pseudo-variable, a transformation, a route call (the route's first lines)
// or a route declaration (how many places call it).
import type { Hover } from 'vscode-languageserver';
import type * as A from '../cfg/ast.js';
import { findGlobal, findModParam } from '../catalog/index.js';
import type { Analysis } from './analysis.js';
import {
  describeFunction,
  describeModParam,
  describeModule,
  describePv,
  describeTransformation,
  moduleEntry,
} from './describe.js';
import { pvarAt } from './pvars.js';
import { declKey, moduleOfPath } from './symbols.js';
import { contains, spanRange } from './text.js';

const ROUTE_PREVIEW_LINES = 8;

function here(a: Analysis, span: A.Span, offset: number): boolean {
  return span.file === a.path && contains(span, offset);
}

function md(value: string, span: A.Span | undefined, a: Analysis): Hover {
  return { contents: { kind: 'markdown', value }, range: span ? spanRange(span, a.lines) : undefined };
}

function routePreview(a: Analysis, decl: A.RouteDecl): string {
  const text = a.sources.get(decl.span.file) ?? '';
  const lines = text.split('\n').slice(decl.span.line - 1, decl.span.line - 1 + ROUTE_PREVIEW_LINES);
  const more = decl.span.endLine - decl.span.line + 1 > ROUTE_PREVIEW_LINES ? '\n...' : '';
  return '```opensips\n' + lines.join('\n') + more + '\n```';
}

function hoverRoute(a: Analysis, offset: number): Hover | undefined {
  for (const ref of a.index.routeRefs) {
    if (!here(a, ref.span, offset)) continue;
    const decl = a.index.routes.get(ref.key);
    return md(decl ? routePreview(a, decl) : `\`${ref.key.replace(':', '[')}]\` is not defined`, ref.span, a);
  }
  for (const decl of a.index.routes.values()) {
    if (!decl.name || !here(a, decl.name.span, offset)) continue;
    const callers = a.index.routeRefs.filter((r) => r.key === declKey(decl)).length;
    return md(
      `\`${decl.routeKind}[${decl.name.text}]\`: ${callers} reference${callers === 1 ? '' : 's'}`,
      decl.name.span,
      a,
    );
  }
  return undefined;
}

function hoverTop(a: Analysis, offset: number): Hover | undefined {
  for (const m of a.index.modparams) {
    if (here(a, m.paramSpan, offset)) {
      const p = findModParam(m.module, m.param);
      return md(p ? describeModParam(m.module, p) : `\`${m.module}\` has no parameter \`${m.param}\``, m.paramSpan, a);
    }
    if (here(a, m.moduleSpan, offset)) {
      const e = moduleEntry(m.module);
      return e ? md(describeModule(e), m.moduleSpan, a) : undefined;
    }
  }
  for (const l of a.index.loadmodules) {
    if (!here(a, l.pathSpan, offset)) continue;
    const e = moduleEntry(moduleOfPath(l.path));
    return md(e ? describeModule(e) : `no OpenSIPS 3.3 module \`${moduleOfPath(l.path)}\``, l.pathSpan, a);
  }
  for (const g of a.index.globals) {
    if (!here(a, g.nameSpan, offset)) continue;
    const info = findGlobal(g.name);
    return info ? md(`core parameter \`${g.name}\`: ${info.valueKinds.join(' or ')}`, g.nameSpan, a) : undefined;
  }
  return undefined;
}

/** `{s.len}` around the offset, in the text of the line. */
function transformationAt(a: Analysis, offset: number): string | undefined {
  const open = a.text.lastIndexOf('{', offset);
  const close = a.text.indexOf('}', offset);
  if (open < 0 || close < 0 || a.text.slice(open, close).includes('\n')) return undefined;
  const m = /^\{([a-z0-9_]+)\./i.exec(a.text.slice(open, close + 1));
  return m?.[1];
}

export function hoverAt(a: Analysis, offset: number): Hover | null {
  const call = a.index.calls.find((c) => here(a, c.nameSpan, offset));
  if (call) {
    const text = describeFunction(call.name, a.index.loaded);
    return text ? md(text, call.nameSpan, a) : null;
  }
  const route = hoverRoute(a, offset) ?? hoverTop(a, offset);
  if (route) return route;
  const cls = transformationAt(a, offset);
  const tr = cls && describeTransformation(cls, a.index.loaded);
  if (tr) return { contents: { kind: 'markdown', value: tr } };
  const pv = pvarAt(a.pvars, offset);
  const text = pv && describePv(pv.name, a.index.loaded);
  return text ? { contents: { kind: 'markdown', value: text } } : null;
}
