// Replies on tm's client transactions, as tm's t_reply.c handles them:
// onreply_route, then a provisional reply is relayed (all but 100), a 2xx is
// relayed at once, and a negative final reply waits until every branch is
// final; then failure_route runs, and if it neither relays nor replies, the
// best reply (branchPriority) goes upstream, or a local 408 when every branch
// timed out. Also the ACK tm sends for a negative reply (§17.1.1.3).
import type { Inbound, Peer } from '../../net/types.js';
import { runRoute } from '../../script/compile.js';
import { ExecContext } from '../../script/context.js';
import { applyHeaderEdits } from '../../script/forward.js';
import type { Runtime } from '../../script/runtime.js';
import { scriptMessage } from '../../script/sip-adapter.js';
import type { Wire } from '../../script/transaction-layer.js';
import { buildAck, buildReply, removeTopVia, replyDestination, viaReplyTarget } from '../../sip/index.js';
import type { SipMessage } from '../../sip/message.js';
import { isSipError } from '../../sip/result.js';
import { runTmHooks, TM_HOOKS, TRANSACTION } from './api.js';
import { headerEdits } from '../../script/edits.js';
import { tmTags } from '../common/tags.js';
import { InviteClientTransaction, REPLY_BRANCH, type ClientTransaction } from './client-tx.js';
import { FAILURE, type FailureState } from './keys.js';
import { extraLines, type ServerTransaction } from './server-tx.js';
import { branchPriority, type TransactionTable } from './transactions.js';
import { TM_STATS } from './stats.js';

export class ReplyRelay {
  /** tm's onreply_avp_mode: 1 = onreply_route sees the transaction's AVPs (0, the default: the reply's own). */
  private readonly onreplyAvpMode: number;

  constructor(
    private readonly rt: Runtime,
    private readonly wire: Wire,
    private readonly table: TransactionTable,
    private readonly sendCancel: (c: ClientTransaction) => void,
  ) {
    const mode = rt.param('tm', 'onreply_avp_mode');
    this.onreplyAvpMode = typeof mode === 'number' ? mode : 0;
  }

  private log(text: string): void {
    this.rt.logger.log(-1, 'tm', 'run_trans_callbacks', text);
  }

  /** A reply on branch `c`. */
  onReply(msg: SipMessage, m: Inbound, c: ClientTransaction): void {
    // Replies to the CANCELs tm sent on a branch share the INVITE's branch: tm consumes them.
    if (msg.method === 'CANCEL' && c.method === 'INVITE') return;
    const s = c.server;
    if (s.local) {
      // T_IS_LOCAL_FLAG: the reply ends here; a request the server originated hears of its final one.
      if (msg.status < 200) {
        if (c instanceof InviteClientTransaction)
          c.onProvisionalInvite(s.frInvTimeout ?? this.table.config.frInvTimeout);
        else c.onProvisional();
      } else if (c.onFinal(msg.status)) {
        this.table.retire(s);
        this.localFinal(s, msg.status, msg);
      }
      return;
    }
    if (!this.runReplyRoutes(msg, m, s, c)) return;
    if (msg.status < 200) {
      if (c instanceof InviteClientTransaction) c.onProvisionalInvite(s.frInvTimeout ?? this.table.config.frInvTimeout);
      else c.onProvisional();
      if (c.cancelPending) {
        c.cancelPending = false;
        this.sendCancel(c);
      } // §9.1: the CANCEL waited for a provisional reply
      if (msg.status > 100) this.forwardReply(msg, s); // tm relays every provisional reply but 100
      return;
    }
    if (!c.onFinal(msg.status)) return; // a retransmitted final reply
    if (msg.status < 300) {
      // A 2xx goes upstream at once (§16.7 step 5); the other branches are left to the caller's CANCEL or BYE.
      this.forwardReply(msg, s);
      this.table.retire(s);
      return;
    }
    if (c.method === 'INVITE') this.ackNegative(c, msg);
    const cancelled = s.cancelled;
    if (!s.bestReply || branchPriority(msg.status, cancelled) < branchPriority(s.bestReply.status, cancelled)) {
      s.bestReply = msg;
      s.bestClient = c;
    }
    s.bestCode = Math.min(s.bestCode ?? 999, msg.status);
    if (allFinal(s)) this.finishNegative(s, s.bestReply, msg.status, msg.reason);
  }

  /** fr_timeout / fr_inv_timeout on branch `c`: an INVITE branch is cancelled, and the branch counts as a 408 (tm's fake reply). */
  branchTimedOut(c: ClientTransaction): void {
    const s = c.server;
    if (s.local) {
      this.table.retire(s);
      this.localFinal(s, 408, undefined);
      return;
    }
    if (c.method === 'INVITE') this.sendCancel(c);
    s.bestCode = Math.max(s.bestCode ?? 0, 408);
    if (!allFinal(s)) return;
    // A branch that did answer (a 407, say) beats the local 408.
    const best =
      s.bestReply && branchPriority(s.bestReply.status, s.cancelled) < branchPriority(408, false)
        ? s.bestReply
        : undefined;
    if (best) this.finishNegative(s, best, best.status, best.reason);
    else this.finishNegative(s, undefined, 408, 'Request Timeout');
  }

  /** The originator's callback of a local transaction; a failing one is logged, never thrown into tm. */
  private localFinal(s: ServerTransaction, code: number, reply: SipMessage | undefined): void {
    try {
      s.localFinal?.(code, reply);
    } catch (err) {
      this.log(`local request callback failed: ${(err as Error).message}`);
    }
  }

  /** onreply_route (default, then the armed one); false when the script dropped a provisional reply. */
  private runReplyRoutes(msg: SipMessage, m: Inbound, s: ServerTransaction, c: ClientTransaction): boolean {
    const routes = [
      this.rt.route('onreply_route', ''),
      s.onReply ? this.rt.route('onreply_route', s.onReply) : undefined,
    ];
    for (const r of routes) {
      if (!r) continue;
      const ctx = new ExecContext(
        this.rt,
        scriptMessage(msg),
        { ip: m.src.ip, port: m.src.port, proto: m.src.proto },
        m.socket,
      );
      if (s.avps && this.onreplyAvpMode === 1) ctx.shareAvps(s.avps);
      ctx.setState(REPLY_BRANCH, c);
      runRoute(ctx, r, 'onreply', r.name);
      if (ctx.dropped && msg.status < 200) return false;
      // The route's header edits (fix_nated_contact, append_hf...) go out with the relayed reply; body edits are on it already.
      applyHeaderEdits(ctx, msg);
    }
    return true;
  }

  /** Every branch failed: the failure callbacks, then the armed failure route; if it relays or replies nothing, the best reply goes upstream. */
  private finishNegative(s: ServerTransaction, best: SipMessage | undefined, code: number, reason: string): void {
    runTmHooks(s.hooks, 'failed', code, best, s.request, (t) => this.log(t));
    if (s.onFailure) {
      const name = s.onFailure;
      const route = this.rt.route('failure_route', name);
      s.onFailure = undefined;
      if (route) {
        const ctx = new ExecContext(this.rt, scriptMessage(s.request), { ...s.src }, s.socket);
        if (s.avps) ctx.shareAvps(s.avps);
        if (s.edits?.length) headerEdits(ctx).push(...s.edits);
        ctx.setState(TRANSACTION, {
          createdBy: 'failure_route',
          relayed: false,
          ...(s.cancelled ? { cancelled: true } : {}),
        });
        // Callbacks registered in failure_route (uac's restore) belong to the transaction.
        ctx.setState(TM_HOOKS, (s.hooks ??= []));
        const branchUri =
          best && s.bestClient ? /^\S+ (\S+)/.exec(s.bestClient.data.toString('latin1', 0, 1024))?.[1] : undefined;
        const failure: FailureState = {
          code,
          local: best === undefined,
          ...(best ? { reply: best } : {}),
          ...(branchUri ? { branchUri } : {}),
        };
        ctx.setState(FAILURE, failure);
        // The faked request carries the transaction's flags, and what failure_route sets stays with it.
        ctx.msgFlags = s.msgFlags;
        const before = s.clients.length;
        runRoute(ctx, route, 'failure', name);
        s.msgFlags = ctx.msgFlags;
        // New branches: the next failure_route picks among them only (t_pick_branch from the first new branch).
        if (s.clients.length > before) {
          s.bestReply = undefined;
          s.bestClient = undefined;
          s.bestCode = undefined;
          return;
        }
        if (s.lastReply && s.lastReply.code >= 200) return;
      }
    }
    if (best) this.forwardReply(best, s);
    else this.localReply(s, code, reason);
    this.table.retire(s);
  }

  private localReply(s: ServerTransaction, code: number, reason: string): void {
    const data = buildReply(s.request, code, reason, {
      source: { ip: s.src.ip, port: s.src.port },
      toTag: tmTags(this.rt),
      ...(this.rt.serverHeader ? { server: this.rt.serverHeader } : {}),
    });
    const dest =
      s.src.proto === 'udp'
        ? replyDestination(s.request, { ip: s.src.ip, port: s.src.port })
        : { host: s.src.ip, port: s.src.port };
    const to = { proto: s.src.proto, ip: dest.host, port: dest.port };
    s.sent({ code, data, to });
    TM_STATS.local_replies.inc(this.rt.services);
    this.wire.send(s.socket, to, data);
    runTmHooks(s.hooks, 'responseOut', code, undefined, s.request, (t) => this.log(t));
  }

  /**
   * Relay a reply upstream (§16.7): our Via comes off; the callbacks edit the
   * copy (TMCB_RESPONSE_FWDED on every one: uac's restore; TMCB_RESPONSE_IN
   * on the first 2xx: mid_registrar); it goes where the next Via says over
   * UDP, or back on the connection the request came on.
   */
  private forwardReply(msg: SipMessage, s: ServerTransaction): void {
    const out = msg.clone();
    removeTopVia(out);
    for (const h of s.hooks ?? []) {
      try {
        h.responseForwarded?.(msg, out, s.request);
      } catch (err) {
        this.log(`response-forwarded callback failed: ${(err as Error).message}`);
      }
    }
    if (msg.status >= 200 && msg.status < 300 && s.hooks && !s.hooksRan) {
      s.hooksRan = true;
      for (const h of s.hooks) {
        try {
          h.responseIn?.(msg, out);
        } catch (err) {
          this.log(`response callback failed: ${(err as Error).message}`);
        }
      }
    }
    const data = out.serialize();
    let to: Peer = s.src;
    if (s.src.proto === 'udp') {
      // Accessors read the received bytes: the Via after ours is the second one.
      const vias = msg.vias();
      const next = !isSipError(vias) ? vias[1] : undefined;
      if (next) {
        const t = viaReplyTarget(next);
        to = { proto: 'udp', ip: t.host, port: t.port };
      }
    }
    s.sent({ code: msg.status, data, to });
    TM_STATS.relayed_replies.inc(this.rt.services);
    this.wire.send(s.socket, to, data);
    runTmHooks(s.hooks, 'responseOut', msg.status, msg, s.request, (t) => this.log(t));
  }

  /** RFC 3261 §17.1.1.3: the ACK for a non-2xx final reply to INVITE, sent by tm on the same branch. */
  private ackNegative(c: ClientTransaction, reply: SipMessage): void {
    const ack = buildAck(c.data, reply, extraLines(c.server));
    if (ack) this.wire.send(c.from, c.to, ack);
  }
}

function allFinal(s: ServerTransaction): boolean {
  return s.clients.every((c) => c.final);
}
