// cachedb_local: in-memory key/value collections with expiry, used through
// the core cache_* functions with the storage id "local" (or
// "local:GROUP" for a cachedb_url `local:GROUP:///COLLECTION`), its engine
// registered at init. Values are strings; counters are integer strings
// (cache_add/cache_sub keep the stored expiry, as 3.3 does).
import type { Runtime } from '../../script/runtime.js';
import type { NativeModule } from '../types.js';
import { globRegex } from '../../script/regex.js';
import { serviceKey } from '../../base/keys.js';
import { registerCacheEngine, type CacheEngine } from '../../script/cachedb.js';

interface Entry {
  value: string;
  expiresMs: number;
}
type Collection = Map<string, Entry>;

export interface LocalCache {
  /** The collection behind a storage id's group ('' = the script's default connection). */
  collection(group: string): Collection | undefined;
  /** A collection by its own name (undefined: the default one); undefined when none is defined so. */
  named(name: string | undefined): Collection | undefined;
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

const CACHE = serviceKey<LocalCache>('cachedb_local');

function cacheOf(rt: Runtime): LocalCache {
  return rt.service(CACHE, () => openCache(rt));
}

function openCache(rt: Runtime): LocalCache {
  const url = rt.param('cachedb_local', 'cachedb_url');
  const groups = groupsFrom(url === undefined || url === null ? [] : [String(url)]);
  const collections = new Map<string, Collection>();
  const open = (name: string): Collection => {
    let col = collections.get(name);
    if (!col) {
      col = new Map();
      collections.set(name, col);
    }
    return col;
  };
  return {
    collection: (group) => {
      const name = groups.get(group);
      return name === undefined ? undefined : open(name);
    },
    named: (name) => {
      const wanted = name ?? groups.get('') ?? [...groups.values()][0]!;
      return [...groups.values()].includes(wanted) ? open(wanted) : undefined;
    },
  };
}

/** The live entry for `key`, dropping it when expired. */
function liveEntry(rt: Runtime, col: Collection, key: string): Entry | undefined {
  const e = col.get(key);
  if (e && e.expiresMs !== 0 && e.expiresMs <= rt.clock.now()) {
    col.delete(key);
    return undefined;
  }
  return e;
}

function expiresAt(rt: Runtime, seconds: number | undefined): number {
  return seconds && seconds > 0 ? rt.clock.now() + seconds * 1000 : 0;
}

/** The collection of storage id `local[:GROUP]`, or undefined (logged) when no cachedb_url defines the group. */
function storageOf(rt: Runtime, id: string): Collection | undefined {
  const colon = id.indexOf(':');
  const col = cacheOf(rt).collection(colon < 0 ? '' : id.slice(colon + 1));
  if (!col) rt.logger.log(-1, 'core', 'cachedb', `failed to get connection for ${id}`);
  return col;
}

/** The stored value of a live key: undefined when the storage or the key is missing, null when the key is absent. */
function liveValue(rt: Runtime, id: string, key: string): string | null | undefined {
  const col = storageOf(rt, id);
  if (!col || !key) return undefined;
  return liveEntry(rt, col, key)?.value ?? null;
}

/** The engine behind storage ids "local" and "local:GROUP" (cachedb_local's cachedb_funcs). */
const LOCAL_ENGINE: CacheEngine = {
  set: (ctx, id, key, value, expire) => {
    const col = storageOf(ctx.runtime, id);
    if (!col || !key) return -1;
    col.set(key, { value, expiresMs: expiresAt(ctx.runtime, expire) });
    return 1;
  },
  get: (ctx, id, key) => liveValue(ctx.runtime, id, key),
  getCounter: (ctx, id, key) => {
    const v = liveValue(ctx.runtime, id, key);
    if (typeof v !== 'string') return v;
    return /^-?\d+$/.test(v) ? Number(v) : undefined;
  },
  remove: (ctx, id, key) => {
    const col = storageOf(ctx.runtime, id);
    if (!col || !key) return -1;
    col.delete(key);
    return 1;
  },
  // A missing key starts at the delta with the given expiry; an existing one keeps its expiry.
  add: (ctx, id, key, delta, expire) => {
    const col = storageOf(ctx.runtime, id);
    if (!col || !key) return undefined;
    const e = liveEntry(ctx.runtime, col, key);
    if (!e) {
      col.set(key, { value: String(delta), expiresMs: expiresAt(ctx.runtime, expire) });
      return delta;
    }
    if (!/^-?\d+$/.test(e.value)) return undefined;
    const next = Number(e.value) + delta;
    e.value = String(next);
    return next;
  },
};

/** cache_remove_chunk([collection,] glob): every key matching the fnmatch() glob goes; 1, or -1 for an unknown collection. */
function removeChunk(rt: Runtime, collection: string | undefined, glob: string): number {
  const col = cacheOf(rt).named(collection);
  if (!col) {
    rt.logger.log(-1, 'cachedb_local', 'remove_chunk_f', `collection <${collection}> not defined!`);
    return -1;
  }
  const re = globRegex(glob, false);
  for (const key of [...col.keys()]) if (re.test(key)) col.delete(key);
  return 1;
}

export const cachedbLocal: NativeModule = {
  name: 'cachedb_local',
  init: (rt) => registerCacheEngine(rt, 'local', LOCAL_ENGINE),
  functions: {
    // The collection comes first and is optional: with one argument, that one is the glob.
    cache_remove_chunk: {
      returns: [1, -1],
      impl: (ctx, [a, b]) =>
        b?.given ? removeChunk(ctx.runtime, a?.str, b.str ?? '') : removeChunk(ctx.runtime, undefined, a?.str ?? ''),
    },
  },
};
