// tm's transaction layer in the live server: what the core hands a reply or
// an ACK to (script/transaction-layer.ts), and what tm's script functions
// reach through LiveTm (t_relay, t_reply, t_on_failure...). A proxy
// transaction as tm keeps it: one server transaction and a client
// transaction per branch; replies come back through relayReply (reply.ts).
import type { Inbound, Peer, SocketInfo } from '../../net/types.js';
import type { ExecContext } from '../../script/context.js';
import { headerEdits } from '../../script/edits.js';
import type { Runtime } from '../../script/runtime.js';
import type { TransactionLayer, Wire } from '../../script/transaction-layer.js';
import { buildCancel, buildReply, parseSipMessage, replyDestination } from '../../sip/index.js';
import type { SipMessage } from '../../sip/message.js';
import { TM_HOOKS, transactionOf, type LiveTm } from './api.js';
import { EXTRA_HDRS, FR_INV_TIMEOUT, FR_TIMEOUT } from './keys.js';
import { tmTags } from '../common/tags.js';
import {
  InviteClientTransaction,
  NonInviteClientTransaction,
  REPLY_BRANCH,
  type ClientEnv,
  type ClientTransaction,
  type TmTimers,
} from './client-tx.js';
import { runLocalRoute } from './local-route.js';
import { ReplyRelay } from './reply.js';
import { extraLines, InviteServerTransaction, newServerTransaction, type ServerTransaction } from './server-tx.js';
import { serverKey, TransactionTable } from './transactions.js';
import { TM_STATS, transactionMade } from './stats.js';

function num(rt: Runtime, name: string, dflt: number): number {
  const v = rt.param('tm', name);
  return typeof v === 'number' ? v : dflt;
}

export class TmLayer implements TransactionLayer, LiveTm {
  readonly table: TransactionTable;
  private readonly env: ClientEnv;
  private readonly replies: ReplyRelay;

  constructor(
    readonly rt: Runtime,
    private readonly wire: Wire,
  ) {
    const config: TmTimers = {
      t1: num(rt, 'T1_timer', 500),
      t2: num(rt, 'T2_timer', 4000),
      frTimeout: num(rt, 'fr_timeout', 30) * 1000,
      frInvTimeout: num(rt, 'fr_inv_timeout', 120) * 1000,
      waitTime: num(rt, 'wt_timer', 5) * 1000,
    };
    this.table = new TransactionTable(config, rt.timers, rt.services);
    this.replies = new ReplyRelay(rt, wire, this.table, (c) => this.sendCancel(c));
    this.env = {
      timers: rt.timers,
      config,
      send: (f, t, d) => wire.send(f, t, d),
      timedOut: (c) => this.replies.branchTimedOut(c),
    };
  }

  dispose(): void {
    this.table.dispose();
  }

  // ---- the core's side -----------------------------------------------------------

  onReply(msg: SipMessage, m: Inbound): boolean {
    const branch = msg.topVia?.branch;
    const c = branch ? this.table.clients.get(branch) : undefined;
    if (!c) return false;
    TM_STATS.received_replies.inc(this.rt.services);
    this.replies.onReply(msg, m, c);
    return true;
  }

  /** A hop-by-hop ACK for a negative final reply we sent or relayed (§17.2.1): absorbed. */
  absorbsAck(msg: SipMessage): boolean {
    const key = keyOf(msg, 'INVITE');
    const s = key ? this.table.servers.get(key) : undefined;
    return s instanceof InviteServerTransaction && s.ackReceived();
  }

  /**
   * A request the server originates (mid_registrar's De-REGISTERs, t_uac):
   * local_route first, then a client transaction of its own (Timer E,
   * fr_timeout) on a transaction marked local: its replies are consumed.
   */
  sendLocalRequest(
    from0: SocketInfo,
    to0: Peer,
    data0: Buffer,
    onFinal?: (code: number, reply: SipMessage | undefined) => void,
  ): void {
    const out = runLocalRoute(this.rt, { from: from0, to: to0, data: data0 });
    const { from, data } = out;
    const to = this.wire.map(out.to);
    const parsed = parseSipMessage(data);
    const branch = parsed.error === undefined ? parsed.msg.topVia?.branch : undefined;
    if (parsed.error !== undefined || !branch) {
      this.wire.send(from, to, data);
      return;
    }
    // An ACK (of a 2xx to an INVITE we sent) has no transaction (§17.1.1.3): sent once.
    if (parsed.msg.method === 'ACK') {
      this.wire.send(from, to, data);
      return;
    }
    const req = parsed.msg;
    const s = newServerTransaction(
      `local|${branch}`,
      req.method,
      req,
      { proto: to.proto, ip: from.ip, port: from.port },
      from,
    );
    s.local = true;
    s.localFinal = onFinal;
    transactionMade(this.rt.services, true);
    const c = this.newClient(branch, req.method, s, from, to, data);
    this.table.addClient(c);
    this.wire.send(from, to, data);
    c.start(this.table.config.frTimeout, to.proto === 'udp');
  }

  // ---- tm's script functions' side (LiveTm) -------------------------------------

  existing(ctx: ExecContext, exact = false): ServerTransaction | undefined {
    const msg = ctx.msg.sip;
    if (!msg) return undefined;
    // A CANCEL is matched to its INVITE's transaction, unless its own is asked for (t_newtran).
    const method = msg.method === 'CANCEL' && !exact ? 'INVITE' : msg.method;
    const key = keyOf(msg, method);
    const s = key ? this.table.servers.get(key) : undefined;
    return s && s.request !== msg ? s : undefined;
  }

  flushFlags(ctx: ExecContext): void {
    const s = this.serverFor(ctx);
    if (s) s.msgFlags = ctx.msgFlags;
  }

  /** A retransmitted request: the last reply again (§17.2.1, §17.2.2), or nothing while none was sent. */
  absorb(s: ServerTransaction): void {
    if (s.lastReply) this.wire.send(s.socket, s.lastReply.to, s.lastReply.data);
  }

  private serverFor(ctx: ExecContext): ServerTransaction | undefined {
    const msg = ctx.msg.sip;
    if (!msg) return undefined;
    const key = keyOf(msg);
    if (!key) return undefined;
    let s = this.table.servers.get(key);
    if (!s) {
      s = newServerTransaction(
        key,
        msg.method,
        msg,
        { proto: ctx.src.proto, ip: ctx.src.ip, port: ctx.src.port },
        ctx.socketIn,
      );
      s.avps = ctx.avps;
      s.edits = headerEdits(ctx);
      this.table.servers.set(key, s);
      transactionMade(this.rt.services, false);
    }
    return s;
  }

  replied(ctx: ExecContext, code: number, data: Buffer, to: Peer): void {
    const s = this.serverFor(ctx);
    if (!s) return;
    s.sent({ code, data, to });
    TM_STATS.local_replies.inc(this.rt.services);
    if (code >= 200) this.table.retire(s);
  }

  arm(ctx: ExecContext, kind: 'failure' | 'reply', route: string): void {
    const s = this.serverFor(ctx);
    if (!s) return;
    if (kind === 'failure') s.onFailure = route;
    else s.onReply = route;
  }

  relayed(ctx: ExecContext, branch: string, from: SocketInfo, to: Peer, data: Buffer): void {
    const s = this.serverFor(ctx);
    if (!s) return;
    const hooks = ctx.state(TM_HOOKS);
    if (hooks?.length) s.hooks = hooks;
    if (transactionOf(ctx)?.replicated) s.local = true;
    // t_forward_nonack: the transaction takes the request's flags as they are when it is relayed.
    s.msgFlags = ctx.msgFlags;
    const fr = ctx.state(FR_TIMEOUT);
    const frInv = ctx.state(FR_INV_TIMEOUT);
    const extra = ctx.state(EXTRA_HDRS);
    if (extra !== undefined) s.extraHdrs = extra;
    if (fr !== undefined) s.frTimeout = fr * 1000;
    if (frInv !== undefined) s.frInvTimeout = frInv * 1000;
    const c = this.newClient(branch, ctx.msg.method, s, from, this.wire.map(to), data);
    this.table.addClient(c);
    if (c.method === 'ACK') return; // an ACK has no transaction of its own (§17.1.1.3): nothing to retransmit or time
    c.start(s.frTimeout ?? this.table.config.frTimeout, to.proto === 'udp');
  }

  private newClient(
    branch: string,
    method: string,
    s: ServerTransaction,
    from: SocketInfo,
    to: Peer,
    data: Buffer,
  ): ClientTransaction {
    return method === 'INVITE'
      ? new InviteClientTransaction(this.env, branch, method, s, from, to, data)
      : new NonInviteClientTransaction(this.env, branch, method, s, from, to, data);
  }

  /** A CANCEL on a branch (§9.1): same branch, To, From, Call-ID and CSeq number as the INVITE; t_add_hdrs() lines too. */
  private sendCancel(c: ClientTransaction): void {
    const cancel = buildCancel(c.data, extraLines(c.server));
    if (cancel) this.wire.send(c.from, c.to, cancel);
  }

  /**
   * t_cancel_branch() in onreply_route: this reply's branch, every branch
   * ('a') or the others ('o'). A branch with a provisional reply is cancelled
   * now, one without waits for its first (§9.1); finished ones are left alone.
   */
  cancelBranches(ctx: ExecContext, mode: 'this' | 'all' | 'others'): number {
    const c = ctx.state(REPLY_BRANCH);
    if (!c || c.server.method !== 'INVITE') return -1;
    const targets = mode === 'this' ? [c] : c.server.clients.filter((x) => mode === 'all' || x !== c);
    for (const t of targets) {
      if (t.final || t.method !== 'INVITE') continue;
      if (t.provisional) this.sendCancel(t);
      else t.cancelPending = true;
    }
    return 1;
  }

  /** t_relay() on a CANCEL whose INVITE we proxy: 200 to the CANCEL, CANCEL on every pending branch (§16.10). */
  cancel(ctx: ExecContext): boolean {
    const s = this.existing(ctx);
    if (!s || s.method !== 'INVITE') return false;
    const req = ctx.msg.sip!;
    const data = buildReply(req, 200, 'OK', { source: { ip: ctx.src.ip, port: ctx.src.port }, toTag: tmTags(this.rt) });
    const dest =
      ctx.src.proto === 'udp'
        ? replyDestination(req, { ip: ctx.src.ip, port: ctx.src.port })
        : { host: ctx.src.ip, port: ctx.src.port };
    this.wire.send(ctx.socketIn, { proto: ctx.src.proto, ip: dest.host, port: dest.port }, data);
    s.cancelled = true;
    for (const c of s.clients) if (!c.final) this.sendCancel(c);
    return true;
  }
}

/** §17.2.3: a request matches a server transaction by its top Via's branch and sent-by, and the method. */
function keyOf(msg: SipMessage, method = msg.method): string | undefined {
  const via = msg.topVia;
  return via ? serverKey(via.branch, method, `${via.host}:${via.port ?? ''}`) : undefined;
}
