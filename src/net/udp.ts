// UDP: one dgram socket per `socket=` line (bound to its own address, so the
// receiving address is known, as OpenSIPS does), with dgram-as-promised.
import { lookup as dnsLookup, type LookupOneOptions } from 'node:dns';
import { isIPv6 } from 'node:net';
import { DgramAsPromised, type SocketAsPromised } from 'dgram-as-promised';

import { isIPv4 } from '../sip/host.js';
import type { SocketInfo, Inbound, Peer } from './types.js';

/**
 * The receive buffer asked for when the cfg sets no `maxbuffer` (nor `-b`): 1 MB, where OpenSIPS 3.3 probes up to
 * 256 KB. OpenSIPS reads a socket with several worker processes; here one event loop reads it, and its pauses
 * (garbage collection, a JIT warming up) last longer than 409 queued datagrams (256 KB doubled by Linux) take to
 * arrive at 10,000/s: 873-1,204 REGISTERs of 60,000 were dropped at 10,000-12,000/s, none with 1 MB, on this
 * project's machine. 1 MB is still ~115 ms of work at the sustainable rate, far under T1: the overload argument for
 * a small queue holds. Linux caps it at net.core.rmem_max (212,992 by default): raise that for high rates.
 */
export const UDP_RECV_BUFFER = 1024 * 1024;

export class UdpTransport {
  /**
   * `log` hears failed sends at L_ERR, as proto_udp_send logs them. `recvBuffer` is what OpenSIPS's `maxbuffer`
   * (or `-b`) sets: the SO_RCVBUF asked for (Linux doubles it, capped by net.core.rmem_max).
   */
  constructor(
    private readonly log: (level: number, fn: string, text: string) => void = () => undefined,
    private readonly recvBuffer: number = UDP_RECV_BUFFER,
  ) {}

  private readonly sockets = new Map<string, SocketAsPromised>();
  /** The same sockets by the SocketInfo they were opened for: a send from a received message's socket skips building the key. */
  private bySocketInfo = new WeakMap<SocketInfo, SocketAsPromised>();

  private key(s: SocketInfo): string {
    return `${s.ip}:${s.port}`;
  }

  async listen(socket: SocketInfo, onMessage: (m: Inbound) => void, onError: (err: Error) => void): Promise<void> {
    const sock = DgramAsPromised.createSocket({
      type: socket.ip.includes(':') ? 'udp6' : 'udp4',
      reuseAddr: false,
      lookup: literalFirstLookup,
    });
    sock.socket.on('message', (data: Buffer, rinfo: { address: string; port: number }) => {
      onMessage({ data, src: { proto: 'udp', ip: rinfo.address, port: rinfo.port }, socket });
    });
    sock.socket.on('error', onError);
    await sock.bind(socket.port, socket.ip);
    // The receive buffer bounds how late a queued request can be: about a thousand datagrams wait at most a
    // fraction of T1 (500 ms); beyond that, under overload, the kernel drops them (the cheapest shedding) rather
    // than queueing seconds of work whose clients have already retransmitted or given up (with 4 MB, goodput
    // at 2x the sustainable rate fell to a third).
    try {
      sock.setRecvBufferSize(this.recvBuffer);
      sock.setSendBufferSize(4 * 1024 * 1024);
    } catch {
      /* best effort */
    }
    this.sockets.set(this.key(socket), sock);
    this.bySocketInfo.set(socket, sock);
  }

  /** Bytes queued in libuv for every socket, not yet sent (the datagrams OpenSIPS would still be writing). */
  waitingBytes(): number {
    let n = 0;
    for (const s of this.sockets.values()) n += s.socket.getSendQueueSize();
    return n;
  }

  send(from: SocketInfo, to: Peer, data: Buffer): void {
    const sock = this.bySocketInfo.get(from) ?? this.sockets.get(this.key(from));
    if (!sock) {
      this.log(
        -1,
        'msg_send',
        `no UDP socket udp:${from.ip}:${from.port} to send ${data.length} bytes to ${to.ip}:${to.port}`,
      );
      return;
    }
    const failed = (err: Error | null): void => {
      if (!err) return;
      const e = err as NodeJS.ErrnoException;
      this.log(
        -1,
        'proto_udp_send',
        `sendto(sock,${data.length},udp:${from.ip}:${from.port}): ${e.code ?? e.message}(${-(e.errno ?? 0)}) [${to.ip}:${to.port}]`,
      );
    };
    try {
      sock.socket.send(data, to.port, to.ip, failed);
    } catch (err) {
      // A destination dgram refuses at once (a port out of range from a table or a header): nothing is sent.
      failed(err as Error);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.sockets.values()].map((s) => s.close().catch(() => undefined)));
    this.sockets.clear();
    this.bySocketInfo = new WeakMap();
  }
}

let lastV4 = '';

/**
 * dgram resolves every destination, IP literals too, and dns.lookup answers a
 * literal on the next tick: one more trip through the tick queue per reply.
 * A literal is answered at once; names still go to dns.lookup.
 */
function literalFirstLookup(
  host: string,
  opts: LookupOneOptions,
  cb: (err: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  if (host === lastV4)
    cb(null, host, 4); // replies mostly go back to the same few peers
  else if (isIPv4(host)) {
    lastV4 = host;
    cb(null, host, 4);
  } else if (isIPv6(host)) cb(null, host, 6);
  else dnsLookup(host, opts, cb);
}
