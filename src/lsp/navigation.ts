// Go to definition, find references, rename and document symbols, for the
// three kinds of names a cfg defines: routes (route[x], failure_route[x]...),
// flags (setflag/isflagset names) and script variables ($var(x), $avp(x)).
import { pathToFileURL } from 'node:url';
import type { DocumentSymbol, Location, Range, TextEdit, WorkspaceEdit } from 'vscode-languageserver';
import { SymbolKind } from 'vscode-languageserver';
import type * as A from '../cfg/ast.js';
import type { Analysis } from './analysis.js';
import { pvarAt } from './pvars.js';
import { declKey, nameSpanOf } from './symbols.js';
import { contains, LineIndex, spanRange } from './text.js';

/** Pseudo-variable classes whose inner name is a name the script defines. */
const NAMED_VARS = new Set(['var', 'avp', 'shv']);

export type Target =
  { kind: 'route'; key: string } | { kind: 'flag'; name: string } | { kind: 'var'; cls: string; name: string };

export interface Occurrence {
  file: string;
  /** Offsets of the name itself (no quotes). */
  start: number;
  end: number;
  /** The definition (route block, first setflag, first assignment). */
  definition: boolean;
}

export function targetAt(a: Analysis, offset: number): Target | undefined {
  const inFile = (s: A.Span): boolean => s.file === a.path && contains(s, offset);
  const ref = a.index.routeRefs.find((r) => inFile(r.span));
  if (ref) return { kind: 'route', key: ref.key };
  for (const d of a.index.routes.values()) if (d.name && inFile(d.name.span)) return { kind: 'route', key: declKey(d) };
  for (const [name, spans] of a.index.flags) if (spans.some(inFile)) return { kind: 'flag', name };
  const pv = pvarAt(a.pvars, offset);
  if (pv?.inner && NAMED_VARS.has(pv.name)) return { kind: 'var', cls: pv.name, name: pv.inner };
  return undefined;
}

function fromSpan(s: A.Span, definition: boolean): Occurrence {
  return { file: s.file, start: s.offset, end: s.endOffset, definition };
}

export function occurrences(a: Analysis, t: Target): Occurrence[] {
  if (t.kind === 'route') {
    const out = a.index.routeRefs.filter((r) => r.key === t.key).map((r) => fromSpan(nameSpanOf(r), false));
    const decl = a.index.routes.get(t.key);
    if (decl?.name) out.unshift(fromSpan(nameSpanOf(decl.name), true));
    return out;
  }
  if (t.kind === 'flag') {
    const spans = a.index.flags.get(t.name) ?? [];
    const text = (s: A.Span): string => a.sources.get(s.file)?.slice(s.offset, s.endOffset) ?? '';
    return spans.map((s, i) => fromSpan(/^["']/.test(text(s)) ? nameSpanOf({ span: s, quoted: true }) : s, i === 0));
  }
  const uses = a.pvars.filter((u) => u.name === t.cls && u.inner === t.name);
  const firstWrite = uses.findIndex((u) => u.write);
  return uses.map((u, i) => ({
    file: a.path,
    start: u.innerStart!,
    end: u.innerEnd!,
    definition: i === (firstWrite < 0 ? 0 : firstWrite),
  }));
}

/** Line indexes of the files an analysis read, built when first needed. */
export function lineIndexer(a: Analysis): (file: string) => LineIndex {
  const cache = new Map<string, LineIndex>([[a.path, a.lines]]);
  return (file) => {
    let idx = cache.get(file);
    if (!idx) cache.set(file, (idx = new LineIndex(a.sources.get(file) ?? '')));
    return idx;
  };
}

export function toLocation(o: Occurrence, lines: (file: string) => LineIndex): Location {
  const idx = lines(o.file);
  return { uri: pathToFileURL(o.file).href, range: { start: idx.positionAt(o.start), end: idx.positionAt(o.end) } };
}

export function definition(a: Analysis, offset: number): Location | null {
  const t = targetAt(a, offset);
  if (!t) return null;
  if (t.kind === 'route') {
    const decl = a.index.routes.get(t.key);
    return decl ? toLocation(fromSpan(decl.name ? nameSpanOf(decl.name) : decl.span, true), lineIndexer(a)) : null;
  }
  const def = occurrences(a, t).find((o) => o.definition);
  return def ? toLocation(def, lineIndexer(a)) : null;
}

export function references(a: Analysis, offset: number, includeDeclaration: boolean): Location[] {
  const t = targetAt(a, offset);
  if (!t) return [];
  const lines = lineIndexer(a);
  return occurrences(a, t)
    .filter((o) => includeDeclaration || !o.definition || t.kind !== 'route')
    .map((o) => toLocation(o, lines));
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The range of the name under the cursor, if it can be renamed. */
export function prepareRename(a: Analysis, offset: number): Range | null {
  const t = targetAt(a, offset);
  if (!t) return null;
  const o = occurrences(a, t).find((x) => x.file === a.path && x.start <= offset && offset <= x.end);
  return o ? { start: a.lines.positionAt(o.start), end: a.lines.positionAt(o.end) } : null;
}

export function rename(a: Analysis, offset: number, newName: string): WorkspaceEdit | string {
  const t = targetAt(a, offset);
  if (!t) return 'nothing to rename here';
  if (!NAME.test(newName)) return `\`${newName}\` is not a valid name (letters, digits, _)`;
  if (t.kind === 'route' && a.index.routes.has(t.key.replace(/:.*/, `:${newName}`)))
    return `a route \`${newName}\` of that kind already exists`;
  const lines = lineIndexer(a);
  const changes: Record<string, TextEdit[]> = {};
  for (const o of occurrences(a, t)) {
    const loc = toLocation(o, lines);
    (changes[loc.uri] ??= []).push({ range: loc.range, newText: newName });
  }
  return { changes };
}

export function documentSymbols(a: Analysis): DocumentSymbol[] {
  const out: DocumentSymbol[] = [];
  for (const item of a.items) {
    if (item.kind !== 'Route' || item.span.file !== a.path) continue;
    const range = spanRange(item.span, a.lines);
    const name = item.name ? `${item.routeKind}[${item.name.text}]` : item.routeKind;
    const selectionRange = item.name ? spanRange(item.name.span, a.lines) : { start: range.start, end: range.start };
    out.push({ name, kind: SymbolKind.Function, range, selectionRange });
  }
  return out;
}
