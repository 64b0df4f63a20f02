// registrar's add_sock_hdr(name) and remove_ip_port(ip, port, domain[, aor]).
import type { ExecContext } from '../../script/context.js';
import { headerEdits } from '../../script/edits.js';
import { splitUri } from '../../script/uri-fields.js';
import { isIPv4 } from '../../sip/host.js';
import type { AorRecord, Binding, UsrlocDomain } from '../usrloc/api.js';
import { usrlocOf } from '../usrloc/api.js';
import { extractAor, settingsOf } from '../common/reg/aor.js';

/** add_sock_hdr(name): `name: proto:ip:port` of the receiving socket (its advertised form if any), after the last header. */
export function addSockHdr(ctx: ExecContext, name: string): number {
  const s = ctx.socketIn;
  const ip = s.advertisedIp ?? s.cfgIp ?? s.ip;
  const port = s.advertisedPort ?? s.cfgPort ?? s.port;
  headerEdits(ctx).push({ op: 'append', text: `${name}: ${s.proto}:${ip}:${port}\r\n` });
  return 1;
}

/** usrloc's next hop of a contact: the first Path hop, else the received URI, else the contact itself. */
function nextHop(b: Binding): { host: string; port: number } | undefined {
  const firstPath = b.path ? /<([^>]+)>/.exec(b.path)?.[1] : undefined;
  const u = splitUri(firstPath ?? b.received ?? b.uri);
  if (!u) return undefined;
  return { host: u.host.replace(/^\[|\]$/g, ''), port: u.port ? Number(u.port) : 5060 };
}

function removeFrom(ctx: ExecContext, d: UsrlocDomain, r: AorRecord, ip: string, port: number): void {
  for (const b of [...r.bindings]) {
    const hop = nextHop(b);
    // Names would need resolving, which 3.3 does synchronously; only literal addresses are compared here.
    if (!hop || !isIPv4(hop.host)) {
      if (hop)
        ctx.runtime.logger.log(
          -1,
          'registrar',
          '_remove_ip_port_urecord',
          `failed to resolve next hop ${hop.host} of contact '${b.uri}'`,
        );
      continue;
    }
    if (hop.host === ip && hop.port === port) d.remove(r, b);
  }
}

/** remove_ip_port(ip, port, domain[, aor]): every contact whose next hop is ip:port goes; 1 whatever was found. */
export function removeIpPort(
  ctx: ExecContext,
  ip: string,
  port: number | undefined,
  domain: string,
  aor: string | undefined,
): number {
  if (!ip || port === undefined) return -1;
  const ul = usrlocOf(ctx.runtime);
  const d = ul.domain(domain);
  if (aor !== undefined) {
    const a = extractAor(aor, ul.useDomain, settingsOf(ctx.runtime, 'registrar'));
    if ('error' in a) return -1;
    const r = d.get(a.aor);
    if (r) removeFrom(ctx, d, r, ip, port);
    return 1;
  }
  for (const r of [...d.records.values()]) removeFrom(ctx, d, r, ip, port);
  return 1;
}
