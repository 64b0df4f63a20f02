// Errors are values: a rule id, a severity, a message in a user's words, the
// span it points at, and where possible a hint that says how to fix it.
import type { Span } from './ast.js';
import type { RuleId } from './rules.js';

export type { RuleId };

export type Severity = 'error' | 'warning' | 'info';

export interface Diagnostic {
  rule: RuleId;
  severity: Severity;
  message: string;
  span: Span;
  hint?: string;
  /** The include statements that led to the file of `span`, outermost first. */
  includeChain?: Span[];
}

/** Which profile a check runs under (design.md, "Two acceptance profiles"). */
export interface Profile {
  /** Accept exactly what OpenSIPS 3.3.10 accepts. */
  strict: boolean;
}

/** A leniency of the default profile: a warning there, an error under --strict. */
export function leniency(profile: Profile): Severity {
  return profile.strict ? 'error' : 'warning';
}

export function byPosition(a: Diagnostic, b: Diagnostic): number {
  return a.span.file === b.span.file ? a.span.offset - b.span.offset : 0;
}

export function hasErrors(diags: readonly Diagnostic[]): boolean {
  return diags.some((d) => d.severity === 'error');
}
