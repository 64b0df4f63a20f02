// Client transactions (RFC 3261 §17.1): one per branch tm sends. The INVITE
// machine (§17.1.1) and the non-INVITE one (§17.1.2) differ in their
// retransmission timer (Timer A doubles without bound until a provisional
// reply; Timer E doubles up to T2) and in what a provisional reply changes.
// tm's final-response timers replace Timer B/F: fr_timeout until a reply,
// and fr_inv_timeout for an INVITE once a provisional reply came (tm's
// t_reply.c restarts the timer then); when they fire tm ends the branch with
// a local 408 (the layer decides what goes upstream).
import type { TimerHandle, Timers } from '../../base/clock.js';
import { stateKey } from '../../base/keys.js';
import type { Peer, SocketInfo } from '../../net/types.js';
import type { ServerTransaction } from './server-tx.js';

/** The branch whose reply onreply_route runs on (t_cancel_branch's "this branch"). */
export const REPLY_BRANCH = stateKey<ClientTransaction>('tm:reply_branch');

export enum ClientState {
  /** INVITE sent, no reply yet (§17.1.1.2). */
  Calling = 'Calling',
  /** Non-INVITE sent, no reply yet (§17.1.2.2). */
  Trying = 'Trying',
  /** A provisional reply came. */
  Proceeding = 'Proceeding',
  /** A final reply came (or the final-response timer fired); retransmissions of it are absorbed. */
  Completed = 'Completed',
  /** Gone from the table (the server transaction's wait timer ended), or a 2xx to INVITE passed (§17.1.1.2). */
  Terminated = 'Terminated',
}

/** RFC 3261's T1/T2 and tm's timers (modparams T1_timer, T2_timer, fr_timeout, fr_inv_timeout, wt_timer), in ms. */
export interface TmTimers {
  t1: number;
  t2: number;
  frTimeout: number;
  frInvTimeout: number;
  waitTime: number;
}

/** What a client transaction needs from the layer around it. */
export interface ClientEnv {
  readonly timers: Timers;
  readonly config: TmTimers;
  send(from: SocketInfo, to: Peer, data: Buffer): void;
  /** The final-response timer fired before any final reply. */
  timedOut(c: ClientTransaction): void;
}

export abstract class ClientTransaction {
  abstract state: ClientState;
  /** A provisional reply was seen on this branch (t_cancel_branch cancels such a branch at once). */
  provisional = false;
  /** t_cancel_branch() before any provisional reply: the CANCEL goes out with the first one (§9.1: no CANCEL before a provisional). */
  cancelPending = false;
  private handles: TimerHandle[] = [];

  constructor(
    protected readonly env: ClientEnv,
    readonly branch: string,
    readonly method: string,
    readonly server: ServerTransaction,
    readonly from: SocketInfo,
    readonly to: Peer,
    /** The request as sent, for retransmissions, the CANCEL and the ACK. */
    readonly data: Buffer,
  ) {}

  /** A final reply came, or the final-response timer fired: nothing more happens on this branch. */
  get final(): boolean {
    return this.state === ClientState.Completed || this.state === ClientState.Terminated;
  }

  /**
   * The request went out: over UDP the retransmission timer (Timer A for
   * INVITE, §17.1.1.2; Timer E otherwise, §17.1.2.2) starts at T1; the
   * final-response timer (tm's fr_timeout, in place of Timer B/F) in any case.
   */
  start(frMs: number, unreliable: boolean): void {
    if (unreliable) this.retransmitAfter(this.env.config.t1);
    this.armFinalResponseTimer(frMs);
  }

  /** The retransmission interval after `interval`. */
  protected abstract nextInterval(interval: number): number;
  /** Whether retransmissions still go out. */
  protected abstract retransmits(): boolean;

  private retransmitAfter(interval: number): void {
    this.handles.push(
      this.env.timers.after(interval, () => {
        if (!this.retransmits()) return;
        this.env.send(this.from, this.to, this.data);
        this.retransmitAfter(this.nextInterval(interval));
      }),
    );
  }

  protected armFinalResponseTimer(ms: number): void {
    this.handles.push(
      this.env.timers.after(ms, () => {
        if (this.final) return;
        this.state = ClientState.Completed;
        this.dispose();
        this.env.timedOut(this);
      }),
    );
  }

  /** A 1xx: Calling/Trying -> Proceeding (§17.1.1.2, §17.1.2.2). */
  onProvisional(): void {
    this.provisional = true;
    if (!this.final) this.state = ClientState.Proceeding;
  }

  /**
   * A final reply: -> Completed (a 2xx to INVITE: Terminated, §17.1.1.2).
   * False when the branch had its final already (a retransmission of it).
   */
  onFinal(status: number): boolean {
    if (this.final) return false;
    this.state = status < 300 && this.method === 'INVITE' ? ClientState.Terminated : ClientState.Completed;
    this.dispose();
    return true;
  }

  /** Clears every timer of the branch. */
  dispose(): void {
    for (const t of this.handles) t.cancel();
    this.handles.length = 0;
  }
}

/** RFC 3261 §17.1.1: the INVITE client transaction. */
export class InviteClientTransaction extends ClientTransaction {
  state = ClientState.Calling;

  /** Timer A doubles each time (§17.1.1.2). */
  protected nextInterval(interval: number): number {
    return interval * 2;
  }

  /** Timer A stops with the first provisional reply (Proceeding, §17.1.1.2). */
  protected retransmits(): boolean {
    return !this.final && !this.provisional;
  }

  /** A 1xx also swaps fr_timeout for fr_inv_timeout (tm's t_reply.c: the timer restarts with the INVITE's). */
  onProvisionalInvite(frInvMs: number): void {
    this.onProvisional();
    this.dispose();
    this.armFinalResponseTimer(frInvMs);
  }
}

/** RFC 3261 §17.1.2: the non-INVITE client transaction. */
export class NonInviteClientTransaction extends ClientTransaction {
  state = ClientState.Trying;

  /** Timer E doubles up to T2 (§17.1.2.2), also in Proceeding. */
  protected nextInterval(interval: number): number {
    return Math.min(interval * 2, this.env.config.t2);
  }

  protected retransmits(): boolean {
    return !this.final;
  }
}
