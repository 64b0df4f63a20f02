// Test helpers for the cfg layer: parse text, strip spans for AST equality.
import { parseCfgText } from '../../src/cfg/parse.js';
import type { Diagnostic } from '../../src/cfg/diagnostic.js';
import type { CfgFile } from '../../src/cfg/ast.js';

export function parse(text: string, strict = false): { ast: CfgFile; diagnostics: Diagnostic[]; errors: Diagnostic[] } {
  const r = parseCfgText(text, 'test.cfg', { strict });
  return { ast: r.result, diagnostics: r.diagnostics, errors: r.diagnostics.filter((d) => d.severity === 'error') };
}

/** The AST without positions: what must survive a round trip through `fmt`. */
export function stripSpans(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripSpans);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === 'span' || k.endsWith('Span') || k === 'file') continue;
      if (k === 'legacyChildren') {
        out[k] = true;
        continue;
      }
      out[k] = stripSpans(v);
    }
    return out;
  }
  return value;
}

/** The statements of the main route of a one-route cfg. */
export function mainBody(text: string) {
  const { ast, errors } = parse(text);
  if (errors.length) throw new Error(errors.map((e) => `${e.span.line}:${e.span.col} ${e.message}`).join('\n'));
  const route = ast.items.find((i) => i.kind === 'Route');
  if (!route || route.kind !== 'Route') throw new Error('no route');
  return route.body;
}

export const CORPUS_DIR = new URL('../../../shared/corpus/', import.meta.url).pathname;
export const SEED_DIR = new URL('../../../shared/seed/', import.meta.url).pathname;
export const BLOG_DIR = new URL('../../conformance/blog/', import.meta.url).pathname;
