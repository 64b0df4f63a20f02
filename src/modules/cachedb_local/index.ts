// cachedb_local: in-memory key/value collections with expiry, used through
// the core cache_* functions with the storage id "local" (or
// "local:GROUP" for a cachedb_url `local:GROUP:///COLLECTION`). Values are
// strings; counters are integer strings (cache_add/cache_sub keep the
// stored expiry, as 3.3 does).
import type { Runtime } from '../../script/runtime.js';
import type { NativeModule } from '../types.js';

interface Entry { value: string; expiresMs: number }
type Collection = Map<string, Entry>;

export interface LocalCache {
  /** The collection behind a storage id's group ('' = the script's default connection). */
  collection(group: string): Collection | undefined;
}

function groupsFrom(urls: string[]): Map<string, string> {
  const groups = new Map<string, string>();
  for (const url of urls) {
    const m = /^local(?::([^:/]+))?:\/\/(?:\/(.+))?$/.exec(url.trim());
    if (m) groups.set(m[1] ?? '', m[2] ?? 'default');
  }
  if (!groups.size) groups.set('', 'default');
  return groups;
}

function cacheOf(rt: Runtime): LocalCache {
  let c = rt.services.get('cachedb_local') as LocalCache | undefined;
  if (c) return c;
  const url = rt.param('cachedb_local', 'cachedb_url');
  const groups = groupsFrom(url === undefined || url === null ? [] : [String(url)]);
  const collections = new Map<string, Collection>();
  c = {
    collection: (group) => {
      const name = groups.get(group);
      if (name === undefined) return undefined;
      let col = collections.get(name);
      if (!col) { col = new Map(); collections.set(name, col); }
      return col;
    },
  };
  rt.services.set('cachedb_local', c);
  return c;
}

/** The live entry for `key`, dropping it when expired. */
export function liveEntry(rt: Runtime, col: Collection, key: string): Entry | undefined {
  const e = col.get(key);
  if (e && e.expiresMs !== 0 && e.expiresMs <= rt.clock.now()) { col.delete(key); return undefined; }
  return e;
}

export function expiresAt(rt: Runtime, seconds: number | undefined): number {
  return seconds && seconds > 0 ? rt.clock.now() + seconds * 1000 : 0;
}

/** The collection a storage id names, or undefined (logged) when no cachedb engine or group answers to it. */
export function storageOf(rt: Runtime, id: string): Collection | undefined {
  const colon = id.indexOf(':');
  const engine = colon < 0 ? id : id.slice(0, colon);
  if (engine !== 'local' || !rt.modparams.has('cachedb_local')) {
    rt.logger.log(-1, 'core', 'cachedb', `Wrong argument <${id}> - no cachedb system with this name registered`);
    return undefined;
  }
  const col = cacheOf(rt).collection(colon < 0 ? '' : id.slice(colon + 1));
  if (!col) rt.logger.log(-1, 'core', 'cachedb', `failed to get connection for ${id}`);
  return col;
}

export const cachedbLocal: NativeModule = { name: 'cachedb_local', functions: {} };
