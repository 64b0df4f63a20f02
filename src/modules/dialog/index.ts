// dialog: create_dialog() on an initial INVITE, its state from the
// transaction's replies and the sequential requests matched to it (by the
// `did` Record-Route parameter and/or Call-ID and tags, dlg_match_mode),
// the timeout from the 2xx (dlg_on_timeout, B: BYE both sides), profiles,
// values and flags, validate_dialog/fix_route_dialog, requests of its own
// (dlg_send_sequential, dlg_end_dlg), MI, statistics, E_DLG_STATE_CHANGED,
// and $DLG_*. Other modules use it through api.ts.
import type { NativeModule } from '../types.js';
import { registerRrCallback } from '../rr/index.js';
import { setTimeout as setDlgTimeout } from './create.js';
import { DIALOG_FUNCTIONS } from './functions.js';
import { dbMode, flush, installPersistence, markChanged } from './db.js';
import { dialogJson } from './json.js';
import { onLooseRoute } from './match.js';
import { DIALOG_MI } from './mi.js';
import { DIALOG_STATS, installStateEvent } from './stats.js';
import { currentDialog, currentDstLeg, dialogs, lifetime } from './store.js';

export { DIALOG_MI };

export const dialog: NativeModule = {
  name: 'dialog',
  functions: DIALOG_FUNCTIONS,
  pvs: {
    DLG_count: { takesName: false, get: (ctx) => dialogs(ctx.runtime).byDid.size },
    DLG_status: { takesName: false, get: (ctx) => currentDialog(ctx)?.state ?? null },
    DLG_lifetime: {
      takesName: false,
      get: (ctx) => {
        const d = currentDialog(ctx);
        return d ? lifetime(ctx.runtime, d) : null;
      },
    },
    DLG_did: { takesName: false, get: (ctx) => currentDialog(ctx)?.did ?? null },
    DLG_dir: {
      takesName: false,
      get: (ctx) => {
        const leg = currentDialog(ctx) ? currentDstLeg(ctx) : undefined;
        return leg === undefined ? null : leg === 1 ? 'downstream' : 'upstream';
      },
    },
    DLG_end_reason: { takesName: false, get: (ctx) => currentDialog(ctx)?.endReason ?? null },
    DLG_json: {
      takesName: false,
      get: (ctx) => {
        const d = currentDialog(ctx);
        return d ? dialogJson(ctx.runtime, d, false) : null;
      },
    },
    DLG_ctx_json: {
      takesName: false,
      get: (ctx) => {
        const d = currentDialog(ctx);
        return d ? dialogJson(ctx.runtime, d, true) : null;
      },
    },
    DLG_flags: {
      takesName: false,
      get: (ctx) => currentDialog(ctx)?.flags ?? null,
      set: (ctx, _n, v) => {
        const d = currentDialog(ctx);
        if (!d || typeof v !== 'number') return false;
        d.flags = v >>> 0;
        markChanged(ctx.runtime, d);
        return true;
      },
    },
    DLG_timeout: {
      takesName: false,
      get: (ctx) => currentDialog(ctx)?.timeout ?? null,
      set: (ctx, _n, v) => {
        const d = currentDialog(ctx);
        if (!d || typeof v !== 'number') return false;
        setDlgTimeout(ctx.runtime, d, v);
        markChanged(ctx.runtime, d);
        return true;
      },
    },
    dlg_val: {
      takesName: true,
      get: (ctx, name) => currentDialog(ctx)?.vals.get(name ?? '') ?? null,
      set: (ctx, name, v) => {
        const d = currentDialog(ctx);
        if (!d) return false;
        if (v === null) d.vals.delete(name ?? '');
        else d.vals.set(name ?? '', String(v));
        markChanged(ctx.runtime, d);
        return true;
      },
    },
  },
  init: (rt) => {
    registerRrCallback(rt, onLooseRoute);
    installStateEvent(rt);
    installPersistence(rt);
  },
  mi: DIALOG_MI,
  stats: DIALOG_STATS,
  timers: [
    {
      name: 'dialog-db-flush',
      period: 'db_update_period (db_mode 2)',
      interval: (rt) => (dbMode(rt) === 2 ? Number(rt.param('dialog', 'db_update_period') ?? 60) * 1000 : 0),
      job: (rt) => flush(rt),
    },
  ],
  // db_mode 2 and 3: what is left is written when the server stops (3: everything).
  destroy: (rt) => {
    const mode = dbMode(rt);
    if (mode === 3) for (const d of dialogs(rt).byDid.values()) markChanged(rt, d);
    if (mode === 2 || mode === 3) flush(rt);
  },
};
