// cachedb_redis's engine for the core cache_* functions (redis_set/get/remove/
// add/sub/raw_query): storage ids "redis" and "redis:GROUP".
import type { RedisClient, RedisReply } from '../../db/index.js';
import type { CacheEngine } from '../../script/cachedb.js';
import type { ExecContext } from '../../script/context.js';
import { redisFor } from './connections.js';

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

export const REDIS_ENGINE: CacheEngine = {
  set: (ctx, id, key, value, expire) => {
    const c = redis(ctx, id, 'cache_store');
    if (!c || !key) return -1;
    const r = expire && expire > 0 ? c.command('SET', key, value, 'EX', expire) : c.command('SET', key, value);
    return redisFailed(ctx, 'redis_set', r) ? -1 : 1;
  },
  get: (ctx, id, key) => {
    const c = redis(ctx, id, 'cache_fetch');
    if (!c || !key) return undefined;
    const r = c.command('GET', key);
    if (redisFailed(ctx, 'redis_get', r)) return undefined;
    return r === null ? null : String(r);
  },
  getCounter: (ctx, id, key) => {
    const c = redis(ctx, id, 'cache_counter_fetch');
    if (!c || !key) return undefined;
    const r = c.command('GET', key);
    if (redisFailed(ctx, 'redis_get_counter', r)) return undefined;
    if (r === null) return null;
    return /^-?\d+$/.test(String(r)) ? Number(r) : undefined;
  },
  remove: (ctx, id, key) => {
    const c = redis(ctx, id, 'cache_remove');
    if (!c || !key) return -1;
    return redisFailed(ctx, 'redis_remove', c.command('DEL', key)) ? -1 : 1;
  },
  // INCRBY/DECRBY, and the expiry set when one is given (redis_add/redis_sub).
  add: (ctx, id, key, delta, expire) => {
    const c = redis(ctx, id, delta < 0 ? 'cache_sub' : 'cache_add');
    if (!c || !key) return undefined;
    const r = c.command(delta < 0 ? 'DECRBY' : 'INCRBY', key, Math.abs(delta));
    if (redisFailed(ctx, 'redis_add', r)) return undefined;
    if (expire && expire > 0 && redisFailed(ctx, 'redis_add', c.command('EXPIRE', key, expire))) return undefined;
    return Number(r);
  },
  rawQuery: (ctx, id, query, out) => {
    const c = redis(ctx, id, 'cache_raw_query');
    const words = query.trim().split(/\s+/).filter(Boolean);
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
