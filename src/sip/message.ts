// SipMessage: the received bytes, an index of where each header sits, and
// structured values parsed only when asked for. Script changes are recorded
// as edits (OpenSIPS's lumps) and applied by serialize(), so an untouched
// header goes out byte for byte as it came in.
import { headerKey, isListHeader, splitList } from './header-names.js';
import {
  nameAddrError,
  parseContactList,
  parseNameAddr,
  parseNameAddrList,
  type ContactList,
  type Contact,
  type NameAddr,
} from './name-addr.js';
import { isSipError, sipError, type SipError } from './result.js';
import { parseCredentials, parseCSeq, parseMaxForwards, parseUint32, type Credentials, type CSeq } from './scalars.js';
import { frameMessage, type HeaderSpan, type MessageFrame } from './frame.js';
import type { StartLine } from './start-line.js';
import { parseViaList, type Via } from './via.js';
import { serializeMessage, type Edits } from './serialize.js';
import { isPlainSipUri } from './uri.js';

export interface RawHeader {
  readonly name: string;
  readonly value: string;
}

export interface HeaderField extends RawHeader {
  readonly prefix: string;
  readonly line: string;
  readonly folded: boolean;
}

export interface ParseOptions {
  /**
   * true (default): a UDP datagram. Content-Length may not promise more bytes
   * than arrived; without it the body is the rest of the datagram; trailing
   * bytes beyond Content-Length are ignored (RFC 4475 §3.1.1.8).
   * false: one message framed off a stream; Content-Length is required.
   */
  readonly datagram?: boolean;
}

export type ParseResult =
  | { readonly msg: SipMessage; readonly error?: undefined; readonly partial?: undefined }
  /** `partial` is set when a request's Via/From/To/Call-ID/CSeq are there to answer 400 with. */
  | { readonly error: string; readonly partial?: SipMessage; readonly msg?: undefined };

/** parseSipMessage's error for a message without any Via header (its `partial` is the message). */
export const NO_VIA = 'no Via header';

export function parseSipMessage(input: Buffer | string, opts: ParseOptions = {}): ParseResult {
  try {
    return parse(typeof input === 'string' ? Buffer.from(input, 'utf8') : input, opts.datagram ?? true);
  } catch (e) {
    // Defence in depth: the code below is written not to throw.
    return { error: `internal parser error: ${e instanceof Error ? e.message : String(e)}` };
  }
}

function parse(buf: Buffer, datagram: boolean): ParseResult {
  const framed = frameMessage(buf, datagram);
  if (!framed.frame) return { error: framed.error };
  const msg = new SipMessage(framed.frame, framed.start);
  if (framed.framingError) return { error: framed.framingError, ...(answerable(msg) && { partial: msg }) };
  // OpenSIPS parses the first Via header on receipt and drops a message
  // without a usable one; later Via headers are parsed when asked for.
  const top = msg.firstViaField();
  if (top === undefined) return { error: NO_VIA, partial: msg };
  if (isSipError(top)) return { error: `bad Via: ${top.error}` };
  return { msg };
}

/** Each line break with the blanks around it becomes one SP (RFC 3261 §7.3.1). */
function unfold(v: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c !== 13 && c !== 10) continue;
    let end = i;
    while (end > from && (v.charCodeAt(end - 1) === 32 || v.charCodeAt(end - 1) === 9)) end--;
    out += v.slice(from, end) + ' ';
    while (i + 1 < v.length && (v.charCodeAt(i + 1) === 10 || v.charCodeAt(i + 1) === 32 || v.charCodeAt(i + 1) === 9))
      i++;
    from = i + 1;
  }
  return out + v.slice(from);
}

function answerable(msg: SipMessage): boolean {
  return (
    msg.isRequest && ['via', 'from', 'to', 'call-id', 'cseq'].every((k) => msg.hasHeader(k)) && msg.topVia !== undefined
  );
}

/** What an unedited message reads; never written to. */
const NO_EDITS: Edits = Object.freeze({
  prepend: [],
  append: [],
  removed: new Set<number>(),
  replaced: new Map<number, string>(),
});

export class SipMessage {
  readonly isRequest: boolean;
  readonly version: string;
  /** 0 for requests; changed in place by setStatus(), as OpenSIPS rewrites it in its buffer. */
  status: number;
  /** '' for requests. */
  reason: string;
  /** The request-URI as received ('' for replies); `ruri` has the edited one. */
  readonly originalRuri: string;
  private readonly requestMethod: string;
  private readonly frame: MessageFrame;
  /** Created on the first edit: most received messages are never edited. */
  private ownEdits: Edits | undefined;
  // Parsed values, each set on first use. Fields rather than a bag object
  // that gains properties: every message keeps the shape it was created with.
  private viasCache: Via[] | SipError | undefined;
  private firstViasCache: Via[] | SipError | undefined;
  private fromCache: NameAddr | SipError | undefined;
  private toCache: NameAddr | SipError | undefined;
  private cseqCache: CSeq | SipError | undefined;
  private contactsCache: ContactList | SipError | undefined;

  /** Use parseSipMessage(). */
  constructor(frame: MessageFrame, start: StartLine, edits?: Edits) {
    this.frame = frame;
    this.isRequest = start.isRequest;
    this.version = start.version;
    if (start.isRequest) {
      this.requestMethod = start.method;
      this.originalRuri = this.text(start.ruri);
      this.status = 0;
      this.reason = '';
    } else {
      this.requestMethod = '';
      this.originalRuri = '';
      this.status = start.status;
      this.reason = this.text(start.reason);
    }
    this.ownEdits = edits;
  }

  /** The request method; for a reply, the CSeq method ('' if CSeq is unusable). */
  get method(): string {
    if (this.isRequest) return this.requestMethod;
    const cseq = this.cseq;
    return cseq && !isSipError(cseq) ? cseq.method : '';
  }

  /** The request-URI, including a change made with setRuri(). */
  get ruri(): string {
    return this.edits.ruri ?? this.originalRuri;
  }

  /**
   * isPlainSipUri(this.ruri), read where the URI was received when it is
   * unchanged: a character read in a substring costs more than in the text.
   */
  ruriIsPlainSip(): boolean {
    if (this.edits.ruri !== undefined || !this.frame.ascii) return isPlainSipUri(this.ruri);
    // The start line is read with one SP after the method (start-line.ts).
    const start = this.requestMethod.length + 1;
    return isPlainSipUri(this.frame.head, start, start + this.originalRuri.length);
  }

  // ---- headers as text -------------------------------------------------

  // Fields by position, for builders that walk all of them once.

  /** How many header fields were received. */
  get headerCount(): number {
    return this.frame.index.length;
  }

  /** The key of the i-th header field (as headerKey() gives it). */
  keyAt(i: number): string {
    return this.frame.index[i]!.key;
  }

  /** The i-th received line, terminator included. */
  lineAt(i: number): string {
    const h = this.frame.index[i]!;
    return this.text(this.frame.head.slice(h.lineStart, h.lineEnd));
  }

  /** What comes before the i-th value (`Via: `). */
  prefixAt(i: number): string {
    const h = this.frame.index[i]!;
    return this.text(this.frame.head.slice(h.lineStart, h.valueStart));
  }

  /** Value of the i-th header field (folding replaced by a space). */
  valueAt(i: number): string {
    const h = this.frame.index[i]!;
    const v = this.frame.head.slice(h.valueStart, h.valueEnd);
    return this.text(h.folded ? unfold(v) : v);
  }

  /** Value of the i-th header field as received, line folds included, one char per byte (latin1). */
  rawValueAt(i: number): string {
    const h = this.frame.index[i]!;
    return this.frame.head.slice(h.valueStart, h.valueEnd);
  }

  private text(latin1: string): string {
    if (this.frame.ascii) return latin1;
    for (let i = 0; i < latin1.length; i++) {
      if (latin1.charCodeAt(i) > 127) return Buffer.from(latin1, 'latin1').toString('utf8');
    }
    return latin1;
  }

  private firstIndex(key: string): number {
    const index = this.frame.index;
    if (index.length > FIRST_INDEX_SCAN_MAX) return (this.firstIndexes ??= firstIndexes(index)).get(key) ?? -1;
    for (let i = 0; i < index.length; i++) if (index[i]!.key === key) return i;
    return -1;
  }

  /** Where each header name first occurs, for messages with many header lines (built once, on first use). */
  private firstIndexes: Map<string, number> | undefined;

  /** First value of the header (any case, compact form or not), undefined when absent. */
  header(name: string): string | undefined {
    return this.firstValue(headerKey(name));
  }

  /** header() for a key as headerKey() gives it (the name lookup skipped). */
  firstValue(key: string): string | undefined {
    const i = this.firstIndex(key);
    return i < 0 ? undefined : this.valueAt(i);
  }

  hasHeader(name: string): boolean {
    return this.firstIndex(headerKey(name)) >= 0;
  }

  /**
   * Every value of the header, in order. List headers (Via, Contact, Route,
   * Allow...) are split at top-level commas; others give one value per field.
   */
  headers(name: string): string[] {
    const key = headerKey(name);
    const index = this.frame.index;
    const list = isListHeader(key);
    const out: string[] = [];
    for (let i = 0; i < index.length; i++) {
      if (index[i]!.key !== key) continue;
      if (list) out.push(...splitList(this.valueAt(i)));
      else out.push(this.valueAt(i));
    }
    return out;
  }

  /** Each header field's name as written, in order (repeated names repeat). */
  headerNames(): string[] {
    return this.frame.index.map((h) => h.name);
  }

  rawHeaders(): RawHeader[] {
    const index = this.frame.index;
    const out: RawHeader[] = [];
    for (let i = 0; i < index.length; i++) out.push({ name: index[i]!.name, value: this.valueAt(i) });
    return out;
  }

  /**
   * The received fields of `name`, for builders that copy headers: the line
   * as received (terminator included), the text before the value (`Via: `),
   * and the value (folding replaced by a space).
   */
  fields(name: string): HeaderField[] {
    const key = headerKey(name);
    const index = this.frame.index;
    const out: HeaderField[] = [];
    for (let i = 0; i < index.length; i++) if (index[i]!.key === key) out.push(this.fieldAt(i));
    return out;
  }

  // field(), firstLine() and count() take a header's key (lower-case, compact
  // forms expanded: what headerKey() returns), so that the builders and checks
  // that call them on every message skip the name lookup.

  /** The first received field with this key, as fields() gives it. */
  field(key: string): HeaderField | undefined {
    const i = this.firstIndex(key);
    return i < 0 ? undefined : this.fieldAt(i);
  }

  /** The first received line with this key, terminator included, as fields() gives it. */
  firstLine(key: string): string | undefined {
    const i = this.firstIndex(key);
    return i < 0 ? undefined : this.lineAt(i);
  }

  /** The received lines with this key, terminators included, as fields() gives them (without the rest). */
  lines(key: string): string[] {
    const { index, head } = this.frame;
    const out: string[] = [];
    for (let i = 0; i < index.length; i++) {
      const h = index[i]!;
      if (h.key === key) out.push(this.text(head.slice(h.lineStart, h.lineEnd)));
    }
    return out;
  }

  /** How many fields with this key were received. */
  count(key: string): number {
    const index = this.frame.index;
    let n = 0;
    for (let i = 0; i < index.length; i++) if (index[i]!.key === key) n++;
    return n;
  }

  private fieldAt(i: number): HeaderField {
    const h = this.frame.index[i]!;
    const head = this.frame.head;
    return {
      name: h.name,
      value: this.valueAt(i),
      prefix: this.text(head.slice(h.lineStart, h.valueStart)),
      line: this.text(head.slice(h.lineStart, h.lineEnd)),
      folded: h.folded,
    };
  }

  // ---- structured values (parsed on first use, then cached) ------------

  // The parsers read a value in place in the received text when nothing in
  // it needs unfolding or decoding, which saves slicing it out: they are
  // called as parse(head, valueStart, valueEnd) when inPlace(), else on
  // valueAt(). (Called directly rather than through a shared helper taking
  // the parser: a call through a function value is not inlined.)

  private inPlace(h: HeaderSpan): boolean {
    return this.frame.ascii && !h.folded;
  }

  get callId(): string | undefined {
    return this.firstValue('call-id');
  }

  get cseq(): CSeq | SipError | undefined {
    if (this.cseqCache) return this.cseqCache;
    const i = this.firstIndex('cseq');
    if (i < 0) return undefined;
    const h = this.frame.index[i]!;
    return (this.cseqCache = this.inPlace(h)
      ? parseCSeq(this.frame.head, h.valueStart, h.valueEnd)
      : parseCSeq(this.valueAt(i)));
  }

  get from(): NameAddr | SipError | undefined {
    if (this.fromCache) return this.fromCache;
    const i = this.firstIndex('from');
    return i < 0 ? undefined : (this.fromCache = this.nameAddrAt(i));
  }

  /** What is wrong with From (undefined when nothing is, or there is none), checked without building it. */
  fromError(): SipError | undefined {
    const cached = this.fromCache;
    if (cached) return isSipError(cached) ? cached : undefined;
    const i = this.firstIndex('from');
    if (i < 0) return undefined;
    const h = this.frame.index[i]!;
    return this.inPlace(h) ? nameAddrError(this.frame.head, h.valueStart, h.valueEnd) : nameAddrError(this.valueAt(i));
  }

  get to(): NameAddr | SipError | undefined {
    if (this.toCache) return this.toCache;
    const i = this.firstIndex('to');
    return i < 0 ? undefined : (this.toCache = this.nameAddrAt(i));
  }

  private nameAddrAt(i: number): NameAddr | SipError {
    const h = this.frame.index[i]!;
    return this.inPlace(h) ? parseNameAddr(this.frame.head, h.valueStart, h.valueEnd) : parseNameAddr(this.valueAt(i));
  }

  /** All Contact values of all Contact headers; no Contact header gives an empty list. */
  contacts(): ContactList | SipError {
    if (this.contactsCache) return this.contactsCache;
    let star = false;
    const contacts: Contact[] = [];
    const index = this.frame.index;
    for (let i = 0; i < index.length; i++) {
      if (index[i]!.key !== 'contact') continue;
      const r = parseContactList(this.valueAt(i));
      if (isSipError(r)) return (this.contactsCache = sipError(`bad Contact: ${r.error}`));
      if (r.star) star = true;
      contacts.push(...r.contacts);
    }
    return (this.contactsCache = { star, contacts });
  }

  /** Every Via, top first. */
  vias(): Via[] | SipError {
    if (this.viasCache) return this.viasCache;
    const out: Via[] = [];
    const index = this.frame.index;
    const first = this.firstIndex('via');
    for (let i = 0; i < index.length; i++) {
      if (index[i]!.key !== 'via') continue;
      const r = i === first ? this.firstViaField()! : this.viasAt(i);
      if (isSipError(r)) return (this.viasCache = r);
      for (const v of r) out.push(v);
    }
    return (this.viasCache = out);
  }

  /** The vias of the first Via header field; undefined without a Via header. */
  firstViaField(): Via[] | SipError | undefined {
    if (this.firstViasCache) return this.firstViasCache;
    const i = this.firstIndex('via');
    return i < 0 ? undefined : (this.firstViasCache = this.viasAt(i));
  }

  private viasAt(i: number): Via[] | SipError {
    const h = this.frame.index[i]!;
    return this.inPlace(h) ? parseViaList(this.frame.head, h.valueStart, h.valueEnd) : parseViaList(this.valueAt(i));
  }

  /** The topmost Via (checked when the message was parsed). */
  get topVia(): Via | undefined {
    const first = this.firstViaField();
    return first === undefined || isSipError(first) ? undefined : first[0];
  }

  /** The Expires header: an unsigned 32-bit integer. */
  get expires(): number | SipError | undefined {
    const i = this.firstIndex('expires');
    return i < 0 ? undefined : this.uint32At(i);
  }

  get maxForwards(): number | SipError | undefined {
    const i = this.firstIndex('max-forwards');
    if (i < 0) return undefined;
    const h = this.frame.index[i]!;
    return this.inPlace(h)
      ? parseMaxForwards(this.frame.head, h.valueStart, h.valueEnd)
      : parseMaxForwards(this.valueAt(i));
  }

  /** Content-Length as received (it was validated when the message was parsed). */
  get contentLength(): number | undefined {
    const i = this.firstIndex('content-length');
    if (i < 0) return undefined;
    const n = this.uint32At(i);
    return isSipError(n) ? undefined : n;
  }

  private uint32At(i: number): number | SipError {
    const h = this.frame.index[i]!;
    return this.inPlace(h) ? parseUint32(this.frame.head, h.valueStart, h.valueEnd) : parseUint32(this.valueAt(i));
  }

  get userAgent(): string | undefined {
    return this.firstValue('user-agent');
  }

  paths(): NameAddr[] | SipError {
    return this.nameAddrs('path');
  }

  routes(): NameAddr[] | SipError {
    return this.nameAddrs('route');
  }

  recordRoutes(): NameAddr[] | SipError {
    return this.nameAddrs('record-route');
  }

  private nameAddrs(key: string): NameAddr[] | SipError {
    const out: NameAddr[] = [];
    const index = this.frame.index;
    for (let i = 0; i < index.length; i++) {
      if (index[i]!.key !== key) continue;
      const r = parseNameAddrList(this.valueAt(i));
      if (isSipError(r)) return sipError(`bad ${this.frame.index[i]!.name}: ${r.error}`);
      out.push(...r);
    }
    return out;
  }

  /** Methods of the Allow headers; undefined when there is no Allow header. */
  allow(): string[] | undefined {
    return this.hasHeader('allow') ? this.headers('allow') : undefined;
  }

  /** Option tags of all Supported headers (as written). */
  supported(): string[] {
    return this.headers('supported');
  }

  /** Parsed Authorization (or `Proxy-Authorization`) headers, one per field. */
  credentials(name = 'authorization'): Credentials[] | SipError {
    const out: Credentials[] = [];
    const key = headerKey(name);
    const index = this.frame.index;
    for (let i = 0; i < index.length; i++) {
      if (index[i]!.key !== key) continue;
      const r = parseCredentials(this.valueAt(i));
      if (isSipError(r)) return r;
      out.push(r);
    }
    return out;
  }

  /** Option tags of a Require-like header. */
  tokens(name: string): string[] {
    return this.headers(name).flatMap(splitList);
  }

  // ---- body ------------------------------------------------------------

  /** The body as received, exactly Content-Length bytes. */
  get body(): Buffer {
    return this.frame.buf.subarray(this.frame.bodyStart, this.frame.bodyEnd);
  }

  get bodyText(): string {
    return this.body.toString('utf8');
  }

  /** Bytes of the message as framed (trailing datagram bytes excluded). */
  get size(): number {
    return this.frame.bodyEnd - this.frame.base;
  }

  /** The framed message exactly as received. */
  get bytes(): Buffer {
    return this.frame.buf.subarray(this.frame.base, this.frame.bodyEnd);
  }

  // ---- edits (applied by serialize(); the accessors above keep reading what was received, as in OpenSIPS) ----

  /** The edits so far, for reading (a shared empty set when there are none). */
  private get edits(): Edits {
    return this.ownEdits ?? NO_EDITS;
  }

  private writableEdits(): Edits {
    return (this.ownEdits ??= { prepend: [], append: [], removed: new Set(), replaced: new Map() });
  }

  setRuri(uri: string): void {
    if (this.isRequest) this.writableEdits().ruri = uri;
  }

  /** A reply's status line rewritten (change_reply_status): what tm and the serialized reply both see. */
  setStatus(code: number, reason: string): void {
    if (this.isRequest) return;
    this.status = code;
    this.reason = reason;
    this.writableEdits().status = { code, reason };
  }

  /** `prepend` puts it before the first header, `append` after the last one. */
  addHeader(name: string, value: string, position: 'append' | 'prepend' = 'append'): void {
    this.writableEdits()[position].push({ name, value });
  }

  /**
   * Puts a field right before (insert_hf) or after (append_hf) the first
   * received field called `anchor`; without one, before the first header or
   * after the last (add_hf_helper).
   */
  addHeaderAt(anchor: string, name: string, value: string, where: 'before' | 'after'): void {
    const key = headerKey(anchor);
    const i = this.frame.index.findIndex((h) => h.key === key);
    if (i < 0) return this.addHeader(name, value, where === 'before' ? 'prepend' : 'append');
    const e = this.writableEdits();
    const at = (e.at ??= new Map());
    let slot = at.get(i);
    if (!slot) at.set(i, (slot = { before: [], after: [] }));
    slot[where].push({ name, value });
  }

  /** Removes every received header field of that name; returns how many. */
  removeHeader(name: string): number {
    const key = headerKey(name);
    const index = this.frame.index;
    let n = 0;
    for (let i = 0; i < index.length; i++) {
      if (index[i]!.key === key && !this.edits.removed.has(i)) {
        this.writableEdits().removed.add(i);
        n++;
      }
    }
    return n;
  }

  /** Removes only the `nth` received field of that name (a proxy taking its Via off a reply); false if there is none. */
  removeHeaderAt(name: string, nth: number): boolean {
    const key = headerKey(name);
    const index = this.frame.index;
    let seen = 0;
    for (let i = 0; i < index.length; i++) {
      if (index[i]!.key !== key) continue;
      if (seen++ === nth) {
        this.writableEdits().removed.add(i);
        return true;
      }
    }
    return false;
  }

  /** Replaces the value of the `nth` received field of that name; false if there is none. */
  replaceHeader(name: string, value: string, nth = 0): boolean {
    const key = headerKey(name);
    const index = this.frame.index;
    let seen = 0;
    for (let i = 0; i < index.length; i++) {
      if (index[i]!.key !== key) continue;
      if (seen++ !== nth) continue;
      if (this.edits.removed.has(i)) return false;
      this.writableEdits().replaced.set(i, value);
      return true;
    }
    return false;
  }

  /** Replaces the body; Content-Length follows, Content-Type too when given. */
  setBody(body: Buffer | string, contentType?: string): void {
    const e = this.writableEdits();
    e.body = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    if (contentType !== undefined) e.contentType = contentType;
  }

  hasEdits(): boolean {
    const e = this.edits;
    return (
      e.ruri !== undefined ||
      e.status !== undefined ||
      e.body !== undefined ||
      e.prepend.length > 0 ||
      e.append.length > 0 ||
      e.removed.size > 0 ||
      e.replaced.size > 0 ||
      (e.at?.size ?? 0) > 0
    );
  }

  /**
   * The message with its edits applied. `stream: true` makes sure a
   * Content-Length is present (as OpenSIPS does for TCP-based sends).
   */
  serialize(opts: { stream?: boolean } = {}): Buffer {
    if (!this.hasEdits() && (!opts.stream || this.hasHeader('content-length'))) return Buffer.from(this.bytes);
    return serializeMessage(
      this.frame,
      this.isRequest ? this.requestMethod : '',
      this.version,
      this.edits,
      opts.stream ?? false,
    );
  }

  /** An independent copy: same received bytes, its own edits. */
  clone(): SipMessage {
    const start: StartLine = this.isRequest
      ? { isRequest: true, method: this.requestMethod, ruri: this.originalRuri, version: this.version }
      : { isRequest: false, version: this.version, status: this.status, reason: this.reason };
    const e = this.ownEdits;
    const copy = new SipMessage(
      this.frame,
      start,
      e && {
        ...e,
        prepend: [...e.prepend],
        append: [...e.append],
        removed: new Set(e.removed),
        replaced: new Map(e.replaced),
        ...(e.at
          ? {
              at: new Map([...e.at].map(([i, s]) => [i, { before: [...s.before], after: [...s.after] }] as const)),
            }
          : {}),
      },
    );
    copy.viasCache = this.viasCache;
    copy.firstViasCache = this.firstViasCache;
    copy.fromCache = this.fromCache;
    copy.toCache = this.toCache;
    copy.cseqCache = this.cseqCache;
    copy.contactsCache = this.contactsCache;
    return copy;
  }

  /** Reparses the serialized message, so the accessors see the edits (OpenSIPS's msg_apply_changes). */
  applyEdits(): ParseResult {
    return parseSipMessage(this.serialize(), { datagram: this.frame.datagram });
  }
}

/**
 * Up to this many header lines a lookup scans them; beyond it (2,000 Contact
 * lines in one REGISTER) a map of first positions keeps every lookup O(1), so
 * the work per message stays linear in its size.
 */
const FIRST_INDEX_SCAN_MAX = 32;

function firstIndexes(index: readonly { key: string }[]): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i < index.length; i++) if (!m.has(index[i]!.key)) m.set(index[i]!.key, i);
  return m;
}
