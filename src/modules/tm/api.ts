// tm's API for the other modules (OpenSIPS's load_tm_api): the live
// transaction layer of `run`, through which script functions reach the
// transactions. A dry-run has no live layer: then relays and replies are
// only recorded.
import { peek, serviceKey } from '../../base/keys.js';
import type { Peer, SocketInfo } from '../../net/types.js';
import type { ExecContext } from '../../script/context.js';
import type { ServerTransaction } from './server-tx.js';

export interface LiveTm {
  /** The server transaction this request belongs to, if it is a retransmission of a known one. */
  existing(ctx: ExecContext, exact?: boolean): ServerTransaction | undefined;
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
