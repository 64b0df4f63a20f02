// pv_www_authorize / pv_proxy_authorize: the user's secret comes from
// pseudo-variables (modparams username_spec and password_spec, filled by the
// script beforehand, e.g. with avp_db_query), a plain password when
// calculate_ha1 is 1, an HA1 otherwise (auth_mod.c auth_get_ha1). And the
// Remote-Party-ID helpers on the rpid AVP (rpid.c).
import { parsePVarSpec } from '../../cfg/pvar.js';
import type { ExecContext } from '../../script/context.js';
import { headerEdits } from '../../script/edits.js';
import { compileSpec, type PvAccess } from '../../script/pv.js';
import type { Runtime } from '../../script/runtime.js';
import { splitUri } from '../../script/uri-fields.js';
import { parseNameAddr } from '../../sip/name-addr.js';
import { isSipError } from '../../sip/result.js';
import { isUriUserE164 } from '../sipmsgops/index.js';
import { authorize, type Kind } from './index.js';

const compiled = new WeakMap<Runtime, Map<string, PvAccess | undefined>>();

/** A modparam naming a pseudo-variable, compiled once; undefined when unset or not one. */
function specParam(rt: Runtime, name: string, dflt?: string): PvAccess | undefined {
  let m = compiled.get(rt);
  if (!m) {
    m = new Map();
    compiled.set(rt, m);
  }
  if (!m.has(name)) {
    const text = String(rt.param('auth', name) ?? dflt ?? '');
    const p = text ? parsePVarSpec(text) : undefined;
    let access: PvAccess | undefined;
    try {
      access = p?.spec ? compileSpec(p.spec, (n) => rt.modulePvs.get(n), text) : undefined;
    } catch {
      access = undefined;
    }
    m.set(name, access);
  }
  return m.get(name);
}

const present = (v: unknown): v is string => typeof v === 'string' && v !== '';

export function pvAuthorize(ctx: ExecContext, kind: Kind, realm: string): number {
  const rt = ctx.runtime;
  return authorize(ctx, kind, realm, (_user, _domain, _alg, whole) => {
    const userPv = specParam(rt, 'username_spec');
    const passPv = specParam(rt, 'password_spec');
    if (!userPv || !passPv) return undefined; // no spec: the user counts as unknown
    const wanted = userPv.get(ctx);
    if (!present(wanted)) return new Error('empty username pseudo-variable');
    if (wanted.toLowerCase() !== whole.toLowerCase()) return undefined;
    const secret = passPv.get(ctx);
    if (!present(secret)) return new Error('empty password pseudo-variable');
    return { secret, plain: Number(rt.param('auth', 'calculate_ha1') ?? 0) !== 0 };
  });
}

/** The rpid AVP's newest value when it is a non-empty string. */
function rpidValue(ctx: ExecContext): string | undefined {
  const spec = String(ctx.runtime.param('auth', 'rpid_avp') ?? '$avp(rpid)');
  const name = /^\$avp\(([^)]+)\)$/.exec(spec.trim())?.[1];
  if (!name) {
    ctx.runtime.logger.log(-1, 'auth', 'append_rpid_hf', 'rpid avp not defined');
    return undefined;
  }
  const stack = ctx.avps.get(name);
  const v = stack?.[stack.length - 1];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** append_rpid_hf([prefix, suffix]): Remote-Party-ID: <prefix><rpid><suffix> after the last header. */
export function appendRpidHf(ctx: ExecContext, prefix: string | undefined, suffix: string | undefined): number {
  if ((prefix === undefined) !== (suffix === undefined)) {
    ctx.runtime.logger.log(-1, 'auth', 'append_rpid_hf', 'Bad parameters');
    return -1;
  }
  const rpid = rpidValue(ctx);
  if (rpid === undefined) return -1;
  const p = prefix ?? String(ctx.runtime.param('auth', 'rpid_prefix') ?? '');
  const s =
    suffix ?? String(ctx.runtime.param('auth', 'rpid_suffix') ?? ';party=calling;id-type=subscriber;screen=yes');
  headerEdits(ctx).push({ op: 'append', text: `Remote-Party-ID: ${p}${rpid}${s}\r\n` });
  return 1;
}

/** is_rpid_user_e164(): the user of the rpid AVP's URI (a name-addr or a bare URI) is +<2 to 15 digits>. */
export function isRpidUserE164(ctx: ExecContext): number {
  const rpid = rpidValue(ctx);
  if (rpid === undefined) return -1;
  let uri = rpid;
  if (rpid.includes('<')) {
    const na = parseNameAddr(rpid);
    if (isSipError(na)) {
      ctx.runtime.logger.log(-1, 'auth', 'is_rpid_user_e164', 'failed to parse RPID');
      return -1;
    }
    uri = na.uri;
  }
  if (!splitUri(uri)) {
    ctx.runtime.logger.log(-1, 'auth', 'is_rpid_user_e164', 'failed to parse RPID URI');
    return -1;
  }
  return isUriUserE164(uri);
}
