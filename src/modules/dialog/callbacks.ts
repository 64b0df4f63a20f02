// Dialog callbacks (OpenSIPS's register_dlgcb): other modules (acc's CDRs,
// load_balancer's counters, topology_hiding) learn what happens to a dialog.
// A callback is registered either for every dialog of the server (`created`
// and the rest: OpenSIPS's DLGCB_CREATED registered with no dialog, then per
// dialog) or on one dialog. A failing callback is logged, never thrown into
// the message processing.
import { serviceKey } from '../../base/keys.js';
import type { ExecContext } from '../../script/context.js';
import type { Runtime } from '../../script/runtime.js';
import type { Dialog, DlgState } from './store.js';

/**
 * - created: create_dialog() made it (DLGCB_CREATED)
 * - early / confirmed: a 1xx / the 2xx of its INVITE (DLGCB_EARLY, DLGCB_CONFIRMED)
 * - requestWithin: a sequential request matched it (DLGCB_REQ_WITHIN)
 * - terminated: a BYE (or dlg_end_dlg) ended it (DLGCB_TERMINATED)
 * - expired: its timeout fired (DLGCB_EXPIRED)
 * - failed: its INVITE got a negative final reply or none (DLGCB_FAILED)
 * - destroy: it left the table, whatever the cause (DLGCB_DESTROY)
 * - stateChanged: any change of state (E_DLG_STATE_CHANGED)
 */
export type DialogEvent =
  | 'created'
  | 'early'
  | 'confirmed'
  | 'requestWithin'
  | 'terminated'
  | 'expired'
  | 'failed'
  | 'destroy'
  | 'stateChanged';

export interface DialogCallbackInfo {
  dialog: Dialog;
  event: DialogEvent;
  /** The message processed when it happened (none for timers and MI). */
  ctx?: ExecContext;
  /** For stateChanged: the state before. */
  oldState?: DlgState;
  /** For requestWithin: 'downstream' (from the caller) or 'upstream'. */
  direction?: 'downstream' | 'upstream';
}

export type DialogCallback = (info: DialogCallbackInfo) => void;

interface Registered {
  events: ReadonlySet<DialogEvent>;
  cb: DialogCallback;
}

const GLOBAL = serviceKey<Registered[]>('dialog:callbacks');

/** A callback for these events of every dialog of the server. */
export function onDialogs(rt: Runtime, events: DialogEvent[], cb: DialogCallback): void {
  rt.service(GLOBAL, () => []).push({ events: new Set(events), cb });
}

/** A callback for these events of one dialog. */
export function onDialog(d: Dialog, events: DialogEvent[], cb: DialogCallback): void {
  d.callbacks.push({ events: new Set(events), cb });
}

export function runDialogCallbacks(
  rt: Runtime,
  d: Dialog,
  event: DialogEvent,
  extra: Omit<DialogCallbackInfo, 'dialog' | 'event'> = {},
): void {
  const info: DialogCallbackInfo = { dialog: d, event, ...extra };
  for (const r of [...(rt.service(GLOBAL) ?? []), ...d.callbacks]) {
    if (!r.events.has(event)) continue;
    try {
      r.cb(info);
    } catch (err) {
      rt.logger.log(-1, 'dialog', 'run_dlg_callbacks', `${event} callback failed: ${(err as Error).message}`);
    }
  }
}
