// The hooks through which tm's script functions reach the live transaction
// layer of `run` (src/core/server.ts). A dry-run has no live layer: then
// relays and replies are only recorded.
import type { ExecContext } from '../../script/context.js';
import type { SocketInfo, Peer } from '../../net/types.js';
import type { ServerTx } from './transactions.js';

export interface LiveTm {
  /** The server transaction this request belongs to, if it is a retransmission of a known one. */
  existing(ctx: ExecContext, exact?: boolean): ServerTx | undefined;
  /** Re-sends the last reply of a retransmitted request (or absorbs it when there is none yet). */
  absorb(s: ServerTx): void;
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

export function liveTm(ctx: ExecContext): LiveTm | undefined {
  return ctx.runtime.services.get('tm:live') as LiveTm | undefined;
}
