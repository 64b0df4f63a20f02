// The live SIP server of `opensips-ts run`: receive -> parse -> route ->
// actions -> send, with tm's transaction layer (retransmissions absorbed,
// replies relayed, Timer A/E and fr timers, hop-by-hop ACK, CANCEL).
// Bad input never takes it down: every message is handled inside a guard.
import { MAIN_ROUTE } from '../cfg/script.js';
import type { TimerHandle } from '../base/clock.js';
import { runLocalRoute, runStartupRoute, startTimerRoutes, type LocalRequest } from './script-routes.js';
import type { LiveTm } from '../modules/tm/live.js';
import { usrlocOf } from '../modules/registrar/aor.js';
import { branchPriority, serverKey, TransactionTable, type ClientTx, type ServerTx } from '../modules/tm/transactions.js';
import { runTmHooks, transactionOf } from '../modules/common/transaction.js';
import { slState, tmTags } from '../modules/common/tags.js';
import { applyHeaderEdits } from '../script/forward.js';
import { parseErrorInfo } from '../script/errinfo.js';
import { headerEdits } from '../script/edits.js';
import { nameAddrParts } from '../modules/uac/replace.js';
import { buildAck, buildCancel, buildReply, parseSipMessage, removeTopVia, viaReplyTarget, checkRequest, replyDestination } from '../sip/index.js';
import type { SipMessage } from '../sip/message.js';
import { isSipError } from '../sip/result.js';
import { runRoute } from '../script/compile.js';
import { ExecContext } from '../script/context.js';
import type { CompiledRoute, Runtime } from '../script/runtime.js';
import { scriptMessage } from '../script/sip-adapter.js';
import { mapPeer, type AddressMap } from '../net/address-map.js';
import type { SocketInfo, Inbound, Network, Peer } from '../net/types.js';

/** The reply's From/To display and URI set back to the request's as received, its params (the To tag) kept. */
function restoreNameAddr(reply: SipMessage, request: SipMessage, name: 'From' | 'To'): void {
  const mine = request.header(name);
  const theirs = reply.header(name);
  if (mine === undefined || theirs === undefined) return;
  const a = nameAddrParts(mine);
  const b = nameAddrParts(theirs);
  if (!a || !b) return;
  reply.replaceHeader(name, mine.slice(0, mine.length - a.rest.length) + b.rest);
}

function num(rt: Runtime, name: string, dflt: number): number {
  const v = rt.param('tm', name);
  return typeof v === 'number' ? v : dflt;
}

/** The largest UDP payload (OpenSIPS's BUF_SIZE): a bigger reply cannot go out as one datagram. */
const MAX_UDP_DATAGRAM = 65535;

export class SipServer implements LiveTm {
  readonly tm: TransactionTable;
  received = 0;
  /** tm's onreply_avp_mode: 1 = onreply_route sees the transaction's AVPs (0, the default: the reply's own). */
  private readonly onreplyAvpMode: number;

  constructor(readonly rt: Runtime, readonly net: Network, private readonly map?: AddressMap) {
    this.tm = new TransactionTable({
      t1: num(rt, 'T1_timer', 500), t2: num(rt, 'T2_timer', 4000),
      frTimeout: num(rt, 'fr_timeout', 30) * 1000, frInvTimeout: num(rt, 'fr_inv_timeout', 120) * 1000,
      waitTime: num(rt, 'wt_timer', 5) * 1000,
    }, rt.timers);
    this.onreplyAvpMode = num(rt, 'onreply_avp_mode', 0);
    rt.services.set('tm:live', this);
    if ('tcp' in net) rt.services.set('net:tcp', (net as { tcp: unknown }).tcp);
    rt.transport = {
      send: (o) => {
        let out: LocalRequest = { from: o.from, to: o.to, data: Buffer.from(o.text) };
        const local = o.stateful === true && o.kind === 'request';
        if (local) out = runLocalRoute(rt, out);
        // An empty map (no --map) is the common case: no lookup, no hashing of a fresh address string.
        const m = this.map !== undefined && this.map.size !== 0 ? this.map.get(out.to.ip) : undefined;
        const to: Peer = m ? { proto: out.to.proto, ip: m.ip, port: m.port ?? out.to.port } : out.to;
        if (local) this.sendLocalRequest(out.from, to, out.data);
        else this.send(out.from, to, out.data);
      },
    };
  }

  private timers: TimerHandle[] = [];

  async start(): Promise<void> {
    runStartupRoute(this.rt);
    await this.net.listen(this.rt.sockets, (m) => this.onInbound(m));
    for (const start of this.rt.onStart) { const h = start(); if (h) this.timers.push(h); }
    this.timers.push(...startTimerRoutes(this.rt));
    if (this.rt.modparams.has('usrloc')) {
      // usrloc's timer: expired bindings go away every timer_interval seconds.
      const every = Number(this.rt.param('usrloc', 'timer_interval') ?? 60) * 1000;
      this.timers.push(this.rt.timers.every(every, () => {
        const now = Math.floor(this.rt.clock.now() / 1000);
        for (const d of usrlocOf(this.rt).domains.values()) d.expire(now);
        (this.rt.services.get('usrloc:flush') as (() => void) | undefined)?.();
      }));
    }
  }

  async stop(): Promise<void> {
    for (const t of this.timers) t.cancel();
    this.tm.close();
    await this.net.close();
  }

  private log(level: number, fn: string, text: string): void {
    this.rt.logger.log(level, 'core', fn, text);
  }

  /** Every send goes through here, so that a debug log shows the whole exchange. */
  private send(from: SocketInfo, to: Peer, data: Buffer): void {
    if (to.proto === 'udp' && data.length > MAX_UDP_DATAGRAM) {
      // What proto_udp_send logs when sendto() refuses the datagram (EMSGSIZE); what was stored stays stored.
      this.log(-1, 'proto_udp_send', `sendto(sock,${data.length},udp:${from.ip}:${from.port}): Message too long(90) [${to.ip}:${to.port}]`);
      return;
    }
    if (this.rt.logger.logLevel >= 4) this.log(4, 'msg_send', `sending ${data.length} bytes from ${from.proto}:${from.ip}:${from.port} to ${to.proto}:${to.ip}:${to.port}: ${data.toString('latin1').split('\r\n')[0]}`);
    this.net.send(from, to, data);
  }

  onInbound(m: Inbound): void {
    this.received++;
    if (this.rt.logger.logLevel >= 4) this.log(4, 'receive_msg', `received ${m.data.length} bytes from ${m.src.proto}:${m.src.ip}:${m.src.port} on ${m.socket.proto}:${m.socket.ip}:${m.socket.port}: ${m.data.toString('latin1').split('\r\n')[0]}`);
    try {
      this.handle(m);
    } catch (err) {
      this.log(-1, 'receive_msg', `error while processing a message from ${m.src.ip}:${m.src.port}: ${(err as Error).message}`);
    }
  }

  private handle(m: Inbound): void {
    const parsed = parseSipMessage(m.data, { datagram: m.src.proto === 'udp' });
    if (parsed.error !== undefined) {
      this.log(-1, 'parse_msg', `bad message from ${m.src.proto}:${m.src.ip}:${m.src.port}: ${parsed.error}`);
      if (parsed.partial?.isRequest && this.runErrorRoute(parsed.partial, m, parsed.error)) return;
      if (parsed.partial?.isRequest && parsed.partial.method !== 'ACK') this.rejectRequest(parsed.partial, m, 400, 'Bad Request');
      return;
    }
    const msg = parsed.msg;
    if (!msg.isRequest) { this.handleReply(msg, m); return; }
    const bad = checkRequest(msg);
    if (bad) {
      this.log(-1, 'parse_msg', `rejecting a request from ${m.src.ip}:${m.src.port}: ${bad.reason}`);
      if (this.runErrorRoute(msg, m, bad.reason)) return;
      if (msg.method !== 'ACK') this.rejectRequest(msg, m, bad.code, bad.reason);
      return;
    }
    if (msg.method === 'ACK' && this.absorbAck(msg)) return;
    const filter = this.rt.droppingFilter(msg);
    if (filter) { this.rt.logger.log(4, filter.module, filter.fn, filter.why); return; }
    this.runRequest(msg, m);
  }

  /**
   * error_route on a request that failed parsing (receive.c): the route
   * decides what to answer, $err.* telling what went wrong; without one the
   * server answers 400 itself. True when the route ran.
   */
  private runErrorRoute(msg: SipMessage, m: Inbound, problem: string): boolean {
    const route = this.rt.route('error_route', '');
    if (!route) return false;
    const ctx = new ExecContext(this.rt, scriptMessage(msg), { ip: m.src.ip, port: m.src.port, proto: m.src.proto }, m.socket);
    ctx.modState.set('core:err', parseErrorInfo(problem));
    runRoute(ctx, route, 'error', '');
    return true;
  }

  private rejectRequest(msg: SipMessage, m: Inbound, code: number, reason: string): void {
    try {
      const data = buildReply(msg, code, reason, { source: { ip: m.src.ip, port: m.src.port }, toTag: slState(this.rt).tags, ...(this.rt.serverHeader ? { server: this.rt.serverHeader } : {}) });
      const dest = m.src.proto === 'udp' ? replyDestination(msg, { ip: m.src.ip, port: m.src.port }) : { host: m.src.ip, port: m.src.port };
      this.send(m.socket, { proto: m.src.proto, ip: dest.host, port: dest.port }, data);
    } catch {
      // Too broken to answer: dropped.
    }
  }

  /** The main route, looked up on the first request (routes are compiled before the server exists). */
  private mainRoute: CompiledRoute | undefined;

  private runRequest(msg: SipMessage, m: Inbound): void {
    const main = (this.mainRoute ??= this.rt.route('route', MAIN_ROUTE));
    if (!main) return;
    const ctx = new ExecContext(this.rt, scriptMessage(msg), { ip: m.src.ip, port: m.src.port, proto: m.src.proto }, m.socket);
    runRoute(ctx, main, 'request', MAIN_ROUTE);
  }

  // ---- server transactions ------------------------------------------------------
  private keyOf(msg: SipMessage, method = msg.method): string | undefined {
    const via = msg.topVia;
    return via ? serverKey(via.branch, method, `${via.host}:${via.port ?? ''}`) : undefined;
  }

  existing(ctx: ExecContext, exact = false): ServerTx | undefined {
    const msg = ctx.msg.sip;
    if (!msg) return undefined;
    // A CANCEL is matched to its INVITE's transaction, unless its own is asked for (t_newtran).
    const method = msg.method === 'CANCEL' && !exact ? 'INVITE' : msg.method;
    const key = this.keyOf(msg, method);
    const s = key ? this.tm.servers.get(key) : undefined;
    return s && s.request !== msg ? s : undefined;
  }

  absorb(s: ServerTx): void {
    if (s.lastReply) this.send(s.socket, s.lastReply.to, s.lastReply.data);
  }

  private serverFor(ctx: ExecContext): ServerTx | undefined {
    const msg = ctx.msg.sip;
    if (!msg) return undefined;
    const key = this.keyOf(msg);
    if (!key) return undefined;
    let s = this.tm.servers.get(key);
    if (!s) {
      s = { key, method: msg.method, request: msg, src: { proto: ctx.src.proto, ip: ctx.src.ip, port: ctx.src.port }, socket: ctx.socketIn, clients: [], done: false, avps: ctx.avps, edits: headerEdits(ctx) };
      this.tm.servers.set(key, s);
    }
    // What the script asked for the relayed replies so far (t_on_failure may have made the transaction earlier).
    if (s.request === msg) {
      const restore = ctx.peekState('tm:cseq-restore');
      if (typeof restore === 'number') s.cseqRestore = restore;
      const headers = ctx.peekState('uac:restore-replies') as ('from' | 'to')[] | undefined;
      if (headers) s.restoreHeaders = [...headers];
    }
    return s;
  }

  replied(ctx: ExecContext, code: number, data: Buffer, to: Peer): void {
    const s = this.serverFor(ctx);
    if (!s) return;
    s.lastReply = { code, data, to };
    if (code >= 200) this.tm.retire(s);
  }

  arm(ctx: ExecContext, kind: 'failure' | 'reply', route: string): void {
    const s = this.serverFor(ctx);
    if (!s) return;
    if (kind === 'failure') s.onFailure = route; else s.onReply = route;
  }

  relayed(ctx: ExecContext, branch: string, from: SocketInfo, to: Peer, data: Buffer): void {
    const s = this.serverFor(ctx);
    if (!s) return;
    const hooks = ctx.peekState('tm:hooks') as ServerTx['hooks'];
    if (hooks?.length) s.hooks = hooks;
    if (transactionOf(ctx)?.replicated) s.local = true;
    const fr = ctx.peekState('tm:fr_timeout') as number | undefined;
    const frInv = ctx.peekState('tm:fr_inv_timeout') as number | undefined;
    const extra = ctx.peekState('tm:extra_hdrs') as string | undefined;
    if (extra !== undefined) s.extraHdrs = extra;
    if (fr !== undefined) s.frTimeout = fr * 1000;
    if (frInv !== undefined) s.frInvTimeout = frInv * 1000;
    const c: ClientTx = { branch, method: ctx.msg.method, server: s, from, to: { proto: to.proto, ...mapPeer(this.map, to.ip, to.port) }, data, provisional: false, final: false, timers: [] };
    this.tm.addClient(c);
    if (c.method === 'ACK') return;
    if (to.proto === 'udp') this.retransmit(c, this.tm.timers.t1);
    this.armFr(c, s.frTimeout ?? this.tm.timers.frTimeout);
  }

  /** A request the server originates: a client transaction of its own (Timer E, fr_timeout), its replies consumed. */
  private sendLocalRequest(from: SocketInfo, to: Peer, data: Buffer): void {
    const parsed = parseSipMessage(data);
    const branch = parsed.error === undefined ? parsed.msg.topVia?.branch : undefined;
    if (parsed.error !== undefined || !branch) { this.send(from, to, data); return; }
    const req = parsed.msg;
    const s: ServerTx = { key: `local|${branch}`, method: req.method, request: req, src: { proto: to.proto, ip: from.ip, port: from.port }, socket: from, clients: [], done: false, local: true };
    const c: ClientTx = { branch, method: req.method, server: s, from, to, data, provisional: false, final: false, timers: [] };
    this.tm.addClient(c);
    this.send(from, to, data);
    if (to.proto === 'udp') this.retransmit(c, this.tm.timers.t1);
    this.armFr(c, this.tm.timers.frTimeout);
  }

  /** Timer A (INVITE) / Timer E (non-INVITE): double the interval, capped at T2 for non-INVITE. */
  private retransmit(c: ClientTx, interval: number): void {
    c.timers.push(this.rt.timers.after(interval, () => {
      if (c.final || (c.method === 'INVITE' && c.provisional)) return;
      this.send(c.from, c.to, c.data);
      this.retransmit(c, c.method === 'INVITE' ? interval * 2 : Math.min(interval * 2, this.tm.timers.t2));
    }));
  }

  private armFr(c: ClientTx, ms: number): void {
    c.timers.push(this.rt.timers.after(ms, () => this.onTimeout(c)));
  }

  /** fr_timeout / fr_inv_timeout: no final reply, tm answers 408 itself (after the failure route, if armed). */
  private onTimeout(c: ClientTx): void {
    if (c.final) return;
    c.final = true;
    this.tm.clearClient(c);
    const s = c.server;
    if (s.local) { this.tm.retire(s); return; }
    if (c.method === 'INVITE') this.sendCancel(c);
    s.bestCode = Math.max(s.bestCode ?? 0, 408);
    if (!this.allFinal(s)) return;
    // A branch that did answer (a 407, say) beats the local 408.
    const best = s.bestReply && branchPriority(s.bestReply.status, s.cancelled === true) < branchPriority(408, false) ? s.bestReply : undefined;
    if (best) this.finishNegative(s, best, best.status, best.reason);
    else this.finishNegative(s, undefined, 408, 'Request Timeout');
  }

  private allFinal(s: ServerTx): boolean {
    return s.clients.every((c) => c.final);
  }

  // ---- replies --------------------------------------------------------------------
  private handleReply(msg: SipMessage, m: Inbound): void {
    const branch = msg.topVia?.branch;
    const c = branch ? this.tm.clients.get(branch) : undefined;
    if (!c) {
      if (this.rt.replyFilters.some((f) => f(msg.method, msg.callId, msg.status))) return;
      this.forwardReplyStateless(msg, m);
      return;
    }
    // Replies to the CANCELs tm sent on a branch share the INVITE's branch: tm consumes them.
    if (msg.method === 'CANCEL' && c.method === 'INVITE') return;
    const s = c.server;
    if (s.local) {
      if (msg.status >= 200 && !c.final) { c.final = true; this.tm.retire(s); }
      return;
    }
    if (!this.runReplyRoutes(msg, m, s, c)) return;
    if (msg.status < 200) {
      c.provisional = true;
      if (c.cancelPending) { c.cancelPending = false; this.sendCancel(c); }
      if (c.method === 'INVITE') { this.tm.clearClient(c); this.armFr(c, s.frInvTimeout ?? this.tm.timers.frInvTimeout); }
      if (msg.status > 100) this.forwardReply(msg, s); // tm relays every provisional reply but 100
      return;
    }
    if (c.final) return; // a retransmitted final reply
    c.final = true;
    this.tm.clearClient(c);
    if (msg.status < 300) {
      this.forwardReply(msg, s);
      this.tm.retire(s);
      return;
    }
    if (c.method === 'INVITE') this.ackNegative(c, msg);
    const cancelled = s.cancelled === true;
    if (!s.bestReply || branchPriority(msg.status, cancelled) < branchPriority(s.bestReply.status, cancelled)) { s.bestReply = msg; s.bestClient = c; }
    s.bestCode = Math.min(s.bestCode ?? 999, msg.status);
    if (this.allFinal(s)) this.finishNegative(s, s.bestReply, msg.status, msg.reason);
  }

  /**
   * A reply no transaction claims (a request forward()ed statelessly): the
   * default onreply_route runs, then, if the top Via is ours, it goes to the
   * next Via without ours (forward.c forward_reply).
   */
  private forwardReplyStateless(msg: SipMessage, m: Inbound): void {
    const vias = msg.vias();
    const top = !isSipError(vias) ? vias[0] : undefined;
    if (!top || !this.rt.isMyAddress(top.host, top.port)) {
      this.log(4, 'reply_received', `no transaction for a ${msg.status} reply from ${m.src.ip}:${m.src.port} and its first Via is not ours: dropped`);
      return;
    }
    const route = this.rt.route('onreply_route', '');
    if (route) {
      const ctx = new ExecContext(this.rt, scriptMessage(msg), { ip: m.src.ip, port: m.src.port, proto: m.src.proto }, m.socket);
      runRoute(ctx, route, 'onreply', '');
      if (ctx.dropped) return;
      applyHeaderEdits(ctx, msg);
    }
    const next = !isSipError(vias) ? vias[1] : undefined;
    if (!next) { this.log(-1, 'forward_reply', 'no 2nd via found in reply'); return; }
    const out = msg.clone();
    removeTopVia(out);
    const t = viaReplyTarget(next);
    const proto = next.transport.toLowerCase();
    const from = m.socket.proto === proto ? m.socket : this.rt.sockets.find((x) => x.proto === proto) ?? m.socket;
    this.send(from, { proto, ...mapPeer(this.map, t.host, t.port) }, out.serialize());
  }

  /** onreply_route (default, then the armed one); false when the script dropped the reply. */
  private runReplyRoutes(msg: SipMessage, m: Inbound, s: ServerTx, c: ClientTx): boolean {
    const routes = [this.rt.route('onreply_route', ''), s.onReply ? this.rt.route('onreply_route', s.onReply) : undefined].filter((r) => r !== undefined);
    for (const r of routes) {
      const ctx = new ExecContext(this.rt, scriptMessage(msg), { ip: m.src.ip, port: m.src.port, proto: m.src.proto }, m.socket);
      if (s.avps && this.onreplyAvpMode === 1) ctx.shareAvps(s.avps);
      ctx.modState.set('tm:reply_branch', c);
      runRoute(ctx, r!, 'onreply', r!.name);
      if (ctx.dropped && msg.status < 200) return false;
      // The route's header edits (fix_nated_contact, append_hf...) go out with the relayed reply; body edits are on it already.
      applyHeaderEdits(ctx, msg);
    }
    return true;
  }

  /** Every branch failed: run the armed failure route; if it relays or replies nothing, send the best reply. */
  private finishNegative(s: ServerTx, best: SipMessage | undefined, code: number, reason: string): void {
    runTmHooks(s.hooks, 'failed', code, best, s.request, (t) => this.log(-1, 'run_trans_callbacks', t));
    if (s.onFailure) {
      const name = s.onFailure;
      const route = this.rt.route('failure_route', name);
      s.onFailure = undefined;
      if (route) {
        const ctx = new ExecContext(this.rt, scriptMessage(s.request), { ...s.src }, s.socket);
        if (s.avps) ctx.shareAvps(s.avps);
        if (s.edits?.length) ctx.modState.set('edits:request', [...s.edits]);
        ctx.modState.set('tm:transaction', { createdBy: 'failure_route', relayed: false, ...(s.cancelled ? { cancelled: true } : {}) });
        if (s.hooks) ctx.modState.set('tm:hooks', s.hooks);
        const branchUri = best && s.bestClient ? /^\S+ (\S+)/.exec(s.bestClient.data.toString('latin1', 0, 1024))?.[1] : undefined;
        ctx.modState.set('tm:failure', {
          code, local: best === undefined, ...(best ? { reply: best } : {}), ...(branchUri ? { branchUri } : {}),
          restoreCseq: (num: number) => { s.cseqRestore = num; },
          restoreHeader: (which: 'from' | 'to') => { if (!s.restoreHeaders?.includes(which)) (s.restoreHeaders ??= []).push(which); },
        });
        const before = s.clients.length;
        runRoute(ctx, route, 'failure', name);
        // New branches: the next failure_route picks among them only (t_pick_branch from the first new branch).
        if (s.clients.length > before) { s.bestReply = undefined; s.bestClient = undefined; s.bestCode = undefined; return; }
        if (s.lastReply && s.lastReply.code >= 200) return;
      }
    }
    if (best) this.forwardReply(best, s);
    else this.localReply(s, code, reason);
    this.tm.retire(s);
  }

  private localReply(s: ServerTx, code: number, reason: string): void {
    const data = buildReply(s.request, code, reason, { source: { ip: s.src.ip, port: s.src.port }, toTag: tmTags(this.rt), ...(this.rt.serverHeader ? { server: this.rt.serverHeader } : {}) });
    const dest = s.src.proto === 'udp' ? replyDestination(s.request, { ip: s.src.ip, port: s.src.port }) : { host: s.src.ip, port: s.src.port };
    const to = { proto: s.src.proto, ip: dest.host, port: dest.port };
    s.lastReply = { code, data, to };
    this.send(s.socket, to, data);
    runTmHooks(s.hooks, 'responseOut', code, undefined, s.request, (t) => this.log(-1, 'run_trans_callbacks', t));
  }

  /** Relay a reply upstream: our Via comes off, it goes where the next Via says (or back on the same TCP connection). */
  private forwardReply(msg: SipMessage, s: ServerTx): void {
    const out = msg.clone();
    removeTopVia(out);
    for (const which of s.restoreHeaders ?? []) restoreNameAddr(out, s.request, which === 'from' ? 'From' : 'To');
    if (s.cseqRestore !== undefined) {
      const cseq = msg.cseq;
      if (cseq && !isSipError(cseq)) out.replaceHeader('CSeq', `${s.cseqRestore} ${cseq.method}`);
    }
    if (msg.status >= 200 && msg.status < 300 && s.hooks && !s.hooksRan) {
      s.hooksRan = true;
      for (const h of s.hooks) {
        try { h.responseIn?.(msg, out); } catch (err) { this.rt.logger.log(-1, 'tm', 'run_trans_callbacks', `response callback failed: ${(err as Error).message}`); }
      }
    }
    const data = out.serialize();
    let to: Peer = s.src;
    if (s.src.proto === 'udp') {
      // Accessors read the received bytes: the Via after ours is the second one.
      const vias = msg.vias();
      const next = !isSipError(vias) ? vias[1] : undefined;
      if (next) { const t = viaReplyTarget(next); to = { proto: 'udp', ip: t.host, port: t.port }; }
    }
    s.lastReply = { code: msg.status, data, to };
    this.send(s.socket, to, data);
    runTmHooks(s.hooks, 'responseOut', msg.status, msg, s.request, (t) => this.log(-1, 'run_trans_callbacks', t));
  }

  /** RFC 3261 §17.1.1.3: the ACK for a non-2xx final reply to INVITE, sent by tm on the same branch. */
  private ackNegative(c: ClientTx, reply: SipMessage): void {
    const ack = buildAck(c.data, reply, extraLines(c.server));
    if (ack) this.send(c.from, c.to, ack);
  }

  private sendCancel(c: ClientTx): void {
    const cancel = buildCancel(c.data, extraLines(c.server));
    if (cancel) this.send(c.from, c.to, cancel);
  }

  /**
   * t_cancel_branch() in onreply_route: this reply's branch, every branch
   * ('a') or the others ('o'). A branch with a provisional reply is cancelled
   * now, one without waits for its first; finished ones are left alone.
   */
  cancelBranches(ctx: ExecContext, mode: 'this' | 'all' | 'others'): number {
    const c = ctx.peekState('tm:reply_branch') as ClientTx | undefined;
    if (!c || c.server.method !== 'INVITE') return -1;
    const targets = mode === 'this' ? [c] : c.server.clients.filter((x) => mode === 'all' || x !== c);
    for (const t of targets) {
      if (t.final || t.method !== 'INVITE') continue;
      if (t.provisional) this.sendCancel(t); else t.cancelPending = true;
    }
    return 1;
  }

  /** t_relay() on a CANCEL whose INVITE we proxy: 200 to the CANCEL, CANCEL on every pending branch. */
  cancel(ctx: ExecContext): boolean {
    const s = this.existing(ctx);
    if (!s || s.method !== 'INVITE') return false;
    const req = ctx.msg.sip!;
    const data = buildReply(req, 200, 'OK', { source: { ip: ctx.src.ip, port: ctx.src.port }, toTag: tmTags(this.rt) });
    const dest = ctx.src.proto === 'udp' ? replyDestination(req, { ip: ctx.src.ip, port: ctx.src.port }) : { host: ctx.src.ip, port: ctx.src.port };
    this.send(ctx.socketIn, { proto: ctx.src.proto, ip: dest.host, port: dest.port }, data);
    s.cancelled = true;
    for (const c of s.clients) if (!c.final) this.sendCancel(c);
    return true;
  }

  /** A hop-by-hop ACK for a negative final reply we sent or relayed: absorbed. */
  private absorbAck(msg: SipMessage): boolean {
    const key = this.keyOf(msg, 'INVITE');
    const s = key ? this.tm.servers.get(key) : undefined;
    return !!s && !!s.lastReply && s.lastReply.code >= 300;
  }
}

/** t_add_hdrs()'s lines, for the requests tm builds. */
function extraLines(s: ServerTx): string[] {
  return s.extraHdrs ? s.extraHdrs.split(/\r?\n/).filter(Boolean) : [];
}
