// The dialogs create_dialog() makes: states as OpenSIPS numbers them
// (1 unconfirmed, 2 early, 3 confirmed, 4 established after the ACK, 5
// deleted), driven by the INVITE transaction's replies and by the in-dialog
// requests loose_route() matches through our Record-Route's `did`; the
// timeout starts at the 2xx; profiles count a dialog until it is deleted.
import type { TimerHandle } from '../../base/clock.js';
import type { ExecContext } from '../../script/context.js';
import type { Runtime } from '../../script/runtime.js';
import type { Val } from '../../script/values.js';
import { serviceKey, stateKey } from '../../base/keys.js';

export const enum DlgState {
  Unconfirmed = 1,
  Early = 2,
  Confirmed = 3,
  Established = 4,
  Deleted = 5,
}

export interface Dialog {
  readonly did: string;
  readonly callId: string;
  readonly fromTag: string;
  toTag: string;
  state: DlgState;
  readonly createdAt: number;
  startedAt: number;
  /** Seconds, from the 2xx. */
  timeout: number;
  timer?: TimerHandle;
  /** Profile name -> values the dialog is in ('' for a profile without value). */
  readonly profiles: Map<string, Set<string>>;
  readonly vals: Map<string, string>;
  flags: number;
}

interface DialogTable {
  byDid: Map<string, Dialog>;
  seq: number;
}

const TABLE = serviceKey<DialogTable>('dialog:table');
/** The dialog the message belongs to (create_dialog, or loose_route's match). */
const CURRENT = stateKey<Dialog>('dialog:current');

export function dialogs(rt: Runtime): DialogTable {
  return rt.service(TABLE, () => ({ byDid: new Map(), seq: 0 }));
}

export function currentDialog(ctx: ExecContext): Dialog | undefined {
  return ctx.state(CURRENT);
}

export function setCurrent(ctx: ExecContext, d: Dialog): void {
  ctx.setState(CURRENT, d);
}

export function createDialog(ctx: ExecContext): Dialog {
  const rt = ctx.runtime;
  const t = dialogs(rt);
  const id = ++t.seq;
  const now = Math.floor(rt.clock.now() / 1000);
  const d: Dialog = {
    did: `${(id % 4096).toString(16)}.${id.toString(16)}`,
    callId: ctx.msg.callId ?? '',
    fromTag: ctx.msg.from?.tag ?? '',
    toTag: '',
    state: DlgState.Unconfirmed,
    createdAt: now,
    startedAt: 0,
    timeout: Number(rt.param('dialog', 'default_timeout') ?? 43200),
    profiles: new Map(),
    vals: new Map(),
    flags: 0,
  };
  t.byDid.set(d.did, d);
  return d;
}

/** Deleted: out of the table and of every profile. */
export function terminate(rt: Runtime, d: Dialog): void {
  if (d.state === DlgState.Deleted) return;
  d.state = DlgState.Deleted;
  d.timer?.cancel();
  d.profiles.clear();
  dialogs(rt).byDid.delete(d.did);
}

export function confirm(rt: Runtime, d: Dialog, toTag: string): void {
  if (d.state >= DlgState.Confirmed) return;
  d.state = DlgState.Confirmed;
  d.toTag = toTag;
  d.startedAt = Math.floor(rt.clock.now() / 1000);
  d.timer = rt.timers.after(d.timeout * 1000, () => {
    rt.logger.log(2, 'dialog', 'dlg_ontimeout', `dialog ${d.did} (${d.callId}) timed out`);
    terminate(rt, d);
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

/** Dialogs in `profile` (with `value`, when given). */
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
