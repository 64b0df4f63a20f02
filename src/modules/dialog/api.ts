// The dialog module's API for other modules (OpenSIPS's load_dlg_api /
// struct dlg_binds): acc's CDRs, load_balancer, topology_hiding and rr-level
// matching use the dialog only through this file.
//
// - currentDialog(ctx): the dialog of the message being processed
// - createDialog(ctx, flags): create_dialog() (1 / -1)
// - matchDialog(ctx, mode): match_dialog(): by did and/or Call-ID+tags (1 / -1)
// - dialogByDid / dialogByCallId / dialogByTags: lookups
// - onDialogs(rt, events, cb) / onDialog(d, events, cb): register_dlgcb
// - dialogCtx(d, key): per-module data kept with the dialog (dlg_ctx_*)
// - storeValue / fetchValue, setProfile / profileSize: as the script functions
// - setModuleProfile / unsetModuleProfile: a module's own profiles (load_balancer)
// - endDialog(rt, d, reason): BYE both sides and delete (dlg_end_dlg)
// - dialogDirection(ctx): 'downstream' / 'upstream' of the current request
// - legOfToTag / setRequestCseq (and Dialog.cseqEnforce): uac_auth's CSeq inside a dialog (DLG_FLAG_CSEQ_ENFORCE)
import { stateOf, type ServiceKey, type StateKey } from '../../base/keys.js';
import type { ExecContext } from '../../script/context.js';
import type { Runtime } from '../../script/runtime.js';
import { currentDstLeg, dialogs, DlgState, profileKind, profileSize as sizeOf, type Dialog } from './store.js';
import { findByCallId, findByTags } from './match.js';
import { endDialog as end } from './within.js';

export type { Dialog, DlgLeg, CreateFlags } from './store.js';
export { DlgState, TOPOH_ONGOING, currentDialog, currentDstLeg } from './store.js';
export type { DialogEvent, DialogCallback, DialogCallbackInfo } from './callbacks.js';
export { onDialogs, onDialog } from './callbacks.js';
export { createDialog } from './create.js';
export { matchDialog, matchModeOf, type MatchMode } from './match.js';
/** fix_route_dialog(): the R-URI, Route and $du of the current request from its destination leg (1 / -1). */
export { fixRoute as fixRouteDialog } from './functions.js';
export { legOfToTag, setRequestCseq } from './cseq.js';

export function dialogByDid(rt: Runtime, did: string): Dialog | undefined {
  return dialogs(rt).byDid.get(did);
}

/** get_dlg_by_callid: the first live dialog with this Call-ID. */
export function dialogByCallId(rt: Runtime, callId: string): Dialog | undefined {
  return findByCallId(rt, callId);
}

/** get_dlg: the dialog of these Call-ID and tags, with the direction of a request that carries them. */
export function dialogByTags(
  rt: Runtime,
  callId: string,
  fromTag: string,
  toTag: string,
): { dialog: Dialog; direction: 'downstream' | 'upstream' } | undefined {
  const m = findByTags(rt, callId, fromTag, toTag);
  return m && { dialog: m.dialog, direction: m.direction };
}

/** Every dialog in the table (not deleted). */
export function allDialogs(rt: Runtime): Dialog[] {
  return [...dialogs(rt).byDid.values()];
}

/** The current request's direction in its dialog: downstream goes to the callee. */
export function dialogDirection(ctx: ExecContext): 'downstream' | 'upstream' | undefined {
  const leg = currentDstLeg(ctx);
  return leg === undefined ? undefined : leg === 1 ? 'downstream' : 'upstream';
}

/** A module's data kept with the dialog (dlg_ctx_register_* and put/get), made by `init` on first use. */
export function dialogCtx<T>(d: Dialog, key: ServiceKey<T> | StateKey<T>, init: () => T): T {
  return stateOf(d.ctx, key, init);
}

export function storeValue(d: Dialog, name: string, value: string): void {
  d.vals.set(name, value);
}

export function fetchValue(d: Dialog, name: string): string | undefined {
  return d.vals.get(name);
}

/** set_dlg_profile from a module (load_balancer's resources): false for an undeclared profile or a deleted dialog. */
export function setProfile(rt: Runtime, d: Dialog, profile: string, value?: string): boolean {
  const kind = profileKind(rt, profile);
  if (!kind || d.state === DlgState.Deleted) return false;
  const v = kind === 'value' ? value : '';
  if (v === undefined) return false;
  let set = d.profiles.get(profile);
  if (!set) d.profiles.set(profile, (set = new Set()));
  set.add(v);
  return true;
}

export function profileSize(rt: Runtime, profile: string, value?: string): number {
  return sizeOf(rt, profile, value);
}

/** Ends the dialog as dlg_end_dlg does: a BYE to each side (when confirmed), then deleted. */
export function endDialog(rt: Runtime, d: Dialog, reason = 'MI Termination'): boolean {
  return end(rt, d, reason);
}

/**
 * A module's own profile with a value (add_profiles + set_profile, as
 * load_balancer's `lbX<resource>` profiles): not declared in the cfg, so not
 * checked against profiles_with_value. False for a deleted dialog.
 */
export function setModuleProfile(d: Dialog, profile: string, value: string): boolean {
  if (d.state === DlgState.Deleted) return false;
  let set = d.profiles.get(profile);
  if (!set) d.profiles.set(profile, (set = new Set()));
  set.add(value);
  return true;
}

/** unset_profile for a module's own profile: false when the dialog was not in it with this value. */
export function unsetModuleProfile(d: Dialog, profile: string, value: string): boolean {
  const set = d.profiles.get(profile);
  if (!set || !set.delete(value)) return false;
  if (!set.size) d.profiles.delete(profile);
  return true;
}
