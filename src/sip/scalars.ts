// Small header values: CSeq, integers, token lists, credentials.
import { isDigit } from './chars.js';
import { sipError, type SipError } from './result.js';
import { commonWord } from './spellings.js';
import { newParams, paramValueEnd, skipWs, tokenEnd, unquote } from './scan.js';

export interface CSeq {
  readonly num: number;
  readonly method: string;
}

const MAX_U32 = 0xffffffff;

/** What String.prototype.trim() removes. */
function isTrimmed(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || (c > 127 && /\s/.test(String.fromCharCode(c)));
}

/** Where text[start, end) begins once trimmed. */
function trimStart(text: string, start: number, end: number): number {
  while (start < end && isTrimmed(text.charCodeAt(start))) start++;
  return start;
}

/** Where text[start, end) ends once trimmed. */
function trimEnd(text: string, start: number, end: number): number {
  while (end > start && isTrimmed(text.charCodeAt(end - 1))) end--;
  return end;
}

/** An unsigned 32-bit decimal (leading zeros allowed: `Max-Forwards: 0068`), trimmed, in text[start, end). */
export function parseUint32(text: string, start = 0, end = text.length): number | SipError {
  const from = trimStart(text, start, end);
  const to = trimEnd(text, from, end);
  if (from === to) return sipError('empty number');
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (!isDigit(c)) return sipError(`'${text.slice(from, to)}' is not an unsigned integer`);
    v = v * 10 + c - 48;
    if (v > MAX_U32) return sipError(`'${text.slice(from, to)}' is too large`);
  }
  return v;
}

/** The CSeq value text[start, end) (all of `text` by default). */
export function parseCSeq(text: string, start = 0, end = text.length): CSeq | SipError {
  const from = trimStart(text, start, end);
  const to = trimEnd(text, from, end);
  let i = from;
  let num = 0;
  for (let c = text.charCodeAt(i); i < to && isDigit(c); c = text.charCodeAt(++i)) num = num * 10 + c - 48;
  if (i === from) return sipError('CSeq without a number');
  if (num > MAX_U32) return sipError('CSeq number out of range');
  const m = skipWs(text, i, to);
  if (m === i) return sipError('CSeq without a method');
  const methodEnd = tokenEnd(text, m, to);
  if (methodEnd === m || methodEnd !== to) return sipError('bad CSeq method');
  return { num, method: commonWord(text, m, to) };
}

export function parseMaxForwards(value: string, start = 0, end = value.length): number | SipError {
  const n = parseUint32(value, start, end);
  if (typeof n === 'number' && n > 255) return sipError('Max-Forwards above 255');
  return n;
}

export interface Credentials {
  /** 'Digest', or whatever scheme the client used. */
  readonly scheme: string;
  /** Lower-case names, values unquoted. */
  readonly params: Readonly<Record<string, string>>;
}

/** Authorization / Proxy-Authorization: `scheme name=value, name="value", ...`. */
export function parseCredentials(value: string): Credentials | SipError {
  const s = value.trim();
  const schemeEnd = tokenEnd(s, 0);
  if (schemeEnd === 0) return sipError('missing authorization scheme');
  const scheme = s.slice(0, schemeEnd);
  const params = newParams();
  let p = skipWs(s, schemeEnd);
  while (p < s.length) {
    const nameEnd = tokenEnd(s, p);
    if (nameEnd === p) return sipError('bad authorization parameter');
    const name = s.slice(p, nameEnd).toLowerCase();
    p = skipWs(s, nameEnd);
    if (s.charCodeAt(p) !== 61) return sipError(`authorization parameter '${name}' without a value`);
    p = skipWs(s, p + 1);
    const end = paramValueEnd(s, p);
    if (end < 0) return sipError('unterminated quoted string in authorization');
    params[name] = unquote(s.slice(p, end));
    p = skipWs(s, end);
    if (p < s.length) {
      if (s.charCodeAt(p) !== 44) return sipError('expected , between authorization parameters');
      p = skipWs(s, p + 1);
    }
  }
  return { scheme, params };
}
