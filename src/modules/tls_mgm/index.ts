// tls_mgm: TLS domains (certificates, CA lists, verification) for proto_tls
// and proto_wss, the $tls_* variables and is_peer_verified(). The domains are
// read by `run` (domains.ts) and handed to the TLS transports.
import type { NativeModule } from '../types.js';
import { tlsPvs, tlsSocketOf } from './pvs.js';

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
};

export { tlsDomains } from './domains.js';
