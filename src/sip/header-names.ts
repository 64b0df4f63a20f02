// Header names: one lower-case key per header, compact forms expanded.
import { Spellings } from './spellings.js';

const COMPACT: Readonly<Record<string, string>> = {
  i: 'call-id',
  m: 'contact',
  f: 'from',
  t: 'to',
  v: 'via',
  l: 'content-length',
  c: 'content-type',
  k: 'supported',
  e: 'content-encoding',
  s: 'subject',
  o: 'event',
  r: 'refer-to',
  u: 'allow-events',
  x: 'session-expires',
  b: 'referred-by',
  a: 'accept-contact',
  j: 'reject-contact',
  d: 'request-disposition',
};

// Keys of names as they appear on the wire; received names repeat, so the
// lower-casing is done once per spelling. Bounded: names are attacker-chosen.
const keyCache = new Map<string, string>();

/** The lookup key of a header name: lower-case, compact forms expanded. */
export function headerKey(name: string): string {
  let key = keyCache.get(name);
  if (key !== undefined) return key;
  const lower = name.toLowerCase();
  key = lower.length === 1 ? (COMPACT[lower] ?? lower) : lower;
  if (keyCache.size < 4096) keyCache.set(name, (key = internalized(key)));
  return key;
}

/**
 * The same text as V8's internalized string: keys are compared with string
 * literals (also internalized) on every header lookup, and two internalized
 * strings compare by pointer instead of char by char.
 */
function internalized(s: string): string {
  return Object.keys({ [s]: 0 })[0] ?? s;
}

// The spellings found on nearly every message, as clients write them: the
// framer recognises them in place; any other spelling goes through headerKey().
export const COMMON_HEADER_NAMES = new Spellings(
  [
    'Via',
    'From',
    'To',
    'Call-ID',
    'CSeq',
    'Contact',
    'Max-Forwards',
    'Content-Length',
    'Expires',
    'User-Agent',
    'Content-Type',
    'Route',
    'Record-Route',
    'Allow',
    'Supported',
    'Require',
    'Proxy-Require',
    'Authorization',
    'Proxy-Authorization',
    'WWW-Authenticate',
    'Proxy-Authenticate',
    'Server',
    'Path',
    'Event',
    'Accept',
    'Date',
    'Call-Id',
    'Allow-Events',
    'Subject',
    'Organization',
    'Session-Expires',
    'Min-SE',
    'P-Asserted-Identity',
    'Privacy',
    'Reason',
    'Warning',
    'Unsupported',
    'Timestamp',
    'Content-Disposition',
    'Accept-Encoding',
    'Accept-Language',
    'Refer-To',
    'Referred-By',
    'Diversion',
    'Min-Expires',
    'v',
    'f',
    't',
    'i',
    'm',
    'l',
    'c',
    'k',
  ],
  headerKey,
);

// Headers whose value is a comma-separated list (RFC 3261 §7.3.1 allows
// combining them). Others (Date, Authorization, User-Agent...) contain commas
// that are not separators.
const LIST_HEADERS = new Set([
  'via',
  'contact',
  'route',
  'record-route',
  'path',
  'service-route',
  'allow',
  'supported',
  'require',
  'proxy-require',
  'unsupported',
  'allow-events',
  'accept',
  'accept-encoding',
  'accept-language',
  'content-encoding',
  'content-language',
  'p-asserted-identity',
  'p-preferred-identity',
  'reason',
  'warning',
  'call-info',
  'alert-info',
  'error-info',
  'in-reply-to',
  'security-client',
  'security-server',
  'security-verify',
  'history-info',
  'diversion',
  'accept-contact',
  'reject-contact',
  'request-disposition',
  'p-associated-uri',
  'p-visited-network-id',
  'privacy',
]);

export function isListHeader(key: string): boolean {
  return LIST_HEADERS.has(key);
}

/** Splits at commas outside quoted strings and <...>; trims; drops empty elements. */
export function splitList(value: string): string[] {
  if (value.indexOf(',') < 0) {
    const t = value.trim();
    return t ? [t] : [];
  }
  const out: string[] = [];
  let start = 0;
  let angle = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 34) {
      for (i++; i < value.length; i++) {
        const d = value.charCodeAt(i);
        if (d === 92) i++;
        else if (d === 34) break;
      }
    } else if (c === 60) {
      angle = true;
    } else if (c === 62) {
      angle = false;
    } else if (c === 44 && !angle) {
      const t = value.slice(start, i).trim();
      if (t) out.push(t);
      start = i + 1;
    }
  }
  const t = value.slice(start).trim();
  if (t) out.push(t);
  return out;
}
