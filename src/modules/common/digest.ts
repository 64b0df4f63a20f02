// Digest arithmetic (OpenSIPS's lib/digest_auth, shared by auth, auth_db and uac; RFC 2617, RFC 7616/8760):
// HA1 from a password or a stored HA1, the -sess variant, HA2 (auth and auth-int) and the response.
import { createHash } from 'node:crypto';

export type Algorithm = 'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess' | 'SHA-512-256' | 'SHA-512-256-sess';
export const ALGORITHMS: readonly Algorithm[] = [
  'MD5',
  'MD5-sess',
  'SHA-256',
  'SHA-256-sess',
  'SHA-512-256',
  'SHA-512-256-sess',
];

const HASH: Record<string, string> = { MD5: 'md5', 'SHA-256': 'sha256', 'SHA-512-256': 'sha512-256' };

export function baseOf(alg: Algorithm): 'MD5' | 'SHA-256' | 'SHA-512-256' {
  return alg.replace(/-sess$/, '') as 'MD5' | 'SHA-256' | 'SHA-512-256';
}

export function hashHex(alg: Algorithm, text: string | Buffer): string {
  return createHash(HASH[baseOf(alg)]!).update(text).digest('hex');
}

/** Case-insensitive algorithm name as the client or the cfg wrote it. */
export function parseAlgorithm(text: string | undefined): Algorithm | undefined {
  if (text === undefined) return undefined;
  return ALGORITHMS.find((a) => a.toLowerCase() === text.trim().toLowerCase());
}

export interface DigestInput {
  alg: Algorithm;
  /** The stored HA1, or the plain password and the user@realm it is for. */
  ha1?: string;
  password?: { user: string; realm: string; secret: string };
  method: string;
  uri: string;
  nonce: string;
  cnonce?: string;
  nc?: string;
  qop?: string;
  body?: Buffer;
}

export function ha1Of(d: DigestInput): string {
  const base = d.ha1 ?? hashHex(d.alg, `${d.password!.user}:${d.password!.realm}:${d.password!.secret}`);
  return d.alg.endsWith('-sess') ? hashHex(d.alg, `${base}:${d.nonce}:${d.cnonce ?? ''}`) : base;
}

/** The response the client must have sent. */
export function expectedResponse(d: DigestInput): string {
  const ha2 = hashHex(
    d.alg,
    d.qop === 'auth-int' ? `${d.method}:${d.uri}:${hashHex(d.alg, d.body ?? Buffer.alloc(0))}` : `${d.method}:${d.uri}`,
  );
  const ha1 = ha1Of(d);
  return d.qop
    ? hashHex(d.alg, `${ha1}:${d.nonce}:${d.nc}:${d.cnonce}:${d.qop}:${ha2}`)
    : hashHex(d.alg, `${ha1}:${d.nonce}:${ha2}`);
}
