// The main registrar's first 2xx to a forwarded REGISTER (§4): local usrloc
// is updated under the UAs' own URIs, and the reply is rewritten for the UA
// (its Contacts replaced by one header listing the valid local contacts).
import type { Contact } from '../../sip/name-addr.js';
import type { SipMessage } from '../../sip/message.js';
import { isSipError } from '../../sip/result.js';
import { urisEqual } from '../../sip/uri-compare.js';
import { socketString, type ExecContext } from '../../script/context.js';
import { splitUri, uriParam } from '../../script/uri-fields.js';
import { isValid, type AorRecord, type Binding, type UsrlocDomain } from '../usrloc/api.js';
import { usrlocOf } from '../usrloc/api.js';
import { METHOD_BITS } from '../common/reg/methods.js';
import { contactList } from '../common/reg/contacts.js';
import { setContacts, type Forward, type Mapping } from './forward.js';
import { roomFor } from './max-contacts.js';
import { COMPAT, type MidSettings } from './settings.js';
import { CONNECTIONS } from '../../net/types.js';

function ctidOf(uri: string, s: MidSettings): string | undefined {
  const p = splitUri(uri);
  if (!p) return undefined;
  return s.ctidInUser ? p.user : uriParam(p.params, s.ctidParam);
}

interface ReplyInfo {
  callid: string;
  cseq: number;
  nowSec: number;
  headerExpires: number | undefined;
}

function replyInfo(ctx: ExecContext, reply: SipMessage): ReplyInfo {
  const cseq = reply.cseq;
  const e = reply.expires;
  return {
    callid: reply.callId ?? '',
    cseq: cseq && !isSipError(cseq) ? cseq.num : 0,
    nowSec: Math.floor(ctx.runtime.clock.now() / 1000),
    headerExpires: typeof e === 'number' ? e : undefined,
  };
}

/** e_out of a reply contact: its expires param, else the Expires header, else default_expires. */
function grantedExpires(c: Contact, info: ReplyInfo, s: MidSettings): number {
  return typeof c.expires === 'number' ? c.expires : (info.headerExpires ?? s.defaultExpires);
}

/** The binding fields of a forwarded contact, as the 2xx makes them local. */
function fields(
  ctx: ExecContext,
  fwd: Forward,
  m: Mapping,
  local: number,
  info: ReplyInfo,
  s: MidSettings,
): Omit<Binding, 'contactId'> {
  const avp = s.receivedAvp ? ctx.avps.get(s.receivedAvp) : undefined;
  const attr = s.attrAvp ? ctx.avps.get(s.attrAvp) : undefined;
  const c = m.contact;
  const received = c.params.received?.replace(/^"|"$/g, '') || (avp?.length ? String(avp[avp.length - 1]) : undefined);
  return {
    uri: c.uri,
    expires: info.nowSec + local,
    q: c.q === undefined || c.q === null ? s.defaultQ : Math.round(c.q * 1000),
    callid: info.callid,
    cseq: info.cseq,
    flags: fwd.flags.memoryOnly ? 1 : 0,
    cflags: fwd.cflags,
    userAgent: fwd.ua && fwd.ua.length <= 254 ? fwd.ua : 'n/a',
    socket: socketString(fwd.socketIn),
    lastModified: ctx.runtime.clock.now(),
    state: 'CS_NEW',
    methods:
      c.methods !== undefined
        ? c.methods.split(',').reduce((bits, x) => bits | (METHOD_BITS[x.trim().toUpperCase()] ?? 0), 0)
        : undefined,
    received,
    instance: c.instance,
    attr: attr?.length ? String(attr[attr.length - 1]) : undefined,
  };
}

/** mid_reg_pack_ci() hands usrloc a new contact URI only for M<param> matching: otherwise the stored one stays. */
function newUriOf(fwd: Forward, values: Omit<Binding, 'contactId'>): string | undefined {
  return fwd.flags.matching && 'param' in fwd.flags.matching ? values.uri : undefined;
}

function findLocal(record: AorRecord, m: Mapping): Binding | undefined {
  return record.bindings.find((b) => b.contactId === m.ctid || urisEqual(b.uri, m.contact.uri));
}

/** Replaces the 2xx's Contacts by the AoR's valid local contacts (only the request's with `o`). */
function listLocal(out: SipMessage, d: UsrlocDomain, fwd: Forward, nowSec: number, s: MidSettings): void {
  const current = d.get(fwd.aor);
  let bindings = current ? current.bindings.filter((b) => isValid(b, nowSec)) : [];
  if (fwd.flags.onlyRequestContacts)
    bindings = bindings.filter((b) => fwd.mappings.some((m) => urisEqual(m.contact.uri, b.uri)));
  setContacts(out, contactList(bindings, nowSec, s.receivedParam));
}

/** Room for a new local contact under `cN`/max_contacts (flag f evicts the oldest valid ones). */
function roomForNew(d: UsrlocDomain, record: AorRecord, fwd: Forward, s: MidSettings, nowSec: number): boolean {
  return roomFor(d, record, fwd.flags.maxContacts ?? s.maxContacts, fwd.flags.force, 1, undefined, nowSec);
}

export function processReply(
  ctx: ExecContext,
  domainName: string,
  fwd: Forward,
  reply: SipMessage,
  out: SipMessage,
  s: MidSettings,
): void {
  const d = usrlocOf(ctx.runtime).domain(domainName);
  if (fwd.star) {
    d.removeAor(fwd.aor);
    return;
  }
  const listed = (() => {
    const l = reply.contacts();
    return isSipError(l) ? [] : l.contacts;
  })();
  const info = replyInfo(ctx, reply);
  const granted =
    s.mode === 2 ? restoreAor(ctx, d, fwd, listed, info, s) : restoreContacts(ctx, d, fwd, listed, info, s);
  if (granted === undefined) return;
  if (s.mode !== 2) out.removeHeader('expires');
  listLocal(out, d, fwd, info.nowSec, s);
  keepTcpConnection(ctx, fwd, granted, s);
}

/** §4.1, modes 0 and 1: each forwarded contact is matched in the 2xx by its ctid. Returns the e_out values granted. */
function restoreContacts(
  ctx: ExecContext,
  d: UsrlocDomain,
  fwd: Forward,
  listed: readonly Contact[],
  info: ReplyInfo,
  s: MidSettings,
): number[] | undefined {
  const matched = new Map<string, Contact>();
  for (const c of listed) {
    const id = ctidOf(c.uri, s);
    if (id) matched.set(id, c);
  }
  if (fwd.mappings.some((m) => m.e > 0 && !matched.has(m.ctid))) {
    ctx.runtime.logger.log(
      -1,
      'mid_registrar',
      'validate_msg_contacts',
      `the 2xx of the main registrar misses a forwarded contact of ${fwd.aor}: relayed unmodified`,
    );
    return undefined;
  }
  const record = d.getOrCreate(fwd.aor);
  const granted: number[] = [];
  for (const m of fwd.mappings) {
    const existing = findLocal(record, m);
    const rc = matched.get(m.ctid);
    if (m.e === 0 || !rc) {
      if (existing) {
        (existing.kv ??= new Map()).set('noDR', '1');
        d.remove(record, existing);
        d.records.set(fwd.aor, record);
      }
      continue;
    }
    const eOut = grantedExpires(rc, info, s);
    granted.push(eOut);
    const local = Math.min(m.e, eOut);
    if (!existing && !roomForNew(d, record, fwd, s, info.nowSec)) {
      // R_TOO_MANY: the whole local AoR goes, the 2xx is relayed with its Contacts stripped.
      ctx.runtime.logger.log(
        1,
        'mid_registrar',
        'save_restore_rpl_contacts',
        `AOR <${fwd.aor}> is already at max contacts`,
      );
      d.removeAor(fwd.aor);
      return [];
    }
    const values = fields(ctx, fwd, m, local, info, s);
    const b = existing
      ? (d.refresh(record, existing, values, newUriOf(fwd, values)), existing)
      : d.insert(record, values, m.ctid);
    if (s.mode === 1) {
      b.kv = new Map([
        ['LRTs', String(info.nowSec)],
        ['exp', String(local)],
        ['expO', String(eOut)],
        ['Seq', String(info.cseq)],
        ['F', fwd.from],
        ['T', fwd.to],
        ['CID', info.callid],
        ['ru', fwd.ruri],
        ['hop', fwd.hop],
        ['Con', rc.uri],
      ]);
      d.touched(record, b);
    }
  }
  if (!record.bindings.length && d.get(fwd.aor) === record) d.records.delete(fwd.aor);
  return granted;
}

/**
 * §4.2, mode 2: the 2xx carries the AoR's single upstream binding. opensips-ts finds
 * the one it sent (RFC 3261 URI comparison); `--compat mid_registrar:reply_match`
 * takes the first Contact whatever it is, as 3.3.10 does.
 */
function restoreAor(
  ctx: ExecContext,
  d: UsrlocDomain,
  fwd: Forward,
  listed: readonly Contact[],
  info: ReplyInfo,
  s: MidSettings,
): number[] | undefined {
  const ours = ctx.runtime.compat.has(COMPAT.replyMatch)
    ? listed[0]
    : listed.find((c) => fwd.sentUri !== undefined && urisEqual(c.uri, fwd.sentUri));
  const eOut = ours ? grantedExpires(ours, info, s) : -1;
  let record = d.get(fwd.aor);
  if (!record && !ours) return [];
  record ??= d.getOrCreate(fwd.aor);
  const kv = (record.kv ??= new Map());
  if (!kv.has('CID') && ours) {
    for (const [k, v] of [
      ['expO', eOut],
      ['LRTs', info.nowSec],
      ['Seq', info.cseq],
      ['F', fwd.from],
      ['T', fwd.to],
      ['CID', info.callid],
      ['ru', fwd.ruri],
      ['Con', ours.uri],
    ] as const)
      kv.set(k, String(v));
    if (fwd.hop) kv.set('hop', fwd.hop);
  } else {
    if (kv.get('CID') !== info.callid) kv.set('CID', info.callid).set('Seq', String(info.cseq));
    else if (Number(kv.get('Seq') ?? 0) < info.cseq) kv.set('Seq', String(info.cseq));
    if (ours) kv.set('LRTs', String(info.nowSec));
    else kv.set('LRTs', '0').set('noDR', '1'); // the upstream dropped the AoR: nothing left to De-REGISTER
  }
  for (const m of fwd.mappings) {
    const existing = findLocal(record, m);
    if (!ours || m.e === 0) {
      if (existing) d.remove(record, existing);
      continue;
    }
    const local = Math.min(m.e, eOut);
    if (!existing && !roomForNew(d, record, fwd, s, info.nowSec)) {
      ctx.runtime.logger.log(
        1,
        'mid_registrar',
        'save_restore_req_contacts',
        `AOR <${fwd.aor}> is already at max contacts`,
      );
      return [];
    }
    const values = fields(ctx, fwd, m, local, info, s);
    const b = existing
      ? (d.refresh(record, existing, values, newUriOf(fwd, values)), existing)
      : d.insert(record, values, m.ctid);
    const ckv = (b.kv ??= new Map());
    ckv
      .set('exp', String(local))
      .set('expO', String(eOut))
      .set('Seq', String(info.cseq))
      .set('LRTs', String(info.nowSec));
    d.touched(record, b);
  }
  return ours ? [eOut] : [];
}

/**
 * tcp_persistent_flag (§7): a REGISTER over TCP with the flag set before t_relay() keeps the
 * UA's connection until the longest upstream expiry of its TCP contacts + 10 s. 3.3.10's
 * arithmetic makes it permanent; `--compat mid_registrar:tcp_lifetime` does that too.
 */
function keepTcpConnection(ctx: ExecContext, fwd: Forward, granted: number[], s: MidSettings): void {
  if (!s.tcpPersistentFlag || !['tcp', 'tls', 'ws', 'wss'].includes(fwd.src.proto)) return;
  if (!(fwd.msgFlags & ctx.runtime.flags.mask('msg', s.tcpPersistentFlag))) return;
  if (!fwd.mappings.some((m) => /;transport=(tcp|tls|ws|wss)/i.test(m.contact.uri))) return;
  const tcp = ctx.runtime.service(CONNECTIONS);
  if (!tcp || !granted.length) return;
  const until = ctx.runtime.compat.has(COMPAT.tcpLifetime)
    ? Number.MAX_SAFE_INTEGER
    : ctx.runtime.clock.now() + (Math.max(...granted) + 10) * 1000;
  tcp.extendLifetime({ ...fwd.src }, until);
}
