// Character classes of RFC 3261 §25.1 as lookup tables indexed by char code.

function table(extra: string, alnum = true): Uint8Array {
  const t = new Uint8Array(128);
  if (alnum) {
    for (let c = 48; c <= 57; c++) t[c] = 1;
    for (let c = 65; c <= 90; c++) t[c] = 1;
    for (let c = 97; c <= 122; c++) t[c] = 1;
  }
  for (let i = 0; i < extra.length; i++) t[extra.charCodeAt(i)] = 1;
  return t;
}

const MARK = "-_.!~*'()";
/** token (header names, methods, parameter names). */
export const TOKEN = table("-.!%*_+`'~");
export const UNRESERVED = table(MARK);
/** URI user part, '%' checked separately as an escape. */
export const USER = table(MARK + '&=+$,;?/');
export const PASSWORD = table(MARK + '&=+$,');
/** URI parameter names and values. */
export const PARAM = table(MARK + '[]/:&+$');
/** URI header names and values. */
export const HNV = table(MARK + '[]/?:+$');
export const HEX = table('abcdefABCDEF', false);
for (let c = 48; c <= 57; c++) HEX[c] = 1;

export function inClass(cls: Uint8Array, code: number): boolean {
  return code < 128 && cls[code] === 1;
}

export function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

export function isAlpha(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

export function isAlnum(code: number): boolean {
  return isDigit(code) || isAlpha(code);
}

export function isWhitespace(code: number): boolean {
  return code === 32 || code === 9 || code === 13 || code === 10;
}

/** All of `s[start, end)` in `cls`, with `%HH` escapes allowed when `escapes`. */
export function allIn(s: string, start: number, end: number, cls: Uint8Array, escapes: boolean): boolean {
  if (start >= end) return false;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === 37 && escapes) {
      if (i + 2 >= end) return false;
      if (!inClass(HEX, s.charCodeAt(i + 1)) || !inClass(HEX, s.charCodeAt(i + 2))) return false;
      i += 2;
      continue;
    }
    if (c >= 128 || cls[c] !== 1) return false;
  }
  return true;
}

export function isToken(s: string): boolean {
  return allIn(s, 0, s.length, TOKEN, false);
}
