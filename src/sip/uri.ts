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
    const split = splitSipUri(text, colon + 1, scheme);
    if (split && fastValid(split)) return { uri: split.uri, path: 'fast' };
    if (split && text.length <= GRAMMAR_MAX && grammarAccepts(text, 'SIP_URI')) return { uri: split.uri, path: 'grammar' };
    return { uri: sipError(`malformed ${scheme} URI`), path: undefined };
  }
  if (scheme === 'tel' || scheme === 'tels') {
    const parts = splitTelUri(text, colon + 1, scheme);
    return parts ? { uri: parts, path: 'fast' } : { uri: sipError('malformed tel URI'), path: undefined };
  }
  if (!/^[a-z][a-z0-9+.-]*$/.test(scheme)) return { uri: sipError('malformed URI scheme'), path: undefined };
  return { uri: sipError(`unsupported URI scheme '${text.slice(0, colon)}'`), path: undefined };
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

interface Split {
  uri: MutableUri;
  hasUserinfo: boolean;
  /** A ':' after the host. */
  hasPort: boolean;
  /** A ';' after the host[:port]. */
  hasParams: boolean;
  hasHeaders: boolean;
}

/** Splits on the structural delimiters only; `fastValid` judges the pieces. */
function splitSipUri(s: string, start: number, scheme: string): Split | undefined {
  const end = s.length;
  const u: MutableUri = {
    raw: s, scheme, user: '', password: undefined, host: '', hostType: undefined, port: undefined,
    portText: '', params: newParams(), paramsText: '', headers: [], headersText: '',
  };
  const split: Split = { uri: u, hasUserinfo: false, hasPort: false, hasParams: false, hasHeaders: false };
  let p = start;
  const at = s.indexOf('@', p);
  if (at >= 0) {
    split.hasUserinfo = true;
    const pc = s.indexOf(':', p);
    if (pc >= 0 && pc < at) {
      u.user = s.slice(p, pc);
      u.password = s.slice(pc + 1, at);
    } else {
      u.user = s.slice(p, at);
    }
    p = at + 1;
  }
  const hostStart = p;
  if (s.charCodeAt(p) === 91) {
    const close = s.indexOf(']', p);
    if (close < 0) return undefined;
    p = close + 1;
  } else {
    while (p < end) {
      const c = s.charCodeAt(p);
      if (c === 58 || c === 59 || c === 63) break;
      p++;
    }
  }
  if (p === hostStart) return undefined;
  u.host = s.slice(hostStart, p);
  u.hostType = hostType(s, hostStart, p);
  if (p < end && s.charCodeAt(p) === 58) {
    split.hasPort = true;
    const portStart = ++p;
    let value = 0;
    while (p < end && isDigit(s.charCodeAt(p))) {
      value = value * 10 + s.charCodeAt(p) - 48;
      p++;
    }
    u.portText = s.slice(portStart, p);
    if (u.portText.length > 0 && u.portText.length <= 5 && value <= 65535) u.port = value;
    else if (u.portText.length > 0) return undefined;
  }
  if (p < end && s.charCodeAt(p) === 59) {
    split.hasParams = true;
    const q = s.indexOf('?', p);
    const paramsEnd = q < 0 ? end : q;
    u.paramsText = s.slice(p + 1, paramsEnd);
    readParams(u.paramsText, u.params);
    p = paramsEnd;
  }
  if (p < end && s.charCodeAt(p) === 63) {
    split.hasHeaders = true;
    u.headersText = s.slice(p + 1);
    for (const pair of u.headersText.split('&')) {
      const eq = pair.indexOf('=');
      u.headers.push(eq < 0 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)]);
    }
    p = end;
  }
  return p === end ? split : undefined;
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
function fastValid(split: Split): boolean {
  const u = split.uri;
  if (u.hostType === undefined) return false;
  if (split.hasPort && u.port === undefined) return false;
  if (split.hasUserinfo) {
    if (!allIn(u.user, 0, u.user.length, USER, true)) return false;
    if (u.password !== undefined && u.password !== '' && !allIn(u.password, 0, u.password.length, PASSWORD, true)) return false;
  }
  if (split.hasParams && !paramsValid(u.paramsText)) return false;
  if (split.hasHeaders) {
    for (const [name, value] of u.headers) {
      if (!allIn(name, 0, name.length, HNV, true)) return false;
      if (value !== '' && !allIn(value, 0, value.length, HNV, true)) return false;
    }
    if (!u.headersText.split('&').every((pair) => pair.includes('='))) return false;
  }
  return true;
}

function paramsValid(text: string): boolean {
  return eachParam(text, (nameEnd, eq, start, end) =>
    allIn(text, start, nameEnd, PARAM, true) && (eq < 0 || allIn(text, eq + 1, end, PARAM, true)));
}

function splitTelUri(s: string, start: number, scheme: string): MutableUri | undefined {
  let p = start;
  while (p < s.length && s.charCodeAt(p) !== 59 && s.charCodeAt(p) !== 63) p++;
  const user = s.slice(start, p);
  if (!allIn(user, 0, user.length, TEL_USER, true)) return undefined;
  const u: MutableUri = {
    raw: s, scheme, user, password: undefined, host: '', hostType: undefined, port: undefined, portText: '',
    params: newParams(), paramsText: '', headers: [], headersText: '',
  };
  if (s.charCodeAt(p) === 59) {
    const q = s.indexOf('?', p);
    const paramsEnd = q < 0 ? s.length : q;
    u.paramsText = s.slice(p + 1, paramsEnd);
    if (!paramsValid(u.paramsText)) return undefined;
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
  if (u.user) out += u.user + (u.password !== undefined ? ':' + u.password : '') + (scheme.startsWith('tel') ? '' : '@');
  out += u.host;
  if ('portText' in u ? u.portText !== '' : u.port !== undefined && u.port !== '') out += ':' + ('portText' in u ? u.portText : String(u.port));
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
