// The dialog module's script functions (dialog.c's cmds), with OpenSIPS's
// return codes.
import type { ExecContext } from '../../script/context.js';
import { headerEdits } from '../../script/edits.js';
import { parseUri } from '../../sip/index.js';
import { isSipError } from '../../sip/result.js';
import { urisEqual } from '../../sip/uri-compare.js';
import type { FunctionBehaviour } from '../types.js';
import { createDialog } from './create.js';
import { DIALOG_CTX_FUNCTIONS } from './ctx-functions.js';
import { matchDialog, matchModeOf } from './match.js';
import { dialogJson } from './json.js';
import { legHeaders, sendWithin } from './within.js';
import { markChanged } from './db.js';
import {
  currentDialog,
  currentDstLeg,
  dialogs,
  DlgState,
  profileKind,
  profileSize,
  TOPOH_ONGOING,
  type Dialog,
} from './store.js';

/** Dialog flags are bits 0..31 (fixup_dlg_flag). */
function flagFixup(name: string): FunctionBehaviour['fixup'] {
  return (args, report) => {
    const a = args[0];
    if (a?.kind !== 'number') return;
    const v = Number(a.text);
    if (v < 0) report(`${name}: Negative index`, a.span);
    else if (v > 31) report(`${name}: flag index too high <${v}> (max=31)`, a.span);
  };
}

function withDialog(ctx: ExecContext, fn: (d: Dialog) => number, none = -1): number {
  const d = currentDialog(ctx);
  return d ? fn(d) : none;
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
    markChanged(ctx.runtime, d);
    return 1;
  }
  if (!set || !set.delete(v!)) return -1;
  if (!set.size) d.profiles.delete(name);
  markChanged(ctx.runtime, d);
  return 1;
}

/** The Route URIs the request still carries (loose_route removed ours). */
function remainingRoutes(ctx: ExecContext): string[] {
  const routes = ctx.msg.sip?.routes();
  if (!routes || isSipError(routes)) return [];
  const uris = routes.map((r) => r.uri);
  let i = 0;
  while (i < uris.length) {
    const u = parseUri(uris[i]!);
    if (isSipError(u) || !ctx.runtime.isMyAddress(u.host, u.port)) break;
    i++;
  }
  return uris.slice(i);
}

/**
 * validate_dialog(): 1 valid; -1 a CSeq out of order; -2 the R-URI is not
 * the leg's contact; -3 the route set differs; -4 no dialog (dlg_validate_dialog).
 */
function validate(ctx: ExecContext): number {
  const d = currentDialog(ctx);
  const dst = currentDstLeg(ctx);
  if (!d || dst === undefined) {
    ctx.runtime.logger.log(-1, 'dialog', 'w_validate_dialog', 'null dialog');
    return -4;
  }
  const leg = d.legs[dst];
  const n = ctx.msg.cseq?.num;
  if (n === undefined) return -4;
  if (ctx.msg.method === 'ACK') {
    if (n !== d.legs[dst === 0 ? 1 : 0].invCseq) return -1;
  } else if (n <= leg.prevCseq) return -1;
  if (d.modFlags & TOPOH_ONGOING || !ctx.runtime.modparams.has('rr')) return 1;
  if (d.state <= DlgState.Early) return 1;
  if (leg.contact && !urisEqual(ctx.ruri, leg.contact)) {
    ctx.runtime.logger.log(
      -1,
      'dialog',
      'dlg_validate_dialog',
      `failed to validate remote contact: dlg=[${leg.contact}] , req=[${ctx.ruri}]`,
    );
    return -2;
  }
  const routes = remainingRoutes(ctx);
  if (routes.length !== leg.routeSet.length || routes.some((r, i) => !urisEqual(r, leg.routeSet[i]!))) return -3;
  return 1;
}

/** fix_route_dialog(): the R-URI, Route headers and $du rebuilt from the dialog's leg. */
export function fixRoute(ctx: ExecContext): number {
  const d = currentDialog(ctx);
  const dst = currentDstLeg(ctx);
  if (!d || dst === undefined) return -1;
  const leg = d.legs[dst];
  ctx.du = null;
  if (leg.contact) ctx.ruri = leg.contact;
  const edits = headerEdits(ctx);
  edits.push({ op: 'remove', name: 'Route' });
  if (leg.routeSet.length) {
    edits.push({ op: 'insert', text: `Route: ${leg.routeSet.map((r) => `<${r}>`).join(',')}\r\n` });
    ctx.du = leg.routeSet[0]!;
  }
  return 1;
}

export const DIALOG_FUNCTIONS: Record<string, FunctionBehaviour> = {
  ...DIALOG_CTX_FUNCTIONS,
  create_dialog: {
    returns: [1, -1],
    impl: (ctx, [flags]) => createDialog(ctx, flags?.given ? flags.str : undefined),
  },
  match_dialog: {
    returns: [1, -1],
    fixup: (args, report) => {
      const a = args[0];
      if (a?.kind === 'string' && !a.dynamic && matchModeOf(a.text) === undefined)
        report(`invalid dialog match mode '${a.text}'`, a.span, 'did_only, did_fallback or did_none');
    },
    impl: (ctx, [mode]) => matchDialog(ctx, mode?.given ? matchModeOf(mode.str) : undefined),
  },
  validate_dialog: { returns: [1, -1, -2, -3, -4], impl: (ctx) => validate(ctx) },
  fix_route_dialog: { returns: [1, -1], impl: (ctx) => fixRoute(ctx) },
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
      const kind = profileKind(ctx.runtime, name);
      if (!kind) return -1;
      // A value given for a profile without values is ignored (w_get_profile_size: value && has_value).
      const value = kind === 'value' && v?.given && v.str !== '' ? v.str : undefined;
      out?.pv?.set(ctx, profileSize(ctx.runtime, name, value));
      return 1;
    },
  },
  store_dlg_value: {
    returns: [1, -1],
    impl: (ctx, [n, v]) =>
      withDialog(ctx, (d) => {
        d.vals.set(n?.str ?? '', v?.str ?? '');
        markChanged(ctx.runtime, d);
        return 1;
      }),
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
    fixup: flagFixup('set_dlg_flag'),
    impl: (ctx, [f]) =>
      withDialog(ctx, (d) => {
        d.flags = (d.flags | (1 << (f?.int ?? 0))) >>> 0;
        return 1;
      }),
  },
  reset_dlg_flag: {
    returns: [1, -1],
    fixup: flagFixup('reset_dlg_flag'),
    impl: (ctx, [f]) =>
      withDialog(ctx, (d) => {
        d.flags = (d.flags & ~(1 << (f?.int ?? 0))) >>> 0;
        return 1;
      }),
  },
  is_dlg_flag_set: {
    returns: [1, -1],
    fixup: flagFixup('is_dlg_flag_set'),
    impl: (ctx, [f]) => withDialog(ctx, (d) => (d.flags & (1 << (f?.int ?? 0)) ? 1 : -1)),
  },
  test_and_set_dlg_flag: {
    // 1 when the flag had `value` (it is then flipped), -1 otherwise or on a bad index/value, -2 without a dialog.
    returns: [1, -1, -2],
    impl: (ctx, [i, v]) =>
      withDialog(
        ctx,
        (d) => {
          const index = i?.int ?? -1;
          const value = v?.int ?? -1;
          if (index < 0 || index > 31 || value < 0 || value > 1) return -1;
          const bit = (1 << index) >>> 0;
          if ((d.flags & bit) >>> 0 !== (value ? bit : 0)) return -1;
          d.flags = (value ? d.flags & ~bit : d.flags | bit) >>> 0;
          return 1;
        },
        -2,
      ),
  },
  dlg_on_timeout: routeSetter('timeout'),
  dlg_on_answer: routeSetter('answer'),
  dlg_on_hangup: routeSetter('hangup'),
  get_dialog_info: {
    // The number of dialogs whose value `key` is `key_val` (each one's `attr` pushed to the AVP), -1 for none.
    impl: (ctx, [attr, out, key, keyVal, count]) => {
      let n = 0;
      for (const d of dialogs(ctx.runtime).byDid.values()) {
        if (d.vals.get(key?.str ?? '') !== (keyVal?.str ?? '')) continue;
        const v = d.vals.get(attr?.str ?? '');
        if (v === undefined) {
          ctx.runtime.logger.log(-1, 'dialog', 'w_get_dlg_info', `failed to fetch dialog value <${attr?.str ?? ''}>`);
          return -1;
        }
        out?.pv?.set(ctx, v);
        n++;
      }
      if (!n) return -1;
      count?.pv?.set(ctx, n);
      return n;
    },
  },
  get_dialogs_by_profile: {
    // The number of dialogs in the profile (each one's JSON pushed to the AVP), -1 for none or an unknown profile.
    impl: (ctx, [p, v, out, count]) => {
      const rt = ctx.runtime;
      const name = p?.str ?? '';
      const kind = profileKind(rt, name);
      if (!kind) {
        rt.logger.log(-1, 'dialog', 'w_get_dlg_jsons_by_profile', `NO such profile <${name}>`);
        return -1;
      }
      const value = v?.given && kind === 'value' ? v.str : undefined;
      let n = 0;
      for (const d of dialogs(rt).byDid.values()) {
        const vals = d.profiles.get(name);
        if (!vals || (value !== undefined && !vals.has(value))) continue;
        out?.pv?.set(ctx, dialogJson(rt, d, true));
        n++;
      }
      if (!n) return -1;
      count?.pv?.set(ctx, n);
      return n;
    },
  },
  dlg_send_sequential: {
    returns: [1, -1],
    fixup: (args, report) => {
      const leg = args[1];
      if (leg?.kind === 'string' && !leg.dynamic && !/^(caller|callee)$/i.test(leg.text))
        report(`unsupported dialog indetifier <${leg.text}>`, leg.span);
    },
    impl: (ctx, [method, leg, body, ct, hdrs]) => {
      const d = currentDialog(ctx);
      if (!d) {
        ctx.runtime.logger.log(
          1,
          'dialog',
          'dlg_send_sequential',
          'no current dialog found. Make sure you call this function inside a dialog  context',
        );
        return -1;
      }
      const which = (leg?.str ?? '').toLowerCase();
      if (which !== 'caller' && which !== 'callee') return -1;
      const rt = ctx.runtime;
      const dst = which === 'caller' ? 0 : 1;
      const m = method?.str || 'INVITE';
      if (body?.given && !ct?.given)
        rt.logger.log(
          0,
          'dialog',
          'dlg_send_sequential',
          'body without content type! This request might be rejected by uac!',
        );
      // send_indialog_request: Contact (the other side's), Content-Type, then the caller's headers; a 2xx to an INVITE is ACKed.
      const extra = hdrs?.given && hdrs.str ? hdrs.str.replace(/(\r\n)?$/, '\r\n') : '';
      return sendWithin(rt, d, dst, {
        method: m,
        headers: legHeaders(d, dst, ct?.given ? ct.str : undefined) + extra,
        body: body?.given ? body.str : undefined,
        onFinal: (code) => {
          if (m === 'INVITE' && code >= 200 && code < 300 && d.state !== DlgState.Deleted)
            sendWithin(rt, d, dst, { method: 'ACK' });
        },
      })
        ? 1
        : -1;
    },
  },
};

/** dlg_on_answer/timeout/hangup([route]): without a route, the one set before is dropped. */
function routeSetter(which: 'answer' | 'timeout' | 'hangup'): FunctionBehaviour {
  return {
    returns: [1, -1],
    fixup: (args, report) => {
      // The route must exist (fixup_route): checked by the lint pass over route references.
      void args;
      void report;
    },
    impl: (ctx, [route]) =>
      withDialog(ctx, (d) => {
        const name = route?.given ? route.str : undefined;
        if (name && !ctx.runtime.route('route', name)) return -1;
        d.routes[which] = name || undefined;
        return 1;
      }),
  };
}
