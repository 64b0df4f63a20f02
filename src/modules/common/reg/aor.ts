// Address-of-record extraction (lib/reg extract_aor) and the registrar's
// shared settings read from the module parameters.
import type { Runtime } from '../../../script/runtime.js';
import { splitUri } from '../../../script/uri-fields.js';

export interface RegistrarSettings {
  defaultExpires: number;
  minExpires: number;
  maxExpires: number;
  maxContacts: number;
  /** q × 1000, or -1 for unspecified. */
  defaultQ: number;
  caseSensitive: boolean;
  realmPrefix: string;
  receivedAvp?: string;
  receivedParam: string;
  attrAvp?: string;
  tcpPersistentFlag?: string;
  retryAfter: number;
}

const num = (rt: Runtime, mod: string, name: string, dflt: number): number => {
  const v = rt.param(mod, name);
  return typeof v === 'number' ? v : dflt;
};
const str = (rt: Runtime, mod: string, name: string): string | undefined => {
  const v = rt.param(mod, name);
  return typeof v === 'string' && v !== '' ? v : undefined;
};

export function avpName(spec: string | undefined): string | undefined {
  const m = spec ? /^\$avp\(([^)]+)\)$/.exec(spec.trim()) : null;
  return m ? m[1] : undefined;
}

/** min_expires / max_expires defaults of each registrar-like module. */
const EXPIRES_DEFAULTS = { registrar: { min: 60, max: 0 }, mid_registrar: { min: 10, max: 3600 } } as const;
export type RegistrarModule = keyof typeof EXPIRES_DEFAULTS;

// Module parameters are fixed once the engine is built: settings are read once per runtime.
const settingsCache = new WeakMap<Runtime, Map<RegistrarModule, RegistrarSettings>>();

/** Registrar-like settings of `mod` (registrar or mid_registrar), with their module defaults. */
export function settingsOf(rt: Runtime, mod: RegistrarModule): RegistrarSettings {
  let perModule = settingsCache.get(rt);
  if (!perModule) {
    perModule = new Map();
    settingsCache.set(rt, perModule);
  }
  let s = perModule.get(mod);
  if (!s) {
    s = readSettings(rt, mod, EXPIRES_DEFAULTS[mod]);
    perModule.set(mod, s);
  }
  return s;
}

function readSettings(rt: Runtime, mod: RegistrarModule, defaults: { min: number; max: number }): RegistrarSettings {
  const minExpires = num(rt, mod, 'min_expires', defaults.min);
  const maxExpires = num(rt, mod, 'max_expires', defaults.max);
  let defaultExpires = num(rt, mod, 'default_expires', 3600);
  // Adjusted at start-up into [min, max].
  if (minExpires && defaultExpires < minExpires) defaultExpires = minExpires;
  if (maxExpires && defaultExpires > maxExpires) defaultExpires = maxExpires;
  const dq = rt.param(mod, 'default_q');
  const receivedAvp = avpName(str(rt, mod, 'received_avp'));
  const attrAvp = avpName(str(rt, mod, 'attr_avp'));
  const tcpPersistentFlag = str(rt, mod, 'tcp_persistent_flag');
  return {
    defaultExpires,
    minExpires,
    maxExpires,
    maxContacts: num(rt, mod, 'max_contacts', 0),
    defaultQ: typeof dq === 'number' && dq >= 0 ? Math.min(1000, dq) : -1,
    caseSensitive: num(rt, mod, 'case_sensitive', 1) !== 0,
    realmPrefix: str(rt, mod, 'realm_prefix') ?? '',
    receivedParam: str(rt, mod, 'received_param') ?? 'received',
    retryAfter: num(rt, mod, 'retry_after', 0),
    ...(receivedAvp ? { receivedAvp } : {}),
    ...(attrAvp ? { attrAvp } : {}),
    ...(tcpPersistentFlag ? { tcpPersistentFlag } : {}),
  };
}

function unescape(s: string): string | undefined {
  if (s.indexOf('%') < 0) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

export type AorResult = { aor: string } | { error: string; code: number };

/** The AoR of a URI: the user part (and `@host` with use_domain), case rules applied. */
export function extractAor(uri: string, useDomain: boolean, s: RegistrarSettings): AorResult {
  const p = splitUri(uri.startsWith('<') || uri.endsWith('>') ? uri.replace(/^<|>$/g, '') : uri);
  if (!p) return { error: 'Error while parsing AOR', code: 400 };
  const rawUser = p.user ?? '';
  const user = unescape(rawUser);
  if (user === undefined) return { error: 'Error while unescaping username', code: 400 };
  let host = p.host.toLowerCase();
  if (s.realmPrefix && host.startsWith(s.realmPrefix.toLowerCase())) host = host.slice(s.realmPrefix.length);
  if (user.length > 64 || host.length > 64 || user.length + 1 + host.length > 256)
    return { error: 'Address Of Record too long', code: 500 };
  if (!user && !useDomain) return { error: 'Error while parsing AOR', code: 400 };
  const aor = useDomain ? `${user}@${host}` : user;
  return { aor: s.caseSensitive ? aor : aor.toLowerCase() };
}

/** Start-up adjustment of the expiry bounds, logged as lib/reg's reg_init_globals() does (an ERROR line each). */
export function logExpiryAdjustments(rt: Runtime, mod: string, defaults: { min: number; max: number }): void {
  const min = num(rt, mod, 'min_expires', defaults.min);
  let max = num(rt, mod, 'max_expires', defaults.max);
  let dflt = num(rt, mod, 'default_expires', 3600);
  const err = (text: string): void => rt.logger.log(-1, mod, 'reg_init_globals', text);
  if (max && max < min) {
    err(`max_expires (${max}) < min_expires (${min}), bumping max_expires up to ${min}`);
    max = min;
  }
  if (dflt < min) {
    err(`default_expires (${dflt}) < min_expires (${min}), bumping default_expires up to ${min}`);
    dflt = min;
  }
  if (max && dflt > max)
    err(`default_expires (${dflt}) > max_expires (${max}), bumping default_expires down to ${max}`);
}
