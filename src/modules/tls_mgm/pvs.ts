// tls_mgm's variables ($tls_version, $tls_peer_subject_cn...): read from the
// TLS connection the message came over; null for a message that did not.
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { peek } from '../../base/keys.js';
import { TLS_CONNECTIONS } from '../../net/tls.js';
import type { ExecContext } from '../../script/context.js';
import type { PvDef } from '../../script/pv-core.js';
import type { Val } from '../../script/values.js';

export function tlsSocketOf(ctx: ExecContext): TLSSocket | undefined {
  const p = ctx.src.proto;
  if (p !== 'tls' && p !== 'wss') return undefined;
  return peek(ctx.runtime.services, TLS_CONNECTIONS)?.connectionOf(ctx.src.ip, ctx.src.port, p)?.socket;
}

const FIELDS: Record<string, string> = {
  cn: 'CN',
  locality: 'L',
  country: 'C',
  state: 'ST',
  organization: 'O',
  unit: 'OU',
  serial: 'serialNumber',
};

/** `/C=AT/ST=Vienna/O=enum.at/CN=enum.at`, the ASCII dump OpenSIPS prints. */
function dn(name: Record<string, string | string[]> | undefined): Val {
  if (!name) return null;
  return Object.entries(name)
    .map(([k, v]) => `/${k}=${Array.isArray(v) ? v.join(',') : v}`)
    .join('');
}

function san(cert: PeerCertificate, kind: 'email' | 'hostname' | 'uri' | 'ip'): Val {
  const prefix = { email: 'email:', hostname: 'DNS:', uri: 'URI:', ip: 'IP Address:' }[kind];
  const hit = (cert.subjectaltname ?? '').split(', ').find((x) => x.startsWith(prefix));
  return hit ? hit.slice(prefix.length) : null;
}

function certField(cert: PeerCertificate | undefined, rest: string): Val {
  if (!cert || !Object.keys(cert).length) return null;
  if (rest === 'version') return 3; // node:tls exposes X.509 v3 certificates only
  if (rest === 'serial') {
    const n = Number.parseInt(cert.serialNumber, 16);
    return Number.isSafeInteger(n) ? n : cert.serialNumber;
  }
  if (rest === 'notBefore') return cert.valid_from;
  if (rest === 'notAfter') return cert.valid_to;
  const m = /^(subject|issuer)(?:_(\w+))?$/.exec(rest);
  if (m) {
    const part = (m[1] === 'subject' ? cert.subject : cert.issuer) as unknown as
      Record<string, string | string[]> | undefined;
    if (!m[2]) return dn(part);
    const v = part?.[FIELDS[m[2]] ?? ''];
    return v === undefined ? null : Array.isArray(v) ? v.join(',') : v;
  }
  const s = /^san_(email|hostname|uri|ip)$/.exec(rest);
  return s ? san(cert, s[1] as 'email' | 'hostname' | 'uri' | 'ip') : null;
}

function pv(read: (s: TLSSocket) => Val): PvDef {
  return {
    takesName: false,
    get: (ctx) => {
      const s = tlsSocketOf(ctx);
      return s ? read(s) : null;
    },
  };
}

export function tlsPvs(names: readonly string[]): Record<string, PvDef> {
  const out: Record<string, PvDef> = {
    tls_version: pv((s) => s.getProtocol() ?? null),
    tls_description: pv((s) => s.getProtocol() ?? null),
    tls_cipher_info: pv((s) => s.getCipher()?.name ?? null),
    tls_cipher_bits: pv((s) => {
      const c = s.getCipher() as { name: string; bits?: number } | undefined;
      return c?.bits ?? (/256/.test(c?.name ?? '') ? 256 : /128/.test(c?.name ?? '') ? 128 : null);
    }),
    tls_peer_verified: pv((s) => (s.authorized ? 1 : 0)),
    tls_peer_revoked: pv(() => 0),
    tls_peer_expired: pv((s) => {
      const c = s.getPeerCertificate();
      return c && c.valid_to ? (Date.parse(c.valid_to) < Date.now() ? 1 : 0) : null;
    }),
    tls_peer_selfsigned: pv((s) => {
      const c = s.getPeerCertificate();
      return c && c.subject ? (dn(c.subject as never) === dn(c.issuer as never) ? 1 : 0) : null;
    }),
  };
  for (const name of names) {
    if (out[name]) continue;
    const m = /^tls_(peer|my)_(.+)$/.exec(name);
    if (m)
      out[name] = pv((s) =>
        certField(
          m[1] === 'peer' ? s.getPeerCertificate() : ((s.getCertificate() as PeerCertificate | null) ?? undefined),
          m[2]!,
        ),
      );
  }
  return out;
}
