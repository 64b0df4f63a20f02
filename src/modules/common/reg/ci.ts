// A binding's fields captured from a REGISTER contact (lib/reg's pack_ci),
// shared by registrar's and mid_registrar's save().
import type { Contact } from '../../../sip/name-addr.js';
import { isSipError } from '../../../sip/result.js';
import { socketString, type ExecContext } from '../../../script/context.js';
import type { Binding } from '../../usrloc/api.js';
import type { RegistrarSettings } from './aor.js';
import type { SaveFlags } from './flags.js';
import { ALL_METHODS, METHOD_BITS } from './methods.js';

function methodsOf(c: Contact, allow: string[] | undefined): number | undefined {
  const list = c.methods !== undefined ? c.methods.split(',') : allow;
  if (!list) return undefined;
  let bits = 0;
  for (const m of list) bits |= METHOD_BITS[m.trim().toUpperCase()] ?? METHOD_BITS.OTHER!;
  return bits || ALL_METHODS;
}

export interface Incoming {
  contact: Contact;
  expires: number;
}

/** Repeated values (User-Agent, socket) shared by every binding that has them, bounded. */
const interned = new Map<string, string>();
function intern(s: string): string {
  const hit = interned.get(s);
  if (hit !== undefined) return hit;
  const copy = own(s);
  if (interned.size < 10_000) interned.set(copy, copy);
  return copy;
}

/**
 * A string that owns its characters. Values cut out of a received message are V8
 * "sliced strings" that keep the whole message alive: a stored binding must not.
 * Concatenating and slicing again copies the characters into a new string (the
 * concatenation is flattened); a UTF-8 round trip did the same at twice the
 * cost, and is kept for the one case where it changes the text: lone
 * surrogates, which it turns into U+FFFD.
 */
export function own(s: string): string {
  if (!s.length) return s;
  return (s as WellFormedCheck).isWellFormed() ? (' ' + s).slice(1) : Buffer.from(s, 'utf8').toString('utf8');
}

/** ES2024's String.prototype.isWellFormed (Node 20), not in the ES2022 typings the project compiles against. */
type WellFormedCheck = string & { isWellFormed(): boolean };

/** The binding fields captured from the REGISTER for one contact (lib/reg pack_ci). */
export function captureBinding(
  ctx: ExecContext,
  inc: Incoming,
  nowSec: number,
  s: RegistrarSettings,
  f: SaveFlags,
): Omit<Binding, 'contactId'> {
  const req = ctx.msg.sip!;
  const c = inc.contact;
  const cseq = req.cseq;
  const ua = req.userAgent;
  const receivedParam = c.params.received?.replace(/^"|"$/g, '');
  const avp = s.receivedAvp ? ctx.avps.get(s.receivedAvp) : undefined;
  const fromAvp = avp?.length ? String(avp[avp.length - 1]) : undefined;
  const received = receivedParam || fromAvp;
  const attrAvp = s.attrAvp ? ctx.avps.get(s.attrAvp) : undefined;
  const q = c.q === undefined ? s.defaultQ : Math.round((c.q ?? 0) * 1000);
  const methods = methodsOf(c, req.allow());
  const path = pathOf(ctx, f);
  return {
    uri: own(c.uri),
    expires: nowSec + inc.expires,
    q,
    callid: own(req.callId ?? ''),
    cseq: cseq && !isSipError(cseq) ? cseq.num : 0,
    flags: f.memoryOnly ? 1 : 0,
    cflags: ctx.branchFlags[0] ?? 0,
    userAgent: ua && ua.length >= 1 && ua.length <= 254 ? intern(ua) : 'n/a',
    socket: intern(socketString(ctx.socketIn)),
    lastModified: ctx.runtime.clock.now(),
    state: 'CS_NEW',
    // Absent fields stay undefined: usrloc's shapedBinding() leaves them out (no object spreads on this path).
    methods,
    received: received ? own(received) : undefined,
    instance: c.instance ? own(c.instance) : undefined,
    regId: c.regId,
    path: path ? own(path) : undefined,
    attr: attrAvp?.length ? own(String(attrAvp[attrAvp.length - 1])) : undefined,
  };
}

/** The REGISTER's Path header values, joined, when a p0/p1/p2 flag asks for Path support. */
export function pathOf(ctx: ExecContext, f: SaveFlags): string | undefined {
  if (f.path === undefined) return undefined;
  const values = ctx.msg.headers('Path');
  return values.length ? values.join(',') : undefined;
}
