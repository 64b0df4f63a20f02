// t_relay(): forward the request statefully to $du, the proxy argument or
// the R-URI, and to every appended branch.
import { Flow, socketString, type ExecContext } from '../../script/context.js';
import { buildBranch, outgoingSocket, proxyTarget, uriTarget } from '../../script/forward.js';
import { runRoute } from '../../script/compile.js';
import { withTlsClientChoice } from '../../script/tls-client.js';
import { headerEdits } from '../../script/edits.js';
import { createTransaction, tmHooks, transactionOf, liveTm } from './api.js';
import { BRANCH_IDX, ON_BRANCH } from './keys.js';
import { newTransaction } from './newtran.js';

export function relayRequest(ctx: ExecContext, opts: { flags?: number; proxy?: string }): number {
  if (!ctx.msg.sip || !ctx.msg.isRequest) return -2;
  if (transactionOf(ctx)?.relayed) return 1;
  const live = liveTm(ctx);
  if (ctx.msg.method === 'CANCEL' && live?.cancel(ctx)) return 1;
  const known = live?.existing(ctx);
  if (known) {
    live!.absorb(known);
    return 1;
  } // a retransmission: tm answers it itself
  if (!transactionOf(ctx) && ctx.msg.method !== 'ACK') newTransaction(ctx, 't_relay');
  const branches = [
    { uri: ctx.ruri, du: ctx.du, socket: ctx.socketOut },
    ...ctx.branches.map((b) => ({ uri: b.uri, du: b.du, socket: b.socket })),
  ];
  let sent = 0;
  const onBranch = ctx.state(ON_BRANCH);
  const branchRoute = onBranch ? ctx.runtime.route('branch_route', onBranch) : undefined;
  for (const b of branches) {
    // branch_route: runs per branch with $ru set to it; edits made there apply to this branch only; drop skips it.
    const edits = headerEdits(ctx);
    const mark = edits.length;
    const savedRuri = ctx.ruri;
    if (branchRoute) {
      ctx.ruri = b.uri;
      ctx.setState(BRANCH_IDX, sent);
      runRoute(ctx, branchRoute, 'branch', onBranch!);
      const dropped = ctx.dropped;
      ctx.dropped = false;
      ctx.flow = Flow.None;
      if (dropped) {
        edits.length = mark;
        ctx.ruri = savedRuri;
        continue;
      }
      b.uri = ctx.ruri;
    }
    // t_relay's proxy wins over $du and the R-URI for every branch (t_fwd.c add_uac). A URI
    // without ;transport= means UDP (TLS for sips:), whatever the request came over (resolve.c).
    const target = opts.proxy
      ? proxyTarget(opts.proxy.replace(/^sips?:/i, ''), 'udp')
      : b.du
        ? uriTarget(b.du, 'udp')
        : uriTarget(b.uri, 'udp');
    if (!target) return -3;
    const from = outgoingSocket(ctx, target.proto, b.socket);
    if (!from) {
      ctx.runtime.logger.log(
        -1,
        'tm',
        't_forward_nonack',
        `no socket for protocol ${target.proto} to reach ${target.ip}:${target.port}`,
      );
      continue;
    }
    // tm's request-forwarded callbacks (mid_registrar rewrites the REGISTER) see each branch before our Via goes on.
    const { text, branch } = buildBranch(ctx, b.uri, from, undefined, (msg, sock) => {
      for (const h of tmHooks(ctx)) h.requestForwarded?.(msg, sock);
    });
    edits.length = mark;
    ctx.ruri = savedRuri;
    ctx.runtime.transport.send({
      kind: 'request',
      from,
      to: withTlsClientChoice(ctx, target),
      text,
      via: `t_relay (branch ${sent}, from ${socketString(from)})`,
    });
    live?.relayed(ctx, branch, from, target, Buffer.from(text));
    sent++;
  }
  if (!sent) return -6;
  const t = transactionOf(ctx) ?? createTransaction(ctx, 't_relay');
  t.relayed = true;
  return 1;
}
