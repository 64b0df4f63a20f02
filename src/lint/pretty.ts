// Diagnostics for a terminal: `file:line:col: severity: message [rule]`, a
// two-line code frame with a caret, the fix hint and the include chain.
import { relative } from 'node:path';
import pc from 'picocolors';
import type { Diagnostic } from '../cfg/diagnostic.js';

export interface PrettyOptions {
  color: boolean;
  cwd?: string;
}

export function displayPath(file: string, cwd = process.cwd()): string {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith('/') ? rel : file;
}

/** The source line of `d` and a caret line under the span (at least one caret). */
export function codeFrame(d: Diagnostic, source: string | undefined, color: boolean): string[] {
  if (source === undefined) return [];
  const lines = source.split('\n');
  const text = (lines[d.span.line - 1] ?? '').replace(/\r$/, '');
  const gutter = String(d.span.line);
  const width =
    d.span.endLine === d.span.line
      ? Math.max(1, d.span.endCol - d.span.col)
      : Math.max(1, text.length - d.span.col + 1);
  const caretPad = text.slice(0, d.span.col - 1).replace(/[^\t]/g, ' ');
  const c = pc.createColors(color);
  const paint = d.severity === 'error' ? c.red : c.yellow;
  return [
    ` ${c.dim(gutter + ' |')} ${text}`,
    ` ${c.dim(' '.repeat(gutter.length) + ' |')} ${caretPad}${paint('^'.repeat(Math.min(width, Math.max(1, text.length - d.span.col + 1))))}`,
  ];
}

export function formatPretty(d: Diagnostic, sources: ReadonlyMap<string, string>, opts: PrettyOptions): string {
  const c = pc.createColors(opts.color);
  const sev =
    d.severity === 'error'
      ? c.red(c.bold('error'))
      : d.severity === 'warning'
        ? c.yellow(c.bold('warning'))
        : c.cyan('info');
  const where = `${displayPath(d.span.file, opts.cwd)}:${d.span.line}:${d.span.col}`;
  const out = [
    `${c.bold(where)}: ${sev}: ${d.message} ${c.dim(`[${d.rule}]`)}`,
    ...codeFrame(d, sources.get(d.span.file), opts.color),
  ];
  if (d.hint) out.push(`  ${c.cyan('hint:')} ${d.hint}`);
  for (const inc of [...(d.includeChain ?? [])].reverse())
    out.push(`  ${c.dim(`included from ${displayPath(inc.file, opts.cwd)}:${inc.line}:${inc.col}`)}`);
  return out.join('\n');
}

export function summaryLine(diags: readonly Diagnostic[], color: boolean): string {
  const c = pc.createColors(color);
  const errors = diags.filter((d) => d.severity === 'error').length;
  const warnings = diags.filter((d) => d.severity === 'warning').length;
  const plural = (n: number, w: string): string => `${n} ${w}${n === 1 ? '' : 's'}`;
  const text = `${plural(errors, 'error')}, ${plural(warnings, 'warning')}`;
  return errors ? c.red(text) : warnings ? c.yellow(text) : c.green(text);
}
