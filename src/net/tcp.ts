// TCP: a listening server per `socket=tcp:` line; connections are reused for
// replies and for requests to the same peer (RFC 3261 §18), framed by
// Content-Length, and closed after tcp_connection_lifetime of idleness.
// Limits as OpenSIPS 3.3 has them: a message is at most TCP_BUF_SIZE (65,535)
// bytes (a larger Content-Length closes the connection when the headers are
// in); a partly read message must complete within tcp_max_msg_time seconds
// and tcp_max_msg_chunks reads (slowloris one-byte sends); at most
// tcp_max_connections connections. A cap per source address is not in 3.3:
// it is off unless `run --tcp-max-per-source N` asks for it.
import net from 'node:net';
import { frameStreamMessage, MAX_STREAM_MESSAGE } from '../sip/stream.js';
import { StreamBuffer } from './stream-buffer.js';
import { connectionId } from './connections.js';
import type { ConnectionInfo, SocketInfo, Inbound, Peer } from './types.js';
import { listenOn } from './listen.js';

export interface TcpLimits {
  /** tcp_max_connections (3.3 default 2048). */
  maxConnections: number;
  /** Connections from one IP address: not in 3.3, so unlimited unless set (`run --tcp-max-per-source N`). */
  maxPerSource: number;
  /** tcp_max_msg_time: seconds to read a whole message once its first bytes are in (3.3 default 4). */
  maxMsgTimeMs: number;
  /** proto_tcp's tcp_max_msg_chunks: reads of one message before giving up (3.3 default 4). */
  maxMsgChunks: number;
  /** TCP_BUF_SIZE: the largest message. */
  maxMessageBytes: number;
}

export const DEFAULT_TCP_LIMITS: TcpLimits = {
  maxConnections: 2048,
  maxPerSource: Infinity,
  maxMsgTimeMs: 4000,
  maxMsgChunks: 4,
  maxMessageBytes: MAX_STREAM_MESSAGE,
};

interface Connection {
  sock: net.Socket;
  local: SocketInfo;
  ip: string;
  pending: StreamBuffer;
  /** The whole message's length once its headers are in: no framing work until that many bytes are here. */
  need: number;
  /** Reads and deadline of the message being read (0: none in progress). */
  chunks: number;
  msgDeadline: number;
  /** Idle lifetime, extended by traffic and by tcp_persistent_flag. */
  expires: number;
}

export class TcpTransport {
  private readonly servers: net.Server[] = [];
  /** Connections by peer address (and force_tcp_alias aliases). */
  private readonly conns = new Map<string, Connection>();
  /** Every open connection, and how many per source IP: what the limits count. */
  private readonly open = new Set<Connection>();
  private readonly perSource = new Map<string, number>();
  private sweeper: NodeJS.Timeout | undefined;
  readonly limits: TcpLimits;

  constructor(
    private readonly lifetimeMs: () => number,
    private readonly log: (text: string) => void,
    limits: Partial<TcpLimits> = {},
  ) {
    this.limits = { ...DEFAULT_TCP_LIMITS, ...limits };
  }

  private peerKey(ip: string, port: number): string {
    return `${ip.replace(/^::ffff:/, '')}:${port}`;
  }

  /** Bytes written to the connections and not yet taken by the kernel. */
  waitingBytes(): number {
    let n = 0;
    for (const c of this.open) n += c.sock.writableLength;
    return n;
  }

  /** The open connections, for list_tcp_conns. */
  connections(): ConnectionInfo[] {
    return [...this.open].map((c) => ({
      id: connectionId(c.sock),
      proto: 'tcp',
      local: { proto: 'tcp', ip: c.local.ip, port: c.local.port },
      remote: { proto: 'tcp', ip: c.ip, port: c.sock.remotePort ?? 0 },
      expires: c.expires,
    }));
  }

  get connectionCount(): number {
    return this.open.size;
  }

  /** Refuses a connection over tcp_max_connections or the per-source share, as tcp_main refuses it. */
  private admit(ip: string): string | undefined {
    if (this.open.size >= this.limits.maxConnections)
      return `maximum number of connections exceeded: ${this.open.size}/${this.limits.maxConnections}`;
    if ((this.perSource.get(ip) ?? 0) >= this.limits.maxPerSource)
      return `maximum number of connections from ${ip} exceeded: ${this.limits.maxPerSource}`;
    return undefined;
  }

  private attach(sock: net.Socket, local: SocketInfo, onMessage: (m: Inbound) => void, peer?: Peer): Connection {
    const ip = peer?.ip ?? (sock.remoteAddress ?? '').replace(/^::ffff:/, '');
    const port = peer?.port ?? sock.remotePort ?? 0;
    const conn: Connection = {
      sock,
      local,
      ip,
      pending: new StreamBuffer(),
      need: 0,
      chunks: 0,
      msgDeadline: 0,
      expires: Date.now() + this.lifetimeMs(),
    };
    const key = this.peerKey(ip, port);
    this.conns.set(key, conn);
    this.open.add(conn);
    this.perSource.set(ip, (this.perSource.get(ip) ?? 0) + 1);
    sock.setNoDelay(true);
    const close = (why: string): void => {
      this.log(`closing TCP connection from ${key}: ${why}`);
      sock.destroy();
    };
    sock.on('data', (chunk: Buffer) => {
      if (sock.destroyed) return;
      const now = Date.now();
      conn.expires = now + this.lifetimeMs();
      const before = conn.pending.length;
      conn.pending.append(chunk);
      // Nothing to frame yet: the body is still short, or the headers' end is not in the new bytes.
      const waiting =
        conn.need > 0
          ? conn.pending.length < conn.need
          : before > 0 && !headEndIn(conn.pending.view(), before) && conn.pending.length <= this.limits.maxMessageBytes;
      if (waiting) {
        if (this.partial(conn, now)) close(this.partialError(conn));
        return;
      }
      for (;;) {
        const f = frameStreamMessage(conn.pending.view(), this.limits.maxMessageBytes, this.limits.maxMessageBytes);
        if (f.kind === 'incomplete') {
          conn.need = f.total ?? 0;
          if (conn.pending.length && this.partial(conn, now)) close(this.partialError(conn));
          return;
        }
        if (f.kind === 'error') {
          close(f.error);
          return;
        }
        const frame = conn.pending.view().subarray(0, f.length);
        const data = f.kind === 'message' ? Buffer.from(frame) : undefined;
        conn.pending.consume(f.length);
        conn.need = 0;
        conn.chunks = 0;
        conn.msgDeadline = 0;
        if (data) onMessage({ data, src: { proto: 'tcp', ip, port }, socket: local });
        if (sock.destroyed || conn.pending.length === 0) return;
      }
    });
    sock.on('error', () => undefined);
    sock.on('close', () => {
      if (this.conns.get(key) === conn) this.conns.delete(key);
      if (this.open.delete(conn)) {
        const n = (this.perSource.get(ip) ?? 1) - 1;
        if (n > 0) this.perSource.set(ip, n);
        else this.perSource.delete(ip);
      }
    });
    return conn;
  }

  /** One more read of an incomplete message; true when it has used up its reads (tcp_max_msg_chunks). */
  private partial(conn: Connection, now: number): boolean {
    if (conn.chunks === 0) conn.msgDeadline = now + this.limits.maxMsgTimeMs;
    conn.chunks++;
    return conn.chunks >= this.limits.maxMsgChunks;
  }

  private partialError(conn: Connection): string {
    return `made ${conn.chunks} read attempts but message is not complete yet`;
  }

  async listen(socket: SocketInfo, onMessage: (m: Inbound) => void, onError: (err: Error) => void): Promise<void> {
    const server = net.createServer((sock) => {
      const ip = (sock.remoteAddress ?? '').replace(/^::ffff:/, '');
      const refused = this.admit(ip);
      if (refused) {
        this.log(`refusing TCP connection from ${ip}:${sock.remotePort ?? 0}: ${refused}`);
        sock.destroy();
        return;
      }
      this.attach(sock, socket, onMessage);
    });
    server.on('error', onError);
    await listenOn(server, socket);
    this.servers.push(server);
    this.listener ??= onMessage;
    this.sweeper ??= setInterval(() => this.sweep(), Math.min(1000, Math.max(100, this.limits.maxMsgTimeMs / 4)));
    this.sweeper.unref();
  }

  private listener: ((m: Inbound) => void) | undefined;

  /** Idle connections (tcp_connection_lifetime) and messages read too slowly (tcp_max_msg_time) are closed. */
  sweep(now = Date.now()): void {
    for (const c of this.open) {
      if (c.expires <= now) c.sock.destroy();
      else if (c.msgDeadline && c.msgDeadline <= now) {
        this.log(
          `closing TCP connection from ${c.ip}: message not complete within tcp_max_msg_time (${this.limits.maxMsgTimeMs / 1000} s)`,
        );
        c.sock.destroy();
      }
    }
  }

  /** force_tcp_alias: requests to ip:port go over the connection `peer` came in on; false when there is none. */
  addAlias(peer: Peer, ip: string, port: number): boolean {
    const c = this.conns.get(this.peerKey(peer.ip, peer.port));
    if (!c || c.sock.destroyed) return false;
    this.conns.set(this.peerKey(ip, port), c);
    return true;
  }

  /** Keeps the connection to `peer` open at least until `untilMs` (tcp_persistent_flag). */
  extendLifetime(peer: Peer, untilMs: number): void {
    const c = this.conns.get(this.peerKey(peer.ip, peer.port));
    if (c && c.expires < untilMs) c.expires = untilMs;
  }

  send(from: SocketInfo, to: Peer, data: Buffer): void {
    const existing = this.conns.get(this.peerKey(to.ip, to.port));
    if (existing && !existing.sock.destroyed) {
      existing.expires = Date.now() + this.lifetimeMs();
      existing.sock.write(data);
      return;
    }
    if (this.open.size >= this.limits.maxConnections) {
      this.log(
        `cannot open a TCP connection to ${to.ip}:${to.port}: maximum number of connections exceeded: ${this.open.size}/${this.limits.maxConnections}`,
      );
      return;
    }
    const sock = net.connect({ host: to.ip, port: to.port, localAddress: from.ip });
    this.attach(sock, from, (m) => this.listener?.(m), to);
    sock.write(data);
  }

  async close(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    for (const c of this.open) c.sock.destroy();
    this.conns.clear();
    await Promise.all(this.servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
}

/** Whether the headers' end (an empty line) is in the bytes from `from` on (3 bytes back, to catch one split across reads). */
function headEndIn(buf: Buffer, from: number): boolean {
  const start = Math.max(0, from - 3);
  return buf.indexOf('\n\n', start) >= 0 || buf.indexOf('\n\r\n', start) >= 0;
}
