// cachedb_redis: the core cache_* functions on a real Redis server, so that
// several opensips-ts nodes share keys and counters. cachedb_url in 3.3's
// syntax, one per connection: `redis[:GROUP]://[[USER]:PASSWORD@]HOST[:PORT]/[DB]`;
// the script names a connection by the storage id "redis" or "redis:GROUP".
// Connections are made at start-up (an unreachable server stops `run`, as
// OpenSIPS refuses to start) and kept; a lost server makes the calls fail (-1)
// while the client reconnects.
import type { NativeModule } from '../types.js';
import { registerCacheEngine } from '../../script/cachedb.js';
import { REDIS_ENGINE } from './engine.js';

export { closeRedis, connectRedis, parseRedisUrl, redisFor } from './connections.js';

export const cachedbRedis: NativeModule = {
  name: 'cachedb_redis',
  functions: {},
  init: (rt) => registerCacheEngine(rt, 'redis', REDIS_ENGINE),
};
