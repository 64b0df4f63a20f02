// rtpproxy: rtpproxy_offer / rtpproxy_answer (one U or L command per RTP
// stream, the SDP rewritten to rtpproxy's port and address, the nortpproxy
// marker added) and rtpproxy_unforce (D), over UDP to the nodes of
// rtpproxy_sock. `run` talks to the real nodes, the script waiting for each
// answer; a dry-run talks to a simulated rtpproxy. Recording, prompts,
// statistics and rtpproxy_engage (which needs the dialog module) are not native.
import type { ExecContext } from '../../script/context.js';
import { currentBody, setBodyText } from '../../script/edits.js';
import type { ArgValue, NativeModule } from '../types.js';
import { command, nodeFor, parseRtppSocks, probeAll, rtppState, type RtppSet } from './nodes.js';
import { parseProxyFlags, proxySdp } from './sdp-proxy.js';

function setFor(ctx: ExecContext, arg: ArgValue | undefined): RtppSet | undefined {
  const rt = ctx.runtime;
  const id = arg?.given && arg.int !== undefined ? arg.int : Number(rt.param('rtpproxy', 'default_set') ?? 0);
  return rtppState(rt).sets.find((s) => s.id === id);
}

function offerAnswer(
  ctx: ExecContext,
  offer: boolean,
  [flags, ip, setId, sockVar, retVar, bodyVar]: ArgValue[],
): number {
  const set = setFor(ctx, setId);
  if (!set) return -1;
  const fromVar = bodyVar?.given && bodyVar.pv;
  const type = (ctx.msg.header('Content-Type') ?? '').split(';')[0]!.trim().toLowerCase();
  const body = fromVar ? String(bodyVar.pv!.get(ctx) ?? '') : currentBody(ctx);
  if (body.trim() === '') return -1;
  if (!fromVar && type !== 'application/sdp') return 1; // no SDP part (multipart bodies are not looked into)
  const r = proxySdp(
    ctx,
    set,
    body,
    offer,
    parseProxyFlags(flags?.str ?? ''),
    ip?.given && ip.str ? ip.str : undefined,
    (n) => sockVar?.pv?.set(ctx, n.url),
  );
  if (r.ret !== undefined) retVar?.pv?.set(ctx, r.ret);
  if (r.body !== undefined && r.body !== body) {
    if (fromVar) bodyVar.pv!.set(ctx, r.body);
    else setBodyText(ctx, r.body);
  }
  return r.rc;
}

export const rtpproxy: NativeModule = {
  name: 'rtpproxy',
  functions: {
    rtpproxy_offer: { returns: [1, -1], impl: (ctx, args) => offerAnswer(ctx, true, args) },
    rtpproxy_answer: { returns: [1, -1], impl: (ctx, args) => offerAnswer(ctx, false, args) },
    rtpproxy_unforce: {
      returns: [1, -1],
      impl: (ctx, [setId, sockVar]) => {
        const set = setFor(ctx, setId);
        const callId = ctx.msg.callId ?? '';
        const from = ctx.msg.from?.tag ?? '';
        if (!set || !callId || !from) return -1;
        const node = nodeFor(ctx.runtime, set, callId);
        if (!node) return -1;
        sockVar?.pv?.set(ctx, node.url);
        const to = ctx.msg.to?.tag ?? '';
        command(ctx.runtime, node, `D ${callId} ${from}${to ? ' ' + to : ''}`);
        return 1;
      },
    },
  },
  init: (rt) => {
    const parsed = parseRtppSocks(
      rt.paramValues('rtpproxy', 'rtpproxy_sock').map(String),
      Number(rt.param('rtpproxy', 'default_set') ?? 0),
    );
    for (const p of parsed.problems) rt.logger.log(-1, 'rtpproxy', 'mod_init', p);
    if (!parsed.sets.length) rt.logger.log(-1, 'rtpproxy', 'mod_init', 'no rtpproxy set specified');
    rt.onStart.push(() => {
      probeAll(rt);
      return undefined;
    });
  },
};
