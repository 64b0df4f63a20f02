// auth: digest challenges (www_challenge, proxy_challenge) and the checks
// every authorize function makes before asking its backend for the HA1
// (pre_auth): credentials for the realm, their fields, the nonce. The
// backends (auth_db) call authorize() with a way to look the user up.
import type { ExecContext } from '../../script/context.js';
import { headerEdits } from '../../script/edits.js';
import type { SipMessage } from '../../sip/message.js';
import { isSipError } from '../../sip/result.js';
import { splitUri } from '../../script/uri-fields.js';
import { signalingReply } from '../signaling/index.js';
import type { NativeModule } from '../types.js';
import { expectedResponse, parseAlgorithm, type Algorithm } from '../common/digest.js';
import { noncesOf } from './nonces.js';
import { appendRpidHf, isRpidUserE164, pvAuthorize } from './pv-auth.js';
import { stateKey } from '../../base/keys.js';
import { AUTHORIZED_CREDENTIALS, authorizedCredentials } from '../../script/credentials.js';

/** auth_result_t of OpenSIPS 3.3. */
export const AUTH = {
  ERROR: -5,
  NO_CREDENTIALS: -4,
  STALE_NONCE: -3,
  INVALID_PASSWORD: -2,
  USER_UNKNOWN: -1,
  REPLIED: 0,
  AUTHORIZED: 1,
} as const;

export type Kind = 'www' | 'proxy';
const HEADER = { www: 'authorization', proxy: 'proxy-authorization' } as const;

interface AuthState {
  stale: Set<Kind>;
  /** The credentials the last authorize looked at, by header kind (consume_credentials). */
  authorized: Partial<Record<Kind, number>>;
}

const STATE = stateKey<AuthState>('auth:state');

function stateOf(ctx: ExecContext): AuthState {
  return ctx.state(STATE, () => ({ stale: new Set(), authorized: {} }));
}

/** An empty realm: the To host for a REGISTER's Authorization, else the From host, without realm_prefix. */
function realmOf(ctx: ExecContext, given: string, kind: Kind): string | undefined {
  if (given) return given;
  const nameAddr = ctx.msg.method === 'REGISTER' && kind === 'www' ? ctx.msg.to : ctx.msg.from;
  const host = nameAddr ? splitUri(nameAddr.uri)?.host : undefined;
  if (!host) return undefined;
  const prefix = String(ctx.runtime.param('auth', 'realm_prefix') ?? '');
  return prefix && host.startsWith(prefix) && host.length > prefix.length ? host.slice(prefix.length) : host;
}

function qopParam(text: string | undefined): string | undefined {
  const parts = (text ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.some((p) => p !== 'auth' && p !== 'auth-int')) return undefined;
  return parts.join(',');
}

/** www_challenge / proxy_challenge: 401/407 with one Digest challenge per algorithm; 0 ends the script, as in 3.3. */
function challenge(
  ctx: ExecContext,
  kind: Kind,
  realmArg: string,
  qopArg: string | undefined,
  algsArg: string | undefined,
): number {
  const realm = realmOf(ctx, realmArg, kind);
  if (realm === undefined) {
    signalingReply(ctx, 400, 'Bad Request', [], `${kind}_challenge`);
    return AUTH.REPLIED;
  }
  let qop = qopParam(qopArg) ?? '';
  const algs: (Algorithm | undefined)[] = algsArg
    ? algsArg
        .split(',')
        .map((a) => parseAlgorithm(a))
        .filter((a) => a !== undefined)
    : [undefined];
  // RFC 8760 algorithms and -sess ones need a qop.
  if (!qop && algs.some((a) => a && a !== 'MD5')) qop = 'auth';
  const stale = stateOf(ctx).stale.has(kind);
  const name = kind === 'www' ? 'WWW-Authenticate' : 'Proxy-Authenticate';
  const headers: [string, string][] = [...algs].reverse().map((alg) => {
    const nonce = noncesOf(ctx.runtime).issue(qop, alg ?? 'MD5');
    return [
      name,
      `Digest realm="${realm}", nonce="${nonce}"${qop ? `, qop="${qop}"` : ''}${stale ? ', stale=true' : ''}${alg ? `, algorithm=${alg}` : ''}`,
    ];
  });
  signalingReply(
    ctx,
    kind === 'www' ? 401 : 407,
    kind === 'www' ? 'Unauthorized' : 'Proxy Authentication Required',
    headers,
    `${kind}_challenge`,
  );
  return AUTH.REPLIED;
}

export interface UserLookup {
  /** The stored HA1 (or plain password when `plain`), undefined for an unknown user, an Error when the store failed. */
  (
    user: string,
    domain: string,
    alg: Algorithm,
    wholeUsername: string,
  ): { secret: string; plain: boolean } | undefined | Error;
}

/** pre_auth + the backend lookup + check_response: OpenSIPS's return codes. */
export function authorize(ctx: ExecContext, kind: Kind, realmArg: string, lookup: UserLookup): number {
  if (ctx.msg.method === 'ACK' || ctx.msg.method === 'CANCEL') return AUTH.AUTHORIZED;
  const msg = ctx.msg.sip;
  const realm = realmOf(ctx, realmArg, kind);
  if (!msg || realm === undefined) {
    signalingReply(ctx, 400, 'Bad Request', [], `${kind}_authorize`);
    return AUTH.REPLIED;
  }
  const all = msg.credentials(HEADER[kind]);
  if (isSipError(all)) {
    signalingReply(ctx, 400, 'Bad Request', [], `${kind}_authorize`);
    return AUTH.REPLIED;
  }
  const index = all.findIndex((c) => c.scheme.toLowerCase() === 'digest' && c.params.realm === realm);
  if (index < 0) return AUTH.NO_CREDENTIALS;
  const p = all[index]!.params;
  const alg = p.algorithm === undefined ? 'MD5' : parseAlgorithm(p.algorithm);
  const qop = p.qop ?? '';
  if (!p.username || !p.nonce || !p.uri || !p.response || !alg || (qop && (!p.nc || !p.cnonce))) {
    signalingReply(ctx, 400, 'Bad Request', [], `${kind}_authorize`);
    return AUTH.REPLIED;
  }
  stateOf(ctx).authorized[kind] = index;
  if (!noncesOf(ctx.runtime).take(p.nonce, qop, alg)) {
    stateOf(ctx).stale.add(kind);
    return AUTH.STALE_NONCE;
  }
  const at = p.username.indexOf('@');
  const user = at < 0 ? p.username : p.username.slice(0, at);
  const found = lookup(user, at < 0 ? realm : p.username.slice(at + 1), alg, p.username);
  if (found instanceof Error) {
    signalingReply(ctx, 500, 'Server Internal Error', [], `${kind}_authorize`);
    return AUTH.REPLIED;
  }
  if (!found) return AUTH.USER_UNKNOWN;
  const expected = expectedResponse({
    alg,
    method: ctx.msg.method,
    uri: p.uri,
    nonce: p.nonce,
    ...(p.cnonce ? { cnonce: p.cnonce } : {}),
    ...(p.nc ? { nc: p.nc } : {}),
    ...(qop ? { qop } : {}),
    ...(found.plain
      ? { password: { user: p.username, realm, secret: found.secret } }
      : { ha1: found.secret.toLowerCase() }),
    ...(qop === 'auth-int' ? { body: msg.body } : {}),
  });
  if (expected !== p.response.toLowerCase()) return AUTH.INVALID_PASSWORD;
  ctx.setState(AUTHORIZED_CREDENTIALS[kind], all[index]!);
  return AUTH.AUTHORIZED;
}

/** The credentials a www_/proxy_authorize accepted for this message (Authorization first), if any. */
export { authorizedCredentials };

/** consume_credentials(): the credentials the last authorize checked do not travel on. */
function consumeCredentials(ctx: ExecContext): number {
  const st = ctx.state(STATE);
  const kind = (['www', 'proxy'] as const).find((k) => st?.authorized[k] !== undefined);
  if (!kind) return -1;
  const msg: SipMessage | undefined = ctx.msg.sip;
  if (!msg) return -1;
  headerEdits(ctx).push({ op: 'remove', name: kind === 'www' ? 'Authorization' : 'Proxy-Authorization' });
  return 1;
}

export const auth: NativeModule = {
  name: 'auth',
  functions: {
    www_challenge: {
      returns: [0, -1],
      impl: (ctx, [realm, qop, algs]) => challenge(ctx, 'www', realm?.str ?? '', qop?.str, algs?.str),
    },
    proxy_challenge: {
      returns: [0, -1],
      impl: (ctx, [realm, qop, algs]) => challenge(ctx, 'proxy', realm?.str ?? '', qop?.str, algs?.str),
    },
    consume_credentials: { returns: [1, -1], impl: (ctx) => consumeCredentials(ctx) },
    pv_www_authorize: {
      returns: [1, 0, -1, -2, -3, -4, -5],
      impl: (ctx, [realm]) => pvAuthorize(ctx, 'www', realm?.str ?? ''),
    },
    pv_proxy_authorize: {
      returns: [1, 0, -1, -2, -3, -4, -5],
      impl: (ctx, [realm]) => pvAuthorize(ctx, 'proxy', realm?.str ?? ''),
    },
    append_rpid_hf: {
      returns: [1, -1],
      impl: (ctx, [prefix, suffix]) =>
        appendRpidHf(
          ctx,
          prefix?.given ? (prefix.str ?? '') : undefined,
          suffix?.given ? (suffix.str ?? '') : undefined,
        ),
    },
    is_rpid_user_e164: { returns: [1, -1], impl: (ctx) => isRpidUserE164(ctx) },
  },
};
