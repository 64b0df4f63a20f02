// rtpengine: the ng control protocol (bencoded dictionaries over UDP) to the
// rtpengine nodes of rtpengine_sock. Offers and answers send the message's
// SDP and put the returned one in its place; rtpengine_manage picks offer,
// answer or delete from the method and status; the other commands (delete,
// recording, media, DTMF, forwarding) name the call. `run` talks to the real
// nodes (the script waits for the answer, as OpenSIPS's worker does); a
// dry-run talks to a simulation that leaves the SDP as it is.
import type { ExecContext } from '../../script/context.js';
import { MiError } from '../../base/mi.js';
import type { FunctionBehaviour, ModuleMi, NativeModule } from '../types.js';
import { messageSdp, runCommand } from './commands.js';
import { CHOSEN_SET, parseSocks, pingAllNodes, RECHECK_TIMER, rtpeState } from './nodes.js';
import { remember, rtpquery, rtpstat } from './stats.js';
import type { BValue } from './bencode.js';
import { serviceKey } from '../../base/keys.js';

const simple = (command: string): FunctionBehaviour => ({
  returns: [1, -1],
  impl: (ctx, [flags, sockVar]) => runCommand(ctx, command, { flags, sockVar }),
});

const offerAnswer = (command: 'offer' | 'answer'): FunctionBehaviour => ({
  returns: [1, -1],
  impl: (ctx, [flags, sockVar, sdpVar, body]) => runCommand(ctx, command, { flags, sockVar, sdpVar, body }),
});

/**
 * INVITEs sent without SDP, by Call-ID (OpenSIPS flags the transaction's
 * request): their 2xx carries the offer. Kept 5 minutes at most.
 */
const LATE_OFFERS = serviceKey<Map<string, number>>('rtpengine:late-offers');

function lateOffers(ctx: ExecContext): Map<string, number> {
  const m = ctx.runtime.service(LATE_OFFERS, () => new Map());
  const now = ctx.runtime.clock.now();
  for (const [k, at] of m) {
    if (at > now - 300_000) break;
    m.delete(k);
  }
  return m;
}

/** rtpengine_manage: delete for CANCEL/BYE and negative replies, offer or answer by method and direction. */
function manageCommand(
  ctx: ExecContext,
  bodyGiven: boolean,
  bodyText: string,
): 'offer' | 'answer' | 'delete' | undefined {
  const method = ctx.msg.isRequest ? ctx.msg.method : (ctx.msg.cseq?.method ?? '');
  if (!['INVITE', 'ACK', 'CANCEL', 'BYE', 'UPDATE', 'PRACK'].includes(method)) return undefined;
  if (method === 'CANCEL' || method === 'BYE') return 'delete';
  // 3.3's test is inverted when the body is given: a non-empty one counts as no SDP.
  const hasSdp = bodyGiven ? bodyText === '' : messageSdp(ctx) !== undefined;
  if (ctx.msg.isRequest) {
    if (!hasSdp) {
      if (method === 'INVITE') {
        const late = lateOffers(ctx);
        late.delete(ctx.msg.callId ?? '');
        late.set(ctx.msg.callId ?? '', ctx.runtime.clock.now());
      }
      return undefined;
    }
    if (method === 'ACK' || method === 'PRACK') return 'answer';
    if (method === 'INVITE' && ctx.routeStack[0]?.type === 'failure') return 'delete';
    return 'offer';
  }
  if ((ctx.msg.status ?? 0) >= 300) return 'delete';
  if (!hasSdp) return undefined;
  if (method === 'UPDATE') return 'answer';
  const late = lateOffers(ctx);
  const isLate = late.has(ctx.msg.callId ?? '');
  if (isLate && (ctx.msg.status ?? 0) >= 200) late.delete(ctx.msg.callId ?? '');
  return isLate ? 'offer' : 'answer';
}

export const RTPENGINE_MI: ModuleMi[] = [
  {
    name: 'rtpengine_show',
    recipes: [[]],
    run: (_p, rt) => {
      const now = Math.floor((rt.clock.now() - rt.startedAt) / 1000);
      return rtpeState(rt).sets.map((s) => ({
        Set: s.id,
        Nodes: s.nodes.map((n) => ({
          url: n.url,
          index: n.index,
          disabled: n.disabled ? 1 : 0,
          weight: n.weight,
          recheck_ticks: n.disabled && Number.isFinite(n.recheck) ? Math.max(0, n.recheck - now) : 0,
        })),
      }));
    },
  },
  {
    name: 'rtpengine_enable',
    recipes: [
      ['url', 'enable'],
      ['url', 'enable', 'setid'],
    ],
    run: (p, rt) => {
      const nodes = rtpeState(rt)
        .sets.filter((s) => p.setid === undefined || s.id === Number(p.setid))
        .flatMap((s) => s.nodes)
        .filter((n) => n.url === String(p.url));
      if (!nodes.length) throw new MiError(404, 'RTP engine not found');
      for (const n of nodes) {
        n.disabled = Number(p.enable) === 0;
        n.recheck = n.disabled ? Infinity : 0;
      }
      return 'OK';
    },
  },
];

export const rtpengine: NativeModule = {
  name: 'rtpengine',
  pvs: {
    rtpquery: { takesName: false, get: (ctx) => rtpquery(ctx) },
    rtpstat: { get: (ctx, name) => rtpstat(ctx, name) },
  },
  functions: {
    rtpengine_use_set: {
      returns: [1, -1],
      impl: (ctx, [set]) => {
        if (!rtpeState(ctx.runtime).sets.some((s) => s.id === set?.int)) return -1;
        ctx.setState(CHOSEN_SET, set!.int!);
        return 1;
      },
    },
    rtpengine_offer: offerAnswer('offer'),
    rtpengine_answer: offerAnswer('answer'),
    rtpengine_manage: {
      returns: [1, -1],
      impl: (ctx, [flags, sockVar, sdpVar, body]) => {
        const command = manageCommand(ctx, body?.given === true, body?.str ?? '');
        return command
          ? runCommand(ctx, command, {
              flags,
              sockVar,
              sdpVar,
              body,
              ...(command === 'delete' ? { onReply: (r: Record<string, BValue>) => remember(ctx, r) } : {}),
            })
          : -1;
      },
    },
    rtpengine_delete: {
      returns: [1, -1],
      impl: (ctx, [flags, sockVar]) => runCommand(ctx, 'delete', { flags, sockVar, onReply: (r) => remember(ctx, r) }),
    },
    rtpengine_start_recording: simple('start recording'),
    rtpengine_stop_recording: simple('stop recording'),
    rtpengine_stop_media: simple('stop media'),
    rtpengine_block_media: simple('block media'),
    rtpengine_unblock_media: simple('unblock media'),
    rtpengine_block_dtmf: simple('block DTMF'),
    rtpengine_unblock_dtmf: simple('unblock DTMF'),
    rtpengine_start_forwarding: simple('start forwarding'),
    rtpengine_stop_forwarding: simple('stop forwarding'),
    rtpengine_play_media: {
      returns: [1, -1],
      impl: (ctx, [flags, durationVar, sockVar]) => runCommand(ctx, 'play media', { flags, durationVar, sockVar }),
    },
    rtpengine_play_dtmf: {
      returns: [1, -2],
      impl: (ctx, [code, flags, sockVar]) =>
        runCommand(ctx, 'play DTMF', { flags, sockVar, extra: { code: code?.str ?? '' } }) > 0 ? 1 : -2,
    },
  },
  init: (rt) => {
    const dbUrl = rt.param('rtpengine', 'db_url');
    if (dbUrl)
      rt.logger.log(
        1,
        'rtpengine',
        'mod_init',
        'opensips-ts reads rtpengine nodes from rtpengine_sock only, not from a database',
      );
    const problems = parseSocks(rt.paramValues('rtpengine', 'rtpengine_sock').map(String)).problems;
    for (const p of problems) rt.logger.log(-1, 'rtpengine', 'mod_init', p);
    rt.onStart.push(() => {
      pingAllNodes(rt);
      return undefined;
    });
  },
  mi: RTPENGINE_MI,
  timers: [RECHECK_TIMER],
};
