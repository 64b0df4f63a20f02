// TLS (proto_tls + tls_mgm): a node:tls server per `socket=tls:` line, the
// domain's certificate chosen by listening address and SNI, client
// certificates checked as verify_cert/require_cert say; connections are
// reused for replies and for requests to the same peer, framed by
// Content-Length like TCP, and closed after tcp_connection_lifetime.
import tls from 'node:tls';
import { serviceKey } from '../base/keys.js';
import type { SocketInfo } from './types.js';
import { frameStreamMessage } from '../sip/stream.js';
import { ConnectionTable, peerKey, type Connection } from './connections.js';
import { clientDomain, clientHintText, domainContext, findDomain, type TlsDomain } from './tls-domains.js';
import type { Inbound, Peer } from './types.js';
import { listenOn } from './listen.js';

export interface TlsSettings {
  domains: TlsDomain[];
  /** Milliseconds a handshake may take (tls_handshake_timeout). */
  handshakeTimeoutMs: number;
}

export interface TlsConnection extends Connection {
  readonly socket: tls.TLSSocket;
  readonly domain: TlsDomain;
}

/** What tls_mgm's variables read: the TLS connection a message came over. */
export interface TlsConnections {
  connectionOf(ip: string, port: number, proto: string): { socket: tls.TLSSocket } | undefined;
}

export const TLS_CONNECTIONS = serviceKey<TlsConnections>('net:tls');

/** What tls_mgm's MI commands reach of the running TLS layer (tls_list, tls_reload). */
export interface TlsDomainControl {
  /** The domains in use, in cfg order. */
  tlsDomains(): readonly TlsDomain[];
  /**
   * Re-reads every domain's certificate, key, CA and DH files, with `domains` (tls_mgm's table read again) in place
   * of the current list when given; on any failure nothing changes and the problem is returned.
   */
  reloadTls(domains?: TlsDomain[]): string | undefined;
}

export const TLS_DOMAIN_CONTROL = serviceKey<TlsDomainControl>('net:tls-domains');

/** Every domain's secure context, built once; the error names the file that cannot be read. */
export function secureContexts(domains: readonly TlsDomain[]): Map<TlsDomain, DomainContext> | string {
  const out = new Map<TlsDomain, DomainContext>();
  for (const d of domains) {
    const options = domainContext(d);
    if (typeof options === 'string') return options;
    try {
      out.set(d, { options, context: tls.createSecureContext(options) });
    } catch (err) {
      return `TLS domain '${d.name}': ${(err as Error).message}`;
    }
  }
  return out;
}

export interface DomainContext {
  options: tls.SecureContextOptions;
  context: tls.SecureContext;
}

export class TlsTransport {
  readonly conns: ConnectionTable<TlsConnection>;
  private readonly servers: tls.Server[] = [];
  /** Per listening server: sets its default certificate (clients without SNI) from the current contexts. */
  private readonly defaults: (() => void)[] = [];
  private listener: ((m: Inbound) => void) | undefined;

  constructor(
    private readonly settings: TlsSettings,
    private readonly contexts: Map<TlsDomain, DomainContext>,
    lifetimeMs: () => number,
    private readonly log: (text: string) => void,
  ) {
    this.conns = new ConnectionTable(lifetimeMs);
  }

  connectionOf(ip: string, port: number): TlsConnection | undefined {
    return this.conns.get(ip, port);
  }

  private attach(
    sock: tls.TLSSocket,
    local: SocketInfo,
    domain: TlsDomain,
    onMessage: (m: Inbound) => void,
    peer?: Peer,
  ): TlsConnection {
    const ip = peer?.ip ?? (sock.remoteAddress ?? '').replace(/^::ffff:/, '');
    const port = peer?.port ?? sock.remotePort ?? 0;
    let buf: Buffer = Buffer.alloc(0);
    const conn: TlsConnection = {
      proto: 'tls',
      local,
      peer: { proto: 'tls', ip, port },
      socket: sock,
      domain,
      expires: 0,
      write: (data) => {
        sock.write(data);
      },
      close: () => {
        sock.destroy();
      },
      get closed() {
        return sock.destroyed;
      },
    };
    this.conns.touch(conn);
    this.conns.add(conn);
    sock.setNoDelay(true);
    sock.on('data', (chunk: Buffer) => {
      this.conns.touch(conn);
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      for (;;) {
        const f = frameStreamMessage(buf);
        if (f.kind === 'incomplete') return;
        if (f.kind === 'error') {
          this.log(`closing TLS connection from ${peerKey(ip, port)}: ${f.error}`);
          sock.destroy();
          return;
        }
        const frame = buf.subarray(0, f.length);
        buf = buf.subarray(f.length);
        if (f.kind === 'message')
          onMessage({ data: Buffer.from(frame), src: { proto: 'tls', ip, port }, socket: local });
      }
    });
    sock.on('error', () => undefined);
    sock.on('close', () => this.conns.remove(conn));
    return conn;
  }

  async listen(socket: SocketInfo, onMessage: (m: Inbound) => void, onError: (err: Error) => void): Promise<void> {
    this.listener ??= onMessage;
    const domainFor = (servername: string | undefined): TlsDomain | undefined =>
      findDomain(this.settings.domains, 'server', socket.ip, socket.port, servername || undefined);
    const first = domainFor(undefined) ?? this.settings.domains.find((d) => d.side === 'server');
    const server = tls.createServer(
      {
        // The certificate is the domain's, chosen per connection; the default context serves clients without SNI.
        ...(first ? this.contexts.get(first)!.options : {}),
        SNICallback: (name, cb) => {
          const d = domainFor(name);
          if (!d) {
            cb(new Error(`no TLS server domain found for ${name} on ${socket.ip}:${socket.port}`));
            return;
          }
          cb(null, this.contexts.get(d)!.context);
        },
        // Asking for a client certificate is per server in node:tls; whether it must be valid is checked per domain once the handshake is done.
        requestCert: this.settings.domains.some((d) => d.side === 'server' && d.verifyCert),
        rejectUnauthorized: false,
        handshakeTimeout: this.settings.handshakeTimeoutMs,
      },
      (sock) => {
        const d = domainFor(sock.servername || undefined);
        if (!d) {
          this.log(`no TLS server domain found for ${socket.ip}:${socket.port}`);
          sock.destroy();
          return;
        }
        if (d.verifyCert) {
          const presented = Object.keys(sock.getPeerCertificate() ?? {}).length > 0;
          if ((presented && !sock.authorized) || (!presented && d.requireCert)) {
            this.log(
              `TLS domain '${d.name}': closing the connection from ${sock.remoteAddress}:${sock.remotePort}: ${presented ? `client certificate not verified (${String(sock.authorizationError)})` : 'no client certificate'}`,
            );
            sock.destroy();
            return;
          }
        }
        this.attach(sock, socket, d, onMessage);
      },
    );
    // tls_reload: new handshakes take the re-read certificate; open connections keep theirs.
    this.defaults.push(() => {
      const d = domainFor(undefined) ?? this.settings.domains.find((x) => x.side === 'server');
      if (d) server.setSecureContext(this.contexts.get(d)!.options);
    });
    server.on('tlsClientError', (err) =>
      this.log(`TLS handshake failed on ${socket.ip}:${socket.port}: ${err.message}`),
    );
    server.on('error', onError);
    await listenOn(server, socket);
    this.servers.push(server);
  }

  /** After tls_reload replaced the contexts: the listening servers' default certificates follow. */
  refreshDefaults(): void {
    for (const f of this.defaults) f();
  }

  send(from: SocketInfo, to: Peer, data: Buffer): void {
    const existing = this.conns.get(to.ip, to.port);
    if (existing) {
      this.conns.touch(existing);
      existing.write(data);
      return;
    }
    const d = clientDomain(this.settings.domains, to);
    if (!d) {
      this.log(`no TLS client domain found for ${to.ip}:${to.port}${clientHintText(to)}: not sent`);
      return;
    }
    // localAddress reaches net.connect: the connection leaves from the socket's own address.
    const options: tls.ConnectionOptions & { localAddress: string } = {
      host: to.ip,
      port: to.port,
      localAddress: from.ip,
      secureContext: this.contexts.get(d)!.context,
      rejectUnauthorized: d.verifyCert,
      // The peer is named by address: its certificate is checked against the CA list, not against a host name.
      checkServerIdentity: () => undefined,
    };
    const sock = tls.connect(options);
    sock.once('error', (err) => this.log(`TLS connection to ${to.ip}:${to.port} failed: ${err.message}`));
    this.attach(sock, from, d, (m) => this.listener?.(m), to);
    sock.write(data);
  }

  async close(): Promise<void> {
    this.conns.closeAll();
    await Promise.all(this.servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
}
