// The shape of OpenSIPS's DB API (db/db.h, db_func_t) as opensips-ts offers it
// to modules: query with keys/operators/values/columns/order, insert, update,
// delete, replace, raw query, last inserted id and affected rows. Every call
// answers a value or a DbError (never throws), so a module turns a lost
// connection into its own error code, as OpenSIPS's modules do.
import type { DbScheme } from './url.js';

export type DbValue = string | number | bigint | null | Uint8Array;
export type DbRow = Record<string, DbValue>;

/** OpenSIPS's db_op_t values (OP_EQ, OP_LT, ...) plus LIKE. */
export type DbOp = '=' | '<' | '>' | '<=' | '>=' | '!=' | '<>' | 'LIKE';

/** keys[i] ops[i] vals[i], ANDed (OpenSIPS's _k/_op/_v/_n). A null value with = / != means IS NULL / IS NOT NULL. */
export interface DbWhere {
  keys: readonly string[];
  ops?: readonly DbOp[];
  vals: readonly DbValue[];
}

export interface DbQuery extends Partial<DbWhere> {
  /** Columns to return (`_c`); all when absent. */
  cols?: readonly string[];
  /** ORDER BY column (`_o`); ` DESC` may follow the name. */
  order?: string;
  limit?: number;
}

/** One SQL statement with its parameters, in the dialect of the connection. */
export interface Stmt {
  text: string;
  params: DbValue[];
  /** 'rows' = a SELECT whose rows are wanted. */
  kind: 'rows' | 'run';
  /** Rows as arrays in column order (raw queries whose columns may repeat or be unnamed). */
  arrays?: boolean;
}

export interface DbResult {
  rows: DbRow[];
  /** The rows as arrays, for a statement with `arrays`. */
  arrays?: DbValue[][];
  affected: number;
  insertId?: number | string;
}

/** A failed call; `lost` = the connection is down (the layer is reconnecting). */
export class DbError {
  constructor(
    readonly message: string,
    readonly lost = false,
  ) {}
  toString(): string {
    return this.message;
  }
}

export function isDbError(v: unknown): v is DbError {
  return v instanceof DbError;
}

/** What a backend does: run statements, at once (the script waits) or later (timers). */
export interface DbBackend {
  readonly scheme: DbScheme;
  exec(stmt: Stmt): DbResult | DbError;
  /** All statements in one transaction. */
  batch(stmts: readonly Stmt[]): DbResult | DbError;
  execAsync(stmt: Stmt): Promise<DbResult | DbError>;
  batchAsync(stmts: readonly Stmt[]): Promise<DbResult | DbError>;
  close(): void;
}

/** Log a state change (connection lost, back) at an OpenSIPS log level. */
export type DbLog = (level: number, text: string) => void;

/**
 * A column's value as text. BLOB (MySQL) and BYTEA (PostgreSQL) columns come
 * back as bytes, decoded here as UTF-8; numbers and bigints as their digits;
 * NULL as ''.
 */
export function dbText(v: DbValue | undefined): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('utf8');
  return String(v);
}
