// avp_db_load / avp_db_store / avp_db_delete: AVPs kept per user in the
// usr_preferences table (avp_table) on any DB backend, as 3.3's
// avpops_impl.c: the source is a pseudo-variable or a string with an optional
// /username, /domain, /uri or /uuid (implicit: uri for $ru, $fu, $tu, $ou,
// uuid otherwise); the name is $avp(name) (or a/A/s/S/i/I for every
// attribute) with an optional /table. The domain takes part only with
// use_domain or /domain. Values of type 1 (AVPOPS_DB_VAL_INT) load as numbers.
import { DbError } from '../../db/index.js';
import type { ExecContext } from '../../script/context.js';
import type { PvLookup } from '../../script/pv.js';
import type { Val } from '../../script/values.js';
import { splitUri } from '../../script/uri-fields.js';
import { dbFor } from '../common/db.js';
import { numParam, sqlName, strParam } from '../common/params.js';
import { dbUrls } from './db.js';
import { pvRef, type PvRef } from './params.js';

const VAL_INT = 1;
const URI_PVS = new Set(['$ru', '$fu', '$tu', '$ou']);

export interface DbSource {
  ref?: PvRef;
  text?: string;
  part: 'username' | 'domain' | 'uri' | 'uuid';
}
export interface DbName {
  avp?: PvRef;
  table?: string;
}

/** source = (pvar|str_value)['/'('username'|'domain'|'uri'|'uuid')] */
export function parseSource(text: string, lookup: PvLookup): DbSource | string {
  const m = /^(.*?)(?:\/(username|domain|uri|uuid))?$/i.exec(text.trim())!;
  const base = m[1]!;
  const part = m[2]?.toLowerCase() as DbSource['part'] | undefined;
  if (base.startsWith('$')) {
    const ref = pvRef(base, lookup);
    if (typeof ref === 'string') return ref;
    return { ref, part: part ?? (URI_PVS.has(base) ? 'uri' : 'uuid') };
  }
  if (!base) return 'empty source';
  return { text: base, part: part ?? 'uuid' };
}

/** name = ($avp(name)|a|A|s|S|i|I)['/'table] */
export function parseName(text: string, lookup: PvLookup): DbName | string {
  const slash = text.lastIndexOf('/');
  const main = (slash > 0 ? text.slice(0, slash) : text).trim();
  const table = slash > 0 ? text.slice(slash + 1).trim() : undefined;
  if (table?.startsWith('$')) return 'db_scheme tables are not supported by opensips-ts';
  if (/^[aAsSiI]$/.test(main)) return table ? { table } : {};
  const ref = pvRef(main, lookup);
  if (typeof ref === 'string') return ref;
  if (!ref.isAvp) return `expected $avp(name) or a/s/i: ${main}`;
  return table ? { avp: ref, table } : { avp: ref };
}

/** The WHERE of a source: uuid, or username (and domain). */
function keysOf(ctx: ExecContext, src: DbSource, fn: string): { keys: string[]; vals: string[] } | undefined {
  const rt = ctx.runtime;
  const value = src.ref ? src.ref.get(ctx) : src.text!;
  if (value === null || value === undefined || value === '') {
    rt.logger.log(-1, 'avpops', fn, 'no value for first param');
    return undefined;
  }
  const text = String(value);
  if (src.part === 'uuid') return { keys: [sqlName(rt, 'avpops', 'uuid_column', 'uuid')], vals: [text] };
  const u = splitUri(text);
  if (!u) {
    rt.logger.log(-1, 'avpops', fn, 'failed to parse uri');
    return undefined;
  }
  const keys: string[] = [];
  const vals: string[] = [];
  if (src.part !== 'domain') {
    if (!u.user) {
      rt.logger.log(-1, 'avpops', fn, `incomplet uri <${text}> missing user`);
      return undefined;
    }
    keys.push(sqlName(rt, 'avpops', 'username_column', 'username'));
    vals.push(u.user);
  }
  if (src.part === 'domain' || numParam(rt, 'avpops', 'use_domain', 0)) {
    keys.push(sqlName(rt, 'avpops', 'domain_column', 'domain'));
    vals.push(u.host);
  }
  return { keys, vals };
}

function dbOf(ctx: ExecContext, dbId: number | undefined, fn: string) {
  const urls = dbUrls(ctx.runtime, ctx.runtime.dbDefaultUrl);
  const url = urls.get(dbId ?? 0) ?? (dbId === undefined ? [...urls.values()][0] : undefined);
  if (!url) {
    ctx.runtime.logger.log(-1, 'avpops', fn, `no db_url with id ${dbId ?? 0}`);
    return undefined;
  }
  const db = dbFor(ctx.runtime, url);
  if (db instanceof DbError) {
    ctx.runtime.logger.log(-1, 'avpops', fn, db.message);
    return undefined;
  }
  return db;
}

const tableOf = (ctx: ExecContext, name: DbName): string =>
  name.table ?? strParam(ctx.runtime, 'avpops', 'avp_table', 'usr_preferences');

export function dbLoad(
  ctx: ExecContext,
  src: DbSource,
  name: DbName,
  dbId: number | undefined,
  prefix: string,
): number {
  const rt = ctx.runtime;
  const where = keysOf(ctx, src, 'ops_dbload_avps');
  const db = where && dbOf(ctx, dbId, 'ops_dbload_avps');
  if (!where || !db) return -1;
  const attrCol = sqlName(rt, 'avpops', 'attribute_column', 'attribute');
  const valueCol = sqlName(rt, 'avpops', 'value_column', 'value');
  const typeCol = sqlName(rt, 'avpops', 'type_column', 'type');
  const attr = name.avp?.avpName(ctx);
  if (name.avp && attr === undefined) return -1;
  const rows = db.query(tableOf(ctx, name), {
    keys: attr === undefined ? where.keys : [...where.keys, attrCol],
    vals: attr === undefined ? where.vals : [...where.vals, attr],
    cols: [valueCol, attrCol, typeCol],
  });
  if (rows instanceof DbError) {
    rt.logger.log(-1, 'avpops', 'ops_dbload_avps', `db_load failed: ${rows.message}`);
    return -1;
  }
  let n = 0;
  for (const r of rows) {
    if (r[valueCol] === null || r[valueCol] === undefined) continue;
    const type = Number(r[typeCol] ?? 0);
    const raw = String(r[valueCol]);
    let v: Val = raw;
    if (type & VAL_INT) {
      if (!/^-?\d+$/.test(raw)) continue;
      v = Number(raw);
    }
    ctx.avpStack(`${prefix}${attr ?? String(r[attrCol])}`).push(v);
    n++;
  }
  return n ? 1 : -1;
}

export function dbStore(ctx: ExecContext, src: DbSource, name: DbName, dbId: number | undefined): number {
  const rt = ctx.runtime;
  const where = keysOf(ctx, src, 'ops_dbstore_avps');
  const db = where && dbOf(ctx, dbId, 'ops_dbstore_avps');
  const attr = name.avp?.avpName(ctx);
  if (!where || !db || attr === undefined) return -1;
  const values = ctx.avps.get(attr) ?? [];
  let n = 0;
  // Oldest first, so that a later load stacks them back in the same order.
  for (const v of values) {
    const row: Record<string, string | number> = Object.fromEntries(where.keys.map((k, i) => [k, where.vals[i]!]));
    row[sqlName(rt, 'avpops', 'attribute_column', 'attribute')] = attr;
    row[sqlName(rt, 'avpops', 'type_column', 'type')] = typeof v === 'number' ? VAL_INT : 0;
    row[sqlName(rt, 'avpops', 'value_column', 'value')] = String(v);
    const r = db.insert(tableOf(ctx, name), row);
    if (r instanceof DbError) {
      rt.logger.log(-1, 'avpops', 'ops_dbstore_avps', `db_store failed: ${r.message}`);
      return -1;
    }
    n++;
  }
  return n ? 1 : -1;
}

export function dbDelete(ctx: ExecContext, src: DbSource, name: DbName, dbId: number | undefined): number {
  const rt = ctx.runtime;
  const where = keysOf(ctx, src, 'ops_dbdelete_avps');
  const db = where && dbOf(ctx, dbId, 'ops_dbdelete_avps');
  if (!where || !db) return -1;
  const attr = name.avp?.avpName(ctx);
  if (name.avp && attr === undefined) return -1;
  const attrCol = sqlName(rt, 'avpops', 'attribute_column', 'attribute');
  const r = db.delete(tableOf(ctx, name), {
    keys: attr === undefined ? where.keys : [...where.keys, attrCol],
    vals: attr === undefined ? where.vals : [...where.vals, attr],
  });
  if (r instanceof DbError) {
    rt.logger.log(-1, 'avpops', 'ops_dbdelete_avps', `db_delete failed: ${r.message}`);
    return -1;
  }
  return 1;
}
