// The Network seen by the SIP core: sockets that deliver messages and send
// bytes. `run` wires UDP/TCP sockets; tests wire an in-memory one.
import type { SocketInfo } from '../script/context.js';

export interface Peer { proto: string; ip: string; port: number }

export interface Inbound {
  data: Buffer;
  src: Peer;
  /** The listening socket it arrived on. */
  socket: SocketInfo;
}

export interface Network {
  /** Starts listening on every socket; resolves when all are bound. */
  listen(sockets: SocketInfo[], onMessage: (m: Inbound) => void): Promise<void>;
  send(from: SocketInfo, to: Peer, data: Buffer): void;
  close(): Promise<void>;
}
