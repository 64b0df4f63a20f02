// The per-request transaction state that tm creates (t_newtran, t_relay,
// t_reply) and that signaling and the registrars consult.
import type { ExecContext } from '../../script/context.js';

export interface TransactionState {
  createdBy: string;
  toTag?: string;
  lastReply?: { code: number; text: string };
  relayed: boolean;
}

export function transactionOf(ctx: ExecContext): TransactionState | undefined {
  return ctx.modState.get('tm:transaction') as TransactionState | undefined;
}

export function createTransaction(ctx: ExecContext, by: string): TransactionState {
  const t: TransactionState = { createdBy: by, relayed: false };
  ctx.modState.set('tm:transaction', t);
  return t;
}

/** Is tm loaded in this runtime? */
export function tmLoaded(ctx: ExecContext): boolean {
  return ctx.runtime.modparams.has('tm');
}
