// TCP: a listening server per `socket=tcp:` line; connections are reused for
// replies and for requests to the same peer (RFC 3261 §18), framed by
// Content-Length, and closed after tcp_connection_lifetime of idleness.
import net from 'node:net';
import { frameStreamMessage } from '../sip/stream.js';
import type { SocketInfo } from '../script/context.js';
import type { Inbound, Peer } from './types.js';

interface Connection {
  sock: net.Socket;
  local: SocketInfo;
  buf: Buffer;
  /** Idle lifetime, extended by traffic and by tcp_persistent_flag. */
  expires: number;
}

export class TcpTransport {
  private readonly servers: net.Server[] = [];
  private readonly conns = new Map<string, Connection>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly lifetimeMs: () => number, private readonly log: (text: string) => void) {}

  private peerKey(ip: string, port: number): string {
    return `${ip.replace(/^::ffff:/, '')}:${port}`;
  }

  private attach(sock: net.Socket, local: SocketInfo, onMessage: (m: Inbound) => void, peer?: Peer): Connection {
    const ip = peer?.ip ?? (sock.remoteAddress ?? '').replace(/^::ffff:/, '');
    const port = peer?.port ?? sock.remotePort ?? 0;
    const conn: Connection = { sock, local, buf: Buffer.alloc(0), expires: Date.now() + this.lifetimeMs() };
    const key = this.peerKey(ip, port);
    this.conns.set(key, conn);
    sock.setNoDelay(true);
    sock.on('data', (chunk: Buffer) => {
      conn.expires = Date.now() + this.lifetimeMs();
      conn.buf = conn.buf.length ? Buffer.concat([conn.buf, chunk]) : chunk;
      for (;;) {
        const f = frameStreamMessage(conn.buf);
        if (f.kind === 'incomplete') return;
        if (f.kind === 'error') {
          this.log(`closing TCP connection from ${key}: ${f.error}`);
          sock.destroy();
          return;
        }
        const frame = conn.buf.subarray(0, f.length);
        conn.buf = conn.buf.subarray(f.length);
        if (f.kind === 'message') onMessage({ data: Buffer.from(frame), src: { proto: 'tcp', ip, port }, socket: local });
      }
    });
    sock.on('error', () => undefined);
    sock.on('close', () => { if (this.conns.get(key) === conn) this.conns.delete(key); });
    return conn;
  }

  async listen(socket: SocketInfo, onMessage: (m: Inbound) => void, onError: (err: Error) => void): Promise<void> {
    const server = net.createServer((sock) => this.attach(sock, socket, onMessage));
    server.on('error', onError);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: socket.port, host: socket.ip, backlog: 1024 }, () => { server.off('error', reject); resolve(); });
    });
    this.servers.push(server);
    this.listener ??= onMessage;
    this.sweeper ??= setInterval(() => this.sweep(), 1000);
    this.sweeper.unref();
  }

  private listener: ((m: Inbound) => void) | undefined;

  private sweep(): void {
    const now = Date.now();
    for (const c of this.conns.values()) if (c.expires <= now) c.sock.destroy();
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
    const sock = net.connect({ host: to.ip, port: to.port, localAddress: from.ip });
    this.attach(sock, from, (m) => this.listener?.(m), to);
    sock.write(data);
  }

  async close(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    for (const c of this.conns.values()) c.sock.destroy();
    this.conns.clear();
    await Promise.all(this.servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
}
