// What OpenSIPS 3.3 checks of every received message before the script sees
// it (parse_msg -> parse_headers(HDR_EOH_F) -> get_hdr_field): the start line
// and header names were checked by framing; here, every Via, To, CSeq and
// Content-Length header must parse (a message without any Via parses, and
// receive_msg drops it: sip/message.ts's NO_VIA). Nothing else is
// looked at: a broken From, Contact, Call-ID, Max-Forwards or Request-URI
// only fails the function or variable that reads it, as in 3.3. A message
// failing here is dropped (or handed to error_route), never answered 400 by
// the core. The rules follow 3.3's parsers, which are looser than RFC 3261
// in places (a CSeq number is any token) and stricter in others (a CSeq
// method on a folded line is refused).
import type { SipMessage } from './message.js';
import { isSipError } from './result.js';

export function receiptProblem(msg: SipMessage): string | undefined {
  for (let i = 0; i < msg.headerCount; i++) {
    const key = msg.keyAt(i);
    if (key === 'to') {
      const bad = toProblem(msg.rawValueAt(i));
      if (bad) return `bad To header: ${bad}`;
    } else if (key === 'cseq') {
      const bad = cseqProblem(msg.rawValueAt(i));
      if (bad) return `bad CSeq header: ${bad}`;
    } else if (key === 'content-length') {
      const bad = contentLengthProblem(msg.rawValueAt(i));
      if (bad) return `bad Content-Length header: ${bad}`;
    }
  }
  const all = msg.vias();
  if (isSipError(all)) return `bad Via header: ${all.error}`;
  for (const v of all) {
    if (v.protocol.toUpperCase() !== 'SIP' || v.version !== '2.0')
      return `bad Via header: protocol ${v.protocol}/${v.version}`;
  }
  return undefined;
}

const SP = 32;
const HT = 9;
const CR = 13;
const LF = 10;

function isBlank(c: number): boolean {
  return c === SP || c === HT;
}

/** Blanks and line folds (CRLF or LF followed by a blank). */
function skipLws(s: string, p: number): number {
  for (;;) {
    const c = s.charCodeAt(p);
    if (isBlank(c)) p++;
    else if (c === CR && s.charCodeAt(p + 1) === LF && isBlank(s.charCodeAt(p + 2))) p += 3;
    else if (c === LF && isBlank(s.charCodeAt(p + 1))) p += 2;
    else return p;
  }
}

/** eat_token_end: up to a blank or a line end. */
function tokenEnd(s: string, p: number): number {
  while (p < s.length) {
    const c = s.charCodeAt(p);
    if (isBlank(c) || c === CR || c === LF) break;
    p++;
  }
  return p;
}

/** parse_cseq: a number token, blanks on the same line, a method token, then only LWS. */
function cseqProblem(v: string): string | undefined {
  const numEnd = tokenEnd(v, 0);
  if (numEnd === 0) return 'no number';
  let m = numEnd;
  while (isBlank(v.charCodeAt(m))) m++;
  const methodEnd = tokenEnd(v, m);
  if (methodEnd === m) return 'no method found';
  for (let i = m; i < methodEnd; i++) if (!isMethodChar(v.charCodeAt(i))) return 'bad method';
  return skipLws(v, methodEnd) === v.length ? undefined : 'expecting CSeq EoL';
}

/** RFC 3261 token characters (what parse_method accepts in an unknown method). */
function isMethodChar(c: number): boolean {
  return (
    (c >= 48 && c <= 57) ||
    (c >= 65 && c <= 90) ||
    (c >= 97 && c <= 122) ||
    c === 45 || // -
    c === 46 || // .
    c === 33 || // !
    c === 37 || // %
    c === 42 || // *
    c === 95 || // _
    c === 43 || // +
    c === 96 || // `
    c === 39 || // '
    c === 126 // ~
  );
}

/** The largest Content-Length parse_content_length reads without its overflow guard refusing it. */
const MAX_CONTENT_LENGTH_PREFIX = Math.floor(2147483647 / 10);

/** parse_content_length: LWS, decimal digits, blanks, end. */
function contentLengthProblem(v: string): string | undefined {
  let p = skipLws(v, 0);
  const start = p;
  let n = 0;
  while (p < v.length && v.charCodeAt(p) >= 48 && v.charCodeAt(p) <= 57) {
    if (n >= MAX_CONTENT_LENGTH_PREFIX) return 'integer overflow risk';
    n = n * 10 + v.charCodeAt(p) - 48;
    p++;
  }
  if (p === start) return `not a number: ${JSON.stringify(v.trim().slice(0, 20))}`;
  return skipLws(v, p) === v.length ? undefined : `trailing characters: ${JSON.stringify(v.trim().slice(0, 20))}`;
}

/**
 * parse_to, as far as it can fail: an optional display name (a token list or
 * a quoted string, which must end), then a URI in <> (the > must come) or a
 * bare URI, then ;parameters. The URI itself is not parsed here.
 */
function toProblem(v: string): string | undefined {
  let p = skipLws(v, 0);
  if (p >= v.length) return 'empty';
  if (v.charCodeAt(p) === 34) {
    p++;
    for (;;) {
      if (p >= v.length) return 'unterminated quoted display name';
      const c = v.charCodeAt(p);
      if (c === 92) p += 2;
      else if (c === 34) break;
      else p++;
    }
    p = skipLws(v, p + 1);
    if (v.charCodeAt(p) !== 60) return 'no <URI> after the display name';
  }
  const lt = v.indexOf('<', p);
  const semi = v.indexOf(';', p);
  if (lt >= 0 && (semi < 0 || lt < semi)) {
    const gt = v.indexOf('>', lt);
    if (gt < 0) return 'unterminated <URI>';
    p = skipLws(v, gt + 1);
    if (p < v.length && v.charCodeAt(p) !== 59) return 'characters after the URI';
  }
  return undefined;
}
