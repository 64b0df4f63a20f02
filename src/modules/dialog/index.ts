// dialog (the core of it): create_dialog() on an initial INVITE, its state
// from the transaction's replies and the in-dialog requests loose_route()
// matches by the `did` Record-Route parameter, the timeout from the 2xx,
// profiles (set/unset/is_in/get_profile_size), dialog values and flags, and
// $DLG_count/status/lifetime/did/timeout/flags, $dlg_val. Pinging,
// BYE-on-timeout, replication, DB modes and the other functions are not native.
import type { ExecContext } from '../../script/context.js';
import type { ModuleMi, NativeModule } from '../types.js';
import { MiError } from '../../base/mi.js';
import { isSipError } from '../../sip/result.js';
import { tmHooks } from '../common/transaction.js';
import { addRrParam, registerRrCallback } from '../rr/index.js';
import {
  confirm,
  createDialog,
  currentDialog,
  dialogs,
  DlgState,
  lifetime,
  profileKind,
  profileShared,
  profileSize,
  setCurrent,
  terminate,
} from './store.js';

function rrParam(ctx: ExecContext): string {
  return String(ctx.runtime.param('dialog', 'rr_param') ?? 'did') || 'did';
}

function create(ctx: ExecContext): number {
  if (currentDialog(ctx)) return 1;
  if (!ctx.msg.isRequest || ctx.msg.method !== 'INVITE' || ctx.msg.to?.tag) return -1;
  const d = createDialog(ctx);
  setCurrent(ctx, d);
  addRrParam(ctx, `;${rrParam(ctx)}=${d.did}`);
  const rt = ctx.runtime;
  // A dialog whose INVITE never gets an answer through tm (no t_relay, a stateless reply) goes when that
  // transaction could no longer live (fr_inv_timeout plus the wait timer), as OpenSIPS drops one without a transaction.
  const maxLife =
    (Number(rt.param('tm', 'fr_inv_timeout') ?? 120) + Number(rt.param('tm', 'wt_timer') ?? 5) + 32) * 1000;
  rt.timers.after(maxLife, () => {
    if (d.state < DlgState.Confirmed) terminate(rt, d);
  });
  tmHooks(ctx).push({
    responseOut: (code, reply) => {
      if (code < 200) {
        if (code > 100 && d.state === DlgState.Unconfirmed) d.state = DlgState.Early;
        return;
      }
      const to = reply?.to;
      if (code < 300) confirm(rt, d, to && !isSipError(to) ? (to.tag ?? '') : '');
      else terminate(rt, d);
    },
  });
  return 1;
}

/** rr callback: a request routed by our Route with a known did joins its dialog; ACK establishes it, BYE ends it. */
function onLooseRoute(ctx: ExecContext, params: string): void {
  const did = new RegExp(`;${rrParam(ctx)}=([^;>]*)`).exec(params)?.[1];
  const d = did ? dialogs(ctx.runtime).byDid.get(did) : undefined;
  if (!d || d.callId !== ctx.msg.callId) return;
  setCurrent(ctx, d);
  if (ctx.msg.method === 'ACK' && d.state === DlgState.Confirmed) d.state = DlgState.Established;
  else if (ctx.msg.method === 'BYE') terminate(ctx.runtime, d);
}

function profileOp(ctx: ExecContext, name: string, value: string | undefined, op: 'set' | 'unset' | 'is'): number {
  const d = currentDialog(ctx);
  const kind = profileKind(ctx.runtime, name);
  if (!d || !kind || d.state === DlgState.Deleted) return -1;
  const v = kind === 'value' ? value : '';
  if (kind === 'value' && v === undefined && op !== 'is') return -1;
  const set = d.profiles.get(name);
  if (op === 'is') return set && (v === undefined || set.has(v)) ? 1 : -1;
  if (op === 'set') {
    (set ?? d.profiles.set(name, new Set()).get(name)!).add(v!);
    return 1;
  }
  if (!set || !set.delete(v!)) return -1;
  if (!set.size) d.profiles.delete(name);
  return 1;
}

/** MI profile_get_size: the number of dialogs in a profile (with a value: those with it). */
export const DIALOG_MI: ModuleMi[] = [
  {
    name: 'profile_get_size',
    recipes: [['profile'], ['profile', 'value']],
    run: (p, rt) => {
      const name = String(p.profile ?? '');
      if (!profileKind(rt, name)) throw new MiError(404, 'Profile not found');
      const value = p.value === undefined ? undefined : String(p.value);
      return {
        Profile: {
          name,
          value: value ?? null,
          count: profileSize(rt, name, value),
          ...(profileShared(rt, name) ? { shared: 'yes' } : {}),
        },
      };
    },
  },
];

export const dialog: NativeModule = {
  name: 'dialog',
  functions: {
    create_dialog: {
      returns: [1, -1],
      notNativeFor: (args) =>
        args[0]?.kind === 'string' && /[BPp]/.test(args[0].text)
          ? "create_dialog's B, P and p flags (BYE on timeout, pinging) have no native implementation in opensips-ts yet"
          : undefined,
      impl: (ctx) => create(ctx),
    },
    set_dlg_profile: {
      returns: [1, -1],
      impl: (ctx, [p, v]) => profileOp(ctx, p?.str ?? '', v?.given ? v.str : undefined, 'set'),
    },
    unset_dlg_profile: {
      returns: [1, -1],
      impl: (ctx, [p, v]) => profileOp(ctx, p?.str ?? '', v?.given ? v.str : undefined, 'unset'),
    },
    is_in_profile: {
      returns: [1, -1],
      impl: (ctx, [p, v]) => profileOp(ctx, p?.str ?? '', v?.given ? v.str : undefined, 'is'),
    },
    get_profile_size: {
      returns: [1, -1],
      impl: (ctx, [p, v, out]) => {
        const name = p?.str ?? '';
        if (!profileKind(ctx.runtime, name)) return -1;
        out?.pv?.set(ctx, profileSize(ctx.runtime, name, v?.given && v.str !== '' ? v.str : undefined));
        return 1;
      },
    },
    store_dlg_value: {
      returns: [1, -1],
      impl: (ctx, [n, v]) => {
        const d = currentDialog(ctx);
        if (!d) return -1;
        d.vals.set(n?.str ?? '', v?.str ?? '');
        return 1;
      },
    },
    fetch_dlg_value: {
      returns: [1, -1],
      impl: (ctx, [n, out]) => {
        const v = currentDialog(ctx)?.vals.get(n?.str ?? '');
        if (v === undefined) return -1;
        out?.pv?.set(ctx, v);
        return 1;
      },
    },
    set_dlg_flag: {
      returns: [1, -1],
      impl: (ctx, [f]) => {
        const d = currentDialog(ctx);
        if (!d) return -1;
        d.flags |= 1 << (f?.int ?? 0);
        return 1;
      },
    },
    reset_dlg_flag: {
      returns: [1, -1],
      impl: (ctx, [f]) => {
        const d = currentDialog(ctx);
        if (!d) return -1;
        d.flags &= ~(1 << (f?.int ?? 0));
        return 1;
      },
    },
    is_dlg_flag_set: {
      returns: [1, -1],
      impl: (ctx, [f]) => {
        const d = currentDialog(ctx);
        return d && d.flags & (1 << (f?.int ?? 0)) ? 1 : -1;
      },
    },
  },
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
    DLG_flags: { takesName: false, get: (ctx) => currentDialog(ctx)?.flags ?? null },
    DLG_timeout: {
      takesName: false,
      get: (ctx) => currentDialog(ctx)?.timeout ?? null,
      set: (ctx, _n, v) => {
        const d = currentDialog(ctx);
        if (!d || typeof v !== 'number') return false;
        d.timeout = v;
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
        return true;
      },
    },
  },
  init: (rt) => {
    registerRrCallback(rt, onLooseRoute);
  },
  mi: DIALOG_MI,
};
