// The connections of one connection-oriented transport (TLS, WS, WSS), by
// peer address: a reply or a request to a peer reuses the connection it
// has (RFC 3261 §18, RFC 7118 §5), an idle one closes after
// tcp_connection_lifetime, force_tcp_alias adds a second name for it.
import type { SocketInfo } from './types.js';
import type { Peer } from './types.js';

/** What a transport keeps per connection: how to write to it and close it. */
export interface Connection {
  readonly proto: string;
  readonly local: SocketInfo;
  readonly peer: Peer;
  write(data: Buffer): void;
  close(): void;
  readonly closed: boolean;
  /** Idle lifetime, extended by traffic and by tcp_persistent_flag. */
  expires: number;
}

export function peerKey(ip: string, port: number): string {
  return `${ip.replace(/^::ffff:/, '')}:${port}`;
}

export class ConnectionTable<C extends Connection = Connection> {
  private readonly byPeer = new Map<string, C>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(readonly lifetimeMs: () => number) {}

  add(c: C): void {
    this.byPeer.set(peerKey(c.peer.ip, c.peer.port), c);
    this.sweeper ??= setInterval(() => this.sweep(), 1000);
    this.sweeper.unref();
  }

  /** Forgets every name of a closed connection. */
  remove(c: C): void {
    for (const [k, v] of this.byPeer) if (v === c) this.byPeer.delete(k);
  }

  get(ip: string, port: number): C | undefined {
    const c = this.byPeer.get(peerKey(ip, port));
    return c && !c.closed ? c : undefined;
  }

  touch(c: C): void {
    c.expires = Date.now() + this.lifetimeMs();
  }

  /** force_tcp_alias: requests to ip:port go over the connection `peer` came in on; false when there is none. */
  addAlias(peer: Peer, ip: string, port: number): boolean {
    const c = this.get(peer.ip, peer.port);
    if (!c) return false;
    this.byPeer.set(peerKey(ip, port), c);
    return true;
  }

  /** Keeps the connection to `peer` open at least until `untilMs` (tcp_persistent_flag). */
  extendLifetime(peer: Peer, untilMs: number): void {
    const c = this.get(peer.ip, peer.port);
    if (c && c.expires < untilMs) c.expires = untilMs;
  }

  private sweep(): void {
    const now = Date.now();
    for (const c of new Set(this.byPeer.values())) if (c.expires <= now) c.close();
  }

  all(): C[] {
    return [...new Set(this.byPeer.values())];
  }

  closeAll(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
    for (const c of this.all()) c.close();
    this.byPeer.clear();
  }
}

const ids = new WeakMap<object, number>();
let lastId = 0;

/** A connection's number for list_tcp_conns: given on first sight, kept while the object lives (OpenSIPS's conn->id). */
export function connectionId(key: object): number {
  let id = ids.get(key);
  if (id === undefined) ids.set(key, (id = ++lastId));
  return id;
}
