// Header edits a script asks for, kept per message and applied when the
// message (or the local reply) is built, as OpenSIPS keeps lumps.
import type { ExecContext } from './context.js';

export type HeaderEdit =
  | { op: 'append'; text: string; anchor?: string }
  | { op: 'insert'; text: string; anchor?: string }
  | { op: 'remove'; name: string };

export function headerEdits(ctx: ExecContext, target: 'request' | 'reply' = 'request'): HeaderEdit[] {
  const key = `edits:${target}`;
  let list = ctx.modState.get(key) as HeaderEdit[] | undefined;
  if (!list) { list = []; ctx.modState.set(key, list); }
  return list;
}
