// Socket hosts as OpenSIPS 3.3 reads them (socket_info.c fix_socket_list):
// `*` is every address of every interface, an interface name is that
// interface's addresses, a hostname is the address it resolves to. Each
// address becomes a socket of its own, bound to that address, so the
// receiving address of every datagram is known and replies leave from it.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import type { SocketInfo } from './types.js';

export type InterfaceList = NodeJS.Dict<NetworkInterfaceInfo[]>;

export interface HostResolver {
  /** The host's interfaces and their addresses (os.networkInterfaces(), getifaddrs in OpenSIPS). */
  interfaces(): InterfaceList;
  /** A hostname's address (the first one, as resolvehost() keeps). */
  resolve(name: string): Promise<string | undefined>;
}

export const systemResolver: HostResolver = {
  interfaces: () => networkInterfaces(),
  resolve: async (name) => {
    try {
      return (await lookup(name)).address;
    } catch {
      return undefined;
    }
  },
};

/**
 * The addresses of an interface, or of all of them for `*`. IPv6 addresses
 * with a scope (fe80::/10 link-local) are left out, as OpenSIPS does.
 */
export function interfaceAddresses(list: InterfaceList, name: string | '*'): string[] | undefined {
  const out: string[] = [];
  let found = false;
  for (const [ifName, addrs] of Object.entries(list)) {
    if (name !== '*' && ifName !== name) continue;
    found = true;
    for (const a of addrs ?? []) {
      if (a.family === 'IPv6' && (a.scopeid ?? 0) !== 0) continue;
      if (!out.includes(a.address)) out.push(a.address);
    }
  }
  return found || name === '*' ? out : undefined;
}

/** What a socket line's host stands for: addresses to bind, or why it cannot be bound. */
export async function hostAddresses(
  host: string,
  r: HostResolver,
): Promise<{ ips: string[] } | { error: string; hint?: string }> {
  if (host === '*') {
    const ips = interfaceAddresses(r.interfaces(), '*')!;
    return ips.length ? { ips } : { error: 'no interface of this host has an address for `*`' };
  }
  const bare = host.replace(/^\[|\]$/g, '');
  if (isIP(bare)) return { ips: [bare] };
  const ifAddrs = interfaceAddresses(r.interfaces(), host);
  if (ifAddrs) return ifAddrs.length ? { ips: ifAddrs } : { error: `interface ${host} has no address` };
  const ip = await r.resolve(host);
  if (ip === undefined)
    return { error: `cannot resolve ${host}`, hint: 'name an IP address, an interface of this host or `*`' };
  return { ips: [ip] };
}

/** True when the address is one of this host's: any 127/8 address (all of it is loopback on Linux), the wildcard, or an interface's. */
export function isHostAddress(ip: string, list: InterfaceList): boolean {
  if (ip === '0.0.0.0' || ip === '::' || ip === '::1' || ip.startsWith('127.')) return true;
  return Object.values(list).some((addrs) => (addrs ?? []).some((a) => a.address === ip));
}

/**
 * The listening sockets with `*`, interface names and hostnames replaced by
 * one socket per address, in the cfg's order; each socket is its address
 * from then on (`$socket_in(ip)`, Via, Record-Route), as in OpenSIPS.
 */
export async function expandSockets(
  sockets: readonly SocketInfo[],
  r: HostResolver,
): Promise<{ sockets: SocketInfo[]; errors: { socket: SocketInfo; error: string; hint?: string }[] }> {
  const out: SocketInfo[] = [];
  const errors: { socket: SocketInfo; error: string; hint?: string }[] = [];
  for (const s of sockets) {
    // One socket per (proto, address, port): `*` next to an explicit address of the same host binds it once.
    const taken = (ip: string): boolean => out.some((o) => o.proto === s.proto && o.ip === ip && o.port === s.port);
    if (isIP(s.ip.replace(/^\[|\]$/g, ''))) {
      if (!taken(s.ip)) out.push(s);
      continue;
    }
    const got = await hostAddresses(s.ip, r);
    if ('error' in got) {
      errors.push({ socket: s, ...got });
      continue;
    }
    for (const ip of got.ips) if (!taken(ip)) out.push({ ...s, ip });
  }
  return { sockets: out, errors };
}
