// avp_db_query(query[, dest[, db_id]]) on any backend of the DB layer: the raw query's rows go
// to the destination AVPs (or $avp(1), $avp(2)... by column), the first row
// ending up newest; NULL becomes "<null>"; 1 with rows, -2 without any (a
// statement that returns no rows, as DML through db_mysql), -1 on error.
import type { ExecContext } from '../../script/context.js';
import type { Runtime } from '../../script/runtime.js';
import type { Val } from '../../script/values.js';
import { DbError } from '../../db/index.js';
import { dbFor } from '../common/db.js';
import { pvRef, type PvRef } from './params.js';
import type { PvLookup } from '../../script/pv.js';

/** The module's db_url values by id ("[<id> ]<url>", id 0 when absent); the core db_default_url as id 0 when none. */
export function dbUrls(rt: Runtime, defaultUrl: string | undefined): Map<number, string> {
  const out = new Map<number, string>();
  const raw = rt.param('avpops', 'db_url');
  for (const text of raw === undefined ? [] : [String(raw)]) {
    const m = /^\s*(\d+)\s+(.+)$/.exec(text);
    out.set(m ? Number(m[1]) : 0, (m ? m[2]! : text).trim());
  }
  if (!out.size && defaultUrl) out.set(0, defaultUrl);
  return out;
}

/** The destination list: $avp specs separated by blanks, commas or semicolons. */
export function destinations(text: string, lookup: PvLookup): PvRef[] | string {
  const out: PvRef[] = [];
  for (const item of text.split(/[\s,;]+/).filter(Boolean)) {
    const r = pvRef(item, lookup);
    if (typeof r === 'string') return r;
    if (!r.isAvp) return `wrong item name list: ${item} is not an AVP`;
    out.push(r);
  }
  return out;
}

function cell(v: unknown): Val | undefined {
  if (v === null || v === undefined) return '<null>';
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint') return Number(BigInt.asIntN(32, v));
  if (typeof v === 'number') return Number.isInteger(v) ? v | 0 : v.toFixed(8);
  if (Buffer.isBuffer(v)) return v.toString('latin1');
  return undefined;
}

export function dbQuery(
  ctx: ExecContext,
  query: string,
  dest: PvRef[] | undefined,
  dbId: number | undefined,
  defaultUrl: string | undefined,
): number {
  const rt = ctx.runtime;
  const urls = dbUrls(rt, defaultUrl);
  const id = dbId ?? (urls.has(0) ? 0 : [...urls.keys()][0]);
  const url = id === undefined ? undefined : urls.get(id);
  const fail = (why: string): number => {
    rt.logger.log(
      -1,
      'avpops',
      'ops_dbquery_avps',
      `raw_query failed: db${id ?? 0}() ${query.slice(0, 40)}...: ${why}`,
    );
    return -1;
  };
  if (url === undefined) return fail(`no db_url with id ${id ?? 0}`);
  const db = dbFor(rt, url);
  if (db instanceof DbError) return fail(db.message);
  const stmt = { ...db.rawStmt(query), arrays: true };
  const res = db.exec(stmt);
  if (res instanceof DbError) return fail(res.message);
  if (!res.arrays) return -2;
  const rows: unknown[][] = res.arrays;
  if (!rows.length || !rows[0]!.length) return -2;
  for (let r = rows.length - 1; r >= 0; r--) {
    const row = rows[r]!;
    for (let c = 0; c < row.length; c++) {
      if (dest && c >= dest.length) break;
      const name = dest ? dest[c]!.avpName(ctx) : String(c + 1);
      if (name === undefined) {
        rt.logger.log(-1, 'avpops', 'db_query_avp_print_results', `cant get avp name [${r}/${c}]`);
        continue;
      }
      const v = cell(row[c]);
      if (v === undefined) {
        rt.logger.log(1, 'avpops', 'db_query_avp_print_results', 'Unknown type');
        continue;
      }
      ctx.avpStack(name).push(v);
    }
  }
  return 1;
}
