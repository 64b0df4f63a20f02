// mid_registrar_save() for modes 0 (contact mirroring) and 1 (contact
// throttling), after mid-registrar-semantics.md §2-§4: mode 0 forwards every
// REGISTER; mode 1 absorbs refreshes until the upstream binding is due. At
// t_relay() Contacts become `<sip:USER@ADV:PORT;ctid=ID>;expires=...`; the
// first 2xx of the main registrar updates local usrloc (under the UA's own
// URIs, contact_id = ctid) and is rewritten for the UA. Mode 2 is not native
// yet: it returns -1 with an error log naming the mode.
import { scriptContacts } from '../../script/edits.js';
import { isSipError } from '../../sip/result.js';
import type { Contact } from '../../sip/name-addr.js';
import type { SipMessage } from '../../sip/message.js';
import { socketString, type ExecContext, type SocketInfo } from '../../script/context.js';
import { splitUri, uriParam } from '../../script/uri-fields.js';
import { urisEqual } from '../../sip/uri-compare.js';
import { signalingReply } from '../signaling/index.js';
import { createTransaction, tmHooks, transactionOf } from '../common/transaction.js';
import { liveTm } from '../tm/live.js';
import { isValid, type Binding } from '../usrloc/store.js';
import { extractAor, settingsOf, usrlocOf, type RegistrarSettings } from '../registrar/aor.js';
import { parseSaveFlags } from '../registrar/flags.js';
import { METHOD_BITS } from '../registrar/methods.js';
import { contactList } from '../registrar/save.js';

interface Mapping {
  contact: Contact;
  /** Clamped requested expiry (`e`). */
  e: number;
  /** Unclamped (`e_raw`): what mirror mode sends upstream. */
  eRaw: number;
  ctid: string;
}

function requested(c: Contact, header: number | undefined, s: RegistrarSettings, clamp: boolean): number {
  let e: number;
  if (c.params.expires !== undefined && c.params.expires !== '') e = typeof c.expires === 'number' ? c.expires : s.defaultExpires;
  else e = header ?? s.defaultExpires;
  if (!clamp || e === 0) return e;
  if (s.minExpires && e < s.minExpires) e = s.minExpires;
  if (s.maxExpires && e > s.maxExpires) e = s.maxExpires;
  return e;
}

function fail(ctx: ExecContext, noReply: boolean, code: number, text: string): number {
  if (!noReply) signalingReply(ctx, code, code === 501 ? 'Not Implemented' : code >= 500 ? 'Server Internal Error' : 'Bad Request', [['P-Registrar-Error', text]], 'mid_registrar_save');
  return -1;
}

export function midRegistrarSave(ctx: ExecContext, domainName: string, flagsText: string, aorUri: string | undefined): number {
  const req = ctx.msg.sip;
  const f = parseSaveFlags(flagsText);
  if (!req || !req.isRequest || req.method !== 'REGISTER') return fail(ctx, f.noReply, 501, 'Not Implemented');
  const mode = Number(ctx.runtime.param('mid_registrar', 'mode') ?? 0);
  if (mode !== 0 && mode !== 1) {
    ctx.runtime.logger.log(-1, 'mid_registrar', 'mid_reg_save', `mode ${mode} is not implemented natively yet (modes 0 and 1 are)`);
    return -1;
  }
  const s = settingsOf(ctx.runtime, 'mid_registrar');
  const ul = usrlocOf(ctx.runtime);
  if (!req.header('to') || req.callId === undefined || !req.cseq || isSipError(req.cseq)) return fail(ctx, f.noReply, 400, 'Message parse error');
  const headerExpires = req.expires;
  if (isSipError(headerExpires)) return fail(ctx, f.noReply, 400, 'Expires parse error');
  const list = scriptContacts(ctx, req);
  if (isSipError(list)) return fail(ctx, f.noReply, 400, 'Contact parse error');
  const to = req.to;
  const a = extractAor(aorUri ?? (to && !isSipError(to) ? to.uri : ''), ul.useDomain, s);
  if ('error' in a) return fail(ctx, f.noReply, 'code' in a ? a.code : 400, a.error);
  if (list.star && (headerExpires !== 0 || list.contacts.length)) return fail(ctx, f.noReply, 400, '* used in contact and expires is not zero');
  // No Contact: a query answered locally, listing nothing (§2 #5).
  if (!list.star && !list.contacts.length) {
    if (!f.noReply) signalingReply(ctx, 200, 'OK', [], 'mid_registrar_save');
    return 2;
  }
  if (mode === 1 && !list.star) {
    const decision = throttle(ctx, domainName, a.aor, list.contacts, headerExpires, s, f.noReply);
    if (decision !== 'forward') return decision;
  }
  // Forward: the transaction exists from now on; a retransmission stops the script.
  const live = liveTm(ctx);
  const known = live?.existing(ctx);
  if (known) { live!.absorb(known); return 0; }
  if (!transactionOf(ctx)) createTransaction(ctx, 'mid_registrar_save');
  const d = ul.domain(domainName);
  const record = d.getOrCreate(a.aor);
  const mappings: Mapping[] = list.contacts.map((c) => {
    const existing = record.bindings.find((b) => urisEqual(b.uri, c.uri));
    return { contact: c, e: requested(c, headerExpires, s, true), eRaw: requested(c, headerExpires, s, false), ctid: existing?.contactId ?? d.newContactId(record) };
  });
  const out = outgoingExpires(ctx);
  const fwd: Forward = {
    aor: a.aor, star: list.star, mappings, cflags: ctx.branchFlags[0] ?? 0, socketIn: ctx.socketIn, ua: req.userAgent, mode, out,
    from: req.header('from') ?? '', to: req.header('to') ?? '', ruri: '', hop: ctx.du ?? '',
  };
  tmHooks(ctx).push({
    requestForwarded: (msg, from) => { fwd.ruri = msg.ruri; rewriteRequest(ctx, msg, from, fwd); },
    responseIn: (reply, outMsg) => processReply(ctx, domainName, fwd, reply, outMsg, s),
  });
  return 1;
}

interface Forward {
  aor: string; star: boolean; mappings: Mapping[]; cflags: number; socketIn: SocketInfo; ua: string | undefined;
  mode: number; out: number; from: string; to: string; ruri: string; hop: string;
}

/** OUT: the 4th argument of mid_registrar_save if > 0 (not supported as a script argument here yet), else outgoing_expires. */
function outgoingExpires(ctx: ExecContext): number {
  const v = ctx.runtime.param('mid_registrar', 'outgoing_expires');
  return typeof v === 'number' && v > 0 ? v : 3600;
}

/**
 * Mode 1, contact throttling (§2.1): absorb a refresh while the upstream binding outlives
 * the newly requested local one (`now - LRTs < expO - e`), else forward.
 */
function throttle(ctx: ExecContext, domainName: string, aor: string, contacts: readonly Contact[], headerExpires: number | undefined,
  s: RegistrarSettings, noReply: boolean): 'forward' | number {
  const rt = ctx.runtime;
  const ul = usrlocOf(rt);
  const d = ul.domain(domainName);
  const record = d.get(aor);
  if (!record) return 'forward';
  const req = ctx.msg.sip!;
  const callid = req.callId ?? '';
  const cseq = (() => { const c = req.cseq; return c && !isSipError(c) ? c.num : 0; })();
  const now = Math.floor(rt.clock.now() / 1000);
  for (const c of contacts) {
    const e = requested(c, headerExpires, s, true);
    if (e === 0) return 'forward';
    const b = record.bindings.find((x) => urisEqual(x.uri, c.uri));
    if (!b) return 'forward';
    if (b.callid === callid) {
      if (cseq < b.cseq || (cseq === b.cseq && rt.clock.now() - b.lastModified >= ul.cseqDelay * 1000)) return fail(ctx, noReply, 400, 'Invalid CSeq number');
      if (cseq === b.cseq) continue; // a retransmission of this contact
    }
    const lrts = Number(b.kv?.get('LRTs'));
    const expO = Number(b.kv?.get('expO'));
    if (!b.kv?.has('LRTs') || !b.kv?.has('expO')) return 'forward';
    if (now - lrts >= expO - e) return 'forward';
    // Absorbed: LRTs, exp and expO stay, so the next decision still measures from the last forward.
    d.update(record, b, { expires: now + e, callid, cseq, userAgent: req.userAgent ?? 'n/a', lastModified: rt.clock.now(), cflags: ctx.branchFlags[0] ?? 0 });
    b.kv.set('Seq', String(cseq));
  }
  if (!noReply) {
    const current = d.get(aor);
    const contact = current ? contactList(current.bindings.filter((x) => isValid(x, now)), now, s.receivedParam) : '';
    signalingReply(ctx, 200, 'OK', contact ? [['Contact', contact]] : [], 'mid_registrar_save');
  }
  return 2;
}

function advertised(from: SocketInfo): string {
  // The address the socket really has (after --map), as in our Via: the main registrar must reach it.
  const host = from.advertisedIp ?? from.ip;
  const port = from.advertisedPort ?? from.port;
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** §3: Path headers go; every Contact becomes `<sip:USER@ADV:PORT;ctid=ID>;expires=e_raw`. */
function rewriteRequest(ctx: ExecContext, msg: SipMessage, from: SocketInfo, fwd: Forward): void {
  const { star, mappings } = fwd;
  if (star) return;
  if (fwd.mode === 1) {
    // §3 step 2: every non-zero expiry becomes OUT, in the contacts and in the Expires header.
    const allZero = mappings.every((m) => m.eRaw === 0);
    if (msg.hasHeader('expires')) msg.replaceHeader('expires', String(allZero ? 0 : fwd.out));
  }
  msg.removeHeader('path');
  const param = String(ctx.runtime.param('mid_registrar', 'contact_id_param') || 'ctid');
  const byUser = String(ctx.runtime.param('mid_registrar', 'contact_id_insertion') ?? 'ct-param').startsWith('ct-user');
  const extraAvp = ctx.runtime.param('mid_registrar', 'extra_contact_params_avp');
  const extraName = typeof extraAvp === 'string' ? /^\$avp\(([^)]+)\)$/.exec(extraAvp)?.[1] : undefined;
  const extraStack = extraName ? ctx.avps.get(extraName) : undefined;
  const extra = extraStack?.length ? String(extraStack[extraStack.length - 1]) : '';
  const values = mappings.map((m) => {
    const user = splitUri(m.contact.uri)?.user ?? '';
    const uri = byUser ? `sip:${m.ctid}@${advertised(from)}${extra}` : `sip:${user}@${advertised(from)};${param}=${m.ctid}${extra}`;
    return `<${uri}>;expires=${fwd.mode === 1 ? (m.eRaw === 0 ? 0 : fwd.out) : m.eRaw}`;
  });
  setContacts(msg, values.join(', '));
}

/** The Contact header(s) of `msg` replaced, in place of the first one, by one header with `value` (none when empty). */
function setContacts(msg: SipMessage, value: string): void {
  const n = msg.fields('contact').length;
  for (let i = 1; i < n; i++) msg.removeHeaderAt('contact', i);
  if (!n) { if (value) msg.addHeader('Contact', value); return; }
  if (value) msg.replaceHeader('contact', value, 0);
  else msg.removeHeaderAt('contact', 0);
}

function ctidOf(uri: string, param: string, byUser: boolean): string | undefined {
  const p = splitUri(uri);
  if (!p) return undefined;
  return byUser ? p.user : uriParam(p.params, param);
}

/** §4.1: the first 2xx of the main registrar updates local usrloc and is rewritten for the UA. */
function processReply(ctx: ExecContext, domainName: string, fwd: Forward, reply: SipMessage, out: SipMessage, s: RegistrarSettings): void {
  const rt = ctx.runtime;
  const d = usrlocOf(rt).domain(domainName);
  if (fwd.star) { d.removeAor(fwd.aor); return; }
  const param = String(rt.param('mid_registrar', 'contact_id_param') || 'ctid');
  const byUser = String(rt.param('mid_registrar', 'contact_id_insertion') ?? 'ct-param').startsWith('ct-user');
  const replyContacts = reply.contacts();
  const listed = isSipError(replyContacts) ? [] : replyContacts.contacts;
  const replyExpires = reply.expires;
  const headerExp = typeof replyExpires === 'number' ? replyExpires : undefined;
  const matched = new Map<string, Contact>();
  for (const c of listed) { const id = ctidOf(c.uri, param, byUser); if (id) matched.set(id, c); }
  if (fwd.mappings.some((m) => m.e > 0 && !matched.has(m.ctid))) {
    rt.logger.log(-1, 'mid_registrar', 'validate_msg_contacts', `the 2xx of the main registrar misses a forwarded contact of ${fwd.aor}: relayed unmodified`);
    return;
  }
  const now = Math.floor(rt.clock.now() / 1000);
  const cseq = reply.cseq;
  const record = d.getOrCreate(fwd.aor);
  for (const m of fwd.mappings) {
    const existing = record.bindings.find((b) => b.contactId === m.ctid || urisEqual(b.uri, m.contact.uri));
    const rc = matched.get(m.ctid);
    if (m.e === 0 || !rc) {
      if (existing) { (existing.kv ??= new Map()).set('noDR', '1'); d.remove(record, existing); }
      d.records.set(fwd.aor, record);
      continue;
    }
    const eOut = typeof rc.expires === 'number' ? rc.expires : headerExp ?? s.defaultExpires;
    const local = Math.min(m.e, eOut);
    const avp = s.receivedAvp ? ctx.avps.get(s.receivedAvp) : undefined;
    const received = m.contact.params.received?.replace(/^"|"$/g, '') || (avp?.length ? String(avp[avp.length - 1]) : undefined);
    const fields: Omit<Binding, 'contactId'> = {
      uri: m.contact.uri, expires: now + local, q: m.contact.q === undefined || m.contact.q === null ? s.defaultQ : Math.round(m.contact.q * 1000),
      callid: reply.callId ?? '', cseq: cseq && !isSipError(cseq) ? cseq.num : 0, flags: 0, cflags: fwd.cflags,
      userAgent: fwd.ua && fwd.ua.length <= 254 ? fwd.ua : 'n/a', socket: socketString(fwd.socketIn), lastModified: rt.clock.now(), state: 'CS_NEW',
      ...(m.contact.methods !== undefined ? { methods: m.contact.methods.split(',').reduce((bits, x) => bits | (METHOD_BITS[x.trim().toUpperCase()] ?? 0), 0) } : {}),
      ...(received ? { received } : {}), ...(m.contact.instance ? { instance: m.contact.instance } : {}),
    };
    const b = existing ? (d.update(record, existing, fields), existing) : d.insert(record, fields, m.ctid);
    if (fwd.mode === 1) {
      const cs = cseq && !isSipError(cseq) ? String(cseq.num) : '0';
      b.kv = new Map([['LRTs', String(now)], ['exp', String(local)], ['expO', String(eOut)], ['Seq', cs], ['F', fwd.from], ['T', fwd.to],
        ['CID', reply.callId ?? ''], ['ru', fwd.ruri], ['hop', fwd.hop], ['Con', rc.uri]]);
    }
  }
  out.removeHeader('expires');
  const current = d.get(fwd.aor);
  setContacts(out, current ? contactList(current.bindings.filter((b) => isValid(b, now)), now, s.receivedParam) : '');
}
