// create_dialog's pinging, as 3.3's dlg_timer.c does it: P/p send an
// OPTIONS to the caller/callee every options_ping_interval seconds, R/r a
// re-INVITE (with the SDP that leg last got) every reinvite_ping_interval,
// starting when the ACK of the 2xx arrives. A leg is pinged again only when
// its last ping was answered. A ping answered 408 or 481, or never answered
// (tm's final-response timer: a local 408), fails the leg; the checker that
// runs each second then ends the dialog as dlg_end_dlg does: a BYE to each
// side, $DLG_end_reason "Ping Timeout" ("ReINVITE Ping Timeout"). A 2xx to a
// re-INVITE ping is ACKed with the re-INVITE's CSeq. Each ping takes the next
// CSeq towards its leg (within.ts): later requests relayed to that leg are
// renumbered after it (cseq.ts).
import type { ExecContext } from '../../script/context.js';
import type { Runtime } from '../../script/runtime.js';
import { tmHooks } from '../tm/api.js';
import type { SipMessage } from '../../sip/message.js';
import { DlgState, PingState, type Dialog } from './store.js';
import { endDialog, legHeaders, sendWithin } from './within.js';

type Kind = 'options' | 'reinvite';

const LEG_NAME = ['caller', 'callee'] as const;

function interval(rt: Runtime, kind: Kind): number {
  const name = kind === 'options' ? 'options_ping_interval' : 'reinvite_ping_interval';
  const v = Number(rt.param('dialog', name) ?? (kind === 'options' ? 30 : 300));
  return v > 0 ? v : kind === 'options' ? 30 : 300;
}

/** The legs `kind` pings in this dialog (create_dialog's flags). */
function pingedLegs(d: Dialog, kind: Kind): (0 | 1)[] {
  const f = d.create;
  const legs: (0 | 1)[] = [];
  if (kind === 'options' ? f.pingCaller : f.reinvitePingCaller) legs.push(0);
  if (kind === 'options' ? f.pingCallee : f.reinvitePingCallee) legs.push(1);
  return legs;
}

function stateOf(d: Dialog, leg: 0 | 1, kind: Kind): PingState {
  return kind === 'options' ? d.legs[leg].optionsPing : d.legs[leg].reinvitePing;
}

function setPing(d: Dialog, leg: 0 | 1, kind: Kind, s: PingState): void {
  if (kind === 'options') d.legs[leg].optionsPing = s;
  else d.legs[leg].reinvitePing = s;
}

/** The dialog got the ACK of its 2xx (CONFIRMED_NA -> CONFIRMED): its pinging starts (insert_ping_timer). */
export function startPinging(rt: Runtime, d: Dialog): void {
  for (const kind of ['options', 'reinvite'] as const) {
    if (!pingedLegs(d, kind).length || d.pingTimers?.[kind]) continue;
    schedule(rt, d, kind);
  }
}

function schedule(rt: Runtime, d: Dialog, kind: Kind): void {
  const timers = (d.pingTimers ??= {});
  timers[kind] = rt.timers.after(interval(rt, kind) * 1000, () => {
    timers[kind] = undefined;
    if (d.state === DlgState.Deleted) return;
    for (const leg of pingedLegs(d, kind)) if (stateOf(d, leg, kind) === PingState.Success) ping(rt, d, leg, kind);
    schedule(rt, d, kind);
  });
}

/** The body of a re-INVITE ping towards `leg`: the SDP sent to it last, else what the other side offered. */
function reinviteSdp(d: Dialog, leg: 0 | 1): string {
  return d.legs[leg].outSdp || d.legs[leg === 1 ? 0 : 1].inSdp;
}

function ping(rt: Runtime, d: Dialog, leg: 0 | 1, kind: Kind): void {
  const onFinal = (code: number, reply: SipMessage | undefined): void => onPingReply(rt, d, leg, kind, code, reply);
  setPing(d, leg, kind, PingState.Pending);
  const sent =
    kind === 'options'
      ? sendWithin(rt, d, leg, { method: 'OPTIONS', onFinal })
      : sendWithin(rt, d, leg, {
          method: 'INVITE',
          headers: legHeaders(d, leg, 'application/sdp'),
          body: reinviteSdp(d, leg),
          onFinal,
        });
  if (!sent) {
    rt.logger.log(
      -1,
      'dialog',
      kind === 'options' ? 'dlg_options_routine' : 'dlg_reinvite_routine',
      `failed to ping ${LEG_NAME[leg]}`,
    );
    setPing(d, leg, kind, PingState.Success);
  }
}

/** dlg_handle_seq_reply: 408 (or no reply at all) and 481 fail the leg; anything else answers the ping. */
function onPingReply(
  rt: Runtime,
  d: Dialog,
  leg: 0 | 1,
  kind: Kind,
  code: number,
  reply: SipMessage | undefined,
): void {
  if (d.state === DlgState.Deleted) return;
  if (!reply || code === 408 || code === 481) {
    const why = code === 481 ? '481 ping reply' : 'ping timeout';
    rt.logger.log(
      2,
      'dialog',
      'dlg_handle_seq_reply',
      `terminating dialog due to ${why} on ${LEG_NAME[leg]} leg, ci: [${d.callId}]`,
    );
    setPing(d, leg, kind, PingState.Fail);
    armFailureCheck(rt, d);
    return;
  }
  setPing(d, leg, kind, PingState.Success);
  if (kind === 'reinvite' && code < 300 && !sendWithin(rt, d, leg, { method: 'ACK' }))
    rt.logger.log(-1, 'dialog', 'dlg_handle_seq_reply', 'cannot send ACK message!');
}

/** The once-a-second routine finds the failed leg (get_timeout_dlgs) and ends the dialog with BYEs. */
function armFailureCheck(rt: Runtime, d: Dialog): void {
  const timers = (d.pingTimers ??= {});
  if (timers.check) return;
  const now = rt.clock.now();
  timers.check = rt.timers.after(1000 - (now % 1000), () => {
    timers.check = undefined;
    if (d.state === DlgState.Deleted) return;
    const failed = (kind: Kind): boolean => pingedLegs(d, kind).some((l) => stateOf(d, l, kind) === PingState.Fail);
    if (failed('options')) endDialog(rt, d, 'Ping Timeout');
    else if (failed('reinvite')) endDialog(rt, d, 'ReINVITE Ping Timeout');
  });
}

/**
 * The SDPs a re-INVITE ping needs (dlg_update_out_sdp and the in_sdp of
 * each leg): an INVITE from leg `src` (the initial one or a re-INVITE) and
 * its 2xx. Empty bodies leave what the leg had.
 */
export function trackSdp(ctx: ExecContext, d: Dialog, src: 0 | 1): void {
  const dst = src === 0 ? 1 : 0;
  const body = ctx.msg.sip?.bodyText;
  if (body) d.legs[src].inSdp = body;
  tmHooks(ctx).push({
    requestForwarded: (msg) => {
      if (msg.bodyText) d.legs[dst].outSdp = msg.bodyText;
    },
    responseForwarded: (reply, out) => {
      if (reply.status < 200 || reply.status >= 300) return;
      if (reply.bodyText) d.legs[dst].inSdp = reply.bodyText;
      if (out.bodyText) d.legs[src].outSdp = out.bodyText;
    },
  });
}
