// get_first_socket() (socket_info.c): the listener local To-tags are built on.
import type { SocketInfo } from './types.js';

/** OpenSIPS's protocol order (PROTO_UDP first): the first listener of the first protocol that has any. */
const PROTO_ORDER = ['udp', 'tcp', 'tls', 'sctp', 'ws', 'wss', 'bin', 'bins', 'hep_udp', 'hep_tcp', 'smpp'];

export function firstSocket(sockets: readonly SocketInfo[]): { ip: string; port: number } | undefined {
  let best: SocketInfo | undefined;
  let rank = Infinity;
  for (const s of sockets) {
    const r = PROTO_ORDER.indexOf(s.proto);
    const k = r < 0 ? PROTO_ORDER.length : r;
    if (k < rank) {
      best = s;
      rank = k;
    }
  }
  // The cfg's own address: the tag is then the one OpenSIPS gives on the real host.
  return best && { ip: best.cfgIp ?? best.ip, port: best.cfgPort ?? best.port };
}
