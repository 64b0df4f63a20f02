// The forward-or-absorb decision of the throttling modes: mode 1 per contact
// (§2.1), mode 2 per AoR (§2.2). An absorbed REGISTER is answered here with a
// 200 OK listing the AoR's valid local contacts.
import type { Contact } from '../../sip/name-addr.js';
import { isSipError } from '../../sip/result.js';
import { urisEqual } from '../../sip/uri-compare.js';
import type { ExecContext } from '../../script/context.js';
import { signalingReply } from '../signaling/index.js';
import { isValid, type AorRecord, type Binding, type UsrlocDomain } from '../usrloc/api.js';
import { usrlocOf } from '../usrloc/api.js';
import type { SaveFlags } from '../common/reg/flags.js';
import { captureBinding } from '../common/reg/ci.js';
import { contactList } from '../common/reg/contacts.js';
import { roomFor } from './max-contacts.js';
import { requestedExpires, type MidSettings } from './settings.js';

export type Decision = 'forward' | { rc: number; code?: number; text?: string };

const INVALID_CSEQ: Decision = { rc: -1, code: 400, text: 'Invalid CSeq number' };

interface RegisterInfo {
  callid: string;
  cseq: number;
  nowMs: number;
  nowSec: number;
  headerExpires: number | undefined;
}

function registerInfo(ctx: ExecContext, headerExpires: number | undefined): RegisterInfo {
  const req = ctx.msg.sip!;
  const c = req.cseq;
  const nowMs = ctx.runtime.clock.now();
  return {
    callid: req.callId ?? '',
    cseq: c && !isSipError(c) ? c.num : 0,
    nowMs,
    nowSec: Math.floor(nowMs / 1000),
    headerExpires,
  };
}

/** Registrar's Call-ID/CSeq rule: 'bad' → 400, 'retransmission' → skip this contact. */
function cseqCheck(ctx: ExecContext, b: Binding, info: RegisterInfo): 'ok' | 'bad' | 'retransmission' {
  if (b.callid !== info.callid) return 'ok';
  if (info.cseq > b.cseq) return 'ok';
  if (info.cseq === b.cseq && info.nowMs - b.lastModified < usrlocOf(ctx.runtime).cseqDelay * 1000)
    return 'retransmission';
  return 'bad';
}

/** Mode 1: absorb a refresh while the upstream binding outlives the new local one (`now - LRTs < expO - e`). */
export function throttleContacts(
  ctx: ExecContext,
  d: UsrlocDomain,
  record: AorRecord,
  contacts: readonly Contact[],
  headerExpires: number | undefined,
  s: MidSettings,
  f: SaveFlags,
): Decision {
  const info = registerInfo(ctx, headerExpires);
  for (const c of contacts) {
    const e = requestedExpires(c, headerExpires, s, true);
    if (e === 0) return 'forward';
    const b = record.bindings.find((x) => urisEqual(x.uri, c.uri));
    if (!b) return 'forward';
    const check = cseqCheck(ctx, b, info);
    if (check === 'bad') return INVALID_CSEQ;
    if (check === 'retransmission') continue;
    if (!b.kv?.has('LRTs') || !b.kv.has('expO')) return 'forward';
    if (info.nowSec - Number(b.kv.get('LRTs')) >= Number(b.kv.get('expO')) - e) return 'forward';
    // Absorbed: LRTs, exp and expO stay, so the next decision still measures from the last forward.
    // pack_ci() of the REGISTER, as registrar's save() would refresh it (mem_update_ucontact keeps the URI and the kv data).
    d.refresh(record, b, captureBinding(ctx, { contact: c, expires: e }, info.nowSec, s, f), newUri(f, c));
    b.kv.set('Seq', String(info.cseq));
    d.touched(record, b);
  }
  return { rc: 2 };
}

/** The URI usrloc stores on a refresh: a new one only for M<param> matching (pack_ci). */
function newUri(f: SaveFlags, c: Contact): string | undefined {
  return f.matching && 'param' in f.matching ? c.uri : undefined;
}

/** max over the AoR's contacts of expO − exp; −1 when one lacks the keys. */
function maxDiff(record: AorRecord): number {
  let diff = -1;
  for (const b of record.bindings) {
    if (!b.kv?.has('exp') || !b.kv.has('expO')) return -1;
    diff = Math.max(diff, Number(b.kv.get('expO')) - Number(b.kv.get('exp')));
  }
  return diff;
}

/**
 * Mode 2: contacts are added, refreshed and removed locally; the REGISTER goes
 * upstream only when the AoR's upstream binding is due (`LRTs + max_diff <= now`)
 * or its last contact is removed.
 */
export function throttleAor(
  ctx: ExecContext,
  d: UsrlocDomain,
  record: AorRecord,
  contacts: readonly Contact[],
  headerExpires: number | undefined,
  s: MidSettings,
  f: SaveFlags,
): Decision {
  if (!record.bindings.length || !record.kv?.has('LRTs') || !record.kv.has('expO')) return 'forward';
  const info = registerInfo(ctx, headerExpires);
  const lrts = Number(record.kv.get('LRTs'));
  const expO = Number(record.kv.get('expO'));
  const ctno = record.bindings.filter((b) => isValid(b, info.nowSec)).length;
  const cap = f.maxContacts ?? s.maxContacts;
  let deregistersOnly = true;
  for (const c of contacts) {
    const e = Math.min(requestedExpires(c, headerExpires, s, true), expO);
    const b = record.bindings.find((x) => urisEqual(x.uri, c.uri));
    if (b) {
      const check = cseqCheck(ctx, b, info);
      if (check === 'bad') return INVALID_CSEQ;
      if (check === 'retransmission') continue;
      if (e === 0) {
        if (ctno === 1) return 'forward'; // the last contact leaves: upstream must know at once
        d.remove(record, b); // no De-REGISTER: the AoR stays registered upstream
        continue;
      }
      deregistersOnly = false;
      if (!roomFor(d, record, cap, f.force, isValid(b, info.nowSec) ? 0 : 1, b, info.nowSec))
        return { rc: -1, code: 503, text: 'Too many registered contacts' };
      d.refresh(record, b, captureBinding(ctx, { contact: c, expires: e }, info.nowSec, s, f), newUri(f, c));
      setContactKeys(b, e, expO, info);
      d.touched(record, b);
      continue;
    }
    if (e === 0) continue;
    deregistersOnly = false;
    if (!roomFor(d, record, cap, f.force, 1, undefined, info.nowSec))
      return { rc: -1, code: 503, text: 'Too many registered contacts' };
    const added = d.insert(record, captureBinding(ctx, { contact: c, expires: e }, info.nowSec, s, f));
    setContactKeys(added, e, expO, info);
    d.touched(record, added);
  }
  if (!deregistersOnly) {
    const diff = maxDiff(record);
    if (diff < 0 || lrts + diff <= info.nowSec) return 'forward';
  } else if (ctno >= 2 && !record.bindings.length) {
    return 'forward';
  }
  return { rc: 2 };
}

function setContactKeys(b: Binding, e: number, expO: number, info: RegisterInfo): void {
  const kv = (b.kv ??= new Map());
  kv.set('exp', String(e)).set('expO', String(expO)).set('Seq', String(info.cseq)).set('LRTs', String(info.nowSec));
}

/** The local 200 OK of an absorbed REGISTER: every valid local contact (only the request's with `o`). */
export function absorbReply(
  ctx: ExecContext,
  d: UsrlocDomain,
  aor: string,
  s: MidSettings,
  f: SaveFlags,
  contacts: readonly Contact[],
): void {
  const nowSec = Math.floor(ctx.runtime.clock.now() / 1000);
  const current = d.get(aor);
  let bindings = current ? current.bindings.filter((b) => isValid(b, nowSec)) : [];
  if (f.onlyRequestContacts) bindings = bindings.filter((b) => contacts.some((c) => urisEqual(c.uri, b.uri)));
  const contact = contactList(bindings, nowSec, s.receivedParam);
  signalingReply(ctx, 200, 'OK', contact ? [['Contact', contact]] : [], 'mid_registrar_save');
}
