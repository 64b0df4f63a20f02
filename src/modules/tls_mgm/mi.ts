// tls_mgm's MI commands as 3.3 has them: tls_list (every domain, client
// domains first, each list newest-defined first as OpenSIPS links them) and
// tls_reload: with db_url, the table's domains are read again (the cfg's
// kept), as 3.3 does; beyond 3.3 (which answers 500 "DB url not set" without
// db_url and never re-reads script domains' files), it also re-reads the
// certificate, key, CA and DH files of every domain. New connections take the
// new domains and files, open connections keep going.
import { MiError } from '../../base/mi.js';
import { peek } from '../../base/keys.js';
import { TLS_DOMAIN_CONTROL } from '../../net/tls.js';
import type { TlsDomain } from '../../net/tls-domains.js';
import type { Runtime } from '../../script/runtime.js';
import type { ModuleMi } from '../types.js';
import { tlsDomains } from './domains.js';
import { dbTlsDomains, hasTlsDb } from './db-domains.js';

const METHOD_NAMES: Record<string, string> = {
  TLSv1: 'TLSv1',
  'TLSv1.1': 'TLSv1_1',
  'TLSv1.2': 'TLSv1_2',
  'TLSv1.3': 'TLSv1_3',
};

/** METHOD as tls_list prints it: SSLv23 when unset, one version, or LOW-HIGH (an open end is the lowest/highest). */
export function methodName(d: TlsDomain): string {
  if (!d.minVersion && !d.maxVersion) return 'SSLv23';
  const lo = METHOD_NAMES[d.minVersion ?? 'TLSv1']!;
  const hi = METHOD_NAMES[d.maxVersion ?? 'TLSv1.3']!;
  return lo === hi ? lo : `${lo}-${hi}`;
}

/** The domains `run` uses, or (dry-run, lint) the cfg's as tls_mgm reads them. */
function domainsOf(rt: Runtime): readonly TlsDomain[] {
  const live = peek(rt.services, TLS_DOMAIN_CONTROL);
  if (live) return live.tlsDomains();
  return tlsDomains(rt.modparamLists.get('tls_mgm'), rt.cfgDir ?? '.').domains;
}

function listed(d: TlsDomain): Record<string, unknown> {
  return {
    name: d.name,
    type: d.side === 'server' ? 'TLS_DOMAIN_SRV' : 'TLS_DOMAIN_CLI',
    'IP ADDRESS FILTERS': [...d.matchAddresses].reverse(),
    'SIP DOMAIN FILTERS': [...d.matchSipDomains].reverse(),
    METHOD: methodName(d),
    VERIFY_CERT: d.verifyCert,
    REQ_CLI_CERT: d.requireCert,
    CRL_CHECKALL: false,
    // A database domain's PEM is in its row: 3.3 lists no file names for it.
    ...(d.db ? {} : { CERT_FILE: d.certificate }),
    CRL_DIR: '',
    ...(d.db ? {} : { CA_FILE: d.caList ?? '' }),
    CA_DIR: '/etc/pki/CA/',
    ...(d.db ? {} : { PKEY_FILE: d.privateKey }),
    CIPHER_LIST: d.ciphers ?? '',
    ...(d.db ? {} : { DH_PARAMS_FILE: d.dhParams ?? '' }),
    EC_CURVE: d.ecCurve ?? '',
  };
}

export const TLS_MGM_MI: ModuleMi[] = [
  {
    name: 'tls_list',
    help: 'lists all domains',
    recipes: [[]],
    run: (_p, rt) => {
      const all = domainsOf(rt);
      // 3.3 links the table's domains before the cfg's, each list newest first.
      const side = (s: 'client' | 'server'): TlsDomain[] => [
        ...all.filter((d) => d.side === s && d.db).reverse(),
        ...all.filter((d) => d.side === s && !d.db).reverse(),
      ];
      return { Domains: [...side('client'), ...side('server')].map(listed) };
    },
  },
  {
    name: 'tls_reload',
    help: "re-reads the TLS domains' certificate, key, CA and DH files (open connections are kept)",
    recipes: [[]],
    run: (_p, rt) => {
      const live = peek(rt.services, TLS_DOMAIN_CONTROL);
      if (!live) throw new MiError(500, 'Failed to reload');
      // With db_url, the table is read again (its old domains dropped, the cfg's kept), as 3.3's reload_data.
      let fromDb: TlsDomain[] | undefined;
      if (hasTlsDb(rt)) {
        const script = live.tlsDomains().filter((d) => !d.db);
        const rows = dbTlsDomains(rt, script, rt.cfgDir ?? '.');
        if (typeof rows === 'string') {
          rt.logger.log(-1, 'tls_mgm', 'tls_reload', `failed to load tls data: ${rows}`);
          throw new MiError(500, 'Failed to reload', rows);
        }
        fromDb = [...rows, ...script];
      }
      const problem = live.reloadTls(fromDb);
      if (problem) {
        rt.logger.log(-1, 'tls_mgm', 'tls_reload', `failed to load tls data: ${problem}`);
        throw new MiError(500, 'Failed to reload', problem);
      }
      rt.logger.log(
        2,
        'tls_mgm',
        'tls_reload',
        `reload data MI command received: ${fromDb ? "the table's domains read again, " : ''}certificate files re-read`,
      );
      return 'OK';
    },
  },
];
