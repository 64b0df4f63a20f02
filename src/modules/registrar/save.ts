// save(): validate a REGISTER, compute each contact's expiry, update the
// AoR's bindings, answer with every valid binding (registrar-semantics.md §1-4).
import { scriptContacts } from '../../script/edits.js';
import { isSipError } from '../../sip/result.js';
import { parseContactList, type Contact } from '../../sip/name-addr.js';
import type { ExecContext } from '../../script/context.js';
import { splitUri, uriParam } from '../../script/uri-fields.js';
import { signalingReply } from '../signaling/index.js';
import { isValid, usrlocOf, type AorRecord, type Binding, type UsrlocDomain } from '../usrloc/api.js';
import { extractAor, settingsOf, type RegistrarSettings } from '../common/reg/aor.js';
import { parseSaveFlags, type SaveFlags } from '../common/reg/flags.js';
import { contactList } from '../common/reg/contacts.js';
import { captureBinding, own, pathOf, type Incoming } from '../common/reg/ci.js';
import { parserError } from '../../script/errinfo.js';
import { Counter } from '../common/stats.js';
import { BindingIndex } from './binding-index.js';
import { CONNECTIONS } from '../../net/types.js';

/** lib/reg's RECEIVED_MAX_SIZE. */
const RECEIVED_MAX_SIZE = 255;

export class RegistrarError extends Error {
  constructor(
    readonly code: number,
    readonly text: string,
  ) {
    super(text);
  }
}

const DB_FAILURES = {
  insert: 'usrloc_contact_insert failed',
  update: 'usrloc_contact_update failed',
  delete: 'usrloc_contact_delete failed',
} as const;
const REASONS: Record<number, string> = {
  400: 'Bad Request',
  420: 'Bad Extension',
  500: 'Server Internal Error',
  503: 'Service Unavailable',
};

/**
 * 3.3's str2int(), which lib/reg uses for the CSeq number and parse_expires
 * for Expires: decimal digits only, and no overflow check, so an overlarge
 * value wraps modulo 2^32 (RFC 4475's scalar02 registers on 3.3).
 */
function str2int(text: string): number | undefined {
  if (text === '') return undefined;
  let v = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
    v = (v * 10 + c - 48) % 0x100000000;
  }
  return v;
}

/** The CSeq number as parse_cseq delimits it: up to the first blank or line end. */
function firstToken(value: string | undefined): string {
  const v = (value ?? '').trimStart();
  const end = v.search(/[ \t\r\n]/);
  return end < 0 ? v : v.slice(0, end);
}

function contactExpires(c: Contact, headerExpires: number | undefined, s: RegistrarSettings, f: SaveFlags): number {
  let e: number;
  if (c.params.expires !== undefined && c.params.expires !== '')
    e = typeof c.expires === 'number' ? c.expires : s.defaultExpires;
  else if (headerExpires !== undefined) e = headerExpires;
  else e = s.defaultExpires;
  if (e === 0) return 0;
  const min = f.minExpires ?? s.minExpires;
  const max = f.maxExpires ?? s.maxExpires;
  if (min && e < min) e = min;
  if (max && e > max) e = max;
  return e;
}

export interface SaveOutcome {
  aor: string;
  record?: AorRecord;
}

function findBinding(
  r: AorRecord,
  index: BindingIndex,
  c: Contact,
  callid: string,
  f: SaveFlags,
  matchingMode: 0 | 1,
): Binding | undefined {
  const m = f.matching ?? { mode: matchingMode };
  if ('param' in m) {
    const value = (uri: string): string | undefined => {
      const p = splitUri(uri);
      return p ? uriParam(p.params, m.param) : undefined;
    };
    const want = value(c.uri);
    return r.bindings.find((b) => {
      const got = value(b.uri);
      return want === undefined || got === undefined || want === got;
    });
  }
  return index.find(c.uri, (b) => m.mode === 0 || b.callid === callid);
}

function supportsPath(ctx: ExecContext): boolean {
  return ctx.msg.sip?.supported().some((x) => x.toLowerCase() === 'path') ?? false;
}

/** Applies the request's contacts to the AoR; throws RegistrarError on a rejection. */
function updateBindings(
  ctx: ExecContext,
  d: UsrlocDomain,
  aor: string,
  incoming: Incoming[],
  s: RegistrarSettings,
  f: SaveFlags,
  nowSec: number,
): AorRecord | undefined {
  const req = ctx.msg.sip!;
  const ul = usrlocOf(ctx.runtime);
  const callid = req.callId ?? '';
  const cseqNum = str2int(firstToken(req.header('cseq'))) ?? 0;
  const cap = f.maxContacts ?? s.maxContacts;
  const existed = d.get(aor);
  const r = existed ?? d.create(own(aor));
  let n = cap ? r.bindings.filter((b) => isValid(b, nowSec)).length : 0;
  const index = new BindingIndex(r);
  const remove = (b: Binding): void => {
    index.delete(b);
    d.remove(r, b);
    d.records.set(aor, r);
  };
  try {
    for (const inc of incoming) {
      const found = findBinding(r, index, inc.contact, callid, f, ul.matchingMode);
      if (found && (found.callid === callid || (f.matching && !('param' in f.matching) && f.matching.mode === 1))) {
        if (cseqNum < found.cseq) throw new RegistrarError(400, 'Invalid CSeq number');
        if (cseqNum === found.cseq) {
          if (ctx.runtime.clock.now() - found.lastModified < ul.cseqDelay * 1000) continue; // a retransmission
          throw new RegistrarError(400, 'Invalid CSeq number');
        }
      }
      if (!found) {
        if (inc.expires === 0) continue;
        while (cap && n >= cap) {
          if (!f.force) throw new RegistrarError(503, 'Too many registered contacts');
          const victim = existed ? [...r.bindings].reverse().find((b) => isValid(b, nowSec)) : r.bindings[0];
          if (!victim) break;
          remove(victim);
          n--;
        }
        index.add(d.insert(r, captureBinding(ctx, inc, nowSec, s, f)));
        n++;
        continue;
      }
      if (inc.expires === 0) {
        remove(found);
        if (cap) n--;
        continue;
      }
      if (cap && !isValid(found, nowSec)) n++;
      while (cap && n > cap) {
        if (!f.force) throw new RegistrarError(503, 'Too many registered contacts');
        const victim = [...r.bindings].reverse().find((b) => b !== found && isValid(b, nowSec));
        if (!victim) break;
        remove(victim);
        n--;
      }
      const info = captureBinding(ctx, inc, nowSec, s, f);
      // usrloc keeps the stored contact URI; pack_ci() hands a new one only for M<param> matching.
      d.refresh(r, found, info, f.matching && 'param' in f.matching ? info.uri : undefined);
      index.rekey(found);
    }
  } catch (err) {
    if (!existed) d.removeAor(aor); // a new AoR is discarded on error
    if (!r.bindings.length) d.records.delete(aor);
    throw err;
  }
  if (!r.bindings.length) {
    d.records.delete(aor);
    return undefined;
  }
  return r;
}

function parseRegister(ctx: ExecContext): { contacts: Contact[]; star: boolean; headerExpires: number | undefined } {
  const req = ctx.msg.sip!;
  if (!req.header('to')) throw new RegistrarError(400, 'To header not found');
  if (req.callId === undefined) throw new RegistrarError(400, 'Call-ID header not found');
  const cseq = req.header('cseq');
  if (cseq === undefined) throw new RegistrarError(400, 'CSeq header not found');
  if (str2int(firstToken(cseq)) === undefined) throw new RegistrarError(400, 'Invalid CSeq number');
  if ((req.callId ?? '').length > 255) throw new RegistrarError(400, 'Callid too long');
  const expiresText = req.header('expires');
  const e = expiresText === undefined ? undefined : str2int(expiresText.trim());
  if (expiresText !== undefined && e === undefined) {
    ctx.setError(parserError('error parsing EXPIRE header', 'bad headers'));
    throw new RegistrarError(400, 'Expires parse error');
  }
  const list = scriptContacts(ctx, req);
  if (isSipError(list)) {
    ctx.setError(parserError('error parsing CONTACT headers', 'bad headers'));
    throw new RegistrarError(400, 'Contact parse error');
  }
  if (list.star) {
    if (e !== 0) throw new RegistrarError(400, '* used in contact and expires is not zero');
    if (list.contacts.length) throw new RegistrarError(400, '* used in contact and more than 1 contact');
  }
  // lib/reg's check_contacts() checks the lengths from the second Contact header on (its loop starts at
  // contact->next): the contacts of the first header are stored whatever their length (a Linphone push
  // Contact is 400+ characters, and 3.3.10 registers it).
  const maxLen = Number(ctx.runtime.param('registrar', 'max_contact_len') ?? 255) || 255;
  const firstValue = list.contacts.length > 1 ? req.header('contact') : undefined;
  const firstList = firstValue !== undefined ? parseContactList(firstValue) : undefined;
  const inFirst =
    firstList === undefined ? list.contacts.length : isSipError(firstList) ? 0 : firstList.contacts.length;
  list.contacts.forEach((c, i) => {
    if (
      i >= inFirst &&
      (c.uri.length > maxLen || (c.params.received ?? '').replace(/^"|"$/g, '').length > RECEIVED_MAX_SIZE)
    )
      throw new RegistrarError(400, 'Contact/received too long');
    if (c.q === null) throw new RegistrarError(400, 'Invalid q param in contact');
  });
  return { contacts: [...list.contacts], star: list.star, headerExpires: e };
}

/** The whole of save(); returns the script return code. */
export function registrarSave(
  ctx: ExecContext,
  mod: 'registrar',
  domainName: string,
  flagsText: string,
  aorUri: string | undefined,
): number {
  const req = ctx.msg.sip;
  if (!req || !req.isRequest) return -2;
  const s = settingsOf(ctx.runtime, mod);
  const f = parseSaveFlags(flagsText);
  const ul = usrlocOf(ctx.runtime);
  const d = ul.domain(domainName);
  const nowSec = Math.floor(ctx.runtime.clock.now() / 1000);
  let aor: string | undefined;
  try {
    const parsed = parseRegister(ctx);
    if (f.path === 2 && pathOf(ctx, f) && !supportsPath(ctx))
      throw new RegistrarError(420, 'No support for found Path indicated');
    const toUri = (() => {
      const t = req.to;
      return t && !isSipError(t) ? t.uri : undefined;
    })();
    const a = extractAor(aorUri ?? toUri ?? '', ul.useDomain, s);
    if ('error' in a) throw new RegistrarError(a.code, a.error);
    aor = a.aor;
    let record: AorRecord | undefined;
    ul.dbFailure = undefined;
    if (parsed.star) d.removeAor(aor);
    else if (parsed.contacts.length) {
      const incoming = parsed.contacts.map((c) => ({
        contact: c,
        expires: contactExpires(c, parsed.headerExpires, s, f),
      }));
      // What updateBindings returns is what the domain now holds for the AoR.
      record = updateBindings(ctx, d, aor, incoming, s, f, nowSec);
    } else record = d.get(aor);
    // usrloc could not write the change to its DB (write-through, sql-only): 500, as OpenSIPS's save() answers.
    const failed = ul.dbFailure;
    if (failed) {
      ul.dbFailure = undefined;
      throw new RegistrarError(500, DB_FAILURES[failed]);
    }
    ACCEPTED_REGS.inc(ctx.runtime.services);
    if (!parsed.star) extendTcpLifetime(ctx, s, parsed.contacts, parsed.headerExpires, f);
    if (f.noReply) return 1;
    const only = f.onlyRequestContacts ? new Set(parsed.contacts.map((c) => c.uri)) : undefined;
    const bindings = (record?.bindings ?? []).filter((b) => !only || only.has(b.uri));
    const contact = contactList(bindings, nowSec, s.receivedParam);
    const headers: [string, string][] = contact ? [['Contact', contact]] : [];
    const path = pathOf(ctx, f);
    if (path && f.path && f.path > 0 && supportsPath(ctx)) headers.push(['Path', path]);
    return signalingReply(ctx, 200, 'OK', headers, 'save') > 0 ? 1 : -1;
  } catch (err) {
    if (!(err instanceof RegistrarError)) throw err;
    REJECTED_REGS.inc(ctx.runtime.services);
    if (f.noReply) return -2;
    const headers: [string, string][] = [];
    const record = aor ? d.get(aor) : undefined;
    const contact = record ? contactList(record.bindings, nowSec, s.receivedParam) : '';
    if (contact) headers.push(['Contact', contact]);
    headers.push(['P-Registrar-Error', err.text]);
    if (err.code >= 500 && s.retryAfter > 0) headers.push(['Retry-After', String(s.retryAfter)]);
    if (err.code === 420) headers.push(['Unsupported', 'path'], ['Path', pathOf(ctx, f) ?? '']);
    signalingReply(ctx, err.code, REASONS[err.code] ?? 'Error', headers, 'save');
    return -2;
  }
}

/**
 * tcp_persistent_flag: a REGISTER over TCP with the flag set when save() runs keeps its
 * connection open until the longest TCP contact expiry + 10 s (never shortened).
 */
function extendTcpLifetime(
  ctx: ExecContext,
  s: RegistrarSettings,
  contacts: Contact[],
  headerExpires: number | undefined,
  f: SaveFlags,
): void {
  if (!s.tcpPersistentFlag || !['tcp', 'tls', 'ws', 'wss'].includes(ctx.src.proto)) return;
  if (!(ctx.msgFlags & ctx.runtime.flags.mask('msg', s.tcpPersistentFlag))) return;
  const tcp = ctx.runtime.service(CONNECTIONS);
  const tcpBased = contacts.filter((c) => /;transport=(tcp|tls|ws|wss)/i.test(c.uri));
  const e = Math.max(0, ...tcpBased.map((c) => contactExpires(c, headerExpires, s, f)));
  if (!tcp || e === 0) return;
  tcp.extendLifetime({ ...ctx.src }, ctx.runtime.clock.now() + (e + 10) * 1000);
}

/** save()'s outcomes, the registrar's accepted_regs and rejected_regs statistics. */
export const ACCEPTED_REGS = new Counter('registrar:accepted_regs');
export const REJECTED_REGS = new Counter('registrar:rejected_regs');
