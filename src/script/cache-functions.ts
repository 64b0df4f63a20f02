// The core cache_* functions (cachedb.c's return codes: 1 done, -2 not
// found, -1 error) over the cachedb engines opensips-ts has: cachedb_local.
import { expiresAt, liveEntry, storageOf } from '../modules/cachedb_local/index.js';
import type { ArgValue, FunctionBehaviour } from '../modules/types.js';
import type { ExecContext } from './context.js';

/** cache_add / cache_sub: a missing key starts at the delta with the given expiry; an existing one keeps its expiry. */
function counter(ctx: ExecContext, id: string, key: string, delta: number, expire: number | undefined, out: ArgValue | undefined): number {
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
function fetch(ctx: ExecContext, id: string, key: string, out: ArgValue | undefined, read: (v: string) => string | number | undefined): number {
  const col = storageOf(ctx.runtime, id);
  if (!col || !key) return -1;
  const e = liveEntry(ctx.runtime, col, key);
  if (!e) return -2;
  const v = read(e.value);
  return v !== undefined && out?.pv?.set(ctx, v) ? 1 : -1;
}

export const CACHE_FUNCTIONS: Record<string, FunctionBehaviour> = {
  cache_store: {
    returns: [1, -1],
    impl: (ctx, [id, key, value, expire]) => {
      const col = storageOf(ctx.runtime, id?.str ?? '');
      if (!col || !key?.str) return -1;
      col.set(key.str, { value: value?.str ?? '', expiresMs: expiresAt(ctx.runtime, expire?.int) });
      return 1;
    },
  },
  cache_fetch: { returns: [1, -1, -2], impl: (ctx, [id, key, out]) => fetch(ctx, id?.str ?? '', key?.str ?? '', out, (v) => v) },
  cache_counter_fetch: { returns: [1, -1, -2], impl: (ctx, [id, key, out]) => fetch(ctx, id?.str ?? '', key?.str ?? '', out, (v) => (/^-?\d+$/.test(v) ? Number(v) : undefined)) },
  cache_remove: {
    returns: [1, -1],
    impl: (ctx, [id, key]) => {
      const col = storageOf(ctx.runtime, id?.str ?? '');
      if (!col || !key?.str) return -1;
      col.delete(key.str);
      return 1;
    },
  },
  cache_add: { returns: [1, -1], impl: (ctx, [id, key, inc, expire, out]) => counter(ctx, id?.str ?? '', key?.str ?? '', inc?.int ?? 0, expire?.int, out) },
  cache_sub: { returns: [1, -1], impl: (ctx, [id, key, dec, expire, out]) => counter(ctx, id?.str ?? '', key?.str ?? '', -(dec?.int ?? 0), expire?.int, out) },
};
