// is_from_gw / goes_to_gw / dr_is_gw (_is_dr_gw): is this address (the
// source, the next hop, a URI) one of the gateways, of a type? The flags
// act on a match: s strips and p prefixes the R-URI user as the gateway
// says, i pushes its id into gw_id_avp, c its first carrier's id into
// carrier_id_avp; n ignores the port, r checks the protocol. Gateways are
// compared by address as loaded (a hostname is not resolved).
import type { ExecContext } from '../../script/context.js';
import type { ArgValue } from '../types.js';
import { joinUri, splitUri, uriParam } from '../../script/uri-fields.js';
import { drData, type Gateway } from './data.js';
import { avpNames } from './routing.js';

export const IFG = { strip: 1, prefix: 2, ids: 4, ignorePort: 8, checkProto: 16, carrierId: 32 } as const;

/** fix_gw_flags: s p i n r c; other letters are warned about at start-up and ignored. */
export function gwFlags(text: string | undefined): number {
  const map: Record<string, number> = {
    s: IFG.strip,
    p: IFG.prefix,
    i: IFG.ids,
    n: IFG.ignorePort,
    r: IFG.checkProto,
    c: IFG.carrierId,
  };
  let f = 0;
  for (const c of text ?? '') f |= map[c] ?? 0;
  return f;
}

/** rewrite_ruri RW_RURI_STRIP / RW_RURI_PREFIX on the R-URI's user. */
function editUser(ctx: ExecContext, edit: (user: string) => string): void {
  const u = splitUri(ctx.ruri);
  if (!u) return;
  ctx.ruri = joinUri({ ...u, user: edit(u.user ?? '') });
}

function matches(gw: Gateway, host: string, port: number, proto: string): boolean {
  return (
    (gw.port === 0 || gw.port === 1 || port === 0 || gw.port === port) &&
    (gw.proto === '' || proto === '' || gw.proto === proto) &&
    gw.host === host.replace(/^\[|\]$/g, '').toLowerCase()
  );
}

export function isGw(
  ctx: ExecContext,
  type: number,
  flags: number,
  host: string,
  port: number,
  proto: string,
  gwAttrs: ArgValue | undefined,
  carrierAttrs: ArgValue | undefined,
): number {
  const d = drData(ctx.runtime);
  const avps = avpNames(ctx);
  const byId = [...d.gateways.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const gw = byId.find(
    (g) =>
      (type < 0 || g.type === type) &&
      matches(g, host, flags & IFG.ignorePort ? 0 : port, flags & IFG.checkProto ? proto : ''),
  );
  if (!gw) return -1;
  if (flags & IFG.strip && gw.strip > 0) editUser(ctx, (user) => user.slice(gw.strip));
  if (flags & IFG.prefix && gw.priPrefix !== undefined) {
    if (avps.priPrefix) ctx.avpStack(avps.priPrefix).push(gw.priPrefix);
    editUser(ctx, (user) => gw.priPrefix + user);
  }
  if (gwAttrs?.given) gwAttrs.pv?.set(ctx, gw.attrs);
  if (flags & IFG.ids) ctx.avpStack(avps.gwId).push(gw.id);
  if ((flags & IFG.carrierId && avps.carrierId) || carrierAttrs?.given) {
    const carriers = [...d.carriers.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const cr = carriers.find((c) => c.dsts.some((x) => x.gw === gw));
    if (cr) {
      if (flags & IFG.carrierId && avps.carrierId) ctx.avpStack(avps.carrierId).unshift(cr.id);
      if (carrierAttrs?.given) carrierAttrs.pv?.set(ctx, cr.attrs);
    }
  }
  return 1;
}

/** _uri_to_ip_port: host, port (0 when absent) and protocol ('' when absent) of a URI. */
export function uriTarget(uri: string): { host: string; port: number; proto: string } | undefined {
  const u = splitUri(uri.trim().replace(/^<|>$/g, ''));
  if (!u || !u.host) return undefined;
  return {
    host: u.host,
    port: u.port ? Number(u.port) : 0,
    proto: uriParam(u.params, 'transport')?.toLowerCase() ?? '',
  };
}
