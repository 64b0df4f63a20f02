// `--format json`: one document, stable field names, positions 1-based.
import type { Diagnostic } from '../cfg/diagnostic.js';
import { displayPath } from './pretty.js';

export function formatJson(diags: readonly Diagnostic[], cwd: string): string {
  return JSON.stringify(
    {
      diagnostics: diags.map((d) => ({
        file: displayPath(d.span.file, cwd),
        line: d.span.line,
        column: d.span.col,
        endLine: d.span.endLine,
        endColumn: d.span.endCol,
        severity: d.severity,
        rule: d.rule,
        message: d.message,
        ...(d.hint ? { hint: d.hint } : {}),
        ...(d.includeChain?.length
          ? {
              includedFrom: d.includeChain.map((s) => ({
                file: displayPath(s.file, cwd),
                line: s.line,
                column: s.col,
              })),
            }
          : {}),
      })),
      summary: {
        errors: diags.filter((d) => d.severity === 'error').length,
        warnings: diags.filter((d) => d.severity === 'warning').length,
      },
    },
    null,
    2,
  );
}
