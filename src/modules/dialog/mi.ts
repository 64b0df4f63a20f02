// The dialog module's MI commands, answering as OpenSIPS 3.3 does
// (dlg_hash.c internal_mi_print_dlg, dlg_profile.c, dlg_req_within.c).
import { MiError } from '../../base/mi.js';
import type { Runtime } from '../../script/runtime.js';
import type { ModuleMi } from '../types.js';
import { socketString, timeoutAt } from './json.js';
import {
  dialogs,
  DlgState,
  allProfiles,
  profileDialogs,
  profileKind,
  profileShared,
  profileSize,
  type Dialog,
} from './store.js';
import { endDialog } from './within.js';
import { syncFromDb } from './db.js';

function date(rt: Runtime, unix: number): string {
  const d = new Date(unix * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** internal_mi_print_dlg. */
export function miDialog(rt: Runtime, d: Dialog, withCtx: boolean): Record<string, unknown> {
  const out = timeoutAt(rt, d);
  const [caller, callee] = d.legs;
  const o: Record<string, unknown> = {
    ID: d.did,
    db_id: d.id.toString(),
    state: d.state,
    user_flags: d.flags,
    timestart: d.startedAt,
    ...(d.startedAt ? { datestart: date(rt, d.startedAt) } : {}),
    timeout: out,
    ...(out ? { dateout: date(rt, out) } : {}),
    callid: d.callId,
    from_uri: d.fromUri,
    to_uri: d.toUri,
    caller_tag: caller.tag,
    caller_contact: caller.contact,
    callee_cseq: String(caller.cseq),
    caller_route_set: caller.routeSet.map((r) => `<${r}>`).join(','),
    caller_bind_addr: socketString(caller.socket),
    CALLEES: d.toTag
      ? [
          {
            callee_tag: callee.tag,
            callee_contact: callee.contact,
            caller_cseq: String(callee.cseq),
            callee_route_set: callee.routeSet.map((r) => `<${r}>`).join(','),
            callee_bind_addr: callee.socket ? socketString(callee.socket) : null,
          },
        ]
      : [],
  };
  if (withCtx) {
    const context: Record<string, unknown> = {};
    if (d.vals.size) context.values = [...d.vals].map(([k, v]) => ({ [k]: v }));
    if (d.profiles.size)
      context.profiles = [...d.profiles].flatMap(([name, values]) => [...values].map((v) => ({ [name]: v })));
    o.context = context;
  }
  return o;
}

function list(rt: Runtime, p: Record<string, unknown>, withCtx: boolean): unknown {
  const all = [...dialogs(rt).byDid.values()];
  if (p.callid !== undefined) {
    const callid = String(p.callid);
    const ftag = p.from_tag === undefined ? undefined : String(p.from_tag);
    const d = all.find((x) => x.callId === callid && (ftag === undefined || x.fromTag === ftag));
    if (!d || d.state === DlgState.Deleted) throw new MiError(404, 'No such dialog');
    return { Dialog: miDialog(rt, d, withCtx) };
  }
  if (p.index !== undefined) {
    const index = Number(p.index);
    const counter = Number(p.counter);
    if (!Number.isInteger(index) || !Number.isInteger(counter)) throw new MiError(-32602, 'Invalid params');
    return {
      count: all.length,
      Dialogs: all.slice(index, index + counter).map((d) => miDialog(rt, d, withCtx)),
    };
  }
  return { Dialogs: all.map((d) => miDialog(rt, d, withCtx)) };
}

/** get_dlg_by_dialog_id: the numeric db_id, else a Call-ID. */
function byDialogId(rt: Runtime, id: string): Dialog | undefined {
  const all = [...dialogs(rt).byDid.values()];
  if (/^\d+$/.test(id)) {
    const n = BigInt(id);
    const d = all.find((x) => x.id === n);
    if (d) return d;
  }
  return all.find((x) => x.callId === id);
}

function profileOrThrow(rt: Runtime, p: Record<string, unknown>): string {
  const name = String(p.profile ?? '');
  if (!profileKind(rt, name)) throw new MiError(404, 'Profile not found');
  return name;
}

export const DIALOG_MI: ModuleMi[] = [
  {
    name: 'dlg_list',
    help: 'the dialogs (all, one by Call-ID [and From tag], or a page: index, counter)',
    recipes: [[], ['callid'], ['callid', 'from_tag'], ['index', 'counter']],
    run: (p, rt) => list(rt, p, false),
  },
  {
    name: 'dlg_list_ctx',
    help: "dlg_list with each dialog's values and profiles",
    recipes: [[], ['callid'], ['callid', 'from_tag'], ['index', 'counter']],
    run: (p, rt) => list(rt, p, true),
  },
  {
    name: 'dlg_end_dlg',
    help: 'ends a dialog (its db_id or Call-ID): a BYE to each side',
    recipes: [['dialog_id'], ['dialog_id', 'extra_hdrs']],
    run: (p, rt) => {
      const d = byDialogId(rt, String(p.dialog_id ?? ''));
      if (!d) throw new MiError(404, 'Requested Dialog not found');
      const hdrs = p.extra_hdrs === undefined ? undefined : String(p.extra_hdrs);
      if (!endDialog(rt, d, 'MI Termination', 'terminated', hdrs)) throw new MiError(500, 'Operation failed');
      return 'OK';
    },
  },
  {
    name: 'profile_get_size',
    help: 'the number of dialogs in a profile (with a value: those with it)',
    recipes: [['profile'], ['profile', 'value']],
    run: (p, rt) => {
      const name = profileOrThrow(rt, p);
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
  {
    name: 'profile_list_dlgs',
    help: 'the dialogs in a profile (with a value: those with it)',
    recipes: [['profile'], ['profile', 'value']],
    run: (p, rt) => {
      const name = profileOrThrow(rt, p);
      const value = p.value === undefined || profileKind(rt, name) !== 'value' ? undefined : String(p.value);
      return { Dialogs: profileDialogs(rt, name, value).map((d) => miDialog(rt, d, false)) };
    },
  },
  {
    name: 'profile_get_values',
    help: 'each value of a profile with its number of dialogs',
    recipes: [['profile']],
    run: (p, rt) => {
      const name = profileOrThrow(rt, p);
      if (profileShared(rt, name)) throw new MiError(405, 'Unsupported command for shared profiles');
      if (profileKind(rt, name) === 'novalue')
        return { Values: [{ value: null, count: profileSize(rt, name, undefined) }] };
      const counts = new Map<string, number>();
      for (const d of dialogs(rt).byDid.values())
        for (const v of d.profiles.get(name) ?? []) counts.set(v, (counts.get(v) ?? 0) + 1);
      return { Values: [...counts].map(([value, count]) => ({ value, count })) };
    },
  },
  {
    name: 'list_all_profiles',
    help: 'every declared profile and whether it takes values',
    recipes: [[]],
    run: (_p, rt) => ({ Profiles: allProfiles(rt).map((x) => ({ name: x.name, 'has value': x.hasValue })) }),
  },
  {
    name: 'dlg_db_sync',
    help: 'reloads the dialogs from the database (db_mode > 0)',
    recipes: [[]],
    run: (_p, rt) => {
      if (!syncFromDb(rt)) throw new MiError(400, 'Dialog persistence (db_mode) is not enabled');
      return 'OK';
    },
  },
];
