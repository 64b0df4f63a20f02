// URI equality as OpenSIPS's compare_uris() does it (the registrar matches
// contacts with it): RFC 3261 §19.1.4 with OpenSIPS's own readings, e.g. a
// value-less `;lr` equals no `lr` at all, and the port is compared as text.
import { isSipError } from './result.js';
import { parseUri, unescapeBytes, type SipUri } from './uri.js';

/** Parameters compared on both sides (absent counts as the empty value). */
const COMPARED = ['transport', 'ttl', 'user', 'maddr', 'method', 'lr', 'r2'] as const;
/** Parameters OpenSIPS parses itself and then never compares. */
const KNOWN = new Set<string>([...COMPARED, 'gr', 'pn-provider', 'pn-prid', 'pn-param', 'pn-purr']);

export function urisEqual(a: string | SipUri, b: string | SipUri): boolean {
  if (typeof a === 'string' && typeof b === 'string' && a.length === b.length && a.toLowerCase() === b.toLowerCase())
    return true;
  const ua = typeof a === 'string' ? parseUri(a) : a;
  const ub = typeof b === 'string' ? parseUri(b) : b;
  if (isSipError(ua) || isSipError(ub)) return false;
  if (ua.scheme !== ub.scheme) return false;
  const userA = unescapeBytes(ua.user);
  const userB = unescapeBytes(ub.user);
  if (userA === undefined || userB === undefined || userA !== userB) return false;
  if ((ua.password ?? '') !== (ub.password ?? '')) return false;
  if (ua.host.toLowerCase() !== ub.host.toLowerCase()) return false;
  if (ua.portText !== ub.portText) return false;
  for (const name of COMPARED) {
    if ((ua.params[name] ?? '').toLowerCase() !== (ub.params[name] ?? '').toLowerCase()) return false;
  }
  const unknownA = Object.keys(ua.params).filter((n) => !KNOWN.has(n));
  const unknownB = Object.keys(ub.params).filter((n) => !KNOWN.has(n));
  if (unknownA.length > 0 && unknownB.length > 0) {
    for (const name of unknownA) {
      const vb = ub.params[name];
      if (vb === undefined) continue;
      if (ua.params[name]!.toLowerCase() !== vb.toLowerCase()) return false;
    }
  }
  return ua.headersText.toLowerCase() === ub.headersText.toLowerCase();
}
