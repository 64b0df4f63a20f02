// Via values (RFC 3261 §20.42, RFC 3581). Unlike jssip's grammar this keeps
// every parameter, including a value-less `rport` (kept as ''), and records
// where host:port ends and where rport/received sit, so received/rport can be
// written into the value the way OpenSIPS does.
import { isDigit, TOKEN } from './chars.js';
import { hostType } from './host.js';
import { sipError, type SipError } from './result.js';
import { newParams, readHeaderParams, skipWs, tokenEnd } from './scan.js';
import { Spellings } from './spellings.js';

export interface ViaOffsets {
  /** This via within the header value it was parsed from. */
  readonly start: number;
  readonly end: number;
  /** Just after host[:port]: where OpenSIPS inserts `;received=`. */
  readonly hostPortEnd: number;
  /** From the ';' to the end of the parameter. */
  readonly rport: readonly [number, number] | undefined;
  readonly received: readonly [number, number] | undefined;
}

export interface Via {
  readonly raw: string;
  /** 'SIP' */
  readonly protocol: string;
  /** '2.0' */
  readonly version: string;
  /** As written: 'UDP', 'TCP', 'TLS', 'SCTP', 'WS', 'WSS', or anything else. */
  readonly transport: string;
  readonly host: string;
  readonly port: number | undefined;
  /** Lower-case names; '' for a value-less parameter. */
  readonly params: Readonly<Record<string, string>>;
  readonly branch: string | undefined;
  readonly received: string | undefined;
  /** '' when the client asked for rport without a value. */
  readonly rport: string | undefined;
  readonly maddr: string | undefined;
  readonly offsets: ViaOffsets;
}

/** What nearly every Via says, handed back as constants instead of fresh slices. */
const COMMON_WORDS = new Spellings(['SIP', '2.0', 'UDP', 'TCP', 'TLS', 'WS', 'WSS', 'SCTP'], (spelling) => spelling);

/** Where the token word() read last ends (parsing is synchronous). */
let wordEnd = 0;

/** The token at `start` in s[.., end), ending at `wordEnd`: the table's constant when it is a common word. */
function word(s: string, start: number, end: number): string {
  const known = COMMON_WORDS.tokenAt(s, start, end, TOKEN);
  if (known) {
    wordEnd = start + known.spelling.length;
    return known.spelling;
  }
  wordEnd = tokenEnd(s, start, end);
  return s.slice(start, wordEnd);
}

/** One via from `p` in the value s[base, end); its offsets are relative to `base`. */
function parseOne(s: string, p: number, base: number, end: number): Via | SipError {
  const start = p;
  const protocol = word(s, p, end);
  const nameEnd = wordEnd;
  if (nameEnd === p) return sipError('missing protocol name in Via');
  p = skipWs(s, nameEnd, end);
  if (p >= end || s.charCodeAt(p) !== 47) return sipError("missing '/' in Via");
  p = skipWs(s, p + 1, end);
  const version = word(s, p, end);
  const versionEnd = wordEnd;
  if (versionEnd === p) return sipError('missing protocol version in Via');
  p = skipWs(s, versionEnd, end);
  if (p >= end || s.charCodeAt(p) !== 47) return sipError("missing '/' in Via");
  p = skipWs(s, p + 1, end);
  const transport = word(s, p, end);
  const transportEnd = wordEnd;
  if (transportEnd === p) return sipError('missing transport in Via');
  p = skipWs(s, transportEnd, end);
  if (p === transportEnd) return sipError('missing space before Via sent-by');
  const hostStart = p;
  if (p < end && s.charCodeAt(p) === 91) {
    const close = s.indexOf(']', p);
    if (close < 0 || close >= end) return sipError('unterminated IPv6 reference in Via');
    p = close + 1;
  } else {
    while (p < end) {
      const c = s.charCodeAt(p);
      if (c === 58 || c === 59 || c === 44 || c === 32 || c === 9) break;
      p++;
    }
  }
  const host = s.slice(hostStart, p);
  if (hostType(s, hostStart, p) === undefined) return sipError(`bad Via host '${host}'`);
  let hostPortEnd = p;
  let port: number | undefined;
  const afterHost = skipWs(s, p, end);
  if (afterHost < end && s.charCodeAt(afterHost) === 58) {
    let q = skipWs(s, afterHost + 1, end);
    const portStart = q;
    let value = 0;
    while (q < end && isDigit(s.charCodeAt(q))) value = value * 10 + s.charCodeAt(q++) - 48;
    if (q === portStart || q - portStart > 5 || value > 65535) return sipError('bad Via port');
    port = value;
    p = hostPortEnd = q;
  }
  const params = newParams();
  rportSpan = receivedSpan = undefined;
  spanBase = base;
  const viaEnd = readHeaderParams(s, p, params, noteSpan, end);
  if (typeof viaEnd === 'string') return sipError(`${viaEnd} in Via`);
  const offsets: ViaOffsets = {
    start: start - base,
    end: viaEnd - base,
    hostPortEnd: hostPortEnd - base,
    rport: rportSpan,
    received: receivedSpan,
  };
  const via: Via = {
    raw: start === 0 && viaEnd === s.length ? s : s.slice(start, viaEnd),
    protocol,
    version,
    transport,
    host,
    port,
    params,
    branch: params.branch,
    received: params.received,
    rport: params.rport,
    maddr: params.maddr,
    offsets,
  };
  return via;
}

// Where rport and received sit in the Via being parsed, noted by one shared
// function rather than a closure per Via (parsing is synchronous).
let rportSpan: readonly [number, number] | undefined;
let receivedSpan: readonly [number, number] | undefined;
let spanBase = 0;

function noteSpan(name: string, _value: string, from: number, to: number): void {
  if (name === 'rport') rportSpan = [from - spanBase, to - spanBase];
  else if (name === 'received') receivedSpan = [from - spanBase, to - spanBase];
}

/** All vias in the Via header value s[start, end) (all of `s` by default); offsets are relative to `start`. */
export function parseViaList(s: string, start = 0, end = s.length): Via[] | SipError {
  let out: Via[] | undefined;
  let p = skipWs(s, start, end);
  for (;;) {
    if (p >= end) return out ?? sipError('empty Via');
    const r = parseOne(s, p, start, end);
    if ('error' in r) return r;
    // Most Via values hold one via: an array literal of one costs less than growing an empty one.
    if (out === undefined) out = [r];
    else out.push(r);
    p = skipWs(s, start + r.offsets.end, end);
    if (p >= end) return out;
    if (s.charCodeAt(p) !== 44) return sipError(`unexpected '${s[p]}' in Via`);
    p = skipWs(s, p + 1, end);
    if (p >= end) return sipError('empty Via value after comma');
  }
}
