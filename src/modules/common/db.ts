// The server's database connections: one per URL, shared by the modules that
// name it (as OpenSIPS shares a connection per URL in a process), with state
// changes (lost, re-established) logged once each.
import { DbPool, type Db, type DbError } from '../../db/index.js';
import { serviceKey, stateOf } from '../../base/keys.js';
import type { Runtime } from '../../script/runtime.js';

export const DB_POOL = serviceKey<DbPool>('db:pool');

export function dbPoolOf(rt: Runtime): DbPool {
  return stateOf(
    rt.services,
    DB_POOL,
    () => new DbPool((level, text) => rt.logger.log(level, 'db', 'connection', text)),
  );
}

/** The connection for `url`, opened (and waited for) on first use; a DbError when it cannot be opened. */
export function dbFor(rt: Runtime, url: string, opts: { create?: boolean } = {}): Db | DbError {
  return dbPoolOf(rt).get(url, opts);
}

/** A module's db_url, else the cfg's db_default_url (what OpenSIPS falls back to). */
export function dbUrlOf(rt: Runtime, module: string, param = 'db_url'): string {
  const own = rt.param(module, param);
  if (typeof own === 'string' && own.trim()) return own.trim();
  return rt.dbDefaultUrl ?? '';
}
