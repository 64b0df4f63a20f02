// Framing a received message: where the start line, each header and the
// body sit in the bytes. Nothing here interprets a header beyond its name,
// except Content-Length, which decides where the message ends.
import { isAscii } from 'node:buffer';
import { inClass, TOKEN } from './chars.js';
import { COMMON_HEADER_NAMES, headerKey } from './header-names.js';
import { isSipError } from './result.js';
import { parseUint32 } from './scalars.js';
import { parseStartLine, type StartLine } from './start-line.js';

/** Where one header field sits in `MessageFrame.head` (offsets relative to it). */
export class HeaderSpan {
  constructor(
    readonly name: string,
    readonly key: string,
    readonly lineStart: number,
    /** Just past the line terminator of the header's last line. */
    public lineEnd: number,
    public valueStart: number,
    public valueEnd: number,
    public folded: boolean,
  ) {}
}

/** The header fields in order: one small object each (cheaper to build than parallel arrays). */
export type HeaderIndex = HeaderSpan[];

/** Internal to src/sip: what a SipMessage is built on. */
export interface MessageFrame {
  buf: Buffer;
  /** Offset of the start line in buf (leading CRLFs skipped). */
  base: number;
  /**
   * buf[base, end) as latin1: one char per byte, so offsets are byte offsets.
   * The header block is head[0, headEnd); the whole text is kept (rather than
   * a slice) so that header values can be parsed where they sit.
   */
  head: string;
  headEnd: number;
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

  // The whole message as latin1 (one char per byte): the end of the headers
  // is found while they are indexed, in one pass over the lines.
  const text = buf.toString('latin1', base);
  const startLineEnd = text.indexOf('\n') + 1;
  if (startLineEnd === 0) return { error: INCOMPLETE };
  const start = parseStartLine(text, text.charCodeAt(startLineEnd - 2) === 13 ? startLineEnd - 2 : startLineEnd - 1);
  if (isSipError(start)) return { error: incomplete(buf, base) ? INCOMPLETE : start.error };

  const indexed = indexHeaders(text, startLineEnd);
  if (typeof indexed === 'string') return { error: incomplete(buf, base) ? INCOMPLETE : indexed };
  if (indexed.headEnd < 0) return { error: INCOMPLETE };
  const headEnd = base + indexed.headEnd;
  const bodyStart = base + indexed.bodyStart;

  const frame: MessageFrame = {
    buf,
    base,
    head: text,
    headEnd: indexed.headEnd,
    ascii: headIsAscii(buf, base, headEnd),
    startLineEnd,
    index: indexed.index,
    bodyStart: Math.min(bodyStart, buf.length),
    bodyEnd: buf.length,
    datagram,
  };
  const framingError = frameBody(frame);
  if (framingError) frame.bodyEnd = frame.bodyStart;
  return framingError ? { frame, start, framingError } : { frame, start };
}

const INCOMPLETE = 'incomplete message: no end of headers';

/** No empty line after the headers and a last line cut short: reported before any other problem. */
function incomplete(buf: Buffer, base: number): boolean {
  return findHeadEnd(buf, base) === undefined && buf[buf.length - 1] !== 10;
}

/** The whole datagram first: usually all ASCII, and checked without allocating a subarray. */
function headIsAscii(buf: Buffer, base: number, headEnd: number): boolean {
  return isAscii(buf) || isAscii(buf.subarray(base, headEnd));
}

/** The index, and where the headers end in `text`: headEnd -1 when the last line has no terminator. */
interface IndexedHead {
  index: HeaderIndex;
  headEnd: number;
  bodyStart: number;
}

/**
 * Indexes the header lines of `text` from `from` up to the first empty line
 * (CRLF or bare LF), or to the end of `text` when there is none.
 */
function indexHeaders(text: string, from: number): IndexedHead | string {
  const index: HeaderIndex = [];
  const out: IndexedHead = { index, headEnd: -1, bodyStart: -1 };
  let pos = from;
  for (;;) {
    if (pos >= text.length) {
      out.headEnd = out.bodyStart = text.length;
      return out;
    }
    const lead = text.charCodeAt(pos);
    if (lead === 10 || (lead === 13 && text.charCodeAt(pos + 1) === 10)) {
      out.headEnd = pos;
      out.bodyStart = pos + (lead === 10 ? 1 : 2);
      return out;
    }
    const nl = text.indexOf('\n', pos);
    if (nl < 0) return out;
    const next = nl + 1;
    let contentEnd = text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
    if (lead === 32 || lead === 9) {
      const last = index[index.length - 1];
      if (last === undefined) return 'continuation line before the first header';
      while (contentEnd > pos && isBlank(text.charCodeAt(contentEnd - 1))) contentEnd--;
      if (contentEnd > pos) {
        if (last.valueStart === last.valueEnd) last.valueStart = skipBlank(text, pos, contentEnd);
        last.valueEnd = contentEnd;
        last.folded = true;
      }
      last.lineEnd = next;
      pos = next;
      continue;
    }
    // The name: usually one of the common spellings, recognised in place.
    const common = COMMON_HEADER_NAMES.tokenAt(text, pos, contentEnd, TOKEN);
    let nameEnd = pos;
    if (common) nameEnd += common.spelling.length;
    else while (nameEnd < contentEnd && inClass(TOKEN, text.charCodeAt(nameEnd))) nameEnd++;
    if (nameEnd === pos) return `bad header line ${JSON.stringify(text.slice(pos, Math.min(contentEnd, pos + 40)))}`;
    let colon = nameEnd;
    while (colon < contentEnd && isBlank(text.charCodeAt(colon))) colon++;
    if (colon >= contentEnd || text.charCodeAt(colon) !== 58) {
      return `header line without a colon: ${JSON.stringify(text.slice(pos, Math.min(contentEnd, pos + 40)))}`;
    }
    const name = common ? common.spelling : text.slice(pos, nameEnd);
    while (contentEnd > colon + 1 && isBlank(text.charCodeAt(contentEnd - 1))) contentEnd--;
    index.push(
      new HeaderSpan(
        name,
        common ? common.key : headerKey(name),
        pos,
        next,
        skipBlank(text, colon + 1, contentEnd),
        contentEnd,
        false,
      ),
    );
    pos = next;
  }
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}

function skipBlank(s: string, p: number, end: number): number {
  while (p < end && isBlank(s.charCodeAt(p))) p++;
  return p;
}

function allDigits(s: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** A Content-Length value with its (folded) whitespace removed. */
function withoutWhitespace(value: string): string {
  return value.replace(/\s+/g, '');
}

/**
 * Where the body ends. As OpenSIPS 3.3: the first Content-Length counts (each
 * one must be a number; a later different one is ignored, as msg->content_length
 * is the first header), and a datagram's body is what arrived when the
 * Content-Length promises more (3.3's UDP path does not compare them).
 */
function frameBody(frame: MessageFrame): string | undefined {
  const { index, head } = frame;
  let length: number | undefined;
  for (const h of index) {
    if (h.key !== 'content-length') continue;
    const n = allDigits(head, h.valueStart, h.valueEnd)
      ? parseUint32(head, h.valueStart, h.valueEnd)
      : parseUint32(withoutWhitespace(head.slice(h.valueStart, h.valueEnd)));
    if (isSipError(n)) return `bad Content-Length: ${n.error}`;
    length ??= n;
  }
  const available = frame.buf.length - frame.bodyStart;
  if (length === undefined) {
    if (!frame.datagram) return 'no Content-Length on a stream transport';
    frame.bodyEnd = frame.buf.length;
    return undefined;
  }
  if (length > available) {
    if (!frame.datagram) return `Content-Length ${length} larger than the ${available} body bytes received`;
    frame.bodyEnd = frame.buf.length;
    return undefined;
  }
  frame.bodyEnd = frame.bodyStart + length;
  return undefined;
}
