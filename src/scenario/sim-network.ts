// The simulated network of a scenario: every actor's sockets on one hub.
// A send is delivered on the virtual clock (after `latencyMs`), so messages
// sent by timers carry their own time; nothing ever reaches a real socket.
import type { VirtualClock } from '../base/clock.js';

import type { SocketInfo, Inbound, Network, Peer } from '../net/types.js';

export interface Delivery {
  /** Virtual time in ms when it arrived (or was dropped). */
  at: number;
  from: Peer;
  to: Peer;
  fromActor: string;
  /** undefined when no actor listens there: the message is lost. */
  toActor: string | undefined;
  data: Buffer;
}

type Receiver = (m: Inbound) => void;

const key = (proto: string, ip: string, port: number): string => `${proto.toLowerCase()}:${ip}:${port}`;

export class SimHub {
  readonly deliveries: Delivery[] = [];
  /** Set when the message bound is reached: nothing is delivered any more. */
  aborted: string | undefined;
  private readonly listeners = new Map<string, { actor: string; socket: SocketInfo; receive: Receiver }>();
  private readonly owners = new Map<string, string>();

  constructor(
    private readonly clock: VirtualClock,
    private readonly latencyMs = 0,
    readonly maxDeliveries = 10_000,
  ) {}

  /** tcp_persistent_flag requests, by actor: the simulated network has no connections to keep, so it reports them. */
  onTcpLifetime: (actor: string, peer: Peer, untilMs: number) => void = () => undefined;

  /** The Network an actor sees: listening on its sockets, sending through the hub. */
  node(actor: string): Network & { tcp: { extendLifetime(peer: Peer, untilMs: number): void } } {
    return {
      tcp: { extendLifetime: (peer, untilMs) => this.onTcpLifetime(actor, peer, untilMs) },
      listen: async (sockets, onMessage) => {
        for (const s of sockets) this.attach(actor, s, onMessage);
      },
      send: (from, to, data) => this.send(actor, { proto: from.proto, ip: from.ip, port: from.port }, to, data),
      close: async () => {
        for (const [k, l] of this.listeners) if (l.actor === actor) this.listeners.delete(k);
      },
    };
  }

  attach(actor: string, socket: SocketInfo, receive: Receiver): void {
    const k = key(socket.proto, socket.ip, socket.port);
    const taken = this.listeners.get(k);
    if (taken) throw new Error(`${actor} and ${taken.actor} both listen on ${k}`);
    this.listeners.set(k, { actor, socket, receive });
    this.owners.set(`${socket.ip}:${socket.port}`, actor);
  }

  /** Which actor an address belongs to (for ladders), whatever the protocol. */
  ownerOf(ip: string, port: number): string | undefined {
    return this.owners.get(`${ip}:${port}`);
  }

  /** OpenSIPS's BUF_SIZE: a bigger message is never sent (a looping request ends here as it grows a Via per hop). */
  static readonly MAX_MESSAGE = 65535;
  onDrop: (actor: string, text: string) => void = () => undefined;

  /** A send that leaves `delayMs` from now (a UA that takes its time to answer). */
  sendLater(delayMs: number, actor: string, from: Peer, to: Peer, data: Buffer): void {
    if (delayMs <= 0) this.send(actor, from, to, data);
    else this.clock.after(delayMs, () => this.send(actor, from, to, data));
  }

  send(actor: string, from: Peer, to: Peer, data: Buffer): void {
    if (data.length > SimHub.MAX_MESSAGE) {
      this.onDrop(
        actor,
        `message of ${data.length} bytes to ${to.proto}:${to.ip}:${to.port} is too big to send: dropped`,
      );
      return;
    }
    if (this.aborted) return;
    if (this.deliveries.length >= this.maxDeliveries) {
      this.aborted = `more than ${this.maxDeliveries} messages: a forwarding loop? (the last went from ${actor} to ${to.proto}:${to.ip}:${to.port})`;
      return;
    }
    const copy = Buffer.from(data);
    this.clock.after(this.latencyMs, () => {
      if (this.aborted) return;
      const target = this.listeners.get(key(to.proto, to.ip, to.port));
      this.deliveries.push({ at: this.clock.now(), from, to, fromActor: actor, toActor: target?.actor, data: copy });
      target?.receive({ data: copy, src: from, socket: target.socket });
    });
  }
}
