// Cursor helpers shared by the header-value parsers. Values reach them with
// folding already replaced by spaces, so whitespace is SP or HTAB only. Each
// reads s[p, end): a value is parsed where it sits in the received text,
// without slicing it out first (`end` defaults to the end of `s`).
import { inClass, TOKEN } from './chars.js';
import { Spellings } from './spellings.js';

/** Header parameters of Via, From, To and Contact as clients write them (all tokens: see tokenAt()). */
export const COMMON_PARAMS = new Spellings(
  [
    'tag',
    'branch',
    'rport',
    'received',
    'expires',
    'q',
    'lr',
    'transport',
    'maddr',
    'ttl',
    '+sip.instance',
    'reg-id',
    'methods',
    'alias',
    'ob',
  ],
  (spelling) => spelling,
);

export function skipWs(s: string, p: number, end = s.length): number {
  while (p < end) {
    const c = s.charCodeAt(p);
    if (c !== 32 && c !== 9) break;
    p++;
  }
  return p;
}

export function tokenEnd(s: string, p: number, end = s.length): number {
  while (p < end && inClass(TOKEN, s.charCodeAt(p))) p++;
  return p;
}

/** Index just past the closing quote of the quoted-string opening at `p`, or -1. */
export function quotedEnd(s: string, p: number, end = s.length): number {
  for (let i = p + 1; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === 92) i++;
    else if (c === 34) return i + 1;
  }
  return -1;
}

/**
 * End of a parameter value: a quoted-string, or (leniently, as OpenSIPS's
 * parse_params does) any run up to ';', ',', whitespace or a quote. Returns -1
 * for an unterminated quote.
 */
export function paramValueEnd(s: string, p: number, end = s.length): number {
  if (p < end && s.charCodeAt(p) === 34) return quotedEnd(s, p, end);
  while (p < end) {
    const c = s.charCodeAt(p);
    if (c === 59 || c === 44 || c === 32 || c === 9 || c === 34) break;
    p++;
  }
  return p;
}

/**
 * Reads `*( SEMI name [ EQUAL value ] )` from `p` into `into` (lower-case
 * names, '' for no value). Returns the position after the last parameter, or
 * an error text. `onParam` sees each parameter's name, value and span (from the
 * ';' to the end of the value). Without `into` and `onParam` the parameters
 * are only checked: nothing is sliced unless there is an error to report.
 */
export function readHeaderParams(
  s: string,
  p: number,
  into: Record<string, string> | undefined,
  onParam?: (name: string, value: string, start: number, end: number) => void,
  end = s.length,
): number | string {
  const keep = into !== undefined || onParam !== undefined;
  for (;;) {
    const before = p;
    p = skipWs(s, p, end);
    if (p >= end || s.charCodeAt(p) !== 59) return before;
    const start = p;
    p = skipWs(s, p + 1, end);
    const nameStart = p;
    const common = keep ? COMMON_PARAMS.tokenAt(s, p, end, TOKEN) : undefined;
    const nameEnd = common ? p + common.spelling.length : tokenEnd(s, p, end);
    if (nameEnd === p) return 'empty parameter name';
    const name = common ? common.key : keep ? s.slice(p, nameEnd).toLowerCase() : '';
    p = skipWs(s, nameEnd, end);
    let value = '';
    if (p < end && s.charCodeAt(p) === 61) {
      p = skipWs(s, p + 1, end);
      const valueEnd = paramValueEnd(s, p, end);
      if (valueEnd < 0) return 'unterminated quoted string';
      if (valueEnd === p) return `empty value for parameter '${keep ? name : paramName(s, nameStart, nameEnd)}'`;
      if (keep) value = s.slice(p, valueEnd);
      p = valueEnd;
    } else {
      p = nameEnd;
    }
    if (into !== undefined) into[name] = value;
    if (onParam) onParam(name, value, start, p);
  }
}

function paramName(s: string, start: number, end: number): string {
  return COMMON_PARAMS.find(s, start, end)?.key ?? s.slice(start, end).toLowerCase();
}

/** The text of a quoted-string without its quotes, quoted-pairs resolved; other text unchanged. */
export function unquote(v: string): string {
  if (v.length >= 2 && v.charCodeAt(0) === 34 && v.charCodeAt(v.length - 1) === 34)
    return unescapeQuotedPairs(v.slice(1, -1));
  return v;
}

export function unescapeQuotedPairs(inner: string): string {
  return inner.indexOf('\\') < 0 ? inner : inner.replace(/\\([\x00-\x09\x0b\x0c\x0e-\x7f])/g, '$1');
}

// A parameter table: an object without inherited properties (a `__proto__`
// or `constructor` parameter is an ordinary name), as Object.create(null)
// gives, but created in V8's fast mode: about 8 ns instead of 27.
class ParamTable {}
Object.setPrototypeOf(ParamTable.prototype, null);
delete (ParamTable.prototype as { constructor?: unknown }).constructor;

export function newParams(): Record<string, string> {
  return new ParamTable() as Record<string, string>;
}
