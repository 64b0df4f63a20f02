// Requests the proxy sends inside a dialog of its own (dlg_req_within.c):
// the BYEs of dlg_end_dlg and of create_dialog's B flag, the OPTIONS and
// re-INVITE pings, dlg_send_sequential. Each goes to one leg: R-URI its
// contact, Route its route set, From/To/tags as that leg expects them, a
// CSeq one above the last one sent towards it.
import type { Runtime } from '../../script/runtime.js';
import { newBranch } from '../../sip/index.js';
import type { SipMessage } from '../../sip/message.js';
import { uriTarget } from '../../script/forward.js';
import { runDialogRoute } from './routes.js';
import { DlgState, terminate, type Dialog } from './store.js';

export interface WithinRequest {
  method: string;
  /** Extra header lines, each ending in CRLF. */
  headers?: string;
  body?: string;
  contentType?: string;
  /** dlg_extra_hdrs go on the BYEs the dialog ends with (build_extra_hdr), not on pings or dlg_send_sequential. */
  dlgExtraHdrs?: boolean;
  /** The final reply (408 without one when tm's timer fired): tm's callback of t_request_within. */
  onFinal?: (code: number, reply: SipMessage | undefined) => void;
}

/**
 * The CSeq of the next request towards a leg (build_dialog_info): the first
 * generated one is the leg's last plus one, each later one the one before
 * plus one; an ACK repeats the last (the INVITE's it acknowledges).
 */
function nextCseq(d: Dialog, leg: 0 | 1, method: string): number {
  const l = d.legs[leg];
  if (method === 'ACK') return l.lastGenCseq || l.cseq;
  l.lastGenCseq = l.lastGenCseq ? l.lastGenCseq + 1 : l.cseq + 1;
  return l.lastGenCseq;
}

/** "Contact: <the other side's contact>" (dlg_get_leg_hdrs), then the Content-Type line when given. */
export function legHeaders(d: Dialog, dstLeg: 0 | 1, contentType?: string): string {
  const src = d.legs[dstLeg === 1 ? 0 : 1];
  return (src.contact ? `Contact: <${src.contact}>\r\n` : '') + (contentType ? `Content-Type: ${contentType}\r\n` : '');
}

/** The request text towards leg `leg` (0 caller, 1 callee), or undefined when the leg has no contact. */
export function buildWithin(
  rt: Runtime,
  d: Dialog,
  leg: 0 | 1,
  req: WithinRequest,
): { text: string; to: string } | undefined {
  const l = d.legs[leg];
  if (!l.contact) return undefined;
  const socket = l.socket ?? rt.sockets[0];
  if (!socket) return undefined;
  const caller = `<${d.fromUri}>;tag=${d.fromTag}`;
  const callee = `<${d.toUri}>${d.toTag ? `;tag=${d.toTag}` : ''}`;
  const [from, to] = leg === 1 ? [caller, callee] : [callee, caller];
  const host = socket.advertisedIp ?? socket.ip;
  const via = `SIP/2.0/${socket.proto.toUpperCase()} ${host.includes(':') ? `[${host}]` : host}:${socket.advertisedPort ?? socket.port};branch=${newBranch()}`;
  const extra = req.dlgExtraHdrs ? String(rt.param('dialog', 'dlg_extra_hdrs') ?? '') : '';
  const body = req.body ?? '';
  const lines = [
    `${req.method} ${l.contact} SIP/2.0`,
    `Via: ${via}`,
    ...l.routeSet.map((r) => `Route: <${r}>`),
    `From: ${from}`,
    `To: ${to}`,
    `Call-ID: ${d.callId}`,
    `CSeq: ${nextCseq(d, leg, req.method)} ${req.method}`,
    'Max-Forwards: 70',
  ];
  const text =
    lines.join('\r\n') +
    '\r\n' +
    extra +
    (req.headers ?? '') +
    (body && req.contentType ? `Content-Type: ${req.contentType}\r\n` : '') +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  return { text, to: l.routeSet[0] ?? l.contact };
}

/** Sends a request inside the dialog towards one leg, statefully (tm retransmits it); false when it cannot. */
export function sendWithin(rt: Runtime, d: Dialog, leg: 0 | 1, req: WithinRequest): boolean {
  const built = buildWithin(rt, d, leg, req);
  const l = d.legs[leg];
  const socket = l.socket ?? rt.sockets[0];
  const target = built && uriTarget(built.to, socket?.proto ?? 'udp');
  if (!built || !target || !socket) {
    rt.logger.log(
      -1,
      'dialog',
      'send_leg_msg',
      `cannot send ${req.method} to the ${leg ? 'callee' : 'caller'}: no contact`,
    );
    return false;
  }
  rt.transport.send({
    kind: 'request',
    from: socket,
    to: target,
    text: built.text,
    via: `dialog ${req.method}`,
    // An ACK has no transaction of its own (§17.1.1.3).
    stateful: req.method !== 'ACK',
    onFinal: req.onFinal,
  });
  return true;
}

/**
 * dlg_end_dlg: a BYE to both sides of a confirmed dialog (an early one has
 * nobody to say BYE to), then the dialog is deleted as by a BYE. false when
 * the dialog is already gone.
 */
export function endDialog(
  rt: Runtime,
  d: Dialog,
  reason: string,
  event: 'terminated' | 'expired' = 'terminated',
  extraHeaders?: string,
): boolean {
  if (d.state === DlgState.Deleted) return false;
  d.endReason ??= reason;
  if (d.state >= DlgState.Confirmed) {
    const headers = extraHeaders ? extraHeaders.replace(/(\r\n)?$/, '\r\n') : undefined;
    sendWithin(rt, d, 0, { method: 'BYE', headers, dlgExtraHdrs: true });
    sendWithin(rt, d, 1, { method: 'BYE', headers, dlgExtraHdrs: true });
    // dual_bye_event: dlg_on_hangup's route runs as the BYEs end the call (3.3 runs it at their first final reply).
    if (d.routes.hangup) runDialogRoute(rt, d, d.routes.hangup);
  }
  terminate(rt, d, event, reason);
  return true;
}
