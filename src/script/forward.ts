// Request forwarding, the core's job (OpenSIPS forward.c): where a URI or a
// proxy string sends to, which socket sends, and the request as it leaves
// (received/rport on the Via it came with, the script's header edits, the new
// R-URI, our Via on top). Core forward()/send() use it statelessly; tm builds
// its branches with the same functions.
import { createHash } from 'node:crypto';
import { newBranch, viaReceived } from '../sip/index.js';
import type { SipMessage } from '../sip/message.js';
import type { SocketInfo } from '../net/types.js';
import { ADD_LOCAL_RPORT, advertisedHostPort, FORCE_RPORT, socketString, type ExecContext } from './context.js';
import { headerEdits } from './edits.js';
import { splitUri, uriParam } from './uri-fields.js';
import { CORE_COUNTERS } from './core-stats.js';
import { withTlsClientChoice } from './tls-client.js';

export interface Target {
  proto: string;
  ip: string;
  port: number;
}

/** Where a URI sends to: host, port (default 5060/5061) and transport. */
export function uriTarget(uri: string, fallbackProto: string): Target | undefined {
  const p = splitUri(uri.replace(/^<|>$/g, ''));
  if (!p) return undefined;
  const transport = uriParam(p.params, 'transport')?.toLowerCase();
  const tls = p.scheme.toLowerCase() === 'sips' || transport === 'tls';
  const proto = transport ?? (p.scheme.toLowerCase() === 'sips' ? 'tls' : fallbackProto);
  return { proto, ip: p.host.replace(/^\[|\]$/g, ''), port: p.port ? Number(p.port) : tls ? 5061 : 5060 };
}

/** `[proto:]host[:port]`, the proxy argument of t_relay() and forward(). */
export function proxyTarget(proxy: string, fallbackProto: string): Target | undefined {
  const m = /^(?:(\w+):)?(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(proxy);
  if (!m) return undefined;
  return {
    proto: (m[1] ?? fallbackProto).toLowerCase(),
    ip: m[2]!.replace(/^\[|\]$/g, ''),
    port: m[3] ? Number(m[3]) : 5060,
  };
}

/**
 * get_send_socket(): the forced socket; for another protocol, the socket of
 * that protocol on the forced one's address and port (find_si), else the
 * receiving socket or the first one of the protocol.
 */
export function outgoingSocket(ctx: ExecContext, proto: string, forced: SocketInfo | null): SocketInfo | undefined {
  if (forced && forced.proto === proto) return forced;
  if (forced) {
    const same = ctx.runtime.sockets.find((s) => s.proto === proto && s.ip === forced.ip && s.port === forced.port);
    if (same) return same;
  }
  if (ctx.socketIn.proto === proto) return ctx.socketIn;
  return ctx.runtime.sockets.find((s) => s.proto === proto);
}

/** The script's header edits (append_hf, remove_hf...) applied to an outgoing copy leaving from `send`. */
export function applyHeaderEdits(ctx: ExecContext, msg: SipMessage, send?: SocketInfo): void {
  for (const e of headerEdits(ctx)) {
    if (e.op === 'remove') msg.removeHeader(e.name);
    else if (e.op === 'replace') msg.replaceHeader(e.name, e.value, e.nth);
    else if (e.op === 'removeAt') msg.removeHeaderAt(e.name, e.nth);
    else {
      const text = e.op === 'insert' && e.render ? e.render(send) : e.text;
      for (const line of text.split(/\r?\n/).filter(Boolean)) {
        const colon = line.indexOf(':');
        if (colon <= 0) continue;
        const [name, value] = [line.slice(0, colon).trim(), line.slice(colon + 1).trim()];
        if (e.anchor) msg.addHeaderAt(e.anchor, name, value, e.op === 'insert' ? 'before' : 'after');
        else msg.addHeader(name, value, e.op === 'insert' ? 'prepend' : 'append');
      }
    }
  }
}

/**
 * The request as it leaves for `ruri` from `from`: received/rport on the Via
 * it came with, the script's edits, our Via on top. `beforeVia` sees the copy
 * just before our Via goes on (tm's request-forwarded callbacks).
 */
export function buildBranch(
  ctx: ExecContext,
  ruri: string,
  from: SocketInfo,
  branch: string = newBranch(),
  beforeVia?: (msg: SipMessage, from: SocketInfo) => void,
): { text: string; branch: string } {
  const msg = ctx.msg.sip!.clone();
  // The received Via gets received=/rport= before ours goes on top.
  const top = viaReceived(
    ctx.msg.sip!,
    { ip: ctx.src.ip, port: ctx.src.port },
    { forceRport: ctx.state(FORCE_RPORT) === true, mode: 'forward' },
  );
  if (top !== undefined) msg.replaceHeader('via', top, 0);
  applyHeaderEdits(ctx, msg, from);
  msg.setRuri(ruri);
  const { host, port } = advertisedHostPort(ctx, from);
  const rport = ctx.state(ADD_LOCAL_RPORT) === true ? ';rport' : '';
  beforeVia?.(msg, from);
  msg.addHeader(
    'Via',
    `SIP/2.0/${from.proto.toUpperCase()} ${host.includes(':') ? `[${host}]` : host}:${port};branch=${branch}${rport}`,
    'prepend',
  );
  return { text: msg.serialize().toString('utf8'), branch };
}

// Stateless forwarding: the branch is computed from the request, so a
// retransmission (and a CANCEL for an INVITE) leaves with the same one, as
// OpenSIPS's stateless branches do.
function statelessBranch(ctx: ExecContext): string {
  const m = ctx.msg;
  const via = m.sip?.topVia?.branch ?? '';
  return `z9hG4bK${createHash('md5')
    .update(`${via}|${m.callId ?? ''}|${m.cseq?.num ?? ''}|${ctx.ruri}`)
    .digest('hex')
    .slice(0, 16)}`;
}

/** forward([dest]): to dest, $du or the R-URI, no transaction kept. 1 when sent; negative when there is nowhere to send it. */
export function forwardStateless(ctx: ExecContext, dest: string | undefined): number {
  if (!ctx.msg.sip || !ctx.msg.isRequest) return -1;
  const target = dest ? proxyTarget(dest.replace(/^sip:/i, ''), 'udp') : uriTarget(ctx.du ?? ctx.ruri, 'udp');
  if (!target) {
    ctx.runtime.logger.log(-1, 'core', 'w_forward', 'forward: bad_uri dropping packet');
    CORE_COUNTERS.drop_requests.inc(ctx.runtime.services);
    return -1;
  }
  const from = outgoingSocket(ctx, target.proto, ctx.socketOut);
  if (!from) {
    ctx.runtime.logger.log(
      -1,
      'core',
      'forward_request',
      `cannot forward to ${target.proto}:${target.ip}:${target.port}: no socket for ${target.proto}`,
    );
    return -1;
  }
  // CANCEL has its INVITE's R-URI, Call-ID and CSeq number: the same branch.
  const { text } = buildBranch(ctx, ctx.ruri, from, statelessBranch(ctx));
  ctx.runtime.transport.send({
    kind: 'request',
    from,
    to: withTlsClientChoice(ctx, target),
    text,
    via: `forward (stateless, from ${socketString(from)})`,
  });
  CORE_COUNTERS.fwd_requests.inc(ctx.runtime.services);
  return 1;
}

/**
 * send(dest[, headers]): the message as it was received, not a byte changed
 * (no Via of ours, none of the script's edits), to dest; `headers` go in
 * after the last header. Requests and replies alike.
 */
export function sendAsIs(ctx: ExecContext, dest: string, headers: string | undefined): number {
  const msg = ctx.msg.sip;
  if (!msg) return -1;
  const target = proxyTarget(dest.replace(/^sip:/i, ''), 'udp');
  if (!target) {
    ctx.runtime.logger.log(-1, 'core', 'w_send', `bad destination ${dest}`);
    return -1;
  }
  const from = outgoingSocket(ctx, target.proto, ctx.socketOut);
  if (!from) {
    ctx.runtime.logger.log(
      -1,
      'core',
      'w_send',
      `no socket for ${target.proto} to send to ${target.ip}:${target.port}`,
    );
    return -1;
  }
  let text = ctx.msg.text;
  if (headers) {
    const end = text.indexOf('\r\n\r\n');
    const block = headers.endsWith('\r\n') ? headers : `${headers}\r\n`;
    if (end >= 0) text = text.slice(0, end + 2) + block + text.slice(end + 2);
  }
  ctx.runtime.transport.send({
    kind: msg.isRequest ? 'request' : 'reply',
    from,
    to: withTlsClientChoice(ctx, target),
    text,
    via: `send (from ${socketString(from)})`,
  });
  return 1;
}
