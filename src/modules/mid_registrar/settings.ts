// mid_registrar's modparams as the save/forward/reply steps read them, and
// the expiry a UA asks for (mid-registrar-semantics.md §1).
import type { Contact } from '../../sip/name-addr.js';
import type { Runtime } from '../../script/runtime.js';
import { settingsOf, type RegistrarSettings } from '../common/reg/aor.js';

/** 3.3.10 defects opensips-ts fixes; `--compat NAME` brings the 3.3.10 behaviour back. */
export const COMPAT = {
  /** Mode 2 takes e_out and the De-REGISTER contact from the first Contact of the 2xx, whatever binding it is. */
  replyMatch: 'mid_registrar:reply_match',
  /** tcp_persistent_flag keeps the UA's connection open for good instead of upstream expiry + 10 s. */
  tcpLifetime: 'mid_registrar:tcp_lifetime',
} as const;

export interface MidSettings extends RegistrarSettings {
  mode: 0 | 1 | 2;
  /** OUT: outgoing_expires (default 3600). */
  outgoingExpires: number;
  ctidParam: string;
  /** contact_id_insertion = ct-username. */
  ctidInUser: boolean;
  atEscape: string;
  extraParamsAvp: string | undefined;
}

// Module parameters are fixed once the engine is built: read once per runtime.
const cache = new WeakMap<Runtime, MidSettings>();

export function midSettings(rt: Runtime): MidSettings {
  let s = cache.get(rt);
  if (!s) {
    s = readMidSettings(rt);
    cache.set(rt, s);
  }
  return s;
}

function readMidSettings(rt: Runtime): MidSettings {
  const mode = Number(rt.param('mid_registrar', 'mode') ?? 0);
  const out = rt.param('mid_registrar', 'outgoing_expires');
  const extra = rt.param('mid_registrar', 'extra_contact_params_avp');
  return {
    ...settingsOf(rt, 'mid_registrar'),
    mode: mode === 1 || mode === 2 ? mode : 0,
    outgoingExpires: typeof out === 'number' && out > 0 ? out : 3600,
    ctidParam: String(rt.param('mid_registrar', 'contact_id_param') || 'ctid'),
    ctidInUser: String(rt.param('mid_registrar', 'contact_id_insertion') ?? 'ct-param').startsWith('ct-user'),
    atEscape: String(rt.param('mid_registrar', 'at_escape_str') ?? '%40'),
    extraParamsAvp: typeof extra === 'string' ? /^\$avp\(([^)]+)\)$/.exec(extra)?.[1] : undefined,
  };
}

/** `e` (clamped to [min, max] unless 0) or `e_raw` (unclamped) of one Contact. */
export function requestedExpires(c: Contact, header: number | undefined, s: RegistrarSettings, clamp: boolean): number {
  let e: number;
  if (c.params.expires !== undefined && c.params.expires !== '')
    e = typeof c.expires === 'number' ? c.expires : s.defaultExpires;
  else e = header ?? s.defaultExpires;
  if (!clamp || e === 0) return e;
  if (s.minExpires && e < s.minExpires) e = s.minExpires;
  if (s.maxExpires && e > s.maxExpires) e = s.maxExpires;
  return e;
}
