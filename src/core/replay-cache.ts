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
  replies: SentDatagram[];
}

/** How long a request's copies are answered from memory: 8 T1 covers the retransmissions at 0.5, 1.5 and 3.5 s. */
export const REPLAY_WINDOW_MS = 4000;
/** At most this many requests remembered (the oldest go first): about 40 MB at 1 KB each. */
export const REPLAY_MAX_ENTRIES = 40_000;

export class ReplayCache {
  private readonly entries = new Map<string, Entry>();
  absorbed = 0;

  /** The key of a UDP datagram from `src`: its bytes as latin1 (one char per byte), prefixed by the source. */
  static key(src: Peer, data: Buffer): string {
    return `${src.ip} ${src.port} ${data.toString('latin1')}`;
  }

  /** The replies to resend for a copy of a request seen less than the window ago; undefined otherwise. */
  lookup(key: string, now: number): SentDatagram[] | undefined {
    const e = this.entries.get(key);
    if (e === undefined) return undefined;
    if (now - e.at > REPLAY_WINDOW_MS) {
      this.entries.delete(key);
      return undefined;
    }
    this.absorbed++;
    return e.replies;
  }

  /** Remembers `sent` when it is one or more replies ending with a final one. */
  remember(key: string, sent: SentDatagram[], now: number): void {
    if (sent.length === 0 || !sent.every(isReply) || finalStatus(sent[sent.length - 1]!.data) < 200) return;
    this.prune(now);
    this.entries.set(key, { at: now, replies: sent });
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
