// Sequential requests find their dialog (OpenSIPS's dlg_onroute): by the
// `did` Record-Route parameter, by Call-ID and tags, or both, as
// dlg_match_mode says: 0 did only, 1 did then Call-ID+tags (the default),
// 2 Call-ID+tags only (create_dialog then adds no did). A match sets the
// current dialog and the leg the request goes to, and runs the state
// machine: ACK establishes, BYE ends.
import type { ExecContext } from '../../script/context.js';
import type { Runtime } from '../../script/runtime.js';
import { parseUri } from '../../sip/index.js';
import { isSipError } from '../../sip/result.js';
import { runDialogCallbacks } from './callbacks.js';
import { mapSequentialCseq } from './cseq.js';
import { runDialogRoute } from './routes.js';
import { startPinging, trackSdp } from './ping.js';
import { onTargetRefresh } from './refresh.js';
import { currentDialog, dialogs, DlgState, setCurrent, setState, terminate, type Dialog } from './store.js';

/** 0 did only, 1 did then SIP-wise, 2 SIP-wise only. */
export type MatchMode = 0 | 1 | 2;

export function matchMode(rt: Runtime): MatchMode {
  const m = Number(rt.param('dialog', 'dlg_match_mode') ?? 1);
  return m === 0 || m === 2 ? m : 1;
}

/** match_dialog()'s words: did_only, did_fallback, did_none (undefined = the module's mode). */
export function matchModeOf(word: string | undefined): MatchMode | undefined {
  switch (word?.toLowerCase()) {
    case 'did_only':
      return 0;
    case 'did_fallback':
      return 1;
    case 'did_none':
      return 2;
    default:
      return undefined;
  }
}

export function rrParam(rt: Runtime): string {
  return String(rt.param('dialog', 'rr_param') ?? 'did') || 'did';
}

interface Match {
  dialog: Dialog;
  direction: 'downstream' | 'upstream';
  dstLeg: 0 | 1;
}

/** OpenSIPS's match_dialog(): the Call-ID, then the From tag against the caller's (downstream) or the To tag (upstream). */
function tight(d: Dialog, callId: string, ftag: string, ttag: string): Match | undefined {
  if (d.callId !== callId) return undefined;
  let direction: Match['direction'];
  let other: string;
  if (d.fromTag === ftag) {
    direction = 'downstream';
    other = ttag;
  } else if (d.fromTag === ttag) {
    direction = 'upstream';
    other = ftag;
  } else return undefined;
  // Before any reply set the callee's tag, only a request without the other tag matches.
  if (d.toTag ? d.toTag !== other : other !== '') return undefined;
  return { dialog: d, direction, dstLeg: direction === 'downstream' ? 1 : 0 };
}

/** get_dlg(): the dialog of these Call-ID and tags, whichever side sent the request. */
export function findByTags(rt: Runtime, callId: string, ftag: string, ttag: string): Match | undefined {
  for (const d of dialogs(rt).byDid.values()) {
    const m = tight(d, callId, ftag, ttag);
    if (m) return m;
  }
  return undefined;
}

export function findByCallId(rt: Runtime, callId: string): Dialog | undefined {
  for (const d of dialogs(rt).byDid.values()) if (d.callId === callId) return d;
  return undefined;
}

function ids(ctx: ExecContext): { callId: string; ftag: string; ttag: string } | undefined {
  const callId = ctx.msg.callId;
  const ftag = ctx.msg.from?.tag;
  const ttag = ctx.msg.to?.tag;
  if (!callId || ftag === undefined || !ttag) return undefined;
  return { callId, ftag, ttag };
}

/**
 * dlg_onroute: the request's dialog by `did` (the Route parameter, or the
 * one topology hiding put in the R-URI) and/or its Call-ID and tags. Does
 * nothing for an initial request (no To tag) or when the message already has
 * its dialog (loose_route may be called twice).
 */
export function matchSequential(ctx: ExecContext, did: string | undefined, mode: MatchMode): Dialog | undefined {
  if (currentDialog(ctx)) return currentDialog(ctx);
  const id = ids(ctx);
  if (!id) return undefined;
  const rt = ctx.runtime;
  let m: Match | undefined;
  if (mode !== 2) {
    if (did === undefined) {
      if (mode === 0) return undefined;
    } else {
      const d = dialogs(rt).byDid.get(did);
      m = d && tight(d, id.callId, id.ftag, id.ttag);
      if (d && !m)
        rt.logger.log(
          1,
          'dialog',
          'dlg_onroute',
          `tight matching failed for ${ctx.msg.method} with callid='${id.callId}'/${id.callId.length}, ftag='${id.ftag}'/${id.ftag.length}, ttag='${id.ttag}'/${id.ttag.length}`,
        );
      if (!m && mode === 0) return undefined;
    }
  }
  m ??= findByTags(rt, id.callId, id.ftag, id.ttag);
  if (!m) return undefined;
  onSequential(ctx, m);
  return m.dialog;
}

/** The state machine for a matched sequential request, and what the dialog learns from it. */
function onSequential(ctx: ExecContext, m: Match): void {
  const { dialog: d, dstLeg } = m;
  const rt = ctx.runtime;
  setCurrent(ctx, d, dstLeg);
  const method = ctx.msg.method;
  const cseq = ctx.msg.cseq?.num;
  const leg = d.legs[dstLeg];
  if (method !== 'ACK' && cseq !== undefined) {
    // validate_dialog compares with the CSeq before this request (prev_cseq).
    leg.prevCseq = leg.cseq;
    leg.cseq = Math.max(leg.cseq, cseq);
    if (method === 'INVITE') d.legs[dstLeg === 1 ? 0 : 1].invCseq = cseq;
  }
  runDialogCallbacks(rt, d, 'requestWithin', { ctx, direction: m.direction });
  // A confirmed dialog's request (BYE included) continues the numbers the proxy generated towards that leg.
  if (d.state >= DlgState.Confirmed && d.state < DlgState.Deleted) {
    mapSequentialCseq(ctx, d, dstLeg);
    if (method === 'INVITE') trackSdp(ctx, d, dstLeg === 1 ? 0 : 1);
    if (method === 'INVITE' || method === 'UPDATE') onTargetRefresh(ctx, d, dstLeg);
  }
  if (method === 'ACK' && d.state === DlgState.Confirmed) {
    setState(rt, d, DlgState.Established, ctx);
    startPinging(rt, d);
  } else if (method === 'BYE' && d.state < DlgState.Deleted) {
    if (d.routes.hangup) runDialogRoute(rt, d, d.routes.hangup);
    terminate(rt, d, 'terminated', dstLeg === 0 ? 'Upstream BYE' : 'Downstream BYE', ctx);
  }
}

/**
 * match_dialog() (api_match_dialog): 1 when the request has or finds its
 * dialog. With no Route and the R-URI ours (topology hiding's Contact), the
 * did comes from the R-URI's parameter or its user part (`.did.<did>`).
 */
export function matchDialog(ctx: ExecContext, mode?: MatchMode): 1 | -1 {
  if (currentDialog(ctx)) return 1;
  const rt = ctx.runtime;
  const name = rrParam(rt);
  let did: string | undefined;
  const sip = ctx.msg.sip;
  const routes = sip?.routes();
  const ru = parseUri(ctx.ruri);
  if (!isSipError(ru) && rt.isMyAddress(ru.host, ru.port) && (!routes || isSipError(routes) || !routes.length)) {
    did = new RegExp(`;${name}=([^;>?]*)`).exec(ctx.ruri.replace(/^[^@]*@/, '@'))?.[1];
    did ??= new RegExp(`\\.${name}\\.([^@;:]+)`).exec(ru.user ?? '')?.[1];
  }
  did ??= routeDid(ctx, name);
  return matchSequential(ctx, did, mode ?? matchMode(rt)) ? 1 : -1;
}

/** The did of the first Route entry that is ours, if the request carries one. */
function routeDid(ctx: ExecContext, name: string): string | undefined {
  const routes = ctx.msg.sip?.routes();
  if (!routes || isSipError(routes)) return undefined;
  for (const r of routes) {
    const u = parseUri(r.uri);
    if (isSipError(u) || !ctx.runtime.isMyAddress(u.host, u.port)) break;
    const did = new RegExp(`;${name}=([^;>?]*)`).exec(r.uri)?.[1];
    if (did) return did;
  }
  return undefined;
}

/** rr callback: loose_route() took our Route entry; its parameters may carry the did. */
export function onLooseRoute(ctx: ExecContext, params: string): void {
  const rt = ctx.runtime;
  const did = new RegExp(`;${rrParam(rt)}=([^;>]*)`).exec(params)?.[1];
  matchSequential(ctx, did, matchMode(rt));
}
