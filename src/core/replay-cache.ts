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

export class ReplayCache {
  private readonly entries = new Map<string, Entry>();
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
    if (sent.length === 0 || !sent.every(isReply) || finalStatus(sent[sent.length - 1]!.data) < 200) return;
    this.prune(now);
    // A hash collision with another request: the newer one is remembered (the older one's copies run again).
    this.entries.delete(key);
    this.entries.set(key, { at: now, request, replies: sent });
  }

  get size(): number {
    return this.entries.size;
  }

  /** Oldest first (Map keeps insertion order): expired entries and those beyond the cap go. */
  private prune(now: number): void {
    for (const [k, e] of this.entries) {
      if (now - e.at <= REPLAY_WINDOW_MS && this.entries.size < REPLAY_MAX_ENTRIES) break;
      this.entries.delete(k);
    }
  }
}

function isReply(d: SentDatagram): boolean {
  return d.data.length > 12 && d.data.toString('latin1', 0, 8) === 'SIP/2.0 ';
}

function finalStatus(data: Buffer): number {
  return Number(data.toString('latin1', 8, 11));
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
