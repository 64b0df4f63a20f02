// TLS domains as tls_mgm 3.3 defines them (server_domain / client_domain and
// the per-domain `[name]value` parameters), and how a connection finds its
// domain: server side by the listening address and the SNI name, client
// side by the destination address (tls_mgm's find_server_domain /
// find_client_domain). A connection no domain matches is refused, as
// proto_tls does ("no TLS server domain found").
import { readFileSync } from 'node:fs';
import type { SecureContextOptions, SecureVersion } from 'node:tls';
import type { Peer } from './types.js';

export interface TlsDomain {
  name: string;
  side: 'server' | 'client';
  /** `*`, `ip` or `ip:port` (match_ip_address). */
  matchAddresses: string[];
  /** `*`, `none` or shell-style patterns (match_sip_domain). */
  matchSipDomains: string[];
  certificate: string;
  privateKey: string;
  caList?: string;
  verifyCert: boolean;
  requireCert: boolean;
  minVersion?: SecureVersion;
  maxVersion?: SecureVersion;
  ciphers?: string;
  dhParams?: string;
  ecCurve?: string;
  /** A domain of tls_mgm's database table: its PEM contents (what is absent falls back to the file fields). */
  db?: { id: number; cert?: Buffer; key?: Buffer; ca?: Buffer; dh?: Buffer };
}

const METHODS: Record<string, SecureVersion> = {
  tlsv1: 'TLSv1',
  tlsv1_1: 'TLSv1.1',
  tlsv1_2: 'TLSv1.2',
  tlsv1_3: 'TLSv1.3',
};

/** tls_method: `SSLv23` (whatever the library allows), one version, or a range `LOW-HIGH` with either end open. */
export function parseTlsMethod(text: string): { minVersion?: SecureVersion; maxVersion?: SecureVersion } | string {
  const t = text.trim().toLowerCase();
  if (t === 'sslv23') return {};
  const one = (v: string): SecureVersion | undefined | null => (v === '' ? undefined : (METHODS[v] ?? null));
  const dash = t.indexOf('-');
  const lo = one(dash < 0 ? t : t.slice(0, dash));
  const hi = dash < 0 ? lo : one(t.slice(dash + 1));
  if (lo === null || hi === null)
    return `unknown TLS method ${text} (SSLv23, TLSv1, TLSv1_2, TLSv1_3 or a range such as TLSv1_2-)`;
  return { ...(lo ? { minVersion: lo } : {}), ...(hi ? { maxVersion: hi } : {}) };
}

/** The key, certificate and CA options of a domain, read from its files; the error names the file that cannot be read. */
export function domainContext(d: TlsDomain): SecureContextOptions | string {
  const read = (what: string, path: string): Buffer | string => {
    try {
      return readFileSync(path);
    } catch (err) {
      return `TLS domain '${d.name}': cannot read the ${what} file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
    }
  };
  const cert = d.db?.cert ?? read('certificate', d.certificate);
  if (typeof cert === 'string') return cert;
  const key = d.db?.key ?? read('private_key', d.privateKey);
  if (typeof key === 'string') return key;
  const ca = d.db?.ca ?? (d.caList ? read('ca_list', d.caList) : undefined);
  if (typeof ca === 'string') return ca;
  const dh = d.db?.dh ?? (d.dhParams ? read('dh_params', d.dhParams) : undefined);
  if (typeof dh === 'string') return dh;
  return {
    cert,
    key,
    ...(ca ? { ca } : {}),
    ...(dh ? { dhparam: dh } : {}),
    ...(d.minVersion ? { minVersion: d.minVersion } : {}),
    ...(d.maxVersion ? { maxVersion: d.maxVersion } : {}),
    ...(d.ciphers ? { ciphers: d.ciphers } : {}),
    ...(d.ecCurve ? { ecdhCurve: d.ecCurve } : {}),
  };
}

function addressMatches(patterns: string[], ip: string, port: number): 'exact' | 'any' | undefined {
  let any = false;
  for (const p of patterns) {
    if (p === '*') {
      any = true;
      continue;
    }
    const m = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(p);
    if (m && m[1] === ip && (!m[2] || Number(m[2]) === port)) return 'exact';
  }
  return any ? 'any' : undefined;
}

/** Shell-style wildcards (`*.example.com`), case-insensitive. */
function globMatch(pattern: string, name: string): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );
  return re.test(name);
}

/** How well a domain's SIP-domain filter matches `name` (undefined: no SNI given); higher is more specific, -1 is no match. */
function sipDomainScore(patterns: string[], name: string | undefined): number {
  let best = -1;
  for (const p of patterns) {
    if (p === '*') best = Math.max(best, 0);
    else if (p.toLowerCase() === 'none') {
      if (name === undefined) best = Math.max(best, 1);
    } else if (name !== undefined && globMatch(p, name))
      best = Math.max(best, p.includes('*') || p.includes('?') ? 1 + p.replace(/[*?]/g, '').length : 1000 + p.length);
  }
  return best;
}

/** The domain of a connection: the best address match first, then the most specific SIP-domain match. */
export function findDomain(
  domains: readonly TlsDomain[],
  side: 'server' | 'client',
  ip: string,
  port: number,
  sipDomain?: string,
): TlsDomain | undefined {
  let best: { d: TlsDomain; score: number } | undefined;
  for (const d of domains) {
    if (d.side !== side) continue;
    const addr = addressMatches(d.matchAddresses, ip, port);
    if (!addr) continue;
    const name = sipDomainScore(d.matchSipDomains, sipDomain);
    if (name < 0) continue;
    const score = (addr === 'exact' ? 10_000 : 0) + name;
    if (!best || score > best.score) best = { d, score };
  }
  return best?.d;
}

/**
 * The client domain of a new outgoing connection (tls_find_client_domain): the domain named by the script's
 * client_tls_domain_avp when set (no other matching: an unknown name finds none), else the address match with the
 * SIP domain of client_sip_domain_avp (`*` when unset).
 */
export function clientDomain(domains: readonly TlsDomain[], to: Peer): TlsDomain | undefined {
  const hint = to.tlsClient;
  if (hint?.domain !== undefined) return domains.find((d) => d.side === 'client' && d.name === hint.domain);
  return findDomain(domains, 'client', to.ip, to.port, hint?.sipDomain);
}

/** What a log line adds about the script's choice of client domain. */
export function clientHintText(to: Peer): string {
  const h = to.tlsClient;
  if (h?.domain !== undefined) return ` (client_tls_domain_avp: ${h.domain})`;
  if (h?.sipDomain !== undefined) return ` (client_sip_domain_avp: ${h.sipDomain})`;
  return '';
}
