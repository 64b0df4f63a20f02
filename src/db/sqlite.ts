// db_sqlite: better-sqlite3 is synchronous, so the script's wait is the call
// itself. WAL with synchronous=NORMAL: a commit is durable against a process
// crash (kill -9) at once and against power loss at the next checkpoint, and
// costs no fsync per write (write-through at thousands of writes per second).
import Database from 'better-sqlite3';
import { DbError, type DbBackend, type DbResult, type DbValue, type Stmt } from './types.js';

function param(v: DbValue): unknown {
  return v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v) : v;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export class SqliteBackend implements DbBackend {
  readonly scheme = 'sqlite' as const;
  private readonly statements = new Map<string, Database.Statement>();

  private constructor(private readonly db: Database.Database) {}

  /** The file at `path`; `create` = make it when missing (db create), otherwise it must exist as OpenSIPS's db_sqlite wants. */
  static open(path: string, create = false): SqliteBackend | DbError {
    try {
      const db = new Database(path, { fileMustExist: !create });
      try {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
      } catch {
        /* read-only media: keep the defaults */
      }
      db.pragma('busy_timeout = 5000');
      return new SqliteBackend(db);
    } catch (err) {
      return new DbError((err as Error).message);
    }
  }

  private prepared(text: string): Database.Statement {
    let s = this.statements.get(text);
    if (!s) {
      s = this.db.prepare(text);
      if (this.statements.size > 500) this.statements.clear();
      this.statements.set(text, s);
    }
    return s;
  }

  private run(stmt: Stmt): DbResult {
    const s = this.prepared(stmt.text);
    const params = stmt.params.map(param);
    if (s.reader && stmt.arrays) {
      const arrays = s
        .safeIntegers(true)
        .raw(true)
        .all(...params) as DbValue[][];
      s.raw(false);
      for (const row of arrays)
        for (let i = 0; i < row.length; i++) {
          const v = row[i];
          if (typeof v === 'bigint') row[i] = v >= -MAX_SAFE && v <= MAX_SAFE ? Number(v) : v.toString();
        }
      return { rows: [], arrays, affected: 0 };
    }
    if (s.reader) {
      // 64-bit integers (usrloc's contact ids) come back exact: a number when safe, else a decimal string.
      const rows = s.safeIntegers(true).all(...params) as Record<string, DbValue>[];
      for (const row of rows)
        for (const k in row) {
          const v = row[k];
          if (typeof v === 'bigint') row[k] = v >= -MAX_SAFE && v <= MAX_SAFE ? Number(v) : v.toString();
        }
      return { rows, affected: 0 };
    }
    const r = s.run(...params);
    return {
      rows: [],
      affected: r.changes,
      insertId: typeof r.lastInsertRowid === 'bigint' ? r.lastInsertRowid.toString() : r.lastInsertRowid,
    };
  }

  exec(stmt: Stmt): DbResult | DbError {
    try {
      return this.run(stmt);
    } catch (err) {
      return new DbError((err as Error).message);
    }
  }

  batch(stmts: readonly Stmt[]): DbResult | DbError {
    try {
      let last: DbResult = { rows: [], affected: 0 };
      let affected = 0;
      this.db.transaction(() => {
        for (const s of stmts) {
          last = this.run(s);
          affected += last.affected;
        }
      })();
      return { ...last, affected };
    } catch (err) {
      return new DbError((err as Error).message);
    }
  }

  /** Several statements of one script (db create's DDL). */
  script(sql: string): DbError | undefined {
    try {
      this.db.exec(sql);
      return undefined;
    } catch (err) {
      return new DbError((err as Error).message);
    }
  }

  execAsync(stmt: Stmt): Promise<DbResult | DbError> {
    return Promise.resolve(this.exec(stmt));
  }

  batchAsync(stmts: readonly Stmt[]): Promise<DbResult | DbError> {
    return Promise.resolve(this.batch(stmts));
  }

  close(): void {
    try {
      this.db.close();
    } catch {
      /* already closed */
    }
  }
}
