// tm's transaction tables for the live server (RFC 3261 §17): a server
// transaction per received request (keyed by its top Via branch) that keeps
// the last reply for retransmissions, and a client transaction per branch we
// send, with Timer A/E retransmissions over UDP and the fr_timeout /
// fr_inv_timeout timers that end in a local 408.
import type { TimerHandle, Timers } from '../../base/clock.js';
import type { SipMessage } from '../../sip/message.js';

import type { SocketInfo, Peer } from '../../net/types.js';

export interface ServerTx {
  key: string;
  method: string;
  request: SipMessage;
  src: Peer;
  socket: SocketInfo;
  lastReply?: { code: number; data: Buffer; to: Peer };
  clients: ClientTx[];
  /** Callbacks of other modules for the first 2xx (mid_registrar). */
  hooks?: import('../common/transaction.js').TmHooks[];
  hooksRan?: boolean;
  /** A CANCEL for this INVITE was received (t_was_cancelled). */
  cancelled?: boolean;
  /** Named routes armed with t_on_failure / t_on_reply. */
  onFailure?: string;
  onReply?: string;
  /** Best final reply received so far, for when every branch is done. */
  bestCode?: number;
  bestReply?: SipMessage;
  done: boolean;
  /** A request the server originated itself (mid_registrar's De-REGISTERs): its replies end here. */
  local?: boolean;
  /** t_add_hdrs(): header lines (CRLF-terminated) for the requests tm builds itself (CANCEL, the ACK of a negative reply). */
  extraHdrs?: string;
  /** $T_fr_timeout / $T_fr_inv_timeout set by the script, in ms. */
  frTimeout?: number;
  frInvTimeout?: number;
  /** The transaction's AVPs: the request route's, seen again by failure_route (and onreply_route with onreply_avp_mode 1). */
  avps?: Map<string, import('../../script/values.js').Val[]>;
  /** The request route's header edits (record_route, append_hf...): OpenSIPS clones the request with its lumps, so a branch relayed from failure_route carries them too. */
  edits?: import('../../script/edits.js').HeaderEdit[];
  /** The best negative reply so far and the branch it came on (failure_route's picked branch). */
  bestClient?: ClientTx;
  /** uac_auth raised the CSeq of the relayed request: relayed replies are given this number back. */
  cseqRestore?: number;
  /** uac_replace_from/to: relayed replies get back the From/To display and URI of the request as received. */
  restoreHeaders?: ('from' | 'to')[];
}

export interface ClientTx {
  branch: string;
  method: string;
  server: ServerTx;
  from: SocketInfo;
  to: Peer;
  data: Buffer;
  provisional: boolean;
  final: boolean;
  timers: TimerHandle[];
  /** t_cancel_branch() before any provisional reply: the CANCEL goes out with the first one. */
  cancelPending?: boolean;
}

export interface TmTimers {
  t1: number;
  t2: number;
  frTimeout: number;
  frInvTimeout: number;
  waitTime: number;
}

/** Server transactions are keyed by branch and method (an ACK or CANCEL matches its INVITE by branch). */
export function serverKey(branch: string | undefined, method: string, sentBy: string): string | undefined {
  if (!branch || !branch.startsWith('z9hG4bK')) return undefined;
  return `${branch}|${method === 'ACK' ? 'INVITE' : method}|${sentBy}`;
}

export class TransactionTable {
  readonly servers = new Map<string, ServerTx>();
  readonly clients = new Map<string, ClientTx>();

  constructor(readonly timers: TmTimers, private readonly schedule: Timers) {}

  addClient(c: ClientTx): void {
    this.clients.set(c.branch, c);
    c.server.clients.push(c);
  }

  clearClient(c: ClientTx): void {
    for (const t of c.timers) t.cancel();
    c.timers.length = 0;
  }

  /** Forget a finished transaction after the wait time (absorbs late retransmissions meanwhile). */
  retire(s: ServerTx): void {
    if (s.done) return;
    s.done = true;
    for (const c of s.clients) this.clearClient(c);
    this.schedule.after(this.timers.waitTime, () => {
      this.servers.delete(s.key);
      for (const c of s.clients) this.clients.delete(c.branch);
    });
  }

  close(): void {
    for (const c of this.clients.values()) this.clearClient(c);
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
