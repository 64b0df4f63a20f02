// The Network seen by the SIP core: sockets that deliver messages and send
// bytes. `run` wires UDP/TCP sockets; tests wire an in-memory one.
import { serviceKey } from '../base/keys.js';

/** A listening socket of the cfg (`socket=`/`listen=`), as OpenSIPS's socket_info. */
export interface SocketInfo {
  proto: string;
  ip: string;
  port: number;
  /** The address as the cfg writes it, when --map moved the socket elsewhere. */
  cfgIp?: string;
  cfgPort?: number;
  advertisedIp?: string;
  advertisedPort?: number;
  tag?: string;
  anycast?: boolean;
}

/** The other end of a message: where it came from or goes to. */
export interface Peer {
  proto: string;
  ip: string;
  port: number;
  /** A destination of a request the script sends over TLS/WSS: its choice of client domain (tls_mgm's AVPs). */
  tlsClient?: TlsClientChoice;
}

/** tls_mgm's client_tls_domain_avp / client_sip_domain_avp values when the request left the script. */
export interface TlsClientChoice {
  /** A client domain by name: no other matching. */
  domain?: string;
  /** The SIP domain matched against the client domains' match_sip_domain (instead of `*`). */
  sipDomain?: string;
}

/** What the script and modules may ask of the connection layer (tcp_persistent_flag, force_tcp_alias). */
export interface ConnectionControl {
  /** Keeps the connection to `peer` open until `untilMs` at least (never shortened). */
  extendLifetime(peer: Peer, untilMs: number): void;
  /** force_tcp_alias: requests to ip:port reuse the connection from `peer`. */
  addAlias(peer: Peer, ip: string, port: number): boolean;
}

/** Set by `run` when it listens on connection-oriented transports; absent in dry-runs. */
export const CONNECTIONS = serviceKey<ConnectionControl>('net:tcp');

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

/**
 * A blocking request/response channel to a control service on this host
 * (rtpengine's ng protocol): the reply datagram starting with `prefix`, or
 * undefined after `attempts` sends `timeoutMs` apart. `run` wires a real UDP
 * one; dry-runs and tests leave it unset and modules fall back to a simulation.
 */
export interface ControlChannel {
  request(
    host: string,
    port: number,
    payload: Buffer,
    prefix: Buffer,
    timeoutMs: number,
    attempts: number,
  ): Buffer | undefined;
  /** The same without blocking, for work no script waits on (a timer's health pings). */
  requestAsync?(
    host: string,
    port: number,
    payload: Buffer,
    prefix: Buffer,
    timeoutMs: number,
    attempts: number,
  ): Promise<Buffer | undefined>;
}

/** One open connection, as list_tcp_conns shows it. */
export interface ConnectionInfo {
  /** A number that stays the connection's while it is open. */
  id: number;
  proto: string;
  local: Peer;
  remote: Peer;
  /** When it closes unless traffic comes (ms since the epoch). */
  expires: number;
}

/** What the core's `net:` statistics and list_tcp_conns read of the transports. */
export interface NetworkStatus {
  /** Bytes accepted for sending and not yet handed to the kernel (OpenSIPS's get_total_bytes_waiting). */
  waitingBytes(proto: 'udp' | 'tcp' | 'tls'): number;
  connections(): ConnectionInfo[];
}

export const NETWORK_STATUS = serviceKey<NetworkStatus>('net:status');
