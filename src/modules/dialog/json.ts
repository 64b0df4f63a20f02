// A dialog as OpenSIPS prints it for the script ($DLG_json,
// get_dialogs_by_profile: dlg_get_json_out) and for MI (dlg_list).
import type { Runtime } from '../../script/runtime.js';
import type { SocketInfo } from '../../net/types.js';
import type { Dialog, DlgLeg } from './store.js';

export function socketString(s: SocketInfo | undefined): string {
  return s ? `${s.proto}:${s.ip}:${s.port}` : '';
}

function routeSet(l: DlgLeg): string {
  return l.routeSet.map((r) => `<${r}>`).join(',');
}

/** Unix seconds the dialog's timer fires at, 0 when none is running. */
export function timeoutAt(rt: Runtime, d: Dialog): number {
  return d.timer && d.startedAt ? d.startedAt + d.timeout : 0;
}

function legJson(l: DlgLeg): Record<string, string> {
  return {
    tag: l.tag,
    contact: l.contact,
    cseq: String(l.cseq),
    route_set: routeSet(l),
    bind_addr: socketString(l.socket),
    sdp: '',
  };
}

/** dlg_get_json_out: every value a string; values and profiles only with `withCtx` ($DLG_ctx_json, by profile). */
export function dialogJson(rt: Runtime, d: Dialog, withCtx: boolean): string {
  const o: Record<string, unknown> = {
    ID: d.id.toString(),
    state: String(d.state),
    user_flags: String(d.flags),
    callid: d.callId,
    timestart: String(d.startedAt),
    timeout: String(timeoutAt(rt, d)),
    from_uri: d.fromUri,
    to_uri: d.toUri,
    caller: legJson(d.legs[0]),
    callees: d.toTag ? [legJson(d.legs[1])] : [],
  };
  if (withCtx && d.vals.size) {
    const vals: Record<string, string> = {};
    // Values with bytes outside printable ASCII are left out, as OpenSIPS does.
    for (const [k, v] of d.vals) if (/^[\x20-\x7e]*$/.test(v)) vals[k] = v;
    o.values = vals;
  }
  if (withCtx && d.profiles.size) {
    const profiles: Record<string, string[]> = {};
    for (const [name, values] of d.profiles) profiles[name] = [...values];
    o.profiles = profiles;
  }
  return JSON.stringify(o);
}
