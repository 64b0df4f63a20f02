// One database connection as modules use it: OpenSIPS's db_func_t calls
// (query, insert, update, delete, replace, raw query, last inserted id,
// affected rows) over the backend the URL's scheme picks.
import { SqlDialect } from './sql.js';
import {
  DbError,
  type DbBackend,
  type DbLog,
  type DbQuery,
  type DbResult,
  type DbRow,
  type DbValue,
  type DbWhere,
  type Stmt,
} from './types.js';
import { maskDbUrl, parseDbUrl, type DbScheme } from './url.js';
import { SqliteBackend } from './sqlite.js';
import { RemoteBackend } from './remote.js';

export class Db {
  readonly sql: SqlDialect;
  private lastId: number | string | undefined;
  private lastAffected = 0;

  constructor(
    readonly url: string,
    readonly backend: DbBackend,
  ) {
    this.sql = new SqlDialect(backend.scheme);
  }

  get scheme(): DbScheme {
    return this.backend.scheme;
  }

  private note(r: DbResult | DbError): DbResult | DbError {
    if (!(r instanceof DbError)) {
      this.lastAffected = r.affected;
      if (r.insertId !== undefined) this.lastId = r.insertId;
    }
    return r;
  }

  private rows(r: DbResult | DbError): DbRow[] | DbError {
    return r instanceof DbError ? r : r.rows;
  }

  /** SELECT cols FROM table WHERE keys ops vals ORDER BY order (db_func_t.query). */
  query(table: string, q: DbQuery = {}): DbRow[] | DbError {
    return this.rows(this.exec(this.sql.query(table, q)));
  }

  insert(table: string, row: DbRow): DbResult | DbError {
    return this.exec(this.sql.insert(table, row));
  }

  update(table: string, where: Partial<DbWhere>, set: DbRow): DbResult | DbError {
    return this.exec(this.sql.update(table, where, set));
  }

  delete(table: string, where: Partial<DbWhere> = {}): DbResult | DbError {
    return this.exec(this.sql.delete(table, where));
  }

  /** Insert or overwrite the row with the same `keyCols`. */
  replace(table: string, row: DbRow, keyCols: readonly string[]): DbResult | DbError {
    return this.exec(this.sql.replace(table, row, keyCols));
  }

  /** A raw query in the backend's own SQL (db_func_t.raw_query); `?` placeholders become $n on PostgreSQL. */
  raw(text: string, params: readonly DbValue[] = []): DbResult | DbError {
    return this.exec(this.rawStmt(text, params));
  }

  rawStmt(text: string, params: readonly DbValue[] = []): Stmt {
    let n = 0;
    const t = this.scheme === 'postgres' && params.length ? text.replace(/\?/g, () => `$${++n}`) : text;
    return { text: t, params: [...params], kind: /^\s*(select|show|pragma|with)\b/i.test(text) ? 'rows' : 'run' };
  }

  exec(stmt: Stmt): DbResult | DbError {
    return this.note(this.backend.exec(stmt));
  }

  /** Statements in one transaction, waiting. */
  batch(stmts: readonly Stmt[]): DbResult | DbError {
    return stmts.length ? this.note(this.backend.batch(stmts)) : { rows: [], affected: 0 };
  }

  /** For timers: never blocks message processing. */
  execAsync(stmt: Stmt): Promise<DbResult | DbError> {
    return this.backend.execAsync(stmt);
  }

  batchAsync(stmts: readonly Stmt[]): Promise<DbResult | DbError> {
    return stmts.length ? this.backend.batchAsync(stmts) : Promise.resolve({ rows: [], affected: 0 });
  }

  /** db_func_t.last_inserted_id. */
  lastInsertId(): number | string | undefined {
    if (this.scheme === 'postgres') {
      const r = this.raw('SELECT lastval() AS id');
      return r instanceof DbError ? undefined : (r.rows[0]?.id as string | undefined);
    }
    return this.lastId;
  }

  /** db_func_t.affected_rows of the last statement. */
  affectedRows(): number {
    return this.lastAffected;
  }

  close(): void {
    this.backend.close();
  }
}

/**
 * Connects to `url`, waiting: the Db, or an error naming the URL (password
 * masked) and the driver's reason, which is why `run` refuses to start.
 * `create` makes a missing SQLite file (db create).
 */
export function openDb(url: string, log: DbLog = () => undefined, opts: { create?: boolean } = {}): Db | DbError {
  const parsed = parseDbUrl(url);
  if (typeof parsed === 'string') return new DbError(parsed);
  if (parsed.scheme === 'sqlite') {
    const b = SqliteBackend.open(parsed.database, opts.create);
    return b instanceof DbError ? new DbError(`cannot open ${maskDbUrl(url)}: ${b.message}`) : new Db(url, b);
  }
  const b = new RemoteBackend(parsed, log);
  const err = b.connect();
  if (err) {
    b.close();
    return new DbError(`cannot connect to ${maskDbUrl(url)}: ${err.message}`, true);
  }
  return new Db(url, b);
}

/** One connection per URL for a whole server (OpenSIPS shares a connection among modules with the same URL in a process). */
export class DbPool {
  private readonly open = new Map<string, Db>();
  constructor(private readonly log: DbLog = () => undefined) {}

  /** `create`: a missing SQLite file is made (usrloc's embedded default). */
  get(url: string, opts: { create?: boolean } = {}): Db | DbError {
    const key = url.trim();
    const have = this.open.get(key);
    if (have) return have;
    const db = openDb(key, this.log, opts);
    if (!(db instanceof DbError)) this.open.set(key, db);
    return db;
  }

  closeAll(): void {
    for (const db of this.open.values()) db.close();
    this.open.clear();
  }
}
