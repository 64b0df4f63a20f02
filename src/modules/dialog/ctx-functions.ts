// The dialog functions that reach dialogs other than the message's own
// (dialog.c): get_dialog_vals and get_dialogs_by_val look dialogs up by
// Call-ID or by a value; load_dialog_ctx/unload_dialog_ctx make another
// dialog the current one for a while; set_dlg_sharing_tag names the
// dialog's sharing tag for replication.
import { put, serviceKey } from '../../base/keys.js';
import type { ExecContext } from '../../script/context.js';
import type { FunctionBehaviour } from '../types.js';
import { dialogJson } from './json.js';
import { findByCallId } from './match.js';
import { currentDialog, dialogs, swapCurrent, type Dialog } from './store.js';

/** dlg_ctx_loaded and load_ctx_backup: one load at a time per process, as 3.3's statics (a second load is -1 until the unload). */
const LOADED = serviceKey<{ on: boolean; backup: Dialog | undefined }>('dialog:ctx-loaded');

/** The sharing tag set_dlg_sharing_tag gave a dialog (kept with the dialog; replication itself is not native). */
export const SHARING_TAG = serviceKey<string>('dialog:sharing-tag');

function loadMode(word: string | undefined): 'callid' | 'did' | undefined {
  const w = (word ?? 'callid').toLowerCase();
  return w === 'callid' || w === 'did' ? w : undefined;
}

export const DIALOG_CTX_FUNCTIONS: Record<string, FunctionBehaviour> = {
  get_dialog_vals: {
    // Every value of the dialog with this Call-ID: names into the first AVP, values into the second (newest first, as 3.3's list); -1 for no dialog.
    returns: [1, -1],
    impl: (ctx, [names, values, callId]) => {
      const d = findByCallId(ctx.runtime, callId?.str ?? '');
      if (!d) return -1;
      for (const [name, value] of [...d.vals].reverse()) {
        names?.pv?.set(ctx, name);
        values?.pv?.set(ctx, value);
      }
      return 1;
    },
  },
  get_dialogs_by_val: {
    // The dialogs whose value `name` is `value`: each one's JSON into the AVP, their number into the variable; -1 for none.
    impl: (ctx, [name, value, out, count]) => {
      const rt = ctx.runtime;
      let n = 0;
      for (const d of dialogs(rt).byDid.values()) {
        if (d.vals.get(name?.str ?? '') !== (value?.str ?? '')) continue;
        out?.pv?.set(ctx, dialogJson(rt, d, true));
        n++;
      }
      if (!n) return -1;
      count?.pv?.set(ctx, n);
      return n;
    },
  },
  set_dlg_sharing_tag: {
    // 1 without dialog_replication_cluster (nothing to do); with it, -1 without a dialog.
    returns: [1, -1],
    impl: (ctx, [tag]) => {
      const rt = ctx.runtime;
      if (!Number(rt.param('dialog', 'dialog_replication_cluster') ?? 0)) return 1;
      const d = currentDialog(ctx);
      if (!d) {
        rt.logger.log(-1, 'dialog', 'w_set_dlg_shtag', 'Unable to fetch dialog');
        return -1;
      }
      put(d.ctx, SHARING_TAG, tag?.str ?? '');
      return 1;
    },
  },
  load_dialog_ctx: {
    returns: [1, -1],
    fixup: (args, report) => {
      const m = args[1];
      if (m?.kind === 'string' && !m.dynamic && !loadMode(m.text))
        report(`unsupported dialog indetifier <${m.text}>`, m.span, 'callid or did');
    },
    impl: (ctx, [id, mode]) => loadCtx(ctx, id?.str ?? '', loadMode(mode?.given ? mode.str : undefined)),
  },
  unload_dialog_ctx: {
    returns: [1, -1],
    impl: (ctx) => {
      const s = ctx.runtime.service(LOADED, () => ({ on: false, backup: undefined }));
      if (!s.on) return -1;
      swapCurrent(ctx, s.backup);
      s.on = false;
      s.backup = undefined;
      return 1;
    },
  },
};

/** load_dialog_ctx: the dialog of this Call-ID (or did) becomes the current one; -1 when none or while one is loaded. */
function loadCtx(ctx: ExecContext, id: string, mode: 'callid' | 'did' | undefined): number {
  const rt = ctx.runtime;
  const s = rt.service(LOADED, () => ({ on: false, backup: undefined }));
  if (s.on) {
    rt.logger.log(-1, 'dialog', 'load_dlg_ctx', 'nested call of load dlg ctx');
    return -1;
  }
  if (!mode) return -1;
  const d = mode === 'did' ? dialogs(rt).byDid.get(id) : findByCallId(rt, id);
  if (!d) return -1;
  s.backup = swapCurrent(ctx, d);
  s.on = true;
  return 1;
}
