// tm's API for the other modules (OpenSIPS's load_tm_api): the per-request
// transaction state that tm creates (t_newtran, t_relay, t_reply) and that
// signaling, the registrars, acc, dialog and uac consult; the callbacks they
// register on it (TMCB_*); and the live transaction layer of `run`, through
// which script functions reach the transactions. A dry-run has no live layer:
// then relays and replies are only recorded.
import { peek, serviceKey, stateKey } from '../../base/keys.js';
import type { Peer, SocketInfo } from '../../net/types.js';
import type { ExecContext } from '../../script/context.js';
import type { SipMessage } from '../../sip/message.js';
import type { ServerTransaction } from './server-tx.js';

export interface LiveTm {
  /** The server transaction this request belongs to, if it is a retransmission of a known one. */
  existing(ctx: ExecContext, exact?: boolean): ServerTransaction | undefined;
  /** t_flush_flags(): the request's message flags copied into its transaction. */
  flushFlags(ctx: ExecContext): void;
  /** Re-sends the last reply of a retransmitted request (or absorbs it when there is none yet). */
  absorb(s: ServerTransaction): void;
  /** A branch was sent: start its client transaction (retransmissions, fr timer). */
  relayed(ctx: ExecContext, branch: string, from: SocketInfo, to: Peer, data: Buffer): void;
  /** A local reply to the request was sent: remember it for retransmissions. */
  replied(ctx: ExecContext, code: number, data: Buffer, to: Peer): void;
  /** t_relay() of a CANCEL whose INVITE is proxied: answers it and cancels the branches; false if unknown. */
  cancel(ctx: ExecContext): boolean;
  /** t_cancel_branch() from onreply_route. */
  cancelBranches(ctx: ExecContext, mode: 'this' | 'all' | 'others'): number;
  /** t_on_failure / t_on_reply. */
  arm(ctx: ExecContext, kind: 'failure' | 'reply', route: string): void;
}

export const LIVE_TM = serviceKey<LiveTm>('tm:live');

export function liveTm(ctx: ExecContext): LiveTm | undefined {
  return peek(ctx.runtime.services, LIVE_TM);
}

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
