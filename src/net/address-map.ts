// `--map FROM=TO[:PORT]`: cfg addresses that are not on this host (the blog's
// 172.16.4.x) are rewritten, for listening sockets and destinations alike.
// A target must be an address of this host: the map exists to move a cfg's
// addresses onto loopback, and must not turn relays into traffic to another machine.
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { isHostAddress, type InterfaceList } from './interfaces.js';

export interface AddressMapping {
  ip: string;
  port?: number;
}
export type AddressMap = Map<string, AddressMapping>;

export function parseMap(
  entries: readonly string[],
  interfaces: InterfaceList = networkInterfaces(),
): AddressMap | string {
  const map: AddressMap = new Map();
  for (const e of entries) {
    const m = /^([^=]+)=(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(e.trim());
    if (!m) return `--map takes FROM=TO[:PORT], not ${e}`;
    const to = m[2]!.replace(/^\[|\]$/g, '');
    if (!isIP(to)) return `--map ${e}: the target must be an IP address of this host, not ${to}`;
    if (to === '0.0.0.0' || to === '::' || !isHostAddress(to, interfaces))
      return `--map ${e}: ${to} is not an address of this host (map to 127.x.y.z, ::1 or a local interface's address)`;
    if (m[3] && (Number(m[3]) < 1 || Number(m[3]) > 65535)) return `--map ${e}: port ${m[3]} is out of range`;
    map.set(m[1]!, { ip: to, ...(m[3] ? { port: Number(m[3]) } : {}) });
  }
  return map;
}

export function mapPeer(map: AddressMap | undefined, ip: string, port: number): { ip: string; port: number } {
  const m = map?.get(ip);
  return m ? { ip: m.ip, port: m.port ?? port } : { ip, port };
}
