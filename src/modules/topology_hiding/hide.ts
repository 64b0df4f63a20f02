// topology_hiding() and topology_hiding_match() (topo_hiding_logic.c): a
// request leaves with our Via only, no Record-Route, our Contact; its
// replies go back with the sender's Vias restored, the Record-Route the
// sender gave us, and our Contact again; sequential requests, which reach us
// by that Contact (no Route), are matched and sent on along the other side's
// route set and contact. With a dialog the dialog keeps the two sides; without
// one the Contact carries them, encoded.
import type { ExecContext } from '../../script/context.js';
import { headerEdits } from '../../script/edits.js';
import { viaReceived } from '../../sip/via-received.js';
import type { SipMessage } from '../../sip/message.js';
import type { SocketInfo } from '../../net/types.js';
import { parseUri } from '../../sip/index.js';
import { isSipError } from '../../sip/result.js';
import { tmHooks } from '../tm/api.js';
import { FORCE_RPORT, socketString } from '../../script/context.js';
import {
  createDialog,
  currentDialog,
  currentDstLeg,
  fixRouteDialog,
  matchDialog,
  onDialog,
  onDialogs,
  TOPOH_ONGOING,
  type Dialog,
  type MatchMode,
} from '../dialog/api.js';
import { maskedCalls } from './callid.js';
import {
  decodeThInfo,
  dialogContact,
  encodeParamName,
  parseRouteSet,
  printRouteSet,
  singleContact,
  thinfoContact,
  TOPOH_DID_IN_USER,
  TOPOH_HIDE_CALLID,
  TOPOH_KEEP_USER,
  parseThFlags as parseThFlagsOf,
} from './contact.js';

/** Our Via alone goes out: the received ones and every Record-Route (received, or added by the script) come off. */
function stripRequest(ctx: ExecContext): void {
  const edits = headerEdits(ctx);
  for (let i = edits.length - 1; i >= 0; i--) {
    const e = edits[i]!;
    if ((e.op === 'insert' || e.op === 'append') && /^record-route\s*:/i.test(e.text)) edits.splice(i, 1);
  }
  edits.push({ op: 'remove', name: 'Via' }, { op: 'remove', name: 'Record-Route' });
}

/** restore_vias_from_req: the reply gets the request's Vias back (received/rport on the first, as a proxy adds them). */
function restoreVias(
  out: SipMessage,
  request: SipMessage,
  src: { ip: string; port: number },
  forceRport: boolean,
): void {
  out.removeHeader('Via');
  const fields = request.fields('via');
  if (!fields.length) return;
  const top = viaReceived(request, src, { forceRport, mode: 'forward' }) ?? fields[0]!.value;
  out.addHeader('Via', top, 'prepend');
  for (const f of fields.slice(1)) out.addHeader('Via', f.value, 'prepend');
}

function replaceContact(msg: SipMessage, value: string): void {
  msg.replaceHeader('contact', value, 0);
}

function isRedirect(msg: SipMessage): boolean {
  return msg.status >= 300 && msg.status < 400;
}

// ---- with a dialog ---------------------------------------------------------------

/** The reply to a request of a topology hiding dialog, relayed back to `src` (dlg_th_onreply). */
function dialogReply(
  ctx: ExecContext,
  d: Dialog,
  initial: boolean,
): (reply: SipMessage, out: SipMessage, request: SipMessage) => void {
  const rt = ctx.runtime;
  const src = { ip: ctx.src.ip, port: ctx.src.port };
  const forceRport = ctx.state(FORCE_RPORT) === true;
  return (reply, out, request) => {
    // A redirect of the initial INVITE keeps its Contact: the caller is to follow it.
    if (!(initial && isRedirect(reply)))
      replaceContact(out, dialogContact(rt, d.did, d.modFlags, ctx.socketIn, singleContact(reply)));
    out.removeHeader('Record-Route');
    restoreVias(out, request, src, forceRport);
    const callerRoutes = d.legs[0].routeSet;
    if (initial && callerRoutes.length)
      out.addHeader('Record-Route', callerRoutes.map((r) => `<${r}>`).join(', '), 'prepend');
  };
}

function hideWithDialog(ctx: ExecContext, d: Dialog, flags: number): number {
  const engaged = (d.modFlags & TOPOH_ONGOING) !== 0;
  d.modFlags |= TOPOH_ONGOING | flags;
  if (engaged) return 1;
  if (flags & TOPOH_HIDE_CALLID) {
    const masked = maskedCalls(ctx.runtime);
    masked.callerTag.set(d.callId, d.fromTag);
  }
  stripRequest(ctx);
  const rt = ctx.runtime;
  const contact = singleContact(ctx.msg.sip);
  tmHooks(ctx).push({
    requestForwarded: (msg, sock) => replaceContact(msg, dialogContact(rt, d.did, d.modFlags, sock, contact)),
    responseForwarded: dialogReply(ctx, d, true),
  });
  onDialog(d, ['requestWithin'], ({ ctx: seq }) => {
    if (seq) sequentialInDialog(seq, d);
  });
  return 1;
}

/** topo_dlg_onroute: a sequential request of the dialog goes to the other side's contact through its route set. */
function sequentialInDialog(ctx: ExecContext, d: Dialog): void {
  stripRequest(ctx);
  fixRouteDialog(ctx);
  const rt = ctx.runtime;
  const contact = singleContact(ctx.msg.sip);
  const leg = currentLeg(ctx, d);
  // The destination leg is reached from the socket it was set up on (force_send_socket).
  if (leg?.socket) ctx.socketOut = leg.socket;
  tmHooks(ctx).push({
    requestForwarded: (msg, sock) => replaceContact(msg, dialogContact(rt, d.did, d.modFlags, sock, contact)),
    responseForwarded: dialogReply(ctx, d, false),
  });
}

function currentLeg(ctx: ExecContext, d: Dialog): Dialog['legs'][number] | undefined {
  const dst = currentDstLeg(ctx);
  return dst === undefined ? undefined : d.legs[dst];
}

// ---- without a dialog ------------------------------------------------------------

/** _th_no_dlg_onreply: the reply's own contact encoded, the request's Vias and Record-Route restored. */
function noDialogReply(
  ctx: ExecContext,
  flags: number,
  replySocket: () => SocketInfo,
): (reply: SipMessage, out: SipMessage, request: SipMessage) => void {
  const rt = ctx.runtime;
  const src = { ip: ctx.src.ip, port: ctx.src.port };
  const forceRport = ctx.state(FORCE_RPORT) === true;
  return (reply, out, request) => {
    out.removeHeader('Record-Route');
    if (!isRedirect(reply)) {
      const contact = singleContact(reply);
      replaceContact(
        out,
        thinfoContact(rt, flags, ctx.socketIn, contact, {
          routeSet: printRouteSet(reply, true),
          contact: contact?.uri ?? '',
          socket: socketString(replySocket()),
        }),
      );
    }
    restoreVias(out, request, src, forceRport);
    const rr = printRouteSet(request, false);
    if (rr) out.addHeader('Record-Route', rr, 'prepend');
  };
}

/** Hides a request without a dialog: its Contact carries what a later request needs to come back. */
function hideWithoutDialog(ctx: ExecContext, flags: number): void {
  stripRequest(ctx);
  const rt = ctx.runtime;
  const req = ctx.msg.sip!;
  const contact = singleContact(req);
  const info = { routeSet: printRouteSet(req, false), contact: contact?.uri ?? '', socket: socketString(ctx.socketIn) };
  let sentFrom: SocketInfo = ctx.socketIn;
  tmHooks(ctx).push({
    requestForwarded: (msg, sock) => {
      sentFrom = sock;
      replaceContact(msg, thinfoContact(rt, flags, sock, contact, info));
    },
    responseForwarded: noDialogReply(ctx, flags & TOPOH_KEEP_USER, () => sentFrom),
  });
}

/** topo_no_dlg_seq_handling: a request to our encoded Contact goes to the contact and route set inside it. */
function sequentialWithoutDialog(ctx: ExecContext, encoded: string): number {
  const rt = ctx.runtime;
  const info = decodeThInfo(rt, encoded);
  if (!info) {
    rt.logger.log(-1, 'topology_hiding', 'topo_no_dlg_seq_handling', 'Failed to decode topology hiding info');
    return -1;
  }
  stripRequest(ctx);
  const routes = parseRouteSet(info.routeSet);
  ctx.du = null;
  if (info.contact) ctx.ruri = info.contact;
  const edits = headerEdits(ctx);
  edits.push({ op: 'remove', name: 'Route' });
  if (routes.length) {
    edits.push({ op: 'insert', text: `Route: ${info.routeSet}\r\n` });
    ctx.du = routes[0]!;
  }
  const sock = info.socket ? rt.findSocket(info.socket) : undefined;
  if (info.socket && !sock)
    rt.logger.log(1, 'topology_hiding', 'topo_no_dlg_seq_handling', `non-local socket <${info.socket}>...ignoring`);
  if (sock) ctx.socketOut = sock;
  hideWithoutDialogSequential(ctx);
  return 1;
}

function hideWithoutDialogSequential(ctx: ExecContext): void {
  const rt = ctx.runtime;
  const req = ctx.msg.sip!;
  const contact = singleContact(req);
  const info = { routeSet: printRouteSet(req, false), contact: contact?.uri ?? '', socket: socketString(ctx.socketIn) };
  let sentFrom: SocketInfo = ctx.socketIn;
  tmHooks(ctx).push({
    requestForwarded: (msg, sock) => {
      sentFrom = sock;
      replaceContact(msg, thinfoContact(rt, 0, sock, contact, info));
    },
    responseForwarded: noDialogReply(ctx, 0, () => sentFrom),
  });
}

// ---- the script functions ----------------------------------------------------------

export function topologyHiding(ctx: ExecContext, flagsText: string | undefined): number {
  const rt = ctx.runtime;
  if (!ctx.msg.isRequest || !ctx.msg.sip) return -1;
  if (ctx.msg.to?.tag) {
    rt.logger.log(
      1,
      'topology_hiding',
      'topology_hiding',
      'SCRIPT ERROR - trying to initialize topology hiding for sequential request',
    );
    return -1;
  }
  const flags = parseThFlagsOf(flagsText);
  if (rt.modparams.has('dialog')) {
    let d = currentDialog(ctx);
    if (!d && Number(rt.param('topology_hiding', 'force_dialog') ?? 0)) {
      if (createDialog(ctx) < 0) {
        rt.logger.log(-1, 'topology_hiding', 'topology_hiding', 'Failed to create dialog');
        return -1;
      }
      d = currentDialog(ctx);
    }
    if (d) return hideWithDialog(ctx, d, flags);
  }
  if (flags & TOPOH_HIDE_CALLID)
    rt.logger.log(1, 'topology_hiding', 'topo_hiding_no_dlg', 'Cannot hide callid when dialog support is not engaged!');
  if (flags & TOPOH_DID_IN_USER)
    rt.logger.log(
      1,
      'topology_hiding',
      'topo_hiding_no_dlg',
      'Cannot store DID in user when dialog support is not engaged!',
    );
  hideWithoutDialog(ctx, flags);
  return 1;
}

/** topology_hiding_match([mode]): the dialog's matching first; else an encoded Contact of ours in the R-URI. */
export function topologyHidingMatch(ctx: ExecContext, mode: MatchMode | undefined): number {
  const rt = ctx.runtime;
  if (rt.modparams.has('dialog') && matchDialog(ctx, mode) > 0) return 1;
  const ru = parseUri(ctx.ruri);
  if (isSipError(ru) || !rt.isMyAddress(ru.host, ru.port)) return -1;
  const routes = ctx.msg.sip?.routes();
  if (routes && !isSipError(routes) && routes.length) return -1;
  const name = encodeParamName(rt).toLowerCase();
  const encoded = ru.params[name];
  return encoded ? sequentialWithoutDialog(ctx, encoded) : -1;
}

/** Every dialog with a masked Call-ID is forgotten a while after it ends (its last transactions may still answer). */
export function installMaskedCleanup(rt: ExecContext['runtime']): void {
  if (!rt.modparams.has('dialog')) return;
  onDialogs(rt, ['destroy'], ({ dialog: d }) => {
    if (!(d.modFlags & TOPOH_HIDE_CALLID)) return;
    rt.timers.after(64_000, () => {
      const masked = maskedCalls(rt).callerTag;
      if (masked.get(d.callId) === d.fromTag) masked.delete(d.callId);
    });
  });
}
