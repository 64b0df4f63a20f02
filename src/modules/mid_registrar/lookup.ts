// mid_registrar_lookup() for modes 0 and 1: the contact id in the R-URI (ctid
// param, or the user with ct-username) names the local contact to route to.
import type { ExecContext } from '../../script/context.js';
import { splitUri, uriParam } from '../../script/uri-fields.js';
import { usrlocOf } from '../registrar/aor.js';
import { parseLookupFlags } from '../registrar/flags.js';
import { isValid } from '../usrloc/store.js';

export function midRegistrarLookup(ctx: ExecContext, domainName: string, flagsText: string, uriArg: string | undefined): number {
  const f = parseLookupFlags(flagsText);
  if (f.error) return -3;
  const rt = ctx.runtime;
  const p = splitUri(uriArg ?? ctx.ruri);
  if (!p) return -1;
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
