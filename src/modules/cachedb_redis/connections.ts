// cachedb_redis's connections: one per cachedb_url, by group, made at start-up
// and kept.
import { RedisClient, type RedisTarget } from '../../db/index.js';
import { serviceKey, stateOf } from '../../base/keys.js';
import type { Runtime } from '../../script/runtime.js';

const CONNECTIONS = serviceKey<Map<string, RedisClient | string>>('cachedb_redis:connections');

/** `redis:grp://u:p@h:6380/2` -> group "grp" and where to connect; a string says why not. */
export function parseRedisUrl(url: string): { group: string; target: RedisTarget } | string {
  const m = /^redis(?::([^:/]+))?:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?(\[[^\]]+\]|[^:/]+)(?::(\d+))?\/?(\d*)$/.exec(
    url.trim(),
  );
  if (!m) return `bad cachedb_url "${url}" (redis[:GROUP]://[[USER]:PASSWORD@]HOST[:PORT]/[DB])`;
  const target: RedisTarget = { host: m[4]!.replace(/^\[|\]$/g, ''), port: m[5] ? Number(m[5]) : 6379 };
  if (m[2]) target.user = decodeURIComponent(m[2]);
  if (m[3] !== undefined) target.password = decodeURIComponent(m[3]);
  if (m[6]) target.db = Number(m[6]);
  return { group: m[1] ?? '', target };
}

function masked(url: string): string {
  return url.replace(/(:\/\/[^:@/]*:)[^@/]*@/, '$1***@');
}

/** Connects every cachedb_url; the errors (URL masked) that must stop the start. */
export function connectRedis(rt: Runtime): string[] {
  const conns = stateOf(rt.services, CONNECTIONS, () => new Map<string, RedisClient | string>());
  const errors: string[] = [];
  for (const raw of rt.paramValues('cachedb_redis', 'cachedb_url')) {
    const url = String(raw);
    const p = parseRedisUrl(url);
    if (typeof p === 'string') {
      errors.push(p);
      continue;
    }
    if (conns.has(p.group)) continue;
    const client = new RedisClient(p.target, masked(url), (level, text) =>
      rt.logger.log(level, 'cachedb_redis', 'connection', text),
    );
    const err = client.connect();
    if (err) {
      client.close();
      conns.set(p.group, `cannot connect to ${masked(url)}: ${err}`);
      errors.push(`cannot connect to ${masked(url)}: ${err}`);
      continue;
    }
    conns.set(p.group, client);
  }
  return errors;
}

/** The connection behind storage id `redis[:GROUP]`, connecting on first use; a string when there is none. */
export function redisFor(rt: Runtime, id: string): RedisClient | string {
  const group = id === 'redis' ? '' : id.slice('redis:'.length);
  const conns = stateOf(rt.services, CONNECTIONS, () => new Map<string, RedisClient | string>());
  if (!conns.size) connectRedis(rt);
  return conns.get(group) ?? `no cachedb_url for "${id}"`;
}

export function closeRedis(rt: Runtime): void {
  const conns = rt.service(CONNECTIONS);
  for (const c of conns?.values() ?? []) if (typeof c !== 'string') c.close();
  conns?.clear();
}
