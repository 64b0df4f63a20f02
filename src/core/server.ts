// The live SIP server of `opensips-ts run`: receive -> frame/parse -> route ->
// send (OpenSIPS's receive.c and forward.c). Transactions are tm's: its init
// registers a transaction layer (script/transaction-layer.ts) that the server
// hands replies, ACKs and the requests it originates; without tm, replies
// are forwarded statelessly by their Via. Bad input never takes it down:
// every message is handled inside a guard.
import { MAIN_ROUTE } from '../cfg/script.js';
import type { TimerHandle } from '../base/clock.js';
import { peek, put } from '../base/keys.js';
import { runStartupRoute, startTimerRoutes } from './script-routes.js';
import { CORE_COUNTERS as STAT } from '../script/core-stats.js';
import { installStatistics } from './statistics.js';
import { NETWORK_STATUS, type NetworkStatus } from '../net/types.js';
import { parseErrorInfo } from '../script/errinfo.js';
import { applyHeaderEdits } from '../script/forward.js';
import { parseSipMessage, viaReplyTarget, receiptProblem, removeTopVia, NO_VIA } from '../sip/index.js';
import type { SipMessage } from '../sip/message.js';
import { isSipError } from '../sip/result.js';
import { runRoute } from '../script/compile.js';
import { ERR_INFO, ExecContext } from '../script/context.js';
import type { Runtime } from '../script/runtime.js';
import { scriptMessage } from '../script/sip-adapter.js';
import { TRANSACTION_LAYER, type TransactionLayer, type Wire } from '../script/transaction-layer.js';
import { mapPeer, type AddressMap } from '../net/address-map.js';
import { ReplayCache, type SentDatagram } from './replay-cache.js';
import type { Inbound, Network, Peer, SocketInfo } from '../net/types.js';

/** The largest UDP payload (OpenSIPS's BUF_SIZE): a bigger reply cannot go out as one datagram. */
const MAX_UDP_DATAGRAM = 65535;

export class SipServer {
  received = 0;
  /** Replies to UDP requests by their bytes: a byte-identical retransmission is answered from here. */
  readonly replays = new ReplayCache();
  /** What this.send() sends while a UDP request is handled (for `replays`). */
  private capturing: SentDatagram[] | undefined;
  /** tm's transaction layer, when tm is loaded. */
  readonly tx: TransactionLayer | undefined;
  private timers: TimerHandle[] = [];

  constructor(
    readonly rt: Runtime,
    readonly net: Network,
    private readonly map?: AddressMap,
  ) {
    const wire: Wire = { send: (from, to, data) => this.send(from, to, data), map: (to) => this.mapped(to) };
    this.tx = peek(rt.services, TRANSACTION_LAYER)?.(rt, wire);
    if ('tcp' in net) rt.services.set('net:tcp', (net as { tcp: unknown }).tcp);
    if ('waitingBytes' in net) put(rt.services, NETWORK_STATUS, net as unknown as NetworkStatus);
    installStatistics(rt);
    rt.transport = {
      send: (o) => {
        const data = Buffer.from(o.text);
        if (o.stateful === true && o.kind === 'request' && this.tx)
          this.tx.sendLocalRequest(o.from, o.to, data, o.onFinal);
        else this.send(o.from, this.mapped(o.to), data);
      },
    };
  }

  /** --map applied to a destination. An empty map (no --map) is the common case: no lookup, no fresh address string. */
  private mapped(to: Peer): Peer {
    const m = this.map !== undefined && this.map.size !== 0 ? this.map.get(to.ip) : undefined;
    return m ? { ...to, ip: m.ip, port: m.port ?? to.port } : to;
  }

  async start(): Promise<void> {
    runStartupRoute(this.rt);
    await this.net.listen(this.rt.sockets, (m) => this.onInbound(m));
    for (const start of this.rt.onStart) {
      const h = start();
      if (h) this.timers.push(h);
    }
    this.timers.push(...startTimerRoutes(this.rt));
  }

  async stop(): Promise<void> {
    for (const t of this.timers) t.cancel();
    this.tx?.dispose();
    await this.net.close();
  }

  private log(level: number, fn: string, text: string): void {
    this.rt.logger.log(level, 'core', fn, text);
  }

  /** Every send goes through here, so that a debug log shows the whole exchange. */
  private send(from: SocketInfo, to: Peer, data: Buffer): void {
    // Captured before the raw-processing hooks: a replay goes through send() and them again.
    this.capturing?.push({ from, to, data });
    for (const post of this.rt.rawProcessing.post) data = post(data);
    if (to.proto === 'udp' && data.length > MAX_UDP_DATAGRAM) {
      // What proto_udp_send logs when sendto() refuses the datagram (EMSGSIZE); what was stored stays stored.
      this.log(
        -1,
        'proto_udp_send',
        `sendto(sock,${data.length},udp:${from.ip}:${from.port}): Message too long(90) [${to.ip}:${to.port}]`,
      );
      return;
    }
    if (this.rt.logger.logLevel >= 4)
      this.log(
        4,
        'msg_send',
        `sending ${data.length} bytes from ${from.proto}:${from.ip}:${from.port} to ${to.proto}:${to.ip}:${to.port}: ${data.toString('latin1').split('\r\n')[0]}`,
      );
    this.net.send(from, to, data);
  }

  onInbound(m: Inbound): void {
    this.received++;
    // Not with raw-processing hooks: they see (and may count or rewrite) every datagram.
    const replayKey =
      m.src.proto === 'udp' && this.rt.rawProcessing.pre.length === 0 && isRequestBytes(m.data)
        ? ReplayCache.key(m.src, m.data)
        : undefined;
    if (replayKey !== undefined) {
      const now = this.rt.clock.now();
      const again = this.replays.lookup(replayKey, m.data, now);
      if (again) {
        if (this.rt.logger.logLevel >= 4)
          this.log(4, 'receive_msg', `retransmission from ${m.src.ip}:${m.src.port} answered again from memory`);
        for (const d of again) this.send(d.from, d.to, d.data);
        return;
      }
      this.capturing = [];
      try {
        this.receive(m);
      } finally {
        this.replays.remember(replayKey, m.data, this.capturing, now);
        this.capturing = undefined;
      }
      return;
    }
    this.receive(m);
  }

  private receive(m: Inbound): void {
    if (this.rt.logger.logLevel >= 4)
      this.log(
        4,
        'receive_msg',
        `received ${m.data.length} bytes from ${m.src.proto}:${m.src.ip}:${m.src.port} on ${m.socket.proto}:${m.socket.ip}:${m.socket.port}: ${m.data.toString('latin1').split('\r\n')[0]}`,
      );
    try {
      this.handle(m);
    } catch (err) {
      this.log(
        -1,
        'receive_msg',
        `error while processing a message from ${m.src.ip}:${m.src.port}: ${(err as Error).message}`,
      );
    }
  }

  /**
   * receive_msg: a message OpenSIPS 3.3's parse_msg would refuse (start line,
   * header names, and every Via, To, CSeq and Content-Length header, see
   * sip/receipt.ts) is logged and dropped, or handed to error_route when it is
   * a request and the cfg has one; the core never answers it. Everything else
   * reaches the script, which meets a broken From, Contact or Request-URI only
   * when it reads them.
   */
  private handle(m: Inbound): void {
    for (const pre of this.rt.rawProcessing.pre) m = { ...m, data: pre(m.data) };
    const parsed = parseSipMessage(m.data, { datagram: m.src.proto === 'udp' });
    const bag = this.rt.services;
    if (parsed.error === NO_VIA) {
      // parse_msg() succeeds without a Via; receive_msg counts the message, then drops it as an error.
      const req = parsed.partial!.isRequest;
      (req ? STAT.rcv_requests : STAT.rcv_replies).inc(bag);
      (req ? STAT.err_requests : STAT.err_replies).inc(bag);
      this.log(-1, 'receive_msg', `no via found in ${req ? 'request' : 'reply'} from [${m.src.ip}:${m.src.port}]`);
      return;
    }
    const problem = parsed.error ?? receiptProblem(parsed.msg);
    if (problem !== undefined) {
      // parse_msg() failed: not counted as received (receive.c counts after parsing), a bad header counted.
      STAT.bad_msg_hdr.inc(bag);
      this.log(-1, 'receive_msg', `Unable to parse msg received from [${m.src.ip}:${m.src.port}]: ${problem}`);
      const partial = parsed.msg ?? parsed.partial;
      if (partial?.isRequest) this.runErrorRoute(partial, m, problem);
      return;
    }
    const msg = parsed.msg!;
    if (!msg.isRequest) {
      STAT.rcv_replies.inc(bag);
      if (this.tx?.onReply(msg, m)) return;
      if (this.rt.replyFilters.some((f) => f(msg.method, msg.callId, msg.status))) {
        STAT.drop_replies.inc(bag);
        return;
      }
      this.forwardReplyStateless(msg, m);
      return;
    }
    STAT.rcv_requests.inc(bag);
    if (msg.method === 'ACK' && this.tx?.absorbsAck(msg)) return;
    const filter = this.rt.droppingFilter(msg);
    if (filter) {
      STAT.drop_requests.inc(bag);
      this.rt.logger.log(4, filter.module, filter.fn, filter.why);
      return;
    }
    this.runRequest(msg, m);
  }

  private contextFor(msg: SipMessage, m: Inbound): ExecContext {
    return new ExecContext(
      this.rt,
      scriptMessage(msg),
      { ip: m.src.ip, port: m.src.port, proto: m.src.proto },
      m.socket,
    );
  }

  /**
   * error_route on a request that failed parsing (receive.c): the route
   * decides what to answer, $err.* telling what went wrong; without one the
   * server answers 400 itself. True when the route ran.
   */
  private runErrorRoute(msg: SipMessage, m: Inbound, problem: string): boolean {
    const route = this.rt.route('error_route', '');
    if (!route) return false;
    const ctx = this.contextFor(msg, m);
    ctx.setState(ERR_INFO, parseErrorInfo(problem));
    runRoute(ctx, route, 'error', '');
    return true;
  }

  private runRequest(msg: SipMessage, m: Inbound): void {
    // Looked up per request: reload_routes may have swapped the routes.
    const main = this.rt.route('route', MAIN_ROUTE);
    if (!main) return;
    runRoute(this.contextFor(msg, m), main, 'request', MAIN_ROUTE);
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
      STAT.err_replies.inc(this.rt.services);
      this.log(
        4,
        'reply_received',
        `no transaction for a ${msg.status} reply from ${m.src.ip}:${m.src.port} and its first Via is not ours: dropped`,
      );
      return;
    }
    const route = this.rt.route('onreply_route', '');
    if (route) {
      const ctx = this.contextFor(msg, m);
      runRoute(ctx, route, 'onreply', '');
      if (ctx.dropped) {
        STAT.drop_replies.inc(this.rt.services);
        return;
      }
      applyHeaderEdits(ctx, msg);
    }
    const next = !isSipError(vias) ? vias[1] : undefined;
    if (!next) {
      STAT.err_replies.inc(this.rt.services);
      this.log(-1, 'forward_reply', 'no 2nd via found in reply');
      return;
    }
    const out = msg.clone();
    removeTopVia(out);
    const t = viaReplyTarget(next);
    const proto = next.transport.toLowerCase();
    const from = m.socket.proto === proto ? m.socket : (this.rt.sockets.find((x) => x.proto === proto) ?? m.socket);
    this.send(from, { proto, ...mapPeer(this.map, t.host, t.port) }, out.serialize());
    STAT.fwd_replies.inc(this.rt.services);
  }
}

/** A request that gets replies (not a reply, not an ACK), judged by its first bytes. */
/** Neither a reply ("SIP/2.0 ") nor an ACK, read on the bytes (every UDP datagram passes here). */
function isRequestBytes(data: Buffer): boolean {
  if (data.length >= 8 && data.compare(SIP20, 0, 8, 0, 8) === 0) return false;
  return !(data.length >= 4 && data[0] === 0x41 && data[1] === 0x43 && data[2] === 0x4b && data[3] === 0x20);
}

const SIP20 = Buffer.from('SIP/2.0 ', 'latin1');
