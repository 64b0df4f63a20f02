// Framing a received message: where the start line, each header and the
// body sit in the bytes. Nothing here interprets a header beyond its name,
// except Content-Length, which decides where the message ends.
import { isAscii } from 'node:buffer';
import { inClass, TOKEN } from './chars.js';
import { COMMON_HEADER_NAMES, headerKey } from './header-names.js';
import { isSipError } from './result.js';
import { parseUint32 } from './scalars.js';
import { parseStartLine, type StartLine } from './start-line.js';

/** Where each header sits in `MessageFrame.head` (offsets relative to it). */
export interface HeaderIndex {
  readonly names: string[];
  readonly keys: string[];
  readonly lineStart: number[];
  /** Just past the line terminator of the header's last line. */
  readonly lineEnd: number[];
  readonly valueStart: number[];
  readonly valueEnd: number[];
  readonly folded: boolean[];
}

/** Internal to src/sip: what a SipMessage is built on. */
export interface MessageFrame {
  buf: Buffer;
  /** Offset of the start line in buf (leading CRLFs skipped). */
  base: number;
  /** buf[base, base + head.length) as latin1: one char per byte, so offsets are byte offsets. */
  head: string;
  ascii: boolean;
  /** End of the start line in head, past its terminator. */
  startLineEnd: number;
  index: HeaderIndex;
  bodyStart: number;
  bodyEnd: number;
  datagram: boolean;
}

/** End of the header block: where its last line ends and where the body starts; undefined if not there yet. */
export function findHeadEnd(buf: Buffer, from: number): { headEnd: number; bodyStart: number } | undefined {
  const crlf = buf.indexOf('\n\r\n', from);
  const lf = buf.indexOf('\n\n', from);
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { headEnd: crlf + 1, bodyStart: crlf + 3 };
  if (lf >= 0) return { headEnd: lf + 1, bodyStart: lf + 2 };
  return undefined;
}

export type Framed =
  | { readonly frame: MessageFrame; readonly start: StartLine; readonly framingError?: string }
  | { readonly error: string; readonly frame?: undefined };

/**
 * Frames `buf`. A Content-Length problem still returns the frame (with an
 * empty body) and `framingError`, so the caller can answer 400.
 */
export function frameMessage(buf: Buffer, datagram: boolean): Framed {
  let base = 0;
  while (base < buf.length && (buf[base] === 13 || buf[base] === 10)) base++;
  if (buf.length - base < 16) return { error: 'message too short' };

  let ends = findHeadEnd(buf, base);
  if (!ends) {
    // No empty line after the headers: accepted when the last line is complete.
    if (buf[buf.length - 1] !== 10) return { error: 'incomplete message: no end of headers' };
    ends = { headEnd: buf.length, bodyStart: buf.length };
  }
  const { headEnd, bodyStart } = ends;

  const head = buf.toString('latin1', base, headEnd);
  const startLineEnd = head.indexOf('\n') + 1;
  const line = head.charCodeAt(startLineEnd - 2) === 13 ? head.slice(0, startLineEnd - 2) : head.slice(0, startLineEnd - 1);
  const start = parseStartLine(line);
  if (isSipError(start)) return { error: start.error };

  const index = indexHeaders(head, startLineEnd);
  if (typeof index === 'string') return { error: index };

  const frame: MessageFrame = {
    buf, base, head, ascii: headIsAscii(buf, base, headEnd), startLineEnd, index,
    bodyStart: Math.min(bodyStart, buf.length), bodyEnd: buf.length, datagram,
  };
  const framingError = frameBody(frame);
  if (framingError) frame.bodyEnd = frame.bodyStart;
  return framingError ? { frame, start, framingError } : { frame, start };
}

/** The whole datagram first: usually all ASCII, and checked without allocating a subarray. */
function headIsAscii(buf: Buffer, base: number, headEnd: number): boolean {
  return isAscii(buf) || isAscii(buf.subarray(base, headEnd));
}

function indexHeaders(head: string, from: number): HeaderIndex | string {
  const index: HeaderIndex = { names: [], keys: [], lineStart: [], lineEnd: [], valueStart: [], valueEnd: [], folded: [] };
  let pos = from;
  while (pos < head.length) {
    const nl = head.indexOf('\n', pos);
    const next = nl + 1;
    let contentEnd = head.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
    const first = head.charCodeAt(pos);
    if (first === 32 || first === 9) {
      const last = index.names.length - 1;
      if (last < 0) return 'continuation line before the first header';
      while (contentEnd > pos && isBlank(head.charCodeAt(contentEnd - 1))) contentEnd--;
      if (contentEnd > pos) {
        if (index.valueStart[last] === index.valueEnd[last]) index.valueStart[last] = skipBlank(head, pos, contentEnd);
        index.valueEnd[last] = contentEnd;
        index.folded[last] = true;
      }
      index.lineEnd[last] = next;
      pos = next;
      continue;
    }
    let nameEnd = pos;
    while (nameEnd < contentEnd && inClass(TOKEN, head.charCodeAt(nameEnd))) nameEnd++;
    if (nameEnd === pos) return `bad header line ${JSON.stringify(head.slice(pos, Math.min(contentEnd, pos + 40)))}`;
    let colon = nameEnd;
    while (colon < contentEnd && isBlank(head.charCodeAt(colon))) colon++;
    if (colon >= contentEnd || head.charCodeAt(colon) !== 58) {
      return `header line without a colon: ${JSON.stringify(head.slice(pos, Math.min(contentEnd, pos + 40)))}`;
    }
    const common = COMMON_HEADER_NAMES.find(head, pos, nameEnd);
    const name = common ? common.spelling : head.slice(pos, nameEnd);
    while (contentEnd > colon + 1 && isBlank(head.charCodeAt(contentEnd - 1))) contentEnd--;
    index.names.push(name);
    index.keys.push(common ? common.key : headerKey(name));
    index.lineStart.push(pos);
    index.lineEnd.push(next);
    index.valueStart.push(skipBlank(head, colon + 1, contentEnd));
    index.valueEnd.push(contentEnd);
    index.folded.push(false);
    pos = next;
  }
  return index;
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}

function skipBlank(s: string, p: number, end: number): number {
  while (p < end && isBlank(s.charCodeAt(p))) p++;
  return p;
}

function frameBody(frame: MessageFrame): string | undefined {
  const { index, head } = frame;
  let length: number | undefined;
  for (let i = 0; i < index.keys.length; i++) {
    if (index.keys[i] !== 'content-length') continue;
    const n = parseUint32(head.slice(index.valueStart[i], index.valueEnd[i]).replace(/\s+/g, ''));
    if (isSipError(n)) return `bad Content-Length: ${n.error}`;
    if (length !== undefined && n !== length) return 'several different Content-Length values';
    length = n;
  }
  const available = frame.buf.length - frame.bodyStart;
  if (length === undefined) {
    if (!frame.datagram) return 'no Content-Length on a stream transport';
    frame.bodyEnd = frame.buf.length;
    return undefined;
  }
  if (length > available) return `Content-Length ${length} larger than the ${available} body bytes received`;
  frame.bodyEnd = frame.bodyStart + length;
  return undefined;
}
