// uac_auth([algorithms]) in failure_route: the picked branch's 401/407
// challenge answered with credentials (uac_auth's `credential` list, or the
// auth_*_avp AVPs first), the Authorization / Proxy-Authorization header
// appended as 3.3 writes it, the R-URI set back to that branch's, and the
// CSeq raised by one (relayed replies get the original number back).
import type { ExecContext } from '../../script/context.js';
import { pvNamed } from '../../script/pv.js';
import { currentBody } from '../../script/edits.js';
import { headerEdits } from '../../script/edits.js';
import { parseCredentials } from '../../sip/scalars.js';
import { isSipError } from '../../sip/result.js';
import { ALGORITHMS, expectedResponse, parseAlgorithm, type Algorithm } from '../common/digest.js';
import { coreHash } from '../common/core-hash.js';
import { failureOf } from '../tm/index.js';
import { restoreCseqInReplies } from './restore.js';
import { addRrParam } from '../rr/index.js';
import { currentDialog, legOfToTag, setRequestCseq } from '../dialog/api.js';

interface Credential {
  user: string;
  realm: string;
  password: string;
}

/** One `credential` value: user:realm:password (the password may hold ':'); undefined when malformed. */
export function parseCredential(text: string): Credential | undefined {
  const m = /^\s*([^:\s]+)\s*:\s*([^:\s]+)\s*:\s*(\S+)\s*$/.exec(text);
  return m ? { user: m[1]!, realm: m[2]!, password: m[3]! } : undefined;
}

/** The algorithms uac_auth's argument allows; undefined for a name 3.3 does not know. */
export function parseAlgorithmList(text: string | undefined): Set<Algorithm> | undefined {
  if (text === undefined || text.trim() === '') return new Set(ALGORITHMS);
  const out = new Set<Algorithm>();
  for (const item of text.split(',')) {
    const a = parseAlgorithm(item.trim());
    if (!a) return undefined;
    out.add(a);
  }
  return out;
}

function avpString(ctx: ExecContext, param: string): string | undefined {
  const spec = ctx.runtime.param('uac_auth', param);
  if (typeof spec !== 'string' || !spec) return undefined;
  const v = pvNamed(ctx, spec)?.get(ctx);
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** lookup_realm: the AVPs when their realm is this one, else the last `credential` defined for it (case-sensitive). */
function credentialFor(ctx: ExecContext, realm: string): Credential | undefined {
  const avpRealm = avpString(ctx, 'auth_realm_avp');
  if (avpRealm === realm) {
    const user = avpString(ctx, 'auth_username_avp');
    const password = avpString(ctx, 'auth_password_avp');
    if (user && password) return { user, realm, password };
  }
  const list = ctx.runtime
    .paramValues('uac_auth', 'credential')
    .map((v) => parseCredential(String(v)))
    .filter((c): c is Credential => c !== undefined);
  return list.reverse().find((c) => c.realm === realm);
}

interface Challenge {
  realm: string;
  nonce: string;
  opaque: string;
  alg: Algorithm;
  qop: 'auth' | 'auth-int' | undefined;
}

/** The first challenge header that parses and whose algorithm is allowed (a missing algorithm is MD5, but only when every one is allowed, as 3.3). */
function pickChallenge(values: string[], allowed: Set<Algorithm>, anyAllowed: boolean): Challenge | undefined {
  for (const v of values) {
    const c = parseCredentials(v);
    if (isSipError(c) || c.scheme.toLowerCase() !== 'digest') return undefined;
    const p = c.params;
    if (!p.realm || !p.nonce) return undefined;
    const named = p.algorithm === undefined ? undefined : parseAlgorithm(p.algorithm);
    if (p.algorithm !== undefined && !named) return undefined;
    if (named ? !allowed.has(named) : !anyAllowed) continue;
    // 3.3's parser stops at the first value it does not know ("foo,auth" offers nothing).
    const qops: string[] = [];
    for (const q of (p.qop ?? '').split(',').map((x) => x.trim().toLowerCase())) {
      if (q !== 'auth' && q !== 'auth-int') break;
      qops.push(q);
    }
    const qop = qops.includes('auth') ? 'auth' : qops.includes('auth-int') ? 'auth-int' : undefined;
    return { realm: p.realm, nonce: p.nonce, opaque: p.opaque ?? '', alg: named ?? 'MD5', qop };
  }
  return undefined;
}

export function uacAuth(ctx: ExecContext, algorithms: string | undefined): number {
  const failure = failureOf(ctx);
  const reply = failure?.reply;
  if (!failure || !reply || (reply.status !== 401 && reply.status !== 407)) return -1;
  const allowed = parseAlgorithmList(algorithms);
  if (!allowed) return -1;
  const challenge = pickChallenge(
    reply.headers(reply.status === 401 ? 'WWW-Authenticate' : 'Proxy-Authenticate'),
    allowed,
    algorithms === undefined || algorithms.trim() === '',
  );
  if (!challenge) return -1;
  const cred = credentialFor(ctx, challenge.realm);
  if (!cred) {
    ctx.runtime.logger.log(-1, 'uac_auth', 'do_uac_auth', `no credential for realm "${challenge.realm}"`);
    return -1;
  }
  // A -sess algorithm without qop has no cnonce to hash in (3.3 crashes there): refused.
  if (challenge.alg.endsWith('-sess') && !challenge.qop) return -1;
  const uri = failure.branchUri ?? ctx.ruri;
  const hexLen = challenge.alg.startsWith('MD5') ? 32 : 64;
  const ha1 = new RegExp(`^0x[0-9a-f]{${hexLen}}$`).test(cred.password) ? cred.password.slice(2) : undefined;
  const cnonce = challenge.qop ? String(coreHash(challenge.nonce)) : undefined;
  const response = expectedResponse({
    alg: challenge.alg,
    ...(ha1 ? { ha1 } : { password: { user: cred.user, realm: cred.realm, secret: cred.password } }),
    method: ctx.msg.method,
    uri,
    nonce: challenge.nonce,
    ...(challenge.qop ? { qop: challenge.qop, nc: '00000001', cnonce } : {}),
    ...(challenge.qop === 'auth-int' ? { body: Buffer.from(currentBody(ctx), 'latin1') } : {}),
  });
  const parts = [`username="${cred.user}"`, `realm="${cred.realm}"`, `nonce="${challenge.nonce}"`, `uri="${uri}"`];
  if (challenge.opaque) parts.push(`opaque="${challenge.opaque}"`);
  if (challenge.qop) parts.push(`qop=${challenge.qop}`, 'nc=00000001', `cnonce="${cnonce}"`);
  parts.push(`response="${response}"`, `algorithm=${challenge.alg}`);
  const name = reply.status === 401 ? 'Authorization' : 'Proxy-Authorization';
  headerEdits(ctx).push({ op: 'append', text: `${name}: Digest ${parts.join(', ')}\r\n` });
  ctx.ruri = uri;
  const cseq = ctx.msg.cseq;
  if (!cseq) return -1;
  adjustCseq(ctx, cseq.num);
  return 1;
}

/**
 * The CSeq of the re-sent request, as 3.3's uac_auth leaves it. Without a
 * dialog that manages CSeqs yet (an initial request, no dialog, or no number
 * generated towards that leg): the request's number + 1, relayed replies get
 * the original back, and the call is marked for its later requests (the
 * dialog's cseqEnforce, or `;aci=1` on our Record-Route without a dialog); an
 * in-dialog request also starts the leg's generated numbers there. With one:
 * the leg's next generated number (the dialog gives the replies theirs back).
 */
function adjustCseq(ctx: ExecContext, num: number): void {
  const toTag = ctx.msg.to?.tag;
  const dlg = currentDialog(ctx);
  const leg = dlg ? legOfToTag(dlg, toTag) : 1;
  if (dlg?.cseqEnforce && toTag && dlg.legs[leg].lastGenCseq) {
    setRequestCseq(ctx, ++dlg.legs[leg].lastGenCseq);
    return;
  }
  setRequestCseq(ctx, num + 1);
  restoreCseqInReplies(ctx, num);
  if (!dlg) {
    if (!toTag) addRrParam(ctx, ';aci=1');
    return;
  }
  dlg.cseqEnforce = true;
  if (toTag) dlg.legs[leg].lastGenCseq = num + 1;
}

/** rr callback: a request from the caller (From tag = ftag) through a Route with aci=1 gets CSeq + 1; its replies get the number back. */
export function shiftInDialog(ctx: ExecContext, params: string): void {
  if (!/;aci=1(;|$)/i.test(params)) return;
  const ftag = /;ftag=([^;]*)/i.exec(params)?.[1];
  const cseq = ctx.msg.cseq;
  if (!cseq || !ftag || ftag !== ctx.msg.from?.tag) return;
  headerEdits(ctx).push({ op: 'replace', name: 'cseq', nth: 0, value: `${cseq.num + 1} ${cseq.method}` });
  restoreCseqInReplies(ctx, cseq.num);
}
