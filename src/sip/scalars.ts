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

/** An unsigned 32-bit decimal (leading zeros allowed: `Max-Forwards: 0068`). */
export function parseUint32(text: string): number | SipError {
  const s = text.trim();
  if (s.length === 0) return sipError('empty number');
  let v = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!isDigit(c)) return sipError(`'${s}' is not an unsigned integer`);
    v = v * 10 + c - 48;
    if (v > MAX_U32) return sipError(`'${s}' is too large`);
  }
  return v;
}

export function parseCSeq(value: string): CSeq | SipError {
  const s = value.trim();
  let i = 0;
  while (i < s.length && isDigit(s.charCodeAt(i))) i++;
  if (i === 0) return sipError('CSeq without a number');
  const num = parseUint32(s.slice(0, i));
  if (typeof num !== 'number') return sipError('CSeq number out of range');
  const m = skipWs(s, i);
  if (m === i) return sipError('CSeq without a method');
  const end = tokenEnd(s, m);
  if (end === m || end !== s.length) return sipError('bad CSeq method');
  return { num, method: commonWord(s, m, s.length) };
}

export function parseMaxForwards(value: string): number | SipError {
  const n = parseUint32(value);
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
