// Retransmissions absorbed before parsing. A UDP client retransmits a request
// byte for byte (RFC 3261 §17.1.1.2/§17.1.2.2) when its answer is late; under
// overload those copies multiply the work just when there is least room for
// it. A request whose handling sent only replies, the last one final, is
// remembered for a few T1 by its exact bytes and source: a copy arriving in
// that window gets the same replies again without being parsed or run
// through the script. Requests that were relayed (tm absorbs those itself),
// dropped or only provisionally answered are not remembered.
import type { Peer, SocketInfo } from '../net/types.js';

/** What was sent while a request was handled. */
export interface SentDatagram {
  from: SocketInfo;
  to: Peer;
  data: Buffer;
}

interface Entry {
  at: number;
  /** The request's bytes, compared whole on a hit (the key is only a hash of them). */
  request: Buffer;
  replies: SentDatagram[];
}

/** How long a request's copies are answered from memory: 8 T1 covers the retransmissions at 0.5, 1.5 and 3.5 s. */
export const REPLAY_WINDOW_MS = 4000;
/** At most this many requests remembered (the oldest go first): about 40 MB at 1 KB each. */
export const REPLAY_MAX_ENTRIES = 40_000;
/** Expired entries are dropped at most this often, not on every request. */
const PRUNE_EVERY_MS = 100;

export class ReplayCache {
  private readonly entries = new Map<string, Entry>();
  /** When expired entries were last dropped: every PRUNE_EVERY_MS is enough (lookups check the age themselves). */
  private prunedAt = 0;
  absorbed = 0;

  /**
   * The key of a UDP datagram from `src`: the source, the length and a hash of the bytes. Not the bytes as a
   * string: at 8,000 requests/s that kept ~30,000 strings of ~600 bytes in the V8 heap for the window, copied
   * by every scavenge and promoted; the request's Buffer (outside the heap) is kept for the exact comparison.
   */
  static key(src: Peer, data: Buffer): string {
    return `${src.ip} ${src.port} ${data.length} ${hashBytes(data)}`;
  }

  /** The replies to resend for a copy of `request` seen less than the window ago; undefined otherwise. */
  lookup(key: string, request: Buffer, now: number): SentDatagram[] | undefined {
    const e = this.entries.get(key);
    if (e === undefined || !e.request.equals(request)) return undefined;
    if (now - e.at > REPLAY_WINDOW_MS) {
      this.entries.delete(key);
      return undefined;
    }
    this.absorbed++;
    return e.replies;
  }

  /** Remembers `sent` when it is one or more replies ending with a final one. */
  remember(key: string, request: Buffer, sent: SentDatagram[], now: number): void {
    if (sent.length === 0 || finalStatus(sent[sent.length - 1]!.data) < 200) return;
    for (let i = 0; i < sent.length; i++) if (!isReply(sent[i]!.data)) return;
    if (this.entries.size >= REPLAY_MAX_ENTRIES || now - this.prunedAt >= PRUNE_EVERY_MS) this.prune(now);
    // A hash collision with another request: the newer one is remembered (the older one's copies run again).
    if (this.entries.has(key)) this.entries.delete(key);
    this.entries.set(key, { at: now, request, replies: sent });
  }

  get size(): number {
    return this.entries.size;
  }

  /** Oldest first (Map keeps insertion order): expired entries and those beyond the cap go. */
  private prune(now: number): void {
    this.prunedAt = now;
    for (const [k, e] of this.entries) {
      if (now - e.at <= REPLAY_WINDOW_MS && this.entries.size < REPLAY_MAX_ENTRIES) break;
      this.entries.delete(k);
    }
  }
}

/** "SIP/2.0 " read as bytes (this runs for every request answered). */
const SIP20 = Buffer.from('SIP/2.0 ', 'latin1');

function isReply(data: Buffer): boolean {
  return data.length > 12 && data.compare(SIP20, 0, 8, 0, 8) === 0;
}

/** The status code of a reply's bytes (NaN-free: anything else reads as 0). */
function finalStatus(data: Buffer): number {
  if (data.length < 12) return 0;
  const a = data[8]! - 48;
  const b = data[9]! - 48;
  const c = data[10]! - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 && c >= 0 && c <= 9 ? a * 100 + b * 10 + c : 0;
}

/** FNV-1a over 32-bit words (then the tail bytes): a key, not a proof; equality is checked on the bytes. */
function hashBytes(data: Buffer): number {
  let h = 0x811c9dc5;
  const n = data.length;
  const words = n & ~3;
  for (let i = 0; i < words; i += 4) h = Math.imul(h ^ data.readInt32LE(i), 0x01000193);
  for (let i = words; i < n; i++) h = Math.imul(h ^ data[i]!, 0x01000193);
  return h >>> 0;
}
