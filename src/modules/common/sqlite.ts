// SQLite databases named by a module's db_url (sqlite://PATH), opened once per
// runtime and kept for the process (better-sqlite3 is synchronous, which fits
// OpenSIPS's blocking DB calls in the script).
import Database from 'better-sqlite3';
import type { Runtime } from '../../script/runtime.js';
import { sqlitePath } from '../usrloc/sql.js';

/** The database at `url`, opened on first use; an Error (to log) when the URL is not sqlite:// or the file cannot be opened. */
export function sqliteFor(rt: Runtime, url: string, opts: { readonly: boolean }): Database.Database | Error {
  const path = sqlitePath(url);
  if (!path) return new Error(`not an SQLite URL (sqlite://PATH): ${url || '(none)'}`);
  const key = `sqlite:${opts.readonly ? 'ro' : 'rw'}:${path}`;
  const cached = rt.services.get(key) as Database.Database | undefined;
  if (cached) return cached;
  try {
    const db = new Database(path, { readonly: opts.readonly, fileMustExist: true });
    rt.services.set(key, db);
    return db;
  } catch (err) {
    return err as Error;
  }
}
