// SIP over WebSocket (RFC 7118; proto_ws, proto_wss): an HTTP or HTTPS
// server per `socket=ws:`/`wss:` line, the handshake checked as proto_ws
// does (subprotocol `sip`, Origin when require_origin), then one SIP message
// per text or binary frame. The connection is the UA's flow: replies and
// requests to its address go back over it. Ping/pong finds dead peers.
import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { SocketInfo } from './types.js';
import { ConnectionTable, type Connection } from './connections.js';
import type { DomainContext, TlsSettings } from './tls.js';
import { clientDomain, clientHintText, findDomain, type TlsDomain } from './tls-domains.js';
import type { Inbound, Peer } from './types.js';
import { listenOn } from './listen.js';

export interface WsSettings {
  /** require_origin (default 1): a handshake without Origin is refused with 400. */
  requireOrigin?: boolean;
  /** Largest SIP message accepted in one WebSocket message, fragments included; larger closes the connection (1009). */
  maxMessageBytes?: number;
  /** Milliseconds between pings; a peer that has not answered the previous one is dropped. 0 = no pings. */
  pingIntervalMs?: number;
}

export interface WsConnection extends Connection {
  readonly ws: WebSocket;
  readonly tlsSocket: TLSSocket | undefined;
  /** A ping went out and nothing came back since: the next round drops the connection. */
  awaitingPong: boolean;
}

/** Why a handshake is refused (400, as proto_ws answers), or undefined when it is acceptable. */
export function handshakeProblem(req: http.IncomingMessage, requireOrigin: boolean): string | undefined {
  const protocols = String(req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((p) => p.trim().toLowerCase());
  if (!req.headers['sec-websocket-protocol']) return 'Sec-WebSocket-Protocol header not present';
  if (!protocols.includes('sip'))
    return `invalid protocol <${String(req.headers['sec-websocket-protocol'])}>: sip required`;
  if (requireOrigin && !req.headers.origin) return 'Origin header not present';
  return undefined;
}

export class WsTransport {
  readonly conns: ConnectionTable<WsConnection>;
  private readonly servers: (http.Server | https.Server)[] = [];
  private readonly wss: WebSocketServer;
  private listener: ((m: Inbound) => void) | undefined;
  private pinger: NodeJS.Timeout | undefined;
  /** Per WSS server: sets its default certificate from the current contexts (tls_reload). */
  private readonly defaults: (() => void)[] = [];
  private readonly maxBytes: number;

  constructor(
    private readonly settings: WsSettings,
    private readonly tls: { settings: TlsSettings; contexts: Map<TlsDomain, DomainContext> } | undefined,
    lifetimeMs: () => number,
    private readonly log: (text: string) => void,
  ) {
    this.conns = new ConnectionTable(lifetimeMs);
    this.maxBytes = settings.maxMessageBytes ?? 65535;
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: this.maxBytes,
      handleProtocols: () => 'sip',
      clientTracking: false,
      perMessageDeflate: false,
    });
  }

  tlsSocketOf(ip: string, port: number): WsConnection | undefined {
    const c = this.conns.get(ip, port);
    return c?.tlsSocket ? c : undefined;
  }

  private attach(
    ws: WebSocket,
    local: SocketInfo,
    peer: Peer,
    raw: Duplex | undefined,
    onMessage: (m: Inbound) => void,
  ): WsConnection {
    const tlsSocket = raw && 'encrypted' in raw ? (raw as TLSSocket) : undefined;
    const pending: Buffer[] = [];
    const conn: WsConnection = {
      proto: local.proto,
      local,
      peer,
      ws,
      tlsSocket,
      expires: 0,
      awaitingPong: false,
      write: (data) => {
        if (ws.readyState === WebSocket.CONNECTING) pending.push(data);
        else if (ws.readyState === WebSocket.OPEN) ws.send(data.toString('utf8'), { binary: false });
      },
      close: () => {
        ws.terminate();
      },
      get closed() {
        return ws.readyState === WebSocket.CLOSING || ws.readyState === WebSocket.CLOSED;
      },
    };
    this.conns.touch(conn);
    this.conns.add(conn);
    ws.on('open', () => {
      for (const d of pending.splice(0)) conn.write(d);
    });
    ws.on('pong', () => {
      conn.awaitingPong = false;
    });
    ws.on('message', (data: RawData) => {
      this.conns.touch(conn);
      conn.awaitingPong = false;
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      // A frame of only CR/LF is a keep-alive, not a message.
      if (buf.every((b) => b === 13 || b === 10 || b === 32)) return;
      onMessage({ data: buf, src: { proto: local.proto, ip: peer.ip, port: peer.port }, socket: local });
    });
    ws.on('error', (err) =>
      this.log(`closing ${local.proto.toUpperCase()} connection from ${peer.ip}:${peer.port}: ${err.message}`),
    );
    ws.on('close', () => this.conns.remove(conn));
    return conn;
  }

  private startPings(): void {
    const every = this.settings.pingIntervalMs ?? 30_000;
    if (this.pinger || every <= 0) return;
    this.pinger = setInterval(() => {
      for (const c of this.conns.all()) {
        if (c.awaitingPong) {
          this.log(`no pong from ${c.peer.ip}:${c.peer.port}: closing the ${c.proto.toUpperCase()} connection`);
          c.close();
          continue;
        }
        c.awaitingPong = true;
        try {
          c.ws.ping();
        } catch {
          /* closing */
        }
      }
    }, every);
    this.pinger.unref();
  }

  async listen(socket: SocketInfo, onMessage: (m: Inbound) => void, onError: (err: Error) => void): Promise<void> {
    this.listener ??= onMessage;
    let server: http.Server | https.Server;
    if (socket.proto === 'wss') {
      if (!this.tls)
        throw new Error(
          `socket wss:${socket.ip}:${socket.port} needs TLS domains: load tls_mgm and define a server_domain`,
        );
      const { settings, contexts } = this.tls;
      const domainFor = (name: string | undefined): TlsDomain | undefined =>
        findDomain(settings.domains, 'server', socket.ip, socket.port, name || undefined);
      const first = domainFor(undefined);
      const secureServer = https.createServer({
        ...(first ? contexts.get(first)!.options : {}),
        SNICallback: (name, cb) => {
          const d = domainFor(name);
          if (d) cb(null, contexts.get(d)!.context);
          else cb(new Error(`no TLS server domain found for ${name}`));
        },
        requestCert: settings.domains.some((d) => d.side === 'server' && d.verifyCert && d.requireCert),
        rejectUnauthorized: false,
        handshakeTimeout: settings.handshakeTimeoutMs,
      });
      this.defaults.push(() => {
        const d = domainFor(undefined);
        if (d) secureServer.setSecureContext(contexts.get(d)!.options);
      });
      server = secureServer;
    } else {
      server = http.createServer();
    }
    // Plain HTTP requests are not served: a WebSocket endpoint only.
    server.on('request', (_req, res) => {
      res.writeHead(426, { Upgrade: 'websocket' }).end();
    });
    server.on('upgrade', (req: http.IncomingMessage, raw: Duplex, head: Buffer) => {
      const problem = handshakeProblem(req, this.settings.requireOrigin ?? true);
      if (problem) {
        this.log(
          `refusing the WebSocket handshake from ${req.socket.remoteAddress}:${req.socket.remotePort}: ${problem}`,
        );
        raw.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
        return;
      }
      this.wss.handleUpgrade(req, raw, head, (ws) => {
        const peer = {
          proto: socket.proto,
          ip: (req.socket.remoteAddress ?? '').replace(/^::ffff:/, ''),
          port: req.socket.remotePort ?? 0,
        };
        this.attach(ws, socket, peer, raw, onMessage);
      });
    });
    server.on('error', onError);
    await listenOn(server, socket);
    this.servers.push(server);
    this.startPings();
  }

  /** After tls_reload replaced the contexts: the WSS servers' default certificates follow. */
  refreshDefaults(): void {
    for (const f of this.defaults) f();
  }

  /** Over the peer's connection; with none, a new one (proto_ws connects as a client too). */
  send(from: SocketInfo, to: Peer, data: Buffer): void {
    const existing = this.conns.get(to.ip, to.port);
    if (existing) {
      this.conns.touch(existing);
      existing.write(data);
      return;
    }
    const secure = to.proto === 'wss';
    const host = to.ip.includes(':') ? `[${to.ip}]` : to.ip;
    const domain = secure && this.tls ? clientDomain(this.tls.settings.domains, to) : undefined;
    if (secure && !domain) {
      this.log(`no TLS client domain found for ${to.ip}:${to.port}${clientHintText(to)}: not sent`);
      return;
    }
    const ws = new WebSocket(`${secure ? 'wss' : 'ws'}://${host}:${to.port}/`, 'sip', {
      localAddress: from.ip,
      maxPayload: this.maxBytes,
      perMessageDeflate: false,
      ...(domain
        ? {
            secureContext: this.tls!.contexts.get(domain)!.context,
            rejectUnauthorized: domain.verifyCert,
            checkServerIdentity: () => undefined,
          }
        : {}),
    });
    const conn = this.attach(ws, from, { proto: to.proto, ip: to.ip, port: to.port }, undefined, (m) =>
      this.listener?.(m),
    );
    conn.write(data);
  }

  async close(): Promise<void> {
    if (this.pinger) clearInterval(this.pinger);
    this.conns.closeAll();
    await Promise.all(
      this.servers.map(
        (s) =>
          new Promise<void>((r) => {
            s.close(() => r());
            s.closeAllConnections?.();
          }),
      ),
    );
  }
}
