// Server transactions (RFC 3261 §17.2): one per request tm handles, keyed by
// its top Via branch, sent-by and method (§17.2.3). It keeps the last reply
// sent, so that a retransmitted request gets it again, and, as tm's cell
// does, what the proxy core needs across branches: the client transactions,
// the armed routes, the best final reply so far and the callbacks other
// modules registered (OpenSIPS's tmcb lists).
import type { TimerHandle } from '../../base/clock.js';
import type { Peer, SocketInfo } from '../../net/types.js';
import type { HeaderEdit } from '../../script/edits.js';
import type { Val } from '../../script/values.js';
import type { SipMessage } from '../../sip/message.js';
import type { TmHooks } from './api.js';
import type { ClientTransaction } from './client-tx.js';

export enum ServerState {
  /** A non-INVITE received, nothing sent yet (§17.2.2). */
  Trying = 'Trying',
  /** An INVITE received (§17.2.1), or a provisional reply sent. */
  Proceeding = 'Proceeding',
  /** A final reply sent (for an INVITE: a non-2xx one, §17.2.1); retransmissions get it again until the wait timer. */
  Completed = 'Completed',
  /** The ACK for a negative final reply came (§17.2.1): absorbed. */
  Confirmed = 'Confirmed',
  /** The wait timer ended (Timer I/J; tm's wt_timer): the transaction is forgotten. */
  Terminated = 'Terminated',
}

export interface SentReply {
  code: number;
  data: Buffer;
  to: Peer;
}

export abstract class ServerTransaction {
  abstract state: ServerState;
  lastReply?: SentReply;
  readonly clients: ClientTransaction[] = [];
  /** Callbacks of other modules (mid_registrar, acc, dialog, uac): tm's tmcb list. */
  hooks?: TmHooks[];
  /** The first 2xx ran the responseIn callbacks (TMCB_RESPONSE_IN runs once). */
  hooksRan = false;
  /** A CANCEL for this INVITE was received (t_was_cancelled). */
  cancelled = false;
  /** Named routes armed with t_on_failure / t_on_reply. */
  onFailure?: string;
  onReply?: string;
  /** The best final reply so far and the branch it came on (failure_route's picked branch), for when every branch is done. */
  bestCode?: number;
  bestReply?: SipMessage;
  bestClient?: ClientTransaction;
  /** A transaction whose replies end here (T_IS_LOCAL_FLAG): t_replicate(), or a request the server originated. */
  local = false;
  /** A request the server originated: who gets its final reply (408 and no reply on a timeout). */
  localFinal?: (code: number, reply: SipMessage | undefined) => void;
  /** t_add_hdrs(): header lines for the requests tm builds itself (CANCEL, the ACK of a negative reply). */
  extraHdrs?: string;
  /** $T_fr_timeout / $T_fr_inv_timeout set by the script, in ms. */
  frTimeout?: number;
  frInvTimeout?: number;
  /** The request route's AVPs: failure_route sees them again (and onreply_route with onreply_avp_mode 1). */
  avps?: Map<string, Val[]>;
  /** The request's message flags as t_relay (or t_flush_flags) left them: failure_route starts from them and writes them back. */
  msgFlags = 0;
  /** The request route's header edits: OpenSIPS clones the request with its lumps, so a branch relayed from failure_route carries them too. */
  edits?: HeaderEdit[];
  private waitTimer?: TimerHandle;

  constructor(
    readonly key: string,
    readonly method: string,
    readonly request: SipMessage,
    /** Where the request came from (replies go back there, or by the Via over UDP). */
    readonly src: Peer,
    readonly socket: SocketInfo,
  ) {}

  /** A final reply went out, or every branch ended: retransmissions still get the last reply until the wait timer. */
  get done(): boolean {
    return (
      this.state === ServerState.Completed ||
      this.state === ServerState.Confirmed ||
      this.state === ServerState.Terminated
    );
  }

  /** A reply went out (sent locally or relayed): 1xx -> Proceeding (§17.2.1, §17.2.2). */
  sent(reply: SentReply): void {
    this.lastReply = reply;
    if (reply.code < 200 && !this.done) this.state = ServerState.Proceeding;
  }

  /**
   * The transaction finished (a final reply out, or a local one ended):
   * -> Completed, and Terminated when the wait timer fires (tm keeps every
   * finished transaction for wt_timer, a 2xx to INVITE too, so that late
   * retransmissions are absorbed). False when it had finished already.
   */
  complete(waitMs: number, after: (ms: number, fn: () => void) => TimerHandle, forget: () => void): boolean {
    if (this.done) return false;
    this.state = ServerState.Completed;
    this.waitTimer = after(waitMs, () => {
      this.state = ServerState.Terminated;
      forget();
    });
    return true;
  }

  /** Clears the wait timer (the server stops). */
  dispose(): void {
    this.waitTimer?.cancel();
    this.waitTimer = undefined;
  }
}

/** RFC 3261 §17.2.1: the INVITE server transaction. */
export class InviteServerTransaction extends ServerTransaction {
  state = ServerState.Proceeding;

  /** The ACK of a negative final reply: Completed -> Confirmed (§17.2.1); true when it is absorbed. */
  ackReceived(): boolean {
    if (!this.lastReply || this.lastReply.code < 300) return false;
    if (this.state === ServerState.Completed) this.state = ServerState.Confirmed;
    return true;
  }
}

/** RFC 3261 §17.2.2: the non-INVITE server transaction. */
export class NonInviteServerTransaction extends ServerTransaction {
  state = ServerState.Trying;
}

export function newServerTransaction(
  key: string,
  method: string,
  request: SipMessage,
  src: Peer,
  socket: SocketInfo,
): ServerTransaction {
  return method === 'INVITE'
    ? new InviteServerTransaction(key, method, request, src, socket)
    : new NonInviteServerTransaction(key, method, request, src, socket);
}

/** t_add_hdrs()'s lines, for the requests tm builds (CANCEL, ACK). */
export function extraLines(s: ServerTransaction): string[] {
  return s.extraHdrs ? s.extraHdrs.split(/\r?\n/).filter(Boolean) : [];
}
