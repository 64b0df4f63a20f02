// The real network of `run`: UDP, TCP, TLS and WebSocket sockets bound to
// each `socket=` line.
import type { TLSSocket } from 'node:tls';
import { TcpTransport, type TcpLimits } from './tcp.js';
import {
  secureContexts,
  TlsTransport,
  type DomainContext,
  type TlsConnections,
  type TlsDomainControl,
  type TlsSettings,
} from './tls.js';
import type { TlsDomain } from './tls-domains.js';
import { connectionId, type Connection } from './connections.js';
import type { ConnectionInfo, SocketInfo, Inbound, Network, NetworkStatus, Peer } from './types.js';
import { UdpTransport } from './udp.js';
import { WsTransport, type WsSettings } from './ws.js';

export interface RealNetworkOptions {
  /** tls_mgm's domains with their contexts, for tls and wss sockets. */
  tls?: { settings: TlsSettings; contexts: Map<TlsDomain, DomainContext> };
  ws?: WsSettings;
  /** SO_RCVBUF asked for each UDP socket (`maxbuffer` / `-b`); UDP_RECV_BUFFER when unset. */
  udpRecvBuffer?: number;
}

/** What registrar (tcp_persistent_flag) and force_tcp_alias reach, whatever the connection's transport. */
export interface ConnectionControl {
  addAlias(peer: Peer, ip: string, port: number): boolean;
  extendLifetime(peer: Peer, untilMs: number): void;
}

export class RealNetwork implements Network, TlsConnections, TlsDomainControl, ConnectionControl, NetworkStatus {
  readonly udp: UdpTransport;
  readonly tcp: TcpTransport;
  readonly tls: TlsTransport | undefined;
  readonly ws: WsTransport;

  /** `logAt` logs as the core does (level, function, text); without it failed UDP sends go to `log`. */
  constructor(
    tcpLifetimeMs: () => number,
    private readonly log: (text: string) => void,
    logAt?: (level: number, fn: string, text: string) => void,
    tcpLimits: Partial<TcpLimits> = {},
    private readonly opts: RealNetworkOptions = {},
  ) {
    this.tcp = new TcpTransport(tcpLifetimeMs, log, tcpLimits);
    this.udp = new UdpTransport(logAt ?? ((_l, _f, t) => log(t)), opts.udpRecvBuffer);
    if (opts.tls) this.tls = new TlsTransport(opts.tls.settings, opts.tls.contexts, tcpLifetimeMs, log);
    this.ws = new WsTransport(opts.ws ?? {}, opts.tls, tcpLifetimeMs, log);
  }

  async listen(sockets: SocketInfo[], onMessage: (m: Inbound) => void): Promise<void> {
    const onError = (err: Error): void => this.log(`socket error: ${err.message}`);
    for (const s of sockets) {
      if (s.proto === 'udp') await this.udp.listen(s, onMessage, onError);
      else if (s.proto === 'tcp') await this.tcp.listen(s, onMessage, onError);
      else if (s.proto === 'tls' && this.tls) await this.tls.listen(s, onMessage, onError);
      else if (s.proto === 'tls')
        throw new Error(`socket tls:${s.ip}:${s.port} needs TLS domains: load tls_mgm and define a server_domain`);
      else if (s.proto === 'ws' || s.proto === 'wss') await this.ws.listen(s, onMessage, onError);
      else
        throw new Error(
          `protocol ${s.proto} is not supported by opensips-ts run yet (socket ${s.proto}:${s.ip}:${s.port})`,
        );
    }
  }

  send(from: SocketInfo, to: Peer, data: Buffer): void {
    switch (to.proto) {
      case 'tls':
        if (this.tls) this.tls.send(from, to, data);
        else this.log(`no TLS transport to reach ${to.ip}:${to.port}`);
        return;
      case 'ws':
      case 'wss':
        this.ws.send(from, to, data);
        return;
    }
    if (to.proto === 'tcp' || from.proto === 'tcp') this.tcp.send(from, to, data);
    else this.udp.send(from, to, data);
  }

  tlsDomains(): readonly TlsDomain[] {
    return this.opts.tls?.settings.domains ?? [];
  }

  reloadTls(domains?: TlsDomain[]): string | undefined {
    const tls = this.opts.tls;
    if (!tls) return 'no TLS domains';
    const fresh = secureContexts(domains ?? tls.settings.domains);
    if (typeof fresh === 'string') return fresh;
    // In place: the TLS and WSS transports hold this very array.
    if (domains) tls.settings.domains.splice(0, tls.settings.domains.length, ...domains);
    // The TLS and WSS transports share this map: the next connection (either side) takes the new files.
    tls.contexts.clear();
    for (const [d, c] of fresh) tls.contexts.set(d, c);
    this.tls?.refreshDefaults();
    this.ws.refreshDefaults();
    return undefined;
  }

  connectionOf(ip: string, port: number, proto: string): { socket: TLSSocket } | undefined {
    if (proto === 'tls') return this.tls?.conns.get(ip, port);
    if (proto === 'wss') {
      const c = this.ws.tlsSocketOf(ip, port);
      return c?.tlsSocket ? { socket: c.tlsSocket } : undefined;
    }
    return undefined;
  }

  addAlias(peer: Peer, ip: string, port: number): boolean {
    if (peer.proto === 'tls') return this.tls?.conns.addAlias(peer, ip, port) ?? false;
    if (peer.proto === 'ws' || peer.proto === 'wss') return this.ws.conns.addAlias(peer, ip, port);
    return this.tcp.addAlias(peer, ip, port);
  }

  extendLifetime(peer: Peer, untilMs: number): void {
    if (peer.proto === 'tls') this.tls?.conns.extendLifetime(peer, untilMs);
    else if (peer.proto === 'ws' || peer.proto === 'wss') this.ws.conns.extendLifetime(peer, untilMs);
    else this.tcp.extendLifetime(peer, untilMs);
  }

  waitingBytes(proto: 'udp' | 'tcp' | 'tls'): number {
    if (proto === 'udp') return this.udp.waitingBytes();
    if (proto === 'tcp') return this.tcp.waitingBytes();
    let n = 0;
    for (const c of this.tls?.conns.all() ?? []) n += c.socket.writableLength;
    return n;
  }

  connections(): ConnectionInfo[] {
    const info = (c: Connection, key: object): ConnectionInfo => ({
      id: connectionId(key),
      proto: c.proto,
      local: { proto: c.proto, ip: c.local.ip, port: c.local.port },
      remote: c.peer,
      expires: c.expires,
    });
    return [
      ...this.tcp.connections(),
      ...(this.tls?.conns.all().map((c) => info(c, c.socket)) ?? []),
      ...this.ws.conns.all().map((c) => info(c, c.ws)),
    ];
  }

  async close(): Promise<void> {
    await Promise.all([this.udp.close(), this.tcp.close(), this.tls?.close(), this.ws.close()]);
  }
}
