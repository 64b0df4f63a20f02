// The cachedb engines the core cache_* functions dispatch to (OpenSIPS's
// cachedb/cachedb.c: each cachedb_* module registers its engine at start-up
// under the URL scheme it serves, and a storage id "SCHEME[:GROUP]" picks the
// engine by its scheme). The script layer defines the interface; the modules
// fill it, so the core functions know no module.
import { serviceKey } from '../base/keys.js';
import type { ExecContext } from './context.js';
import type { ArgValue } from './module-contract.js';
import type { Runtime } from './runtime.js';

/**
 * One engine's operations (cachedb_funcs). `id` is the whole storage id (the
 * engine reads its group from it); an engine logs its own failures. Results:
 * undefined = error (-1), null = no such key (-2).
 */
export interface CacheEngine {
  /** cache_store: 1, or -1. */
  set(ctx: ExecContext, id: string, key: string, value: string, expire: number | undefined): number;
  /** cache_fetch. */
  get(ctx: ExecContext, id: string, key: string): string | null | undefined;
  /** cache_counter_fetch: undefined also when the stored value is not an integer. */
  getCounter(ctx: ExecContext, id: string, key: string): number | null | undefined;
  /** cache_remove: 1, or -1. */
  remove(ctx: ExecContext, id: string, key: string): number;
  /** cache_add (delta > 0) and cache_sub (delta < 0): the new value. */
  add(ctx: ExecContext, id: string, key: string, delta: number, expire: number | undefined): number | undefined;
  /** cache_raw_query, for engines that have one: 1, or -1. */
  rawQuery?(ctx: ExecContext, id: string, query: string, out: ArgValue | undefined): number;
}

const ENGINES = serviceKey<Map<string, CacheEngine>>('cachedb:engines');

/** A cachedb module's init: storage ids `scheme` and `scheme:GROUP` go to `engine`. */
export function registerCacheEngine(rt: Runtime, scheme: string, engine: CacheEngine): void {
  rt.service(ENGINES, () => new Map<string, CacheEngine>()).set(scheme, engine);
}

/** The engine a storage id names; undefined (logged when `log`) when no loaded module serves its scheme. */
export function cacheEngineOf(rt: Runtime, id: string, log = true): CacheEngine | undefined {
  const colon = id.indexOf(':');
  const engine = rt.service(ENGINES)?.get(colon < 0 ? id : id.slice(0, colon));
  if (!engine && log)
    rt.logger.log(-1, 'core', 'cachedb', `Wrong argument <${id}> - no cachedb system with this name registered`);
  return engine;
}
