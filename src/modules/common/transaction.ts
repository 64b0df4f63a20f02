// The per-request transaction state that tm creates (t_newtran, t_relay,
// t_reply) and that signaling and the registrars consult.
import { stateKey } from '../../base/keys.js';
import type { ExecContext } from '../../script/context.js';
import type { SipMessage } from '../../sip/message.js';
import type { SocketInfo } from '../../net/types.js';

/** tm callbacks other modules register (mid_registrar, acc), kept with the transaction. */
export interface TmHooks {
  requestForwarded?(msg: SipMessage, from: SocketInfo): void;
  /** Every reply relayed upstream (TMCB_RESPONSE_FWDED): `out` is the copy about to go (uac restores From/To and CSeq on it). */
  responseForwarded?(reply: SipMessage, out: SipMessage, request: SipMessage): void;
  /** The first 2xx: `out` is the reply about to be relayed upstream (edits apply to it); `reply` is the received one. */
  responseIn?(reply: SipMessage, out: SipMessage): void;
  /** A reply went out to the caller (TMCB_RESPONSE_OUT): relayed ones of any code, local ones when final; `reply` is undefined for a local one (FAKED_REPLY). */
  responseOut?(code: number, reply: SipMessage | undefined, request: SipMessage): void;
  /** Every branch failed, before failure_route (TMCB_ON_FAILURE). */
  failed?(code: number, reply: SipMessage | undefined, request: SipMessage): void;
}

type TmEvent = 'responseOut' | 'failed';

/** The hooks registered on this request's transaction, and the transaction itself (names read by tm). */
export const TM_HOOKS = stateKey<TmHooks[]>('tm:hooks');
export const TRANSACTION = stateKey<TransactionState>('tm:transaction');

/** Runs one kind of hook; a failing hook is logged, never thrown into tm. */
export function runTmHooks(
  hooks: readonly TmHooks[] | undefined,
  event: TmEvent,
  code: number,
  reply: SipMessage | undefined,
  request: SipMessage,
  log: (text: string) => void,
): void {
  for (const h of hooks ?? []) {
    try {
      h[event]?.(code, reply, request);
    } catch (err) {
      log(`${event} callback failed: ${(err as Error).message}`);
    }
  }
}

/** A local final reply on the script's transaction (t_reply, stateful send_reply). */
export function localFinalReplied(ctx: ExecContext, code: number): void {
  const hooks = ctx.state(TM_HOOKS);
  if (code < 200 || !hooks?.length || !ctx.msg.sip) return;
  runTmHooks(hooks, 'responseOut', code, undefined, ctx.msg.sip, (t) =>
    ctx.runtime.logger.log(-1, 'tm', 'run_trans_callbacks', t),
  );
}

export function tmHooks(ctx: ExecContext): TmHooks[] {
  return ctx.state(TM_HOOKS, () => []);
}

export interface TransactionState {
  createdBy: string;
  /** A CANCEL arrived for this INVITE transaction (t_was_cancelled). */
  cancelled?: boolean;
  /** t_replicate(): a local transaction (T_IS_LOCAL_FLAG): its replies and timeouts stop here. */
  replicated?: boolean;
  lastReply?: { code: number; text: string };
  relayed: boolean;
}

export function transactionOf(ctx: ExecContext): TransactionState | undefined {
  return ctx.state(TRANSACTION);
}

export function createTransaction(ctx: ExecContext, by: string): TransactionState {
  const t: TransactionState = { createdBy: by, relayed: false };
  ctx.setState(TRANSACTION, t);
  return t;
}

/** Is tm loaded in this runtime? */
export function tmLoaded(ctx: ExecContext): boolean {
  return ctx.runtime.modparams.has('tm');
}
