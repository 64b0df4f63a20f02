// name-addr / addr-spec values with header parameters (From, To, Contact,
// Route, Record-Route, Path). The URI is only delimited here; it is parsed
// when someone asks for `parsedUri`, so a To with an unknown scheme still
// parses (RFC 4475 §3.3.4) and a registrar can answer 400 itself.
import { inClass, TOKEN } from './chars.js';
import { isSipError, sipError, type SipError } from './result.js';
import { newParams, quotedEnd, readHeaderParams, skipWs, unescapeQuotedPairs, unquote } from './scan.js';
import { parseUri, type SipUri } from './uri.js';

export interface NameAddr {
  /** This value as written (trimmed). */
  readonly raw: string;
  /** Without the surrounding quotes, quoted-pairs resolved (`\\"` is `"`); '' when absent. */
  readonly displayName: string;
  /** As written between '<' and '>' (or the bare addr-spec). */
  readonly uri: string;
  /** Header parameters: lower-case names, values as written (quotes kept), '' when value-less. */
  readonly params: Readonly<Record<string, string>>;
  readonly tag: string | undefined;
  /** The URI parsed on first access. */
  readonly parsedUri: SipUri | SipError;
}

export interface Contact extends NameAddr {
  /** The `expires` parameter: undefined when absent or empty, null when not an unsigned integer. */
  readonly expires: number | null | undefined;
  /** The `q` parameter: undefined when absent, null when not a qvalue (0..1, up to 3 decimals). */
  readonly q: number | null | undefined;
  /** `+sip.instance`, unquoted. */
  readonly instance: string | undefined;
  readonly regId: number | undefined;
  /** `methods`, unquoted. */
  readonly methods: string | undefined;
  /** `received`, unquoted. */
  readonly received: string | undefined;
}

export interface ContactList {
  /** A `*` value was present (only valid alone, with Expires: 0). */
  readonly star: boolean;
  readonly contacts: readonly Contact[];
}

class NameAddrValue implements NameAddr {
  private uriCache: SipUri | SipError | undefined;
  constructor(
    readonly raw: string,
    readonly displayName: string,
    readonly uri: string,
    readonly params: Readonly<Record<string, string>>,
  ) {}
  get tag(): string | undefined {
    return this.params.tag;
  }
  get parsedUri(): SipUri | SipError {
    return (this.uriCache ??= parseUri(this.uri));
  }
}

class ContactValue extends NameAddrValue implements Contact {
  get expires(): number | null | undefined {
    const v = this.params.expires;
    if (v === undefined || v === '') return undefined;
    return /^[0-9]{1,10}$/.test(v) && Number(v) <= 0xffffffff ? Number(v) : null;
  }
  get q(): number | null | undefined {
    const v = this.params.q;
    if (v === undefined) return undefined;
    return /^(0(\.[0-9]{0,3})?|1(\.0{0,3})?)$/.test(v) ? Number(v) : null;
  }
  get instance(): string | undefined {
    const v = this.params['+sip.instance'];
    return v === undefined ? undefined : unquote(v);
  }
  get regId(): number | undefined {
    const v = this.params['reg-id'];
    return v !== undefined && /^[0-9]{1,10}$/.test(v) ? Number(v) : undefined;
  }
  get methods(): string | undefined {
    const v = this.params.methods;
    return v === undefined ? undefined : unquote(v);
  }
  get received(): string | undefined {
    const v = this.params.received;
    return v === undefined ? undefined : unquote(v);
  }
}

type Make<T> = new (raw: string, displayName: string, uri: string, params: Record<string, string>) => T;

/** Where the value parseValue() read last ends (parsing is synchronous). */
let valueEnd = 0;

/**
 * One value from `p` (past any leading whitespace) in s[.., end): built with
 * `make`, or only checked without it (null). Errors are values. It ends at
 * `valueEnd`.
 */
function parseValue<T>(s: string, p: number, end: number, make: Make<T> | undefined): T | SipError | null {
  const start = p;
  let displayName = '';
  if (p < end && s.charCodeAt(p) === 34) {
    const q = quotedEnd(s, p, end);
    if (q < 0) return sipError('unterminated quoted display name');
    if (make) displayName = unescapeQuotedPairs(s.slice(p + 1, q - 1));
    p = skipWs(s, q, end);
    if (p >= end || s.charCodeAt(p) !== 60) return sipError('quoted display name not followed by <');
  } else {
    let t = p;
    while (t < end) {
      const c = s.charCodeAt(t);
      if (!inClass(TOKEN, c) && c !== 32 && c !== 9) break;
      t++;
    }
    if (t < end && s.charCodeAt(t) === 60 && t > p) {
      // LWS between the words of a token display name reads as one SP
      if (make)
        displayName = s
          .slice(p, t)
          .trim()
          .replace(/[ \t]+/g, ' ');
      p = t;
    }
  }
  let uri = '';
  if (p < end && s.charCodeAt(p) === 60) {
    const close = s.indexOf('>', p);
    if (close < 0 || close >= end) return sipError('missing > after URI');
    if (!plausibleUri(s, p + 1, close)) return sipError(`malformed URI <${s.slice(p + 1, close)}>`);
    if (make) uri = s.slice(p + 1, close);
    p = close + 1;
  } else {
    let u = p;
    while (u < end) {
      const c = s.charCodeAt(u);
      if (c === 59 || c === 44 || c === 32 || c === 9) break;
      u++;
    }
    uri = s.slice(p, u);
    p = u;
    if (!plausibleUri(uri, 0, uri.length)) return sipError(uri ? `malformed URI '${uri}'` : 'missing URI');
    // RFC 3261 §20 wants a URI with headers inside <>; OpenSIPS 3.3's parse_contact/parse_to take
    // it bare (RFC 4475's regbadct registers on 3.3), and so do we.
  }
  const params = make ? newParams() : undefined;
  const after = readHeaderParams(s, p, params, undefined, end);
  if (typeof after === 'string') return sipError(after);
  valueEnd = after;
  return make ? new make(trimmedSlice(s, start, after), displayName, uri, params!) : null;
}

/** The comma-separated list of values in s[from, end), each built with `make`. */
function parseValues<T>(s: string, from: number, end: number, make: Make<T>): T[] | SipError {
  const out: T[] = [];
  let p = skipWs(s, from, end);
  for (;;) {
    const v = parseValue(s, p, end, make)!;
    if (isSipError(v)) return v;
    out.push(v);
    p = skipWs(s, valueEnd, end);
    if (p >= end) return out;
    if (s.charCodeAt(p) !== 44) return sipError(`unexpected '${s[p]}' after value`);
    p = skipWs(s, p + 1, end);
    if (p >= end) return sipError('empty value after comma');
  }
}

/** The single value in s[from, end): built with `make`, or only checked without it (null). */
function parseSingle<T>(s: string, from: number, end: number, make: Make<T> | undefined): T | SipError | null {
  const v = parseValue(s, skipWs(s, from, end), end, make);
  if (v !== null && isSipError(v)) return v;
  const p = skipWs(s, valueEnd, end);
  return p < end ? sipError(`unexpected '${s[p]}' after value`) : v;
}

/** s.slice(start, end).trim(), without the trim when there is nothing to trim. */
function trimmedSlice(s: string, start: number, end: number): string {
  if (start < end && isPlain(s.charCodeAt(start)) && isPlain(s.charCodeAt(end - 1))) return s.slice(start, end);
  return s.slice(start, end).trim();
}

/** Printable ASCII: never removed by trim(). */
function isPlain(c: number): boolean {
  return c > 32 && c < 127;
}

/** Something with a scheme and no whitespace; the URI grammar itself is checked lazily. */
function plausibleUri(s: string, start: number, end: number): boolean {
  const colon = s.indexOf(':', start);
  if (colon <= start || colon >= end) return false;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c <= 32 || c === 34 || c === 60 || c === 62) return false;
  }
  return true;
}

/** The value s[start, end) (all of `s` by default). */
export function parseNameAddr(s: string, start = 0, end = s.length): NameAddr | SipError {
  return parseSingle(s, start, end, NameAddrValue)!;
}

/** What parseNameAddr() would say is wrong with s[start, end), without building the value; undefined when nothing is. */
export function nameAddrError(s: string, start = 0, end = s.length): SipError | undefined {
  return parseSingle(s, start, end, undefined) ?? undefined;
}

export function parseNameAddrList(value: string): NameAddr[] | SipError {
  return parseValues(value, 0, value.length, NameAddrValue);
}

/** One Contact header value; `*` yields `{ star: true }`. */
export function parseContactList(value: string): ContactList | SipError {
  const trimmed = value.trim();
  if (trimmed === '*') return { star: true, contacts: [] };
  const r = parseValues(value, 0, value.length, ContactValue);
  return 'error' in r ? r : { star: false, contacts: r };
}
