// tls_mgm's script-defined domains: `server_domain`/`client_domain` name
// them, every other parameter is `[name]value` for one of them (tls_params.c);
// what a domain leaves unset takes tls_mgm's defaults (verify_cert 1,
// require_cert 1, the certificate and key under the cfg's directory, match
// any address and any SIP domain).
import { join } from 'node:path';
import type { TlsDomain } from '../../net/tls-domains.js';
import { parseTlsMethod } from '../../net/tls-domains.js';

/** The domains of a cfg, or the first problem OpenSIPS would stop on. */
export function tlsDomains(
  lists: ReadonlyMap<string, readonly (string | number)[]> | undefined,
  cfgDir: string,
): { domains: TlsDomain[]; errors: string[] } {
  const domains: TlsDomain[] = [];
  const errors: string[] = [];
  const make = (name: string, side: 'server' | 'client'): void => {
    if (domains.some((d) => d.side === side && d.name === name)) {
      errors.push(`tls_mgm: domain name [${name}] already defined`);
      return;
    }
    domains.push({
      name,
      side,
      matchAddresses: ['*'],
      matchSipDomains: ['*'],
      verifyCert: true,
      // require_cert is about the client's certificate: a client domain does not ask for one (tls_new_domain).
      requireCert: side === 'server',
      certificate: join(cfgDir, 'tls/cert.pem'),
      privateKey: join(cfgDir, 'tls/ckey.pem'),
    });
  };
  for (const v of lists?.get('server_domain') ?? []) make(String(v), 'server');
  for (const v of lists?.get('client_domain') ?? []) make(String(v), 'client');
  const set = (param: string, apply: (d: TlsDomain, value: string) => string | void): void => {
    for (const raw of lists?.get(param) ?? []) {
      const m = /^\s*\[([^\]]*)\](.*)$/.exec(String(raw));
      if (!m) {
        errors.push(`tls_mgm: ${param} "${String(raw)}": no TLS domain name (write [domain]value)`);
        continue;
      }
      if (!m[1] || !m[2]) {
        errors.push(`tls_mgm: ${param} "${String(raw)}": empty ${m[1] ? 'value' : 'TLS domain name'}`);
        continue;
      }
      // A name that is both a server and a client domain: the server one, as set_domain_attr looks there first.
      const d = domains.find((x) => x.side === 'server' && x.name === m[1]) ?? domains.find((x) => x.name === m[1]);
      if (!d) {
        errors.push(
          `tls_mgm: ${param}: TLS domain [${m[1]}] not defined (declare it with server_domain or client_domain)`,
        );
        continue;
      }
      const problem = apply(d, m[2].trim());
      if (problem) errors.push(`tls_mgm: ${param} for [${d.name}]: ${problem}`);
    }
  };
  const list = (v: string): string[] =>
    v
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
  const path = (v: string): string => (v.startsWith('/') ? v : join(cfgDir, v));
  const flag = (v: string): boolean | string => (/^\d+$/.test(v) ? v !== '0' : `option is not a number [${v}]`);
  set('match_ip_address', (d, v) => {
    d.matchAddresses = list(v);
  });
  set('match_sip_domain', (d, v) => {
    d.matchSipDomains = list(v);
  });
  set('certificate', (d, v) => {
    d.certificate = path(v);
  });
  set('private_key', (d, v) => {
    d.privateKey = path(v);
  });
  set('ca_list', (d, v) => {
    d.caList = path(v);
  });
  set('dh_params', (d, v) => {
    d.dhParams = path(v);
  });
  set('ciphers_list', (d, v) => {
    d.ciphers = v;
  });
  set('ec_curve', (d, v) => {
    d.ecCurve = v;
  });
  set('verify_cert', (d, v) => {
    const f = flag(v);
    if (typeof f === 'string') return f;
    d.verifyCert = f;
  });
  set('require_cert', (d, v) => {
    const f = flag(v);
    if (typeof f === 'string') return f;
    d.requireCert = f;
  });
  set('tls_method', (d, v) => {
    const m = parseTlsMethod(v);
    if (typeof m === 'string') return m;
    delete d.minVersion;
    delete d.maxVersion;
    Object.assign(d, m);
  });
  return { domains, errors };
}
