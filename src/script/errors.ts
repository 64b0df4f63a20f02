// Errors found while compiling a route: positioned, with the lint rule id.
import type { Span } from '../cfg/ast.js';
import type { RuleId } from '../cfg/rules.js';

export class ScriptCompileError extends Error {
  constructor(
    message: string,
    readonly span: Span,
    readonly rule: RuleId,
  ) {
    super(message);
  }
}
