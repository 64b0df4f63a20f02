// Stateless forwarding (core forward()): the request goes to the given
// destination, $du or the R-URI with our Via on top, and no transaction is
// kept. The branch is computed from the request, so a retransmission (and a
// CANCEL for an INVITE) leaves with the same one, as OpenSIPS's stateless
// branches do.
import { createHash } from 'node:crypto';
import type { ExecContext } from '../../script/context.js';
import { socketString } from '../../script/context.js';
import { buildBranch, outgoingSocket, proxyTarget, uriTarget } from '../tm/relay.js';

function statelessBranch(ctx: ExecContext): string {
  const m = ctx.msg;
  const via = m.sip?.topVia?.branch ?? '';
  return `z9hG4bK${createHash('md5').update(`${via}|${m.callId ?? ''}|${m.cseq?.num ?? ''}|${ctx.ruri}`).digest('hex').slice(0, 16)}`;
}

/** forward([dest]): 1 when sent; negative when there is nowhere to send it. */
export function forwardStateless(ctx: ExecContext, dest: string | undefined): number {
  if (!ctx.msg.sip || !ctx.msg.isRequest) return -1;
  const target = dest ? proxyTarget(dest.replace(/^sip:/i, ''), 'udp') : uriTarget(ctx.du ?? ctx.ruri, 'udp');
  if (!target) { ctx.runtime.logger.log(-1, 'core', 'w_forward', 'forward: bad_uri dropping packet'); return -1; }
  const from = outgoingSocket(ctx, target.proto, ctx.socketOut);
  if (!from) { ctx.runtime.logger.log(-1, 'core', 'forward_request', `cannot forward to ${target.proto}:${target.ip}:${target.port}: no socket for ${target.proto}`); return -1; }
  // CANCEL has its INVITE's R-URI, Call-ID and CSeq number: the same branch.
  const { text } = buildBranch(ctx, ctx.ruri, from, statelessBranch(ctx));
  ctx.runtime.transport.send({ kind: 'request', from, to: target, text, via: `forward (stateless, from ${socketString(from)})` });
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
  if (!target) { ctx.runtime.logger.log(-1, 'core', 'w_send', `bad destination ${dest}`); return -1; }
  const from = outgoingSocket(ctx, target.proto, ctx.socketOut);
  if (!from) { ctx.runtime.logger.log(-1, 'core', 'w_send', `no socket for ${target.proto} to send to ${target.ip}:${target.port}`); return -1; }
  let text = ctx.msg.text;
  if (headers) {
    const end = text.indexOf('\r\n\r\n');
    const block = headers.endsWith('\r\n') ? headers : `${headers}\r\n`;
    if (end >= 0) text = text.slice(0, end + 2) + block + text.slice(end + 2);
  }
  ctx.runtime.transport.send({ kind: msg.isRequest ? 'request' : 'reply', from, to: target, text, via: `send (from ${socketString(from)})` });
  return 1;
}
