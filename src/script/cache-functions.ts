// The core cache_* functions (cachedb.c's return codes: 1 done, -2 not
// found, -1 error) over the cachedb engines opensips-ts has: cachedb_local
// and cachedb_redis (storage ids "redis" / "redis:GROUP").
import { expiresAt, liveEntry, storageOf } from '../modules/cachedb_local/index.js';
import { redisFor } from '../modules/cachedb_redis/index.js';
import type { RedisClient, RedisReply } from '../db/index.js';
import type { ArgValue, FunctionBehaviour } from './module-contract.js';
import type { ExecContext } from './context.js';

/** cache_add / cache_sub: a missing key starts at the delta with the given expiry; an existing one keeps its expiry. */
function counter(
  ctx: ExecContext,
  id: string,
  key: string,
  delta: number,
  expire: number | undefined,
  out: ArgValue | undefined,
): number {
  const col = storageOf(ctx.runtime, id);
  if (!col || !key) return -1;
  const e = liveEntry(ctx.runtime, col, key);
  let next = delta;
  if (e) {
    if (!/^-?\d+$/.test(e.value)) return -1;
    next = Number(e.value) + delta;
    e.value = String(next);
  } else {
    col.set(key, { value: String(next), expiresMs: expiresAt(ctx.runtime, expire) });
  }
  out?.pv?.set(ctx, next);
  return 1;
}

/** cache_fetch / cache_counter_fetch: -2 when absent or expired, -1 when the value is not what `read` accepts. */
function fetch(
  ctx: ExecContext,
  id: string,
  key: string,
  out: ArgValue | undefined,
  read: (v: string) => string | number | undefined,
): number {
  const col = storageOf(ctx.runtime, id);
  if (!col || !key) return -1;
  const e = liveEntry(ctx.runtime, col, key);
  if (!e) return -2;
  const v = read(e.value);
  return v !== undefined && out?.pv?.set(ctx, v) ? 1 : -1;
}

const isRedis = (id: string | undefined): boolean => id === 'redis' || !!id?.startsWith('redis:');

/** The Redis connection of the storage id, or undefined after logging why there is none. */
function redis(ctx: ExecContext, id: string, fn: string): RedisClient | undefined {
  const c = redisFor(ctx.runtime, id);
  if (typeof c === 'string') {
    ctx.runtime.logger.log(-1, 'core', fn, c);
    return undefined;
  }
  return c;
}

function redisFailed(ctx: ExecContext, fn: string, r: unknown): r is Error {
  if (!(r instanceof Error)) return false;
  ctx.runtime.logger.log(-1, 'cachedb_redis', fn, `redis query failed: ${r.message}`);
  return true;
}

/** cachedb_redis's versions (redis_set/get/remove/add/sub/raw_query). */
const REDIS: Record<string, (ctx: ExecContext, args: ArgValue[]) => number> = {
  cache_store: (ctx, [id, key, value, expire]) => {
    const c = redis(ctx, id!.str!, 'cache_store');
    if (!c || !key?.str) return -1;
    const r =
      expire?.int && expire.int > 0
        ? c.command('SET', key.str, value?.str ?? '', 'EX', expire.int)
        : c.command('SET', key.str, value?.str ?? '');
    return redisFailed(ctx, 'redis_set', r) ? -1 : 1;
  },
  cache_fetch: (ctx, [id, key, out]) => {
    const c = redis(ctx, id!.str!, 'cache_fetch');
    if (!c || !key?.str) return -1;
    const r = c.command('GET', key.str);
    if (redisFailed(ctx, 'redis_get', r)) return -1;
    if (r === null) return -2;
    return out?.pv?.set(ctx, String(r)) ? 1 : -1;
  },
  cache_counter_fetch: (ctx, [id, key, out]) => {
    const c = redis(ctx, id!.str!, 'cache_counter_fetch');
    if (!c || !key?.str) return -1;
    const r = c.command('GET', key.str);
    if (redisFailed(ctx, 'redis_get_counter', r)) return -1;
    if (r === null) return -2;
    return /^-?\d+$/.test(String(r)) && out?.pv?.set(ctx, Number(r)) ? 1 : -1;
  },
  cache_remove: (ctx, [id, key]) => {
    const c = redis(ctx, id!.str!, 'cache_remove');
    if (!c || !key?.str) return -1;
    return redisFailed(ctx, 'redis_remove', c.command('DEL', key.str)) ? -1 : 1;
  },
  cache_add: (ctx, [id, key, inc, expire, out]) =>
    redisCounter(ctx, id!.str!, key?.str ?? '', inc?.int ?? 0, expire?.int, out),
  cache_sub: (ctx, [id, key, dec, expire, out]) =>
    redisCounter(ctx, id!.str!, key?.str ?? '', -(dec?.int ?? 0), expire?.int, out),
  cache_raw_query: (ctx, [id, query, out]) => {
    const c = redis(ctx, id!.str!, 'cache_raw_query');
    const words = (query?.str ?? '').trim().split(/\s+/).filter(Boolean);
    if (!c || !words.length) return -1;
    const r = c.command(words[0]!, ...words.slice(1));
    if (redisFailed(ctx, 'redis_raw_query', r)) return -1;
    // The reply's values go to the first AVP of the list (a text such as "$avp(res)").
    const avp = /^\s*\$avp\(([^)]+)\)/.exec(out?.str ?? '')?.[1];
    if (avp) {
      const flat = (v: RedisReply): (string | number)[] => (Array.isArray(v) ? v.flatMap(flat) : v === null ? [] : [v]);
      for (const v of flat(r)) ctx.avpStack(avp).push(v);
    }
    return 1;
  },
};

/** INCRBY/DECRBY, and the expiry set when one is given (redis_add/redis_sub). */
function redisCounter(
  ctx: ExecContext,
  id: string,
  key: string,
  delta: number,
  expire: number | undefined,
  out: ArgValue | undefined,
): number {
  const c = redis(ctx, id, delta < 0 ? 'cache_sub' : 'cache_add');
  if (!c || !key) return -1;
  const r = c.command(delta < 0 ? 'DECRBY' : 'INCRBY', key, Math.abs(delta));
  if (redisFailed(ctx, 'redis_add', r)) return -1;
  if (expire && expire > 0 && redisFailed(ctx, 'redis_add', c.command('EXPIRE', key, expire))) return -1;
  out?.pv?.set(ctx, Number(r));
  return 1;
}

/** Redis storage ids go to cachedb_redis, the others to cachedb_local. */
function routed(name: string, local: FunctionBehaviour): FunctionBehaviour {
  const viaRedis = REDIS[name]!;
  return { ...local, impl: (ctx, args) => (isRedis(args[0]?.str) ? viaRedis(ctx, args) : local.impl!(ctx, args)) };
}

const LOCAL: Record<string, FunctionBehaviour> = {
  cache_store: {
    returns: [1, -1],
    impl: (ctx, [id, key, value, expire]) => {
      const col = storageOf(ctx.runtime, id?.str ?? '');
      if (!col || !key?.str) return -1;
      col.set(key.str, { value: value?.str ?? '', expiresMs: expiresAt(ctx.runtime, expire?.int) });
      return 1;
    },
  },
  cache_fetch: {
    returns: [1, -1, -2],
    impl: (ctx, [id, key, out]) => fetch(ctx, id?.str ?? '', key?.str ?? '', out, (v) => v),
  },
  cache_counter_fetch: {
    returns: [1, -1, -2],
    impl: (ctx, [id, key, out]) =>
      fetch(ctx, id?.str ?? '', key?.str ?? '', out, (v) => (/^-?\d+$/.test(v) ? Number(v) : undefined)),
  },
  cache_remove: {
    returns: [1, -1],
    impl: (ctx, [id, key]) => {
      const col = storageOf(ctx.runtime, id?.str ?? '');
      if (!col || !key?.str) return -1;
      col.delete(key.str);
      return 1;
    },
  },
  cache_add: {
    returns: [1, -1],
    impl: (ctx, [id, key, inc, expire, out]) =>
      counter(ctx, id?.str ?? '', key?.str ?? '', inc?.int ?? 0, expire?.int, out),
  },
  cache_sub: {
    returns: [1, -1],
    impl: (ctx, [id, key, dec, expire, out]) =>
      counter(ctx, id?.str ?? '', key?.str ?? '', -(dec?.int ?? 0), expire?.int, out),
  },
};

export const CACHE_FUNCTIONS: Record<string, FunctionBehaviour> = {
  ...Object.fromEntries(Object.entries(LOCAL).map(([n, b]) => [n, routed(n, b)])),
  // cachedb_local has no raw queries: Redis only.
  cache_raw_query: {
    returns: [1, -1],
    impl: (ctx, args) => (isRedis(args[0]?.str) ? REDIS.cache_raw_query!(ctx, args) : -1),
  },
};
