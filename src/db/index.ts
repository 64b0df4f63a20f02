// src/db: OpenSIPS's DB API over sqlite:// (embedded), mysql:// and postgres://.
export { Db, DbPool, openDb } from './db.js';
export {
  DbError,
  isDbError,
  dbText,
  type DbBackend,
  type DbLog,
  type DbOp,
  type DbQuery,
  type DbResult,
  type DbRow,
  type DbValue,
  type DbWhere,
  type Stmt,
} from './types.js';
export { maskDbUrl, parseDbUrl, type DbScheme, type DbUrl } from './url.js';
export { SqlDialect } from './sql.js';
export { RedisClient, type RedisReply, type RedisTarget } from './redis.js';
export { TABLES, createTables, ddlFor, checkTableVersion, tableVersion, type TableDef } from './schema.js';
