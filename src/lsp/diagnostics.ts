// Our diagnostics as LSP diagnostics: the rule id as the code (its entry in
// docs/lint-rules.md; no URL is made up while the package names no homepage),
// the hint kept as data for the quick fixes and shown after the message.
import { DiagnosticSeverity, type Diagnostic as LspDiagnostic } from 'vscode-languageserver';
import type { Diagnostic } from '../cfg/diagnostic.js';
import type { DiagnosticData } from './actions.js';
import { spanRange, type LineIndex } from './text.js';

const SEVERITY = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
} as const;

export function toLspDiagnostic(d: Diagnostic, lines: LineIndex): LspDiagnostic {
  const data: DiagnosticData = { hint: d.hint };
  return {
    range: spanRange(d.span, lines),
    severity: SEVERITY[d.severity],
    code: d.rule,
    source: 'opensips-ts',
    message: d.hint ? `${d.message}\n${d.hint}` : d.message,
    data,
  };
}
