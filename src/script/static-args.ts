// A call's arguments as its fix-up sees them at start-up: constants with
// their text, pseudo-variables and formatted strings marked dynamic.
import type * as A from '../cfg/ast.js';
import type { StaticArg } from './module-contract.js';

export function staticArgs(c: A.Call): StaticArg[] {
  return c.args.map((a) => {
    if (!a) return { kind: 'empty' as const, text: '', dynamic: false, span: c.span };
    if (a.kind === 'String')
      return {
        kind: 'string' as const,
        text: a.value,
        dynamic: a.parts.some((x) => typeof x !== 'string'),
        span: a.span,
      };
    if (a.kind === 'Number') return { kind: 'number' as const, text: String(a.value), dynamic: false, span: a.span };
    return { kind: 'pvar' as const, text: a.kind === 'PVar' ? a.text : '', dynamic: true, span: a.span };
  });
}
