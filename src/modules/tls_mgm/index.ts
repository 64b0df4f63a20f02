// tls_mgm: TLS domains (certificates, CA lists, verification) for proto_tls
// and proto_wss, the $tls_* variables and is_peer_verified(). The domains are
// read by `run` (domains.ts) and handed to the TLS transports.
import type { NativeModule } from '../types.js';
import { put } from '../../base/keys.js';
import { avpNameOf } from '../../script/avp-param.js';
import { TLS_CLIENT_CHOICE } from '../../script/tls-client.js';
import { tlsPvs, tlsSocketOf } from './pvs.js';
import { TLS_MGM_MI } from './mi.js';

/** An AVP parameter as parse_avp_spec reads it: `$avp(name)` or the bare name. */
function avpParam(v: string | number | undefined): string | undefined {
  if (v === undefined || v === '') return undefined;
  return avpNameOf(v) ?? String(v).trim();
}

const PV_NAMES = [
  'tls_version',
  'tls_description',
  'tls_cipher_info',
  'tls_cipher_bits',
  'tls_peer_verified',
  'tls_peer_revoked',
  'tls_peer_expired',
  'tls_peer_selfsigned',
  'tls_peer_notBefore',
  'tls_peer_notAfter',
  ...['peer', 'my'].flatMap((w) =>
    [
      'version',
      'serial',
      'subject',
      'issuer',
      'san_email',
      'san_hostname',
      'san_uri',
      'san_ip',
      ...['subject', 'issuer'].flatMap((p) =>
        ['cn', 'locality', 'country', 'state', 'organization', 'unit'].map((f) => `${p}_${f}`),
      ),
      'subject_serial',
    ].map((f) => `tls_${w}_${f}`),
  ),
];

export const tlsMgm: NativeModule = {
  name: 'tls_mgm',
  pvs: tlsPvs(PV_NAMES),
  functions: {
    is_peer_verified: {
      returns: [1, -1],
      impl: (ctx) => (tlsSocketOf(ctx)?.authorized ? 1 : -1),
    },
  },
  // client_tls_domain_avp names the client domain of a new outgoing TLS/WSS connection (no other matching);
  // without it, client_sip_domain_avp is the SIP domain the client domains' match_sip_domain is matched against.
  init: (rt, params) => {
    const domainAvp = avpParam(params.get('client_tls_domain_avp'));
    const sipAvp = avpParam(params.get('client_sip_domain_avp'));
    if (!domainAvp && !sipAvp) return;
    put(rt.services, TLS_CLIENT_CHOICE, (ctx) => {
      const top = (name: string | undefined): string | undefined => {
        if (!name) return undefined;
        const v = ctx.avps.get(name)?.at(-1);
        return v === undefined || v === null ? undefined : String(v);
      };
      const domain = top(domainAvp);
      if (domain !== undefined) return { domain };
      const sipDomain = top(sipAvp);
      return sipDomain !== undefined ? { sipDomain } : undefined;
    });
  },
  mi: TLS_MGM_MI,
};

export { tlsDomains } from './domains.js';
export { dbTlsDomains, hasTlsDb } from './db-domains.js';
