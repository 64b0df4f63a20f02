// mid_registrar_lookup(): in modes 0 and 1 the contact id in the R-URI (ctid
// param, or the user with ct-username) names the local contact to route to;
// in mode 2 the R-URI user is the escaped AoR and a registrar lookup follows.
import type { ExecContext } from '../../script/context.js';
import { splitUri, uriParam } from '../../script/uri-fields.js';
import { usrlocOf } from '../usrloc/api.js';
import { parseLookupFlags } from '../common/reg/flags.js';
import { isValid } from '../usrloc/api.js';
import { registrarLookup } from '../common/reg/lookup.js';
import { midSettings } from './settings.js';

/** The AoR a mode-2 contact user stands for: at_escape_str back to `@` (use_domain), then unescaped. */
export function aorOfUser(
  user: string,
  useDomain: boolean,
  atEscape: string,
  caseSensitive: boolean,
): string | undefined {
  const raw = useDomain && atEscape ? user.replace(atEscape, '@') : user;
  try {
    const aor = decodeURIComponent(raw);
    return aor ? (caseSensitive ? aor : aor.toLowerCase()) : undefined;
  } catch {
    return undefined;
  }
}

export function midRegistrarLookup(
  ctx: ExecContext,
  domainName: string,
  flagsText: string,
  uriArg: string | undefined,
): number {
  const f = parseLookupFlags(flagsText);
  if (f.error) return -3;
  const rt = ctx.runtime;
  const p = splitUri(uriArg ?? ctx.ruri);
  if (!p) return -1;
  const s = midSettings(rt);
  if (s.mode === 2) {
    const aor = aorOfUser(p.user ?? '', usrlocOf(rt).useDomain, s.atEscape, s.caseSensitive);
    return aor ? registrarLookup(ctx, domainName, flagsText, undefined, { aor, mod: 'mid_registrar' }) : -1;
  }
  const byUser = String(rt.param('mid_registrar', 'contact_id_insertion') ?? 'ct-param').startsWith('ct-user');
  const id = byUser ? p.user : uriParam(p.params, String(rt.param('mid_registrar', 'contact_id_param') || 'ctid'));
  if (!id || !/^\d+$/.test(id)) return -1;
  const hit = usrlocOf(rt).domain(domainName).byContactId(id);
  if (!hit || !isValid(hit.binding, Math.floor(rt.clock.now() / 1000))) return -1;
  const b = hit.binding;
  if (!f.branchesOnly) ctx.ruri = b.uri;
  const du = b.path ? b.path.replace(/^<|>.*$/g, '') : b.received;
  if (du) ctx.du = du;
  ctx.branchFlags[0] = (ctx.branchFlags[0] ?? 0) | b.cflags;
  const socket = b.socket ? rt.findSocket(b.socket) : undefined;
  if (socket) ctx.socketOut = socket;
  return 1;
}
