// SIP/SIPS/TEL URIs (RFC 3261 §19.1, RFC 3966). Parts are kept as written;
// only scheme and parameter names are lower-cased.
import { allIn, HNV, inClass, isDigit, PARAM, PASSWORD, USER, HEX } from './chars.js';
import { grammarAccepts } from './grammar.js';
import { hostType, type HostType } from './host.js';
import { sipError, type SipError } from './result.js';
import { newParams } from './scan.js';

export interface SipUri {
  readonly raw: string;
  /** 'sip' | 'sips' | 'tel' | 'tels', lower-case. */
  readonly scheme: string;
  /** User part as written (escapes kept); the number for tel: URIs; '' when absent. */
  readonly user: string;
  readonly password: string | undefined;
  /** As written; IPv6 keeps its brackets; '' for tel: URIs. */
  readonly host: string;
  readonly hostType: HostType | undefined;
  readonly port: number | undefined;
  /** The port digits as written, '' when absent (compare_uris compares this text). */
  readonly portText: string;
  /** Lower-case names; a value-less parameter has the value ''. The last of duplicates wins. */
  readonly params: Readonly<Record<string, string>>;
  /** Parameters as written, without the leading ';'. */
  readonly paramsText: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** Headers as written, without the leading '?'. */
  readonly headersText: string;
}

/** How the URI was accepted: our hand-written recogniser, or jssip's grammar. */
export type UriPath = 'fast' | 'grammar';

// jssip's parser costs about 2 µs per character on odd input; a longer URI
// that our fast path refuses is refused without asking it.
const GRAMMAR_MAX = 2048;

const TEL_USER = new Uint8Array(128);
for (const ch of '0123456789abcdefABCDEF+-.()*#%pwPW') TEL_USER[ch.charCodeAt(0)] = 1;

export function parseUri(text: string): SipUri | SipError {
  return parseUriWithPath(text).uri;
}

/** parseUri, also telling which path accepted it (for tests and benchmarks). */
export function parseUriWithPath(text: string): { uri: SipUri | SipError; path: UriPath | undefined } {
  const colon = text.indexOf(':');
  if (colon <= 0) return { uri: sipError('URI without scheme'), path: undefined };
  const scheme = lowerScheme(text, colon);
  if (scheme === 'sip' || scheme === 'sips') {
    const split = scanSipUri(text, colon + 1);
    if (split && fastValid(text, split)) return { uri: buildSipUri(text, scheme, split), path: 'fast' };
    if (split && text.length <= GRAMMAR_MAX) {
      const uri = buildSipUri(text, scheme, split); // before the spans are scanned again
      if (grammarAccepts(text, 'SIP_URI')) return { uri, path: 'grammar' };
    }
    return { uri: sipError(`malformed ${scheme} URI`), path: undefined };
  }
  if (scheme === 'tel' || scheme === 'tels') {
    const parts = splitTelUri(text, colon + 1, scheme);
    return parts ? { uri: parts, path: 'fast' } : { uri: sipError('malformed tel URI'), path: undefined };
  }
  if (!/^[a-z][a-z0-9+.-]*$/.test(scheme)) return { uri: sipError('malformed URI scheme'), path: undefined };
  return { uri: sipError(`unsupported URI scheme '${text.slice(0, colon)}'`), path: undefined };
}

/**
 * A sip: or sips: URI without headers that the fast path accepts, checked
 * without building it: parseUri(uri) returns a SipUri with headersText ''.
 * false says nothing (parseUri may still accept it). The URI is
 * text[start, end), so that it can be read where it was received.
 */
export function isPlainSipUri(text: string, start = 0, end = text.length): boolean {
  const colon = text.indexOf(':', start);
  if (colon < 0 || colon >= end || !isSipScheme(text, start, colon)) return false;
  const split = scanSipUri(text, colon + 1, end);
  return split !== undefined && split.headersStart < 0 && fastValid(text, split);
}

/** text[start, colon) is `sip` or `sips` in any case. */
function isSipScheme(text: string, start: number, colon: number): boolean {
  const n = colon - start;
  if (n !== 3 && n !== 4) return false;
  if (
    (text.charCodeAt(start) | 32) !== 115 ||
    (text.charCodeAt(start + 1) | 32) !== 105 ||
    (text.charCodeAt(start + 2) | 32) !== 112
  )
    return false;
  return n === 3 || (text.charCodeAt(start + 3) | 32) === 115;
}

function lowerScheme(text: string, colon: number): string {
  const s = text.slice(0, colon);
  if (s === 'sip' || s === 'sips' || s === 'tel') return s;
  return s.toLowerCase();
}

interface MutableUri {
  raw: string;
  scheme: string;
  user: string;
  password: string | undefined;
  host: string;
  hostType: HostType | undefined;
  port: number | undefined;
  portText: string;
  params: Record<string, string>;
  paramsText: string;
  headers: Array<readonly [string, string]>;
  headersText: string;
}

/** Where the pieces of a sip/sips URI sit in its text (offsets; -1 for a piece that is not there). */
interface SipUriSpans {
  /** After the scheme's ':'. */
  userStart: number;
  /** The '@' ending the userinfo; -1 without userinfo. */
  at: number;
  /** The ':' before the password (inside the userinfo); -1 without one. */
  passwordColon: number;
  hostStart: number;
  hostEnd: number;
  hostType: HostType | undefined;
  /** After a ':' following the host; -1 without one. */
  portStart: number;
  portEnd: number;
  /** undefined when absent or not a valid port number. */
  port: number | undefined;
  /** After the ';' following host[:port]; -1 without one. */
  paramsStart: number;
  paramsEnd: number;
  /** After the '?'; -1 without one. */
  headersStart: number;
  /** The end of the URI. */
  end: number;
}

// Scanning is synchronous, so one set of spans serves every URI.
const spans: SipUriSpans = {
  userStart: 0,
  at: -1,
  passwordColon: -1,
  hostStart: 0,
  hostEnd: 0,
  hostType: undefined,
  portStart: -1,
  portEnd: -1,
  port: undefined,
  paramsStart: -1,
  paramsEnd: -1,
  headersStart: -1,
  end: 0,
};

/** Splits s[start, end) on the structural delimiters only; `fastValid` judges the pieces. The spans are valid until the next call. */
function scanSipUri(s: string, start: number, end = s.length): SipUriSpans | undefined {
  const sp = spans;
  sp.userStart = start;
  sp.end = end;
  sp.at = sp.passwordColon = sp.portStart = sp.portEnd = sp.paramsStart = sp.paramsEnd = sp.headersStart = -1;
  sp.port = undefined;
  let p = start;
  const at = s.indexOf('@', p);
  if (at >= 0 && at < end) {
    sp.at = at;
    const pc = s.indexOf(':', p);
    if (pc >= 0 && pc < at) sp.passwordColon = pc;
    p = at + 1;
  }
  const hostStart = p;
  if (p < end && s.charCodeAt(p) === 91) {
    const close = s.indexOf(']', p);
    if (close < 0 || close >= end) return undefined;
    p = close + 1;
  } else {
    while (p < end) {
      const c = s.charCodeAt(p);
      if (c === 58 || c === 59 || c === 63) break;
      p++;
    }
  }
  if (p === hostStart) return undefined;
  sp.hostStart = hostStart;
  sp.hostEnd = p;
  sp.hostType = hostType(s, hostStart, p);
  if (p < end && s.charCodeAt(p) === 58) {
    const portStart = ++p;
    let value = 0;
    while (p < end && isDigit(s.charCodeAt(p))) {
      value = value * 10 + s.charCodeAt(p) - 48;
      p++;
    }
    const digits = p - portStart;
    if (digits > 0 && digits <= 5 && value <= 65535) sp.port = value;
    else if (digits > 0) return undefined;
    sp.portStart = portStart;
    sp.portEnd = p;
  }
  if (p < end && s.charCodeAt(p) === 59) {
    const q = s.indexOf('?', p);
    sp.paramsStart = p + 1;
    sp.paramsEnd = q < 0 || q >= end ? end : q;
    p = sp.paramsEnd;
  }
  if (p < end && s.charCodeAt(p) === 63) {
    sp.headersStart = p + 1;
    p = end;
  }
  return p === end ? sp : undefined;
}

function buildSipUri(s: string, scheme: string, sp: SipUriSpans): MutableUri {
  const u: MutableUri = {
    raw: s,
    scheme,
    user: '',
    password: undefined,
    host: s.slice(sp.hostStart, sp.hostEnd),
    hostType: sp.hostType,
    port: sp.port,
    portText: sp.portStart < 0 ? '' : s.slice(sp.portStart, sp.portEnd),
    params: newParams(),
    paramsText: '',
    headers: [],
    headersText: '',
  };
  if (sp.at >= 0) {
    if (sp.passwordColon >= 0) {
      u.user = s.slice(sp.userStart, sp.passwordColon);
      u.password = s.slice(sp.passwordColon + 1, sp.at);
    } else {
      u.user = s.slice(sp.userStart, sp.at);
    }
  }
  if (sp.paramsStart >= 0) {
    u.paramsText = s.slice(sp.paramsStart, sp.paramsEnd);
    readParams(u.paramsText, u.params);
  }
  if (sp.headersStart >= 0) {
    u.headersText = s.slice(sp.headersStart);
    for (const pair of u.headersText.split('&')) {
      const eq = pair.indexOf('=');
      u.headers.push(eq < 0 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)]);
    }
  }
  return u;
}

/** Calls `each` with the name end, the '=' (or -1) and the bounds of every ';'-separated parameter; stops on false. */
function eachParam(text: string, each: (nameEnd: number, eq: number, start: number, end: number) => boolean): boolean {
  let i = 0;
  while (i <= text.length) {
    let semi = text.indexOf(';', i);
    if (semi < 0) semi = text.length;
    // '=' is looked for inside this parameter only: a search to the end of the
    // text for each of thousands of ";a" parameters would be quadratic.
    let eq = i;
    while (eq < semi && text.charCodeAt(eq) !== 61) eq++;
    if (!each(eq, eq < semi ? eq : -1, i, semi)) return false;
    i = semi + 1;
  }
  return true;
}

function readParams(text: string, into: Record<string, string>): void {
  eachParam(text, (nameEnd, eq, start, end) => {
    if (nameEnd > start) into[text.slice(start, nameEnd).toLowerCase()] = eq < 0 ? '' : text.slice(eq + 1, end);
    return true;
  });
}

/** The RFC 3261 grammar for the pieces, written out by hand (no regex backtracking). */
function fastValid(s: string, sp: SipUriSpans): boolean {
  if (sp.hostType === undefined) return false;
  if (sp.portStart >= 0 && sp.port === undefined) return false;
  if (sp.at >= 0) {
    const userEnd = sp.passwordColon >= 0 ? sp.passwordColon : sp.at;
    if (!allIn(s, sp.userStart, userEnd, USER, true)) return false;
    if (sp.passwordColon >= 0 && sp.passwordColon + 1 < sp.at && !allIn(s, sp.passwordColon + 1, sp.at, PASSWORD, true))
      return false;
  }
  if (sp.paramsStart >= 0 && !paramsValid(s, sp.paramsStart, sp.paramsEnd)) return false;
  if (sp.headersStart >= 0 && !headersValid(s.slice(sp.headersStart, sp.end))) return false;
  return true;
}

/** Every ';'-separated parameter of s[start, end) is pname[=pvalue]. */
function paramsValid(s: string, start: number, end: number): boolean {
  let i = start;
  while (i <= end) {
    let semi = s.indexOf(';', i);
    if (semi < 0 || semi > end) semi = end;
    let eq = i;
    while (eq < semi && s.charCodeAt(eq) !== 61) eq++;
    if (!allIn(s, i, eq, PARAM, true)) return false;
    if (eq < semi && !allIn(s, eq + 1, semi, PARAM, true)) return false;
    i = semi + 1;
  }
  return true;
}

/** Every '&'-separated header is hname=[hvalue]. */
function headersValid(text: string): boolean {
  for (const pair of text.split('&')) {
    const eq = pair.indexOf('=');
    if (eq < 0) return false;
    if (!allIn(pair, 0, eq, HNV, true)) return false;
    if (eq + 1 < pair.length && !allIn(pair, eq + 1, pair.length, HNV, true)) return false;
  }
  return true;
}

function splitTelUri(s: string, start: number, scheme: string): MutableUri | undefined {
  let p = start;
  while (p < s.length && s.charCodeAt(p) !== 59 && s.charCodeAt(p) !== 63) p++;
  const user = s.slice(start, p);
  if (!allIn(user, 0, user.length, TEL_USER, true)) return undefined;
  const u: MutableUri = {
    raw: s,
    scheme,
    user,
    password: undefined,
    host: '',
    hostType: undefined,
    port: undefined,
    portText: '',
    params: newParams(),
    paramsText: '',
    headers: [],
    headersText: '',
  };
  if (s.charCodeAt(p) === 59) {
    const q = s.indexOf('?', p);
    const paramsEnd = q < 0 ? s.length : q;
    u.paramsText = s.slice(p + 1, paramsEnd);
    if (!paramsValid(u.paramsText, 0, u.paramsText.length)) return undefined;
    readParams(u.paramsText, u.params);
    p = paramsEnd;
  }
  if (p < s.length) {
    u.headersText = s.slice(p + 1);
    for (const pair of u.headersText.split('&')) {
      const eq = pair.indexOf('=');
      u.headers.push(eq < 0 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)]);
    }
  }
  return u;
}

export interface UriParts {
  scheme?: string;
  user?: string;
  password?: string;
  host: string;
  port?: number | string;
  /** In order; a value of '' or undefined writes a value-less parameter. */
  params?: Readonly<Record<string, string | undefined>>;
  headers?: ReadonlyArray<readonly [string, string]>;
}

export function formatUri(u: UriParts | SipUri): string {
  const scheme = u.scheme ?? 'sip';
  let out = scheme + ':';
  if (u.user)
    out += u.user + (u.password !== undefined ? ':' + u.password : '') + (scheme.startsWith('tel') ? '' : '@');
  out += u.host;
  if ('portText' in u ? u.portText !== '' : u.port !== undefined && u.port !== '')
    out += ':' + ('portText' in u ? u.portText : String(u.port));
  for (const [name, value] of Object.entries(u.params ?? {})) out += value ? `;${name}=${value}` : `;${name}`;
  if (u.headers && u.headers.length > 0) out += '?' + u.headers.map(([n, v]) => `${n}=${v}`).join('&');
  return out;
}

/** %HH decoded to one char per byte; undefined on a broken escape (as OpenSIPS's unescape_user fails). */
export function unescapeBytes(s: string): string | undefined {
  if (s.indexOf('%') < 0) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 37) {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.length || !inClass(HEX, s.charCodeAt(i + 1)) || !inClass(HEX, s.charCodeAt(i + 2))) return undefined;
    out += String.fromCharCode(parseInt(s.slice(i + 1, i + 3), 16));
    i += 2;
  }
  return out;
}
