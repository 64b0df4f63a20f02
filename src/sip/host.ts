// Host forms of RFC 3261 §25.1: hostname, IPv4address, IPv6reference.
import { isAlnum, isAlpha, isDigit, HEX, inClass } from './chars.js';

export type HostType = 'domain' | 'IPv4' | 'IPv6';

/** Dotted quad with dec-octets (no leading zeros, each <= 255). */
export function isIPv4(s: string, start = 0, end = s.length): boolean {
  let octets = 0;
  let i = start;
  while (i < end) {
    const from = i;
    let value = 0;
    while (i < end && isDigit(s.charCodeAt(i))) {
      value = value * 10 + s.charCodeAt(i) - 48;
      i++;
    }
    const len = i - from;
    if (len === 0 || len > 3 || value > 255 || (len > 1 && s.charCodeAt(from) === 48)) return false;
    octets++;
    if (i === end) break;
    if (s.charCodeAt(i) !== 46 || octets === 4) return false;
    i++;
    if (i === end) return false;
  }
  return octets === 4;
}

/** IPv6address (no brackets), with an optional trailing dotted quad. */
export function isIPv6(s: string, start = 0, end = s.length): boolean {
  let groups = 0;
  let doubleColon = false;
  let i = start;
  if (end - start < 2) return false;
  if (s.charCodeAt(i) === 58) {
    if (s.charCodeAt(i + 1) !== 58) return false;
    doubleColon = true;
    i += 2;
    if (i === end) return true;
  }
  while (i < end) {
    const from = i;
    while (i < end && inClass(HEX, s.charCodeAt(i)) && i - from < 5) i++;
    const len = i - from;
    if (i < end && s.charCodeAt(i) === 46) {
      // the last 32 bits written as a dotted quad
      if (!isIPv4(s, from, end)) return false;
      groups += 2;
      i = end;
      break;
    }
    if (len === 0 || len > 4) return false;
    groups++;
    if (i === end) break;
    if (s.charCodeAt(i) !== 58) return false;
    i++;
    if (i < end && s.charCodeAt(i) === 58) {
      if (doubleColon) return false;
      doubleColon = true;
      i++;
      if (i === end) break;
    } else if (i === end) {
      return false;
    }
  }
  return doubleColon ? groups <= 7 : groups === 8;
}

/**
 * hostname as jssip's grammar reads it: labels of alphanum, '-' and '_' that
 * start with an alphanum; the last label starts with a letter; no empty label
 * and no trailing dot.
 */
export function isHostname(s: string, start = 0, end = s.length): boolean {
  if (start >= end) return false;
  let labelStart = start;
  for (let i = start; i <= end; i++) {
    const c = i < end ? s.charCodeAt(i) : 46;
    if (c === 46) {
      if (i === labelStart) return false;
      labelStart = i + 1;
      continue;
    }
    if (i === labelStart) {
      if (!isAlnum(c)) return false;
    } else if (!isAlnum(c) && c !== 45 && c !== 95) {
      return false;
    }
  }
  let last = end - 1;
  while (last > start && s.charCodeAt(last - 1) !== 46) last--;
  return isAlpha(s.charCodeAt(last));
}

export function hostType(s: string, start = 0, end = s.length): HostType | undefined {
  if (s.charCodeAt(start) === 91) {
    return s.charCodeAt(end - 1) === 93 && isIPv6(s, start + 1, end - 1) ? 'IPv6' : undefined;
  }
  if (isIPv4(s, start, end)) return 'IPv4';
  return isHostname(s, start, end) ? 'domain' : undefined;
}

/** Canonical text of an IP address for equality tests, or undefined if `s` is not an IP. */
export function canonicalIp(s: string): string | undefined {
  let text = s;
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
  if (isIPv4(text)) return text;
  if (!isIPv6(text)) return undefined;
  return expandIPv6(text);
}

function expandIPv6(text: string): string {
  let t = text.toLowerCase();
  const lastColon = t.lastIndexOf(':');
  const tail = t.slice(lastColon + 1);
  if (tail.includes('.')) {
    const o = tail.split('.').map(Number);
    t = t.slice(0, lastColon + 1) + ((o[0]! << 8) | o[1]!).toString(16) + ':' + ((o[2]! << 8) | o[3]!).toString(16);
  }
  const [head, rest] = t.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = rest === undefined ? [] : rest ? rest.split(':') : [];
  const zeros = rest === undefined ? [] : new Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((g) => parseInt(g, 16).toString(16)).join(':');
}
