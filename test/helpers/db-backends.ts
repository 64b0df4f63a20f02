// The same tests on every backend of the DB layer: SQLite always, PostgreSQL
// and MariaDB when installed (db-servers.ts skips loudly without them, and
// fails under CI=true). Each server starts once per test file (per
// `forEachBackend` call), and every test takes a new empty database in it, so
// tests stay independent without paying for a server each.
import { after, before, describe } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTables, DbError, openDb, type Db } from '../../src/db/index.js';
import { serverSkip, startMariadb, startPostgres, type DbServer } from './db-servers.js';

export type BackendKind = 'sqlite' | 'postgres' | 'mariadb';

export interface Backend {
  readonly kind: BackendKind;
  /** A new empty database holding `tables` from db create (with their version rows; none when empty): its URL and an open handle. */
  fresh(tables?: readonly string[]): { url: string; db: Db };
}

function mustOpen(url: string, create = false): Db {
  const db = openDb(url, undefined, { create });
  if (db instanceof DbError) throw new Error(db.message);
  return db;
}

/**
 * `describe(KIND: title)` for each backend, `body` given that backend.
 * `only` limits the backends (e.g. a test that needs SQLite's file).
 */
export function forEachBackend(
  title: string,
  body: (b: Backend) => void,
  only: readonly BackendKind[] = ['sqlite', 'postgres', 'mariadb'],
): void {
  // Both servers start together when the first suite begins (the SQLite one runs meanwhile): a file waits
  // for the slower start only.
  const starting = new Map<BackendKind, Promise<DbServer>>();
  const startAll = (): void => {
    for (const k of only) {
      if (k === 'sqlite' || starting.has(k) || serverSkip(k)) continue;
      const p = k === 'postgres' ? startPostgres() : startMariadb();
      p.catch(() => undefined); // awaited (and reported) by its suite
      starting.set(k, p);
    }
  };
  for (const kind of only) {
    const skip = kind === 'sqlite' ? false : serverSkip(kind);
    let server: DbServer | undefined;
    let admin: Db | undefined;
    let dir: string | undefined;
    let n = 0;
    const handles: Db[] = [];
    const backend: Backend = {
      kind,
      fresh(tables = []) {
        let url: string;
        if (kind === 'sqlite') {
          dir ??= mkdtempSync(join(tmpdir(), 'ots-dbb-'));
          url = `sqlite://${join(dir, `t${++n}.db`)}`;
        } else {
          if (!server || !admin) throw new Error(`${kind} is not running`);
          const name = `t${++n}`;
          // PostgreSQL: a role and its own schema (first on its default search_path "$user", public), far
          // cheaper than a database; MariaDB: a database (cheap there).
          const made =
            kind === 'postgres'
              ? admin.raw(`CREATE ROLE ${name} LOGIN PASSWORD 'pw'; CREATE SCHEMA ${name} AUTHORIZATION ${name}`)
              : admin.raw(`CREATE DATABASE ${name}`);
          if (made instanceof DbError) throw new Error(made.message);
          url =
            kind === 'postgres'
              ? `postgres://${name}:pw@${server.host}:${server.port}/opensips`
              : server.url.replace(/\/opensips$/, `/${name}`);
        }
        const db = mustOpen(url, kind === 'sqlite');
        handles.push(db);
        const r = tables.length ? createTables(db, tables) : undefined;
        if (r instanceof DbError) throw new Error(r.message);
        return { url, db };
      },
    };
    describe(`${kind}: ${title}`, { skip }, () => {
      before(async () => {
        startAll();
        if (kind === 'sqlite') return;
        server = await starting.get(kind)!;
        admin = mustOpen(
          kind === 'postgres'
            ? `postgres://postgres@${server.host}:${server.port}/opensips`
            : `mysql://root@${server.host}:${server.port}/opensips`,
        );
      });
      after(async () => {
        for (const db of handles) db.close();
        admin?.close();
        await server?.stop();
        if (dir) rmSync(dir, { recursive: true, force: true });
      });
      body(backend);
    });
  }
}

/** The OpenSIPS module a cfg loads for `url` (db_sqlite, db_postgres, db_mysql). */
export function dbModuleFor(url: string): string {
  return url.startsWith('postgres') ? 'db_postgres' : url.startsWith('mysql') ? 'db_mysql' : 'db_sqlite';
}
