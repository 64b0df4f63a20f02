// t_relay(): forward the request statefully to $du, the proxy argument or
// the R-URI, and to every appended branch.
import { newBranch, viaReceived } from '../../sip/index.js';
import type { SipMessage } from '../../sip/message.js';
import { advertisedHostPort, Flow, socketString, type ExecContext, type SocketInfo } from '../../script/context.js';
import { runRoute } from '../../script/compile.js';
import { headerEdits } from '../../script/edits.js';
import { splitUri, uriParam } from '../../script/uri-fields.js';
import { createTransaction, tmHooks, transactionOf } from '../common/transaction.js';
import { liveTm } from './live.js';
import { newTransaction } from './newtran.js';

interface Target { proto: string; ip: string; port: number }

/** Where a URI sends to: host, port (default 5060/5061) and transport. */
export function uriTarget(uri: string, fallbackProto: string): Target | undefined {
  const p = splitUri(uri.replace(/^<|>$/g, ''));
  if (!p) return undefined;
  const transport = uriParam(p.params, 'transport')?.toLowerCase();
  const tls = p.scheme.toLowerCase() === 'sips' || transport === 'tls';
  const proto = transport ?? (p.scheme.toLowerCase() === 'sips' ? 'tls' : fallbackProto);
  return { proto, ip: p.host.replace(/^\[|\]$/g, ''), port: p.port ? Number(p.port) : tls ? 5061 : 5060 };
}

export function proxyTarget(proxy: string, fallbackProto: string): Target | undefined {
  const m = /^(?:(\w+):)?(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(proxy);
  if (!m) return undefined;
  return { proto: (m[1] ?? fallbackProto).toLowerCase(), ip: m[2]!.replace(/^\[|\]$/g, ''), port: m[3] ? Number(m[3]) : 5060 };
}

/** get_send_socket(): a forced socket of another protocol is ignored, as in OpenSIPS. */
export function outgoingSocket(ctx: ExecContext, proto: string, forced: SocketInfo | null): SocketInfo | undefined {
  if (forced && forced.proto === proto) return forced;
  if (ctx.socketIn.proto === proto) return ctx.socketIn;
  return ctx.runtime.sockets.find((s) => s.proto === proto);
}

/** The script's header edits (append_hf, remove_hf...) applied to an outgoing copy. */
export function applyHeaderEdits(ctx: ExecContext, msg: SipMessage): void {
  for (const e of headerEdits(ctx)) {
    if (e.op === 'remove') msg.removeHeader(e.name);
    else if (e.op === 'replace') msg.replaceHeader(e.name, e.value, e.nth);
    else if (e.op === 'removeAt') msg.removeHeaderAt(e.name, e.nth);
    else {
      for (const line of e.text.split(/\r?\n/).filter(Boolean)) {
        const colon = line.indexOf(':');
        if (colon > 0) msg.addHeader(line.slice(0, colon).trim(), line.slice(colon + 1).trim(), e.op === 'insert' ? 'prepend' : 'append');
      }
    }
  }
}

/** The request as it leaves for `ruri` from `from`: received/rport on the Via it came with, the script's edits, our Via on top. */
export function buildBranch(ctx: ExecContext, ruri: string, from: SocketInfo, branch: string = newBranch()): { text: string; branch: string } {
  const msg = ctx.msg.sip!.clone();
  // The received Via gets received=/rport= before ours goes on top.
  const top = viaReceived(ctx.msg.sip!, { ip: ctx.src.ip, port: ctx.src.port }, { forceRport: ctx.peekState('core:force_rport') === true, mode: 'forward' });
  if (top !== undefined) msg.replaceHeader('via', top, 0);
  applyHeaderEdits(ctx, msg);
  msg.setRuri(ruri);
  const { host, port } = advertisedHostPort(ctx, from);
  const rport = ctx.peekState('core:add_local_rport') === true ? ';rport' : '';
  for (const h of tmHooks(ctx)) h.requestForwarded?.(msg, from);
  msg.addHeader('Via', `SIP/2.0/${from.proto.toUpperCase()} ${host.includes(':') ? `[${host}]` : host}:${port};branch=${branch}${rport}`, 'prepend');
  return { text: msg.serialize().toString('utf8'), branch };
}

export function relayRequest(ctx: ExecContext, opts: { flags?: number; proxy?: string }): number {
  if (!ctx.msg.sip || !ctx.msg.isRequest) return -2;
  if (transactionOf(ctx)?.relayed) return 1;
  const live = liveTm(ctx);
  if (ctx.msg.method === 'CANCEL' && live?.cancel(ctx)) return 1;
  const known = live?.existing(ctx);
  if (known) { live!.absorb(known); return 1; } // a retransmission: tm answers it itself
  if (!transactionOf(ctx) && ctx.msg.method !== 'ACK') newTransaction(ctx, 't_relay');
  const branches = [{ uri: ctx.ruri, du: ctx.du, socket: ctx.socketOut }, ...ctx.branches.map((b) => ({ uri: b.uri, du: b.du, socket: b.socket }))];
  let sent = 0;
  const onBranch = ctx.peekState('tm:on_branch') as string | undefined;
  const branchRoute = onBranch ? ctx.runtime.route('branch_route', onBranch) : undefined;
  for (const b of branches) {
    // branch_route: runs per branch with $ru set to it; edits made there apply to this branch only; drop skips it.
    const edits = headerEdits(ctx);
    const mark = edits.length;
    const savedRuri = ctx.ruri;
    if (branchRoute) {
      ctx.ruri = b.uri;
      ctx.modState.set('tm:branch_idx', sent);
      runRoute(ctx, branchRoute, 'branch', onBranch!);
      const dropped = ctx.dropped;
      ctx.dropped = false;
      ctx.flow = Flow.None;
      if (dropped) { edits.length = mark; ctx.ruri = savedRuri; continue; }
      b.uri = ctx.ruri;
    }
    // A URI without ;transport= means UDP (TLS for sips:), whatever the request came over (resolve.c).
    const target = b.du ? uriTarget(b.du, 'udp') : opts.proxy ? proxyTarget(opts.proxy, 'udp') : uriTarget(b.uri, 'udp');
    if (!target) return -3;
    const from = outgoingSocket(ctx, target.proto, b.socket);
    if (!from) {
      ctx.runtime.logger.log(-1, 'tm', 't_forward_nonack', `no socket for protocol ${target.proto} to reach ${target.ip}:${target.port}`);
      continue;
    }
    const { text, branch } = buildBranch(ctx, b.uri, from);
    edits.length = mark;
    ctx.ruri = savedRuri;
    ctx.runtime.transport.send({ kind: 'request', from, to: target, text, via: `t_relay (branch ${sent}, from ${socketString(from)})` });
    live?.relayed(ctx, branch, from, target, Buffer.from(text));
    sent++;
  }
  if (!sent) return -6;
  const t = transactionOf(ctx) ?? createTransaction(ctx, 't_relay');
  t.relayed = true;
  return 1;
}
