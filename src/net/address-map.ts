// `--map FROM=TO[:PORT]`: cfg addresses that are not on this host (the blog's
// 172.16.4.x) are rewritten, for listening sockets and destinations alike.
export interface AddressMapping { ip: string; port?: number }
export type AddressMap = Map<string, AddressMapping>;

export function parseMap(entries: readonly string[]): AddressMap | string {
  const map: AddressMap = new Map();
  for (const e of entries) {
    const m = /^([^=]+)=(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(e.trim());
    if (!m) return `--map takes FROM=TO[:PORT], not ${e}`;
    map.set(m[1]!, { ip: m[2]!.replace(/^\[|\]$/g, ''), ...(m[3] ? { port: Number(m[3]) } : {}) });
  }
  return map;
}

export function mapPeer(map: AddressMap | undefined, ip: string, port: number): { ip: string; port: number } {
  const m = map?.get(ip);
  return m ? { ip: m.ip, port: m.port ?? port } : { ip, port };
}
