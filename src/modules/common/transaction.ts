// The per-request transaction state that tm creates (t_newtran, t_relay,
// t_reply) and that signaling and the registrars consult.
import type { ExecContext } from '../../script/context.js';

import type { SipMessage } from '../../sip/message.js';
import type { SocketInfo } from '../../script/context.js';

/** tm callbacks other modules register (mid_registrar): run on each forwarded branch, and on the first 2xx. */
export interface TmHooks {
  requestForwarded?(msg: SipMessage, from: SocketInfo): void;
  /** `out` is the reply about to be relayed upstream (edits apply to it); `reply` is the received one. */
  responseIn?(reply: SipMessage, out: SipMessage): void;
}

export function tmHooks(ctx: ExecContext): TmHooks[] {
  let hooks = ctx.peekState('tm:hooks') as TmHooks[] | undefined;
  if (!hooks) { hooks = []; ctx.modState.set('tm:hooks', hooks); }
  return hooks;
}

export interface TransactionState {
  createdBy: string;
  toTag?: string;
  lastReply?: { code: number; text: string };
  relayed: boolean;
}

export function transactionOf(ctx: ExecContext): TransactionState | undefined {
  return ctx.peekState('tm:transaction') as TransactionState | undefined;
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
