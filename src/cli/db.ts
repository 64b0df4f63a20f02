// `opensips-ts db create URL [--tables t1,t2]`: OpenSIPS 3.3's standard tables
// (and the `version` rows its modules check) on SQLite, MySQL/MariaDB or
// PostgreSQL, like `opensips-cli -x database create`. Existing tables are kept.
import { createTables, DbError, maskDbUrl, openDb, TABLES } from '../db/index.js';
import { EXIT, type Io } from './io.js';

export function runDb(args: string[], tables: string | undefined, io: Io): number {
  const [sub, url, ...extra] = args;
  if (sub !== 'create' || !url || extra.length) {
    io.err(
      `opensips-ts: usage: opensips-ts db create URL [--tables ${TABLES.filter((t) => t.name !== 'version')
        .map((t) => t.name)
        .join(',')}]`,
    );
    return EXIT.usage;
  }
  const names = (tables ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const db = openDb(url, (_l, text) => io.err(`opensips-ts: ${text}`), { create: true });
  if (db instanceof DbError) {
    io.err(`opensips-ts: ${db.message}`);
    return EXIT.errors;
  }
  try {
    const r = createTables(db, names);
    if (r instanceof DbError) {
      io.err(`opensips-ts: ${maskDbUrl(url)}: ${r.message}`);
      return EXIT.errors;
    }
    for (const t of r.created) io.out(`created ${t} (version ${TABLES.find((d) => d.name === t)!.version})`);
    for (const t of r.kept) io.out(`kept ${t} (exists)`);
    return EXIT.ok;
  } finally {
    db.close();
  }
}
