// The real network of `run`: UDP and TCP sockets bound to each `socket=` line.
import { TcpTransport, type TcpLimits } from './tcp.js';
import type { SocketInfo, Inbound, Network, Peer } from './types.js';
import { UdpTransport } from './udp.js';

export class RealNetwork implements Network {
  readonly udp: UdpTransport;
  readonly tcp: TcpTransport;

  /** `logAt` logs as the core does (level, function, text); without it failed UDP sends go to `log`. */
  constructor(tcpLifetimeMs: () => number, private readonly log: (text: string) => void, logAt?: (level: number, fn: string, text: string) => void, tcpLimits: Partial<TcpLimits> = {}) {
    this.tcp = new TcpTransport(tcpLifetimeMs, log, tcpLimits);
    this.udp = new UdpTransport(logAt ?? ((_l, _f, t) => log(t)));
  }

  async listen(sockets: SocketInfo[], onMessage: (m: Inbound) => void): Promise<void> {
    const onError = (err: Error): void => this.log(`socket error: ${err.message}`);
    for (const s of sockets) {
      if (s.proto === 'udp') await this.udp.listen(s, onMessage, onError);
      else if (s.proto === 'tcp') await this.tcp.listen(s, onMessage, onError);
      else throw new Error(`protocol ${s.proto} is not supported by opensips-ts run yet (socket ${s.proto}:${s.ip}:${s.port})`);
    }
  }

  send(from: SocketInfo, to: Peer, data: Buffer): void {
    if (to.proto === 'tcp' || from.proto === 'tcp') this.tcp.send(from, to, data);
    else this.udp.send(from, to, data);
  }

  async close(): Promise<void> {
    await Promise.all([this.udp.close(), this.tcp.close()]);
  }
}
