// The seam between the core and tm. The core (src/core/server.ts) receives,
// parses, runs the script and sends; the transactions are tm's. tm's init
// registers a factory under TRANSACTION_LAYER, and the server, when it starts,
// hands it the wire: so the core never imports a module, and a cfg without tm
// runs without transactions (as OpenSIPS without tm.so: replies go
// statelessly by their Via).
import { serviceKey } from '../base/keys.js';
import type { Inbound, Peer, SocketInfo } from '../net/types.js';
import type { SipMessage } from '../sip/message.js';
import type { Runtime } from './runtime.js';

/** What the core lends a transaction layer. */
export interface Wire {
  /** Sends bytes from one of our sockets (logged at L_DBG like every send). */
  send(from: SocketInfo, to: Peer, data: Buffer): void;
  /** A destination with --map applied. */
  map(to: Peer): Peer;
}

/** What the core asks of a transaction layer. */
export interface TransactionLayer {
  /** A reply arrived: true when a transaction took it (relayed, consumed or dropped); false leaves it to stateless forwarding. */
  onReply(msg: SipMessage, m: Inbound): boolean;
  /** A hop-by-hop ACK for a negative final reply of ours (RFC 3261 §17.2.1): true when absorbed. */
  absorbsAck(msg: SipMessage): boolean;
  /**
   * A request we originate (Outbound.stateful): local_route, then a client
   * transaction of its own; `onFinal` gets its final reply (408 without a
   * reply when it timed out).
   */
  sendLocalRequest(
    from: SocketInfo,
    to: Peer,
    data: Buffer,
    onFinal?: (code: number, reply: SipMessage | undefined) => void,
  ): void;
  /** The server stops: every timer is cleared. */
  dispose(): void;
}

export const TRANSACTION_LAYER = serviceKey<(rt: Runtime, wire: Wire) => TransactionLayer>('core:transaction-layer');
