// create_dialog(): a dialog for an initial INVITE, the caller's leg from the
// INVITE, the callee's from the 2xx; the INVITE transaction's replies move
// it to early, confirmed (the timeout starts) or deleted (failed).
import type { ExecContext } from '../../script/context.js';
import type { Runtime } from '../../script/runtime.js';
import type { SipMessage } from '../../sip/message.js';
import { onConfirmedCseq } from './cseq.js';
import { parseUri } from '../../sip/index.js';
import { isSipError } from '../../sip/result.js';
import { tmHooks } from '../tm/api.js';
import { addRrParam } from '../rr/index.js';
import { runDialogCallbacks } from './callbacks.js';
import { matchMode, rrParam } from './match.js';
import { runDialogRoute } from './routes.js';
import { endDialog } from './within.js';
import { trackSdp } from './ping.js';
import {
  addDialog,
  armTimeout,
  currentDialog,
  dialogs,
  DlgState,
  parseCreateFlags,
  setCurrent,
  setState,
  terminate,
  type Dialog,
} from './store.js';

function contactOf(msg: SipMessage | undefined): string {
  const c = msg?.contacts();
  return c && !isSipError(c) && !c.star && c.contacts[0] ? c.contacts[0].uri : '';
}

function isOurs(rt: Runtime, uri: string): boolean {
  const u = parseUri(uri);
  return !isSipError(u) && rt.isMyAddress(u.host, u.port);
}

/**
 * A leg's route set, in sending order: towards the caller, the INVITE's
 * Record-Route as received (ours is not in it yet; the first is the nearest
 * hop); towards the callee, the reply's entries above our own, reversed
 * (the one just above ours is the nearest).
 */
function routeSet(rt: Runtime, msg: SipMessage | undefined, side: 'caller' | 'callee'): string[] {
  const rr = msg?.recordRoutes();
  if (!rr || isSipError(rr)) return [];
  const uris = rr.map((r) => r.uri);
  if (side === 'caller') return uris.filter((u) => !isOurs(rt, u));
  const ours = uris.findIndex((u) => isOurs(rt, u));
  return (ours < 0 ? uris : uris.slice(0, ours)).reverse();
}

export function createDialog(ctx: ExecContext, flagsText?: string): 1 | -1 {
  const rt = ctx.runtime;
  const existing = currentDialog(ctx);
  if (existing) {
    // A second create_dialog() only changes the pinging/BYE flags (dlg_create_dialog).
    if (flagsText !== undefined) Object.assign(existing.create, parseCreateFlags(flagsText));
    return 1;
  }
  const msg = ctx.msg;
  if (!msg.isRequest || msg.method !== 'INVITE' || msg.to?.tag) return -1;
  const callId = msg.callId?.trim() ?? '';
  const fromTag = msg.from?.tag ?? '';
  if (!callId || !fromTag) {
    rt.logger.log(
      -1,
      'dialog',
      'dlg_create_dialog',
      `invalid request -> callid (${callId.length}) or from TAG (${fromTag.length}) empty`,
    );
    dialogs(rt).stats.failed++;
    return -1;
  }
  const d = addDialog(rt, {
    callId,
    fromUri: msg.from?.uri ?? '',
    toUri: msg.to?.uri ?? '',
    fromTag,
    flags: parseCreateFlags(flagsText),
    caller: {
      cseq: msg.cseq?.num ?? 0,
      routeSet: routeSet(rt, msg.sip, 'caller'),
      contact: contactOf(msg.sip),
      socket: ctx.socketIn,
    },
  });
  d.legs[1].cseq = msg.cseq?.num ?? 0;
  d.legs[0].invCseq = msg.cseq?.num ?? 0;
  setCurrent(ctx, d, 1);
  trackSdp(ctx, d, 0);
  if (matchMode(rt) !== 2) addRrParam(ctx, `;${rrParam(rt)}=${d.did}`);
  dialogs(rt).stats.processed++;
  runDialogCallbacks(rt, d, 'created', { ctx });
  // A dialog whose INVITE never gets an answer through tm (no t_relay, a stateless reply) goes when that
  // transaction could no longer live (fr_inv_timeout plus the wait timer), as OpenSIPS drops one without a transaction.
  const maxLife =
    (Number(rt.param('tm', 'fr_inv_timeout') ?? 120) + Number(rt.param('tm', 'wt_timer') ?? 5) + 32) * 1000;
  rt.timers.after(maxLife, () => {
    if (d.state < DlgState.Confirmed) terminate(rt, d, 'failed', 'Timeout');
  });
  tmHooks(ctx).push({
    responseOut: (code, reply) => {
      if (d.state === DlgState.Deleted) return;
      if (code < 200) {
        if (code > 100 && d.state === DlgState.Unconfirmed) {
          setState(rt, d, DlgState.Early);
          runDialogCallbacks(rt, d, 'early', {});
        }
        return;
      }
      if (code < 300) confirm(rt, d, reply, ctx);
      else terminate(rt, d, 'failed', `Reply ${code}`);
    },
  });
  return 1;
}

/** The 2xx: the callee's leg, the timeout armed, dlg_on_answer's route, the confirmed callbacks. */
export function confirm(rt: Runtime, d: Dialog, reply: SipMessage | undefined, ctx?: ExecContext): void {
  if (d.state >= DlgState.Confirmed) return;
  const to = reply?.to;
  d.toTag = to && !isSipError(to) ? (to.tag ?? '') : '';
  const callee = d.legs[1];
  callee.tag = d.toTag;
  callee.contact = contactOf(reply);
  callee.routeSet = routeSet(rt, reply, 'callee');
  callee.socket = ctx?.socketOut ?? ctx?.socketIn;
  onConfirmedCseq(d, reply);
  d.startedAt = Math.floor(rt.clock.now() / 1000);
  setState(rt, d, DlgState.Confirmed, ctx);
  armTimeout(rt, d, d.timeout, (x) => onTimeout(rt, x));
  if (d.routes.answer) runDialogRoute(rt, d, d.routes.answer);
  runDialogCallbacks(rt, d, 'confirmed', { ctx });
}

/** The timeout fired: dlg_on_timeout's route may re-arm it ($DLG_timeout); else the dialog expires. */
export function onTimeout(rt: Runtime, d: Dialog): void {
  if (d.state === DlgState.Deleted) return;
  if (d.routes.timeout) {
    runDialogRoute(rt, d, d.routes.timeout);
    if (d.timer) return;
  }
  rt.logger.log(2, 'dialog', 'dlg_ontimeout', `dialog ${d.did} (${d.callId}) timed out`);
  // B flag: a confirmed dialog that times out gets a BYE on each side.
  if (d.create.byeOnTimeout && d.state >= DlgState.Confirmed) endDialog(rt, d, 'Lifetime Timeout', 'expired');
  else terminate(rt, d, 'expired', 'Lifetime Timeout');
}

/** $DLG_timeout = N: the remaining lifetime, re-armed at once on a confirmed dialog. */
export function setTimeout(rt: Runtime, d: Dialog, seconds: number): void {
  if (d.state >= DlgState.Confirmed && d.state < DlgState.Deleted) {
    const elapsed = Math.floor(rt.clock.now() / 1000) - d.startedAt;
    d.timeout = elapsed + seconds;
    armTimeout(rt, d, seconds, (x) => onTimeout(rt, x));
  } else d.timeout = seconds;
}
