// tm's transaction tables for the live server (RFC 3261 §17): the server
// transactions by key (§17.2.3: top Via branch, sent-by, method) and the
// client transactions by the branch of the Via we put on (§17.1.3).
import type { Timers } from '../../base/clock.js';
import type { KeyedBag } from '../../base/keys.js';
import { transactionFinished, transactionForgotten } from './stats.js';
import type { TmTimers } from './client-tx.js';
import type { ClientTransaction } from './client-tx.js';
import type { ServerTransaction } from './server-tx.js';

/** Server transactions are keyed by branch and method (an ACK or CANCEL matches its INVITE by branch). */
export function serverKey(branch: string | undefined, method: string, sentBy: string): string | undefined {
  if (!branch || !branch.startsWith('z9hG4bK')) return undefined;
  return `${branch}|${method === 'ACK' ? 'INVITE' : method}|${sentBy}`;
}

export class TransactionTable {
  readonly servers = new Map<string, ServerTransaction>();
  readonly clients = new Map<string, ClientTransaction>();

  constructor(
    readonly config: TmTimers,
    private readonly schedule: Timers,
    /** Where the statistics are counted (the runtime's services). */
    private readonly stats: KeyedBag = new Map(),
  ) {}

  addClient(c: ClientTransaction): void {
    this.clients.set(c.branch, c);
    c.server.clients.push(c);
  }

  /** The transaction finished: its branches stop, and it is forgotten after wt_timer (late retransmissions are absorbed meanwhile). */
  retire(s: ServerTransaction): void {
    if (
      !s.complete(
        this.config.waitTime,
        (ms, fn) => this.schedule.after(ms, fn),
        () => {
          transactionForgotten(this.stats);
          this.servers.delete(s.key);
          for (const c of s.clients) this.clients.delete(c.branch);
        },
      )
    )
      return;
    transactionFinished(this.stats, s.lastReply?.code);
    for (const c of s.clients) c.dispose();
  }

  /** Every timer cleared (the server stops). */
  dispose(): void {
    for (const c of this.clients.values()) c.dispose();
    for (const s of this.servers.values()) s.dispose();
    this.servers.clear();
    this.clients.clear();
  }
}

/**
 * tm's preference among final replies when every branch failed (lower
 * wins): 6xx, then 3xx, then the 4xx a client can act on (401, 407, 415,
 * 420, 484), other 4xx, 5xx, and last 408 and 503. A 487 of a cancelled
 * transaction comes first.
 */
export function branchPriority(code: number, cancelled: boolean): number {
  const cls = Math.floor(code / 100);
  if (cls === 1 || cls === 2) return code;
  if (cls === 6) return code - 300;
  if (cls === 3) return code + 100;
  if (cls === 5) return code === 503 ? 801 : code + 200;
  if (cls === 4) {
    const actionable = [401, 407, 415, 420, 484].indexOf(code);
    if (actionable >= 0) return 500 + actionable;
    if (code === 408) return 800;
    if (code === 487 && cancelled) return 0;
  }
  return code + 200;
}
