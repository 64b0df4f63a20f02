// The AoR's bindings indexed for save(): each REGISTER contact is matched
// against the stored ones with compare_uris(), and a scan of the whole list per
// contact made a REGISTER with N contacts cost N² URI parses (2,000 contacts:
// seconds of blocked event loop). Bindings are bucketed by the parts
// compare_uris() requires equal (user ignoring case, host, port), so each
// lookup compares only the few bindings that can match.
import { isSipError } from '../../sip/result.js';
import { urisEqual } from '../../sip/uri-compare.js';
import { parseUri, unescapeBytes } from '../../sip/uri.js';
import type { Binding } from '../usrloc/api.js';

/**
 * A key two compare_uris()-equal URIs always share. The user is compared
 * ignoring case because urisEqual() also accepts two URIs equal as text ignoring case.
 */
export function matchKey(uri: string): string {
  const u = parseUri(uri);
  if (isSipError(u)) return `raw:${uri.toLowerCase()}`;
  const user = unescapeBytes(u.user) ?? u.user;
  return `${u.scheme}:${user.toLowerCase()}@${u.host.toLowerCase()}:${u.portText}`;
}

/** Up to this many stored bindings a scan is cheaper than building the buckets (two URI parses and maps per REGISTER). */
const SCAN_UP_TO = 8;

export class BindingIndex {
  /** Built on the first lookup in a record with more than SCAN_UP_TO bindings; kept in step from then on. */
  private buckets: Map<string, Binding[]> | undefined;
  private keys: Map<Binding, string> | undefined;

  /** `record.bindings` is read live (usrloc may replace the array): among several matches the first in it wins, as a scan would. */
  constructor(private readonly record: { readonly bindings: readonly Binding[] }) {}

  private get order(): readonly Binding[] {
    return this.record.bindings;
  }

  private build(): Map<string, Binding[]> {
    this.buckets = new Map();
    this.keys = new Map();
    for (const b of this.order) this.add(b);
    return this.buckets;
  }

  add(b: Binding): void {
    if (!this.buckets) return; // a scan sees it in the record's list
    const key = matchKey(b.uri);
    this.keys!.set(b, key);
    const bucket = this.buckets.get(key);
    if (bucket) bucket.push(b);
    else this.buckets.set(key, [b]);
  }

  delete(b: Binding): void {
    const key = this.keys?.get(b);
    if (key === undefined || !this.buckets) return;
    this.keys!.delete(b);
    const bucket = this.buckets.get(key)!;
    bucket.splice(bucket.indexOf(b), 1);
    if (!bucket.length) this.buckets.delete(key);
  }

  /** The binding's URI may have changed (an update stores the REGISTER's spelling). */
  rekey(b: Binding): void {
    if (!this.buckets) return;
    this.delete(b);
    this.add(b);
  }

  /** The first binding (in the record's order) whose URI equals `uri` and that `accept`s. */
  find(uri: string, accept: (b: Binding) => boolean): Binding | undefined {
    if (!this.buckets && this.order.length <= SCAN_UP_TO) {
      for (const b of this.order) if (urisEqual(b.uri, uri) && accept(b)) return b;
      return undefined;
    }
    const bucket = (this.buckets ?? this.build()).get(matchKey(uri));
    if (!bucket) return undefined;
    let best: Binding | undefined;
    let bestAt = Infinity;
    for (const b of bucket) {
      if (!urisEqual(b.uri, uri) || !accept(b)) continue;
      if (!best) {
        best = b;
        continue;
      }
      // Several matches (rare): the order of the record decides.
      if (bestAt === Infinity) bestAt = this.order.indexOf(best);
      const at = this.order.indexOf(b);
      if (at < bestAt) {
        best = b;
        bestAt = at;
      }
    }
    return best;
  }
}
