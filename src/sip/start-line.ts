// The first line, read as OpenSIPS's parse_first_line() reads it: one SP
// after the method, the version as the last token (trailing whitespace
// allowed), a reply code of exactly three digits.
import { inClass, isDigit, TOKEN } from './chars.js';
import { sipError, type SipError } from './result.js';
import { COMMON_METHODS, commonWord } from './spellings.js';

export type StartLine =
  | { readonly isRequest: true; readonly method: string; readonly ruri: string; readonly version: string }
  | { readonly isRequest: false; readonly version: string; readonly status: number; readonly reason: string };

/** The line text[0, end), without its line terminator (all of `text` by default). */
export function parseStartLine(text: string, end = text.length): StartLine | SipError {
  // A reply's line is short: sliced out; a request's line is read in place.
  if (end > 8 && (text.charCodeAt(0) | 32) === 115)
    return parseStatusLine(end === text.length ? text : text.slice(0, end));
  return parseRequestLine(text, end);
}

function parseStatusLine(line: string): StartLine | SipError {
  if (line.length > 8 && (line.charCodeAt(0) | 32) === 115 && line.slice(0, 8).toUpperCase() === 'SIP/2.0 ') {
    const code = line.slice(8, 11);
    if (!isDigit(code.charCodeAt(0)) || !isDigit(code.charCodeAt(1)) || !isDigit(code.charCodeAt(2))) {
      return sipError('status code is not three digits');
    }
    if (line.length > 11 && line.charCodeAt(11) !== 32) return sipError('status code is not three digits');
    if (line.length <= 11) return sipError('no reason phrase separator after the status code');
    const status = Number(code);
    if (status < 100) return sipError(`status code ${code} out of range`);
    return { isRequest: false, version: line.slice(0, 7), status, reason: line.slice(12) };
  }
  return parseRequestLine(line, line.length);
}

function parseRequestLine(line: string, end: number): StartLine | SipError {
  const known = COMMON_METHODS.tokenAt(line, 0, end, TOKEN);
  let i = known ? known.spelling.length : 0;
  if (!known) while (i < end && inClass(TOKEN, line.charCodeAt(i))) i++;
  if (i === 0 || i >= end || line.charCodeAt(i) !== 32) return sipError('bad request line: method not followed by SP');
  const method = known ? known.spelling : line.slice(0, i);
  const uriStart = ++i;
  while (i < end && line.charCodeAt(i) > 32) i++;
  if (i === uriStart) return sipError('bad request line: empty request-URI');
  const ruri = line.slice(uriStart, i);
  while (i < end && line.charCodeAt(i) === 32) i++;
  const versionStart = i;
  while (i < end && line.charCodeAt(i) > 32) i++;
  if (i === versionStart) return sipError('bad request line: no version');
  const version = commonWord(line, versionStart, i);
  while (i < end && (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9)) i++;
  if (i !== end) return sipError('bad request line: extra elements');
  return { isRequest: true, method, ruri, version };
}
