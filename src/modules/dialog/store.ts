// The dialogs create_dialog() makes: states as OpenSIPS numbers them
// (1 unconfirmed, 2 early, 3 confirmed, 4 established after the ACK, 5
// deleted), driven by the INVITE transaction's replies and by the in-dialog
// requests matched to them (match.ts); the timeout starts at the 2xx;
// profiles count a dialog until it is deleted. Each dialog keeps its two
// legs (tag, CSeq of the requests towards it, route set, contact, socket)
// so that the proxy can send requests of its own inside it (within.ts).
import type { TimerHandle } from '../../base/clock.js';
import type { ExecContext } from '../../script/context.js';
import type { Runtime } from '../../script/runtime.js';
import type { Val } from '../../script/values.js';
import type { SocketInfo } from '../../net/types.js';
import { serviceKey, stateKey } from '../../base/keys.js';
import { runDialogCallbacks, type DialogEvent } from './callbacks.js';
import { TM_HOOKS, tmHooks, type TmHooks } from '../tm/api.js';

export const enum DlgState {
  Unconfirmed = 1,
  Early = 2,
  Confirmed = 3,
  Established = 4,
  Deleted = 5,
}

/** One side of the dialog: what the proxy needs to send a request towards it. */
export interface DlgLeg {
  tag: string;
  /** The CSeq of the last request sent towards this leg (its peer's CSeq space). */
  cseq: number;
  /** The CSeq before the last request (validate_dialog compares with it); 0 while none. */
  prevCseq: number;
  /** The CSeq of the last INVITE this leg's peer sent towards it: its ACK carries the same. */
  invCseq: number;
  /** The last CSeq the proxy generated towards this leg (pings, BYEs); 0 while none. */
  lastGenCseq: number;
  /** Route set towards this leg, in sending order. */
  routeSet: string[];
  contact: string;
  socket: SocketInfo | undefined;
  /** The OPTIONS ping towards this leg (reply_received) and the re-INVITE one (reinvite_confirmed). */
  optionsPing: PingState;
  reinvitePing: PingState;
  /** The SDP this leg sent (in) and the SDP sent to it (out): the body of a re-INVITE ping. */
  inSdp: string;
  outSdp: string;
  /**
   * cseq_maps: the INVITEs this leg sent whose CSeq the proxy raised on the
   * way out (its number -> the number sent), so that their ACKs get the same.
   */
  readonly cseqMaps: Map<number, number>;
}

/** DLG_PING_SUCCESS (also: never pinged), DLG_PING_PENDING, DLG_PING_FAIL. */
export const enum PingState {
  Success = 0,
  Pending = 1,
  Fail = 2,
}

/** create_dialog's flags (B, P, p, R, r). */
export interface CreateFlags {
  byeOnTimeout: boolean;
  pingCaller: boolean;
  pingCallee: boolean;
  reinvitePingCaller: boolean;
  reinvitePingCallee: boolean;
}

export interface Dialog {
  /** "h_entry.h_id" in hex, as the `did` Record-Route parameter carries it. */
  readonly did: string;
  /** The numeric id MI prints (h_entry << 32 | h_id). */
  readonly id: bigint;
  readonly callId: string;
  readonly fromUri: string;
  readonly toUri: string;
  /** The caller's tag (legs[0].tag). */
  readonly fromTag: string;
  /** The callee's tag once a reply set it. */
  toTag: string;
  state: DlgState;
  readonly createdAt: number;
  /** Unix seconds of the 2xx; 0 before it. */
  startedAt: number;
  /** Seconds, from the 2xx. */
  timeout: number;
  timer?: TimerHandle;
  /** Profile name -> values the dialog is in ('' for a profile without value). */
  readonly profiles: Map<string, Set<string>>;
  readonly vals: Map<string, string>;
  /** The script's dialog flags (set_dlg_flag, $DLG_flags). */
  flags: number;
  /** Module flags (the dlg API's set_mod_flag). */
  modFlags: number;
  readonly create: CreateFlags;
  /** [caller, callee]. */
  readonly legs: [DlgLeg, DlgLeg];
  /** Why it ended ($DLG_end_reason): "Upstream BYE", "Lifetime Timeout"... */
  endReason?: string;
  /**
   * DLG_FLAG_CSEQ_ENFORCE: the proxy raised a CSeq in this dialog (uac_auth);
   * the 2xx then sets the callee leg's lastGenCseq and requests towards a leg
   * with one get the next number (cseq.ts).
   */
  cseqEnforce?: boolean;
  /** The pinging timers (create_dialog's P/p and R/r), from the ACK on. */
  pingTimers?: { options?: TimerHandle; reinvite?: TimerHandle; check?: TimerHandle };
  /** Routes to run on the 2xx, on the timeout, on the hangup (dlg_on_answer/timeout/hangup). */
  routes: { answer?: string; timeout?: string; hangup?: string };
  /** Per-module data (the dlg context of dlg_ctx_register_*): keyed like the message state, by module keys. */
  readonly ctx: Map<string, unknown>;
  /** Callbacks registered on this dialog (register_dlgcb on a dlg). */
  readonly callbacks: { events: ReadonlySet<DialogEvent>; cb: import('./callbacks.js').DialogCallback }[];
}

/** A module flag topology_hiding sets on its dialogs: validate_dialog skips the contact and route checks. */
export const TOPOH_ONGOING = 1 << 0;

export interface DialogStats {
  processed: number;
  expired: number;
  failed: number;
}

export interface DialogTable {
  byDid: Map<string, Dialog>;
  seq: number;
  stats: DialogStats;
}

const TABLE = serviceKey<DialogTable>('dialog:table');
/** The dialog the message belongs to (create_dialog, or a match). */
const CURRENT = stateKey<Dialog>('dialog:current');
/** The leg the current request goes to (0 caller, 1 callee), as OpenSIPS's ctx_lastdstleg. */
const DST_LEG = stateKey<0 | 1>('dialog:dst-leg');

export function dialogs(rt: Runtime): DialogTable {
  return rt.service(TABLE, () => ({ byDid: new Map(), seq: 0, stats: { processed: 0, expired: 0, failed: 0 } }));
}

/**
 * The dialog kept with the request's transaction (OpenSIPS's
 * dlg_set_tm_dialog_ctx): failure_route, which runs on a context of its own,
 * finds the dialog there.
 */
class TransactionDialog implements TmHooks {
  constructor(
    readonly dialog: Dialog,
    readonly dstLeg: 0 | 1,
  ) {}

  /** Nothing to do on the events: the object only rides with the transaction. */
  failed(): void {}
}

function transactionDialog(ctx: ExecContext): TransactionDialog | undefined {
  return ctx.state(TM_HOOKS)?.find((h): h is TransactionDialog => h instanceof TransactionDialog);
}

export function currentDialog(ctx: ExecContext): Dialog | undefined {
  return ctx.state(CURRENT) ?? transactionDialog(ctx)?.dialog;
}

export function setCurrent(ctx: ExecContext, d: Dialog, dstLeg: 0 | 1 = 1): void {
  ctx.setState(CURRENT, d);
  ctx.setState(DST_LEG, dstLeg);
  if (!transactionDialog(ctx)) tmHooks(ctx).push(new TransactionDialog(d, dstLeg));
}

/**
 * load_dialog_ctx / unload_dialog_ctx: `d` becomes the message's current
 * dialog (ctx_dialog_set only: no transaction, no leg); the one it had before
 * is returned (undefined: none). Passing undefined clears it.
 */
export function swapCurrent(ctx: ExecContext, d: Dialog | undefined): Dialog | undefined {
  const before = ctx.state(CURRENT);
  if (d) ctx.setState(CURRENT, d);
  else ctx.clearState(CURRENT);
  return before;
}

/** The leg the current request goes to: 1 (callee) downstream, 0 (caller) upstream. */
export function currentDstLeg(ctx: ExecContext): 0 | 1 | undefined {
  return ctx.state(DST_LEG) ?? transactionDialog(ctx)?.dstLeg;
}

export function parseCreateFlags(text: string | undefined): CreateFlags {
  const f = text ?? '';
  const flags = {
    byeOnTimeout: f.includes('B'),
    pingCaller: f.includes('P'),
    pingCallee: f.includes('p'),
    reinvitePingCaller: f.includes('R'),
    reinvitePingCallee: f.includes('r'),
  };
  // Both OPTIONS and re-INVITE pinging of one side: re-INVITE wins (w_create_dialog).
  if (flags.reinvitePingCaller) flags.pingCaller = false;
  if (flags.reinvitePingCallee) flags.pingCallee = false;
  return flags;
}

function newLeg(tag: string): DlgLeg {
  return {
    tag,
    cseq: 0,
    prevCseq: 0,
    invCseq: 0,
    lastGenCseq: 0,
    routeSet: [],
    contact: '',
    socket: undefined,
    optionsPing: PingState.Success,
    reinvitePing: PingState.Success,
    inSdp: '',
    outSdp: '',
    cseqMaps: new Map(),
  };
}

export interface NewDialog {
  callId: string;
  fromUri: string;
  toUri: string;
  fromTag: string;
  flags: CreateFlags;
  /** The caller leg as the INVITE shows it. */
  caller: Pick<DlgLeg, 'cseq' | 'routeSet' | 'contact' | 'socket'>;
  /** Restored dialogs keep their id; new ones get the next. */
  did?: string;
  createdAt?: number;
}

export function addDialog(rt: Runtime, n: NewDialog): Dialog {
  const t = dialogs(rt);
  let did = n.did;
  let id: bigint;
  if (did) {
    const [e, i] = did.split('.').map((x) => parseInt(x, 16));
    id = (BigInt(e ?? 0) << 32n) | BigInt(i ?? 0);
    t.seq = Math.max(t.seq, i ?? 0);
  } else {
    const seq = ++t.seq;
    const entry = seq % 4096;
    did = `${entry.toString(16)}.${seq.toString(16)}`;
    id = (BigInt(entry) << 32n) | BigInt(seq);
  }
  const d: Dialog = {
    did,
    id,
    callId: n.callId,
    fromUri: n.fromUri,
    toUri: n.toUri,
    fromTag: n.fromTag,
    toTag: '',
    state: DlgState.Unconfirmed,
    createdAt: n.createdAt ?? Math.floor(rt.clock.now() / 1000),
    startedAt: 0,
    timeout: Number(rt.param('dialog', 'default_timeout') ?? 43200),
    profiles: new Map(),
    vals: new Map(),
    flags: 0,
    modFlags: 0,
    create: n.flags,
    legs: [{ ...newLeg(n.fromTag), ...n.caller }, newLeg('')],
    routes: {},
    ctx: new Map(),
    callbacks: [],
  };
  t.byDid.set(d.did, d);
  return d;
}

/** Moves the dialog to `state`, running the callbacks of the transition and E_DLG_STATE_CHANGED. */
export function setState(rt: Runtime, d: Dialog, state: DlgState, ctx?: ExecContext): void {
  const old = d.state;
  if (old === state) return;
  d.state = state;
  runDialogCallbacks(rt, d, 'stateChanged', { ctx, oldState: old });
}

/** Deleted: out of the table and of every profile; `event` says why (terminated by BYE, expired, failed). */
export function terminate(
  rt: Runtime,
  d: Dialog,
  event: 'terminated' | 'expired' | 'failed' = 'terminated',
  reason?: string,
  ctx?: ExecContext,
): void {
  if (d.state === DlgState.Deleted) return;
  if (reason && !d.endReason) d.endReason = reason;
  d.timer?.cancel();
  d.timer = undefined;
  for (const t of Object.values(d.pingTimers ?? {})) t?.cancel();
  d.pingTimers = undefined;
  const stats = dialogs(rt).stats;
  if (event === 'expired') stats.expired++;
  if (event === 'failed') stats.failed++;
  setState(rt, d, DlgState.Deleted, ctx);
  runDialogCallbacks(rt, d, event, { ctx });
  d.profiles.clear();
  dialogs(rt).byDid.delete(d.did);
  runDialogCallbacks(rt, d, 'destroy', { ctx });
}

/** The dialog's timeout timer, (re)armed `seconds` from now; `onExpire` runs when it fires. */
export function armTimeout(rt: Runtime, d: Dialog, seconds: number, onExpire: (d: Dialog) => void): void {
  d.timer?.cancel();
  d.timer = rt.timers.after(Math.max(0, seconds) * 1000, () => {
    d.timer = undefined;
    onExpire(d);
  });
}

/** "a;b/s;c": the names, without their sharing suffix. */
export function profileNames(spec: string | number | undefined): Set<string> {
  return new Set(
    String(spec ?? '')
      .split(';')
      .map((p) => p.trim().replace(/\/[sb]$/, ''))
      .filter(Boolean),
  );
}

/** Declared with `/s` (shared over a cluster; MI shows it). */
export function profileShared(rt: Runtime, name: string): boolean {
  return [rt.param('dialog', 'profiles_with_value'), rt.param('dialog', 'profiles_no_value')].some((spec) =>
    String(spec ?? '')
      .split(';')
      .some((p) => p.trim() === `${name}/s`),
  );
}

export function profileKind(rt: Runtime, name: string): 'value' | 'novalue' | undefined {
  if (profileNames(rt.param('dialog', 'profiles_with_value')).has(name)) return 'value';
  if (profileNames(rt.param('dialog', 'profiles_no_value')).has(name)) return 'novalue';
  return undefined;
}

/** Every declared profile, with values or not, in cfg order. */
export function allProfiles(rt: Runtime): { name: string; hasValue: boolean }[] {
  return [
    ...[...profileNames(rt.param('dialog', 'profiles_with_value'))].map((name) => ({ name, hasValue: true })),
    ...[...profileNames(rt.param('dialog', 'profiles_no_value'))].map((name) => ({ name, hasValue: false })),
  ];
}

/** The dialogs in `profile` (with `value`, when given). */
export function profileDialogs(rt: Runtime, profile: string, value: string | undefined): Dialog[] {
  return [...dialogs(rt).byDid.values()].filter((d) => {
    const vals = d.profiles.get(profile);
    return vals && (value === undefined || vals.has(value));
  });
}

/** Dialogs in `profile` (with `value`, when given); a dialog in it with two values counts twice. */
export function profileSize(rt: Runtime, profile: string, value: string | undefined): number {
  let n = 0;
  for (const d of dialogs(rt).byDid.values()) {
    const vals = d.profiles.get(profile);
    if (!vals) continue;
    n += value === undefined ? vals.size || 1 : vals.has(value) ? 1 : 0;
  }
  return n;
}

export function lifetime(rt: Runtime, d: Dialog): Val {
  return Math.floor(rt.clock.now() / 1000) - d.createdAt;
}
