// local_route (OpenSIPS tm's t_uac): runs on a request tm sends of its own.
import { parseSipMessage } from '../../sip/index.js';
import type { SipMessage } from '../../sip/message.js';
import type { Peer, SocketInfo } from '../../net/types.js';
import { runRoute } from '../../script/compile.js';
import { ExecContext } from '../../script/context.js';
import { headerEdits } from '../../script/edits.js';
import { applyHeaderEdits, outgoingSocket, uriTarget } from '../../script/forward.js';
import type { Runtime } from '../../script/runtime.js';
import { scriptMessage } from '../../script/sip-adapter.js';

export interface LocalRequest {
  from: SocketInfo;
  to: Peer;
  data: Buffer;
}

/**
 * local_route on a request tm sends of its own (mid_registrar's
 * De-REGISTERs): header edits, `$ru`, `$du` and `$socket_out` change what
 * is sent and where; drop() does not stop it (3.3 ignores the route's flags).
 */
export function runLocalRoute(rt: Runtime, out: LocalRequest): LocalRequest {
  const route = rt.route('local_route', '');
  if (!route) return out;
  const parsed = parseSipMessage(out.data);
  if (parsed.error !== undefined) return out;
  const ctx = new ExecContext(
    rt,
    scriptMessage(parsed.msg),
    { ip: out.from.ip, port: out.from.port, proto: out.from.proto },
    out.from,
  );
  try {
    runRoute(ctx, route, 'local', '');
  } catch (err) {
    rt.logger.log(-1, 'tm', 'run_local_route', `error running local_route: ${(err as Error).message}`);
    return out;
  }
  const retargeted = ctx.du !== null || ctx.ruri !== parsed.msg.ruri;
  if (!retargeted && !ctx.socketOut && headerEdits(ctx).length === 0) return out;
  const msg = parsed.msg.clone();
  applyHeaderEdits(ctx, msg);
  if (ctx.ruri !== parsed.msg.ruri) msg.setRuri(ctx.ruri);
  const target = retargeted ? uriTarget(ctx.du ?? ctx.ruri, out.to.proto) : undefined;
  if (retargeted && !target)
    rt.logger.log(
      -1,
      'tm',
      'run_local_route',
      `cannot send to ${ctx.du ?? ctx.ruri}, keeping the original destination`,
    );
  const to = target ?? out.to;
  const from = outgoingSocket(ctx, to.proto, ctx.socketOut) ?? out.from;
  if (from !== out.from) rewriteTopVia(msg, from);
  return { from, to, data: msg.serialize() };
}

/** Our Via names the socket that sends: a new socket gets a Via of its own address (the branch stays). */
function rewriteTopVia(msg: SipMessage, socket: SocketInfo): void {
  const via = msg.header('via');
  if (!via) return;
  const host = socket.advertisedIp ?? socket.ip;
  const sentBy = `${host.includes(':') ? `[${host}]` : host}:${socket.advertisedPort ?? socket.port}`;
  msg.replaceHeader(
    'via',
    via.replace(/^SIP\/2\.0\/\w+\s+[^;]+/i, `SIP/2.0/${socket.proto.toUpperCase()} ${sentBy}`),
    0,
  );
}
