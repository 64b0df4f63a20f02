// The core cache_* functions (cachedb.c's return codes: 1 done, -2 not
// found, -1 error) over the cachedb engine the storage id names: the one a
// loaded cachedb_* module registered for its scheme (script/cachedb.ts).
import type { ArgValue, FunctionBehaviour } from './module-contract.js';
import type { ExecContext } from './context.js';
import { cacheEngineOf } from './cachedb.js';

/** cache_fetch / cache_counter_fetch: -2 when absent or expired, -1 on an error or a value `out` refuses. */
function fetched(ctx: ExecContext, v: string | number | null | undefined, out: ArgValue | undefined): number {
  if (v === undefined) return -1;
  if (v === null) return -2;
  return out?.pv?.set(ctx, v) ? 1 : -1;
}

/** cache_add / cache_sub: the new value goes to `out`. */
function counter(
  ctx: ExecContext,
  id: string,
  key: string,
  delta: number,
  expire: number | undefined,
  out: ArgValue | undefined,
): number {
  const next = cacheEngineOf(ctx.runtime, id)?.add(ctx, id, key, delta, expire);
  if (next === undefined) return -1;
  out?.pv?.set(ctx, next);
  return 1;
}

export const CACHE_FUNCTIONS: Record<string, FunctionBehaviour> = {
  cache_store: {
    returns: [1, -1],
    impl: (ctx, [id, key, value, expire]) => {
      const s = id?.str ?? '';
      return cacheEngineOf(ctx.runtime, s)?.set(ctx, s, key?.str ?? '', value?.str ?? '', expire?.int) ?? -1;
    },
  },
  cache_fetch: {
    returns: [1, -1, -2],
    impl: (ctx, [id, key, out]) => {
      const s = id?.str ?? '';
      return fetched(ctx, cacheEngineOf(ctx.runtime, s)?.get(ctx, s, key?.str ?? ''), out);
    },
  },
  cache_counter_fetch: {
    returns: [1, -1, -2],
    impl: (ctx, [id, key, out]) => {
      const s = id?.str ?? '';
      return fetched(ctx, cacheEngineOf(ctx.runtime, s)?.getCounter(ctx, s, key?.str ?? ''), out);
    },
  },
  cache_remove: {
    returns: [1, -1],
    impl: (ctx, [id, key]) => {
      const s = id?.str ?? '';
      return cacheEngineOf(ctx.runtime, s)?.remove(ctx, s, key?.str ?? '') ?? -1;
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
  // Only engines with raw queries (Redis) answer; the others give -1 without a log line.
  cache_raw_query: {
    returns: [1, -1],
    impl: (ctx, [id, query, out]) => {
      const s = id?.str ?? '';
      const engine = cacheEngineOf(ctx.runtime, s, false);
      return engine?.rawQuery ? engine.rawQuery(ctx, s, query?.str ?? '', out) : -1;
    },
  },
};
