// Replies and requests we generate. Replies follow OpenSIPS's
// build_res_buf_from_sip_req(): Vias (top one with received/rport),
// Record-Route for 180-299, To (with a tag when needed), From, Call-ID,
// CSeq, extra headers, Server, Content-Length, then the body.
import { randomBytes } from 'node:crypto';
import { parseSipMessage, type SipMessage } from './message.js';
import { isSipError } from './result.js';
import { viaReceived, type Source } from './via-received.js';

export type HeaderList = ReadonlyArray<readonly [string, string]>;

export interface Body {
  readonly contentType: string;
  readonly data: Buffer | string;
}

export interface ReplyOptions {
  /**
   * Tag for the To header when one is added: a fixed one, or a generator
   * asked only then (sl's and tm's tags cost an MD5); a random one otherwise.
   */
  readonly toTag?: string | { tagFor(req: SipMessage): string | undefined };
  /** Add a To tag when the To has none. Default: code >= 180 (as sl does). */
  readonly addToTag?: boolean;
  /** Written after CSeq, in order (OpenSIPS: append_to_reply). */
  readonly headers?: HeaderList;
  /** Value of a `Server:` header; none when undefined. */
  readonly server?: string;
  readonly body?: Body;
  /** Where the request came from: the top Via gets received/rport. */
  readonly source?: Source;
  readonly forceRport?: boolean;
}

// One getrandom() call per 512 tags instead of one per tag: on the relay
// path the system call cost more than the rest of t_relay together. The pool
// is kept as hex text, so that a tag is a substring rather than a hex encoding.
const POOL_SIZE = 4096;
let poolHex = '';
let poolOffset = 0;

function randomHex(bytes: number): string {
  const chars = 2 * bytes;
  if (poolOffset + chars > poolHex.length) {
    poolHex = randomBytes(POOL_SIZE).toString('hex');
    poolOffset = 0;
  }
  const hex = poolHex.slice(poolOffset, poolOffset + chars);
  poolOffset += chars;
  return hex;
}

export function randomTag(bytes = 8): string {
  return randomHex(bytes);
}

/** RFC 3261 §8.1.1.7 magic cookie plus randomness. */
export function newBranch(): string {
  return 'z9hG4bK' + randomHex(8);
}

export function buildReply(req: SipMessage, code: number, reason: string, opts: ReplyOptions = {}): Buffer {
  const body = opts.body ? toBuffer(opts.body.data) : undefined;
  let head = replyHead(req, code, reason, opts);
  if (opts.body) head += `Content-Type: ${opts.body.contentType}\r\n`;
  head += extraHeaders(opts);
  head += `Content-Length: ${body ? body.length : 0}\r\n\r\n`;
  const bytes = Buffer.from(head, 'utf8');
  return body ? Buffer.concat([bytes, body]) : bytes;
}

/** A reply as text: what the local reply path sends, with no Buffer round trip; `body` (text) goes after the headers as it is. */
export function buildReplyText(
  req: SipMessage,
  code: number,
  reason: string,
  opts: Omit<ReplyOptions, 'body'> = {},
  body?: string,
): string {
  const head = replyHead(req, code, reason, opts) + extraHeaders(opts);
  return body === undefined
    ? head + 'Content-Length: 0\r\n\r\n'
    : `${head}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

/** Status line, Vias, Record-Routes, To, From, Call-ID and CSeq, in one pass over the request's headers. */
function replyHead(req: SipMessage, code: number, reason: string, opts: ReplyOptions): string {
  const received = opts.source ? viaReceived(req, opts.source, { forceRport: opts.forceRport }) : undefined;
  const withRecordRoutes = code >= 180 && code < 300;
  let vias = '';
  let recordRoutes = '';
  let firstVia = true;
  let to = -1;
  let from = -1;
  let callId = -1;
  let cseq = -1;
  for (let i = 0; i < req.headerCount; i++) {
    const key = req.keyAt(i);
    if (key === 'via') {
      vias += firstVia && received !== undefined ? req.prefixAt(i) + received + '\r\n' : withCrlf(req.lineAt(i));
      firstVia = false;
    } else if (key === 'record-route') {
      if (withRecordRoutes) recordRoutes += req.lineAt(i);
    } else if (key === 'to') {
      if (to < 0) to = i;
    } else if (key === 'from') {
      if (from < 0) from = i;
    } else if (key === 'call-id') {
      if (callId < 0) callId = i;
    } else if (key === 'cseq') {
      if (cseq < 0) cseq = i;
    }
  }
  let out = statusLine(code, reason) + vias + recordRoutes;
  if (to >= 0) out += toLine(req, to, code, opts);
  if (from >= 0) out += req.lineAt(from);
  if (callId >= 0) out += req.lineAt(callId);
  if (cseq >= 0) out += req.lineAt(cseq);
  return out;
}

/** The To line (field `i`), with a tag added when the reply needs one and it has none. */
function toLine(req: SipMessage, i: number, code: number, opts: ReplyOptions): string {
  const parsed = req.to;
  const hasTag = parsed !== undefined && !isSipError(parsed) && parsed.tag !== undefined && parsed.tag !== '';
  if ((opts.addToTag ?? code >= 180) && !hasTag)
    return `${req.prefixAt(i)}${req.valueAt(i)};tag=${tagOf(req, opts.toTag)}\r\n`;
  return req.lineAt(i);
}

function tagOf(req: SipMessage, source: ReplyOptions['toTag']): string {
  if (source === undefined) return randomTag();
  return typeof source === 'string' ? source : (source.tagFor(req) ?? randomTag());
}

/** The caller's headers, then Server. */
function extraHeaders(opts: ReplyOptions): string {
  let out = '';
  const headers = opts.headers;
  if (headers) for (let i = 0; i < headers.length; i++) out += `${headers[i]![0]}: ${headers[i]![1]}\r\n`;
  if (opts.server !== undefined) out += serverLine(opts.server);
  return out;
}

// The status line and the Server line repeat from reply to reply: the last
// one of each is kept rather than formatted again.
let lastStatus = { code: 0, reason: '', line: '' };
let lastServer = { server: '', line: '' };

function statusLine(code: number, reason: string): string {
  if (code !== lastStatus.code || reason !== lastStatus.reason)
    lastStatus = { code, reason, line: `SIP/2.0 ${code} ${reason}\r\n` };
  return lastStatus.line;
}

function serverLine(server: string): string {
  if (server !== lastServer.server || lastServer.line === '') lastServer = { server, line: `Server: ${server}\r\n` };
  return lastServer.line;
}

/** The line with its terminator written as CRLF (a bare LF becomes CRLF). */
function withCrlf(line: string): string {
  let end = line.length;
  if (line.charCodeAt(end - 1) === 10) end--;
  if (line.charCodeAt(end - 1) === 13) return end === line.length - 1 ? line : line.slice(0, end) + '\r\n';
  return line.slice(0, end) + '\r\n';
}

function toBuffer(data: Buffer | string): Buffer {
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
}

export interface RequestSpec {
  readonly method: string;
  readonly ruri: string;
  /** In order. Via, From, To, Call-ID and CSeq are the caller's to give. */
  readonly headers: HeaderList;
  readonly body?: Body;
  /** Max-Forwards written when the headers have none (as tm's t_uac). Default 70; null for none. */
  readonly maxForwards?: number | null;
}

export function buildRequest(spec: RequestSpec): Buffer {
  const lines: string[] = [`${spec.method} ${spec.ruri} SIP/2.0\r\n`];
  const has = (name: string): boolean => spec.headers.some(([n]) => n.toLowerCase() === name);
  for (const [name, value] of spec.headers) {
    if (name.toLowerCase() === 'content-length') continue;
    lines.push(`${name}: ${value}\r\n`);
  }
  const maxForwards = spec.maxForwards === undefined ? 70 : spec.maxForwards;
  if (maxForwards !== null && !has('max-forwards')) lines.push(`Max-Forwards: ${maxForwards}\r\n`);
  const body = spec.body ? toBuffer(spec.body.data) : undefined;
  if (spec.body && !has('content-type')) lines.push(`Content-Type: ${spec.body.contentType}\r\n`);
  lines.push(`Content-Length: ${body ? body.length : 0}\r\n\r\n`);
  const head = Buffer.from(lines.join(''), 'utf8');
  return body ? Buffer.concat([head, body]) : head;
}

/**
 * The request tm builds on a branch it sent (`invite`, as it went out): the
 * R-URI, the top Via (so the same branch), From, Call-ID and the CSeq number
 * are the INVITE's; `extra` are t_add_hdrs() lines. Undefined when the bytes
 * do not parse (we built them, so only for a corrupted buffer).
 */
function buildOnBranch(
  invite: Buffer,
  method: 'ACK' | 'CANCEL',
  to: (req: SipMessage) => string,
  extra: readonly string[],
): Buffer | undefined {
  const result = parseSipMessage(invite);
  if (result.error !== undefined) return undefined;
  const parsed = result.msg;
  const cseq = parsed.cseq;
  const lines = [
    `${method} ${parsed.ruri} SIP/2.0`,
    `Via: ${parsed.headers('via')[0] ?? ''}`,
    `From: ${parsed.header('from') ?? ''}`,
    `To: ${to(parsed)}`,
    `Call-ID: ${parsed.callId ?? ''}`,
    `CSeq: ${cseq && !isSipError(cseq) ? cseq.num : 1} ${method}`,
    'Max-Forwards: 70',
    ...extra,
    'Content-Length: 0',
  ];
  return Buffer.from(lines.join('\r\n') + '\r\n\r\n');
}

/**
 * RFC 3261 §17.1.1.3: the ACK of a non-2xx final reply to an INVITE, part of
 * the INVITE's client transaction: its Request-URI, top Via, From, Call-ID
 * and CSeq number, and the To of the reply (with the answering UA's tag).
 */
export function buildAck(invite: Buffer, reply: SipMessage, extra: readonly string[] = []): Buffer | undefined {
  return buildOnBranch(invite, 'ACK', () => reply.header('to') ?? '', extra);
}

/**
 * RFC 3261 §9.1: a CANCEL for a pending INVITE: the INVITE's Request-URI,
 * top Via (the same branch), To, From, Call-ID and CSeq number, method CANCEL.
 */
export function buildCancel(invite: Buffer, extra: readonly string[] = []): Buffer | undefined {
  return buildOnBranch(invite, 'CANCEL', (req) => req.header('to') ?? '', extra);
}

/** Removes our Via from a reply about to be relayed; several Vias in its header line keep the others. */
export function removeTopVia(msg: SipMessage): void {
  const first = msg.fields('via')[0];
  if (!first) return;
  const vias = msg.vias();
  if (isSipError(vias) || !first.value.includes(',')) {
    msg.removeHeaderAt('via', 0);
    return;
  }
  const rest = first.value.slice(first.value.indexOf(',') + 1).trim();
  msg.replaceHeader('via', rest, 0);
}
