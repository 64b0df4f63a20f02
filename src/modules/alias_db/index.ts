// alias_db: alias_db_lookup(table[, flags]) replaces the R-URI by the user an
// alias maps to in the `dbaliases` table (any DB backend); alias_db_find(table,
// input, output[, flags]) writes it to a variable. Flags: `d` ignore the
// domain, `r` reverse (user -> alias). With append_branches every further row
// becomes a branch (or another value of the output AVP). As 3.3's alookup.c:
// 1 found, -1 not found or error.
import { DbError } from '../../db/index.js';
import type { ExecContext } from '../../script/context.js';
import { splitUri } from '../../script/uri-fields.js';
import { dbFor, dbUrlOf } from '../common/db.js';
import { numParam, sqlName, strParam } from '../common/params.js';
import type { ArgValue, NativeModule } from '../types.js';

/** The alias rows of `uri`'s user (and host) as sip:user@domain URIs; undefined on a DB error. */
function query(ctx: ExecContext, table: string, uri: string, flags: string): string[] | undefined {
  const rt = ctx.runtime;
  const u = splitUri(uri);
  if (!u) {
    rt.logger.log(-1, 'alias_db', 'alias_db_query', `failed to parse uri ${uri}`);
    return undefined;
  }
  const reverse = flags.includes('r');
  const userCol = sqlName(rt, 'alias_db', 'user_column', 'username');
  const domainCol = sqlName(rt, 'alias_db', 'domain_column', 'domain');
  const aliasUserCol = sqlName(rt, 'alias_db', 'alias_user_column', 'alias_username');
  const aliasDomainCol = sqlName(rt, 'alias_db', 'alias_domain_column', 'alias_domain');
  const keys = reverse ? [userCol, domainCol] : [aliasUserCol, aliasDomainCol];
  const cols = reverse ? [aliasUserCol, aliasDomainCol] : [userCol, domainCol];
  let host = u.host;
  const prefix = strParam(rt, 'alias_db', 'domain_prefix', '');
  if (prefix && prefix.length < host.length && host.toLowerCase().startsWith(prefix.toLowerCase()))
    host = host.slice(prefix.length);
  const noDomain = flags.includes('d');
  const db = dbFor(rt, dbUrlOf(rt, 'alias_db'));
  const rows =
    db instanceof DbError
      ? db
      : db.query(table, {
          keys: noDomain ? [keys[0]!] : keys,
          vals: noDomain ? [u.user ?? ''] : [u.user ?? '', host],
          cols,
        });
  if (rows instanceof DbError) {
    rt.logger.log(-1, 'alias_db', 'alias_db_query', `failed to query database: ${rows.message}`);
    return undefined;
  }
  if (!rows.length || rows[0]![cols[0]!] === null) return [];
  return rows.map((r) => `sip:${String(r[cols[0]!] ?? '')}@${String(r[cols[1]!] ?? '')}`);
}

function lookup(ctx: ExecContext, table: string, flags: string): number {
  const found = query(ctx, table, ctx.ruri, flags);
  if (!found?.length) return -1;
  ctx.ruri = found[0]!;
  if (numParam(ctx.runtime, 'alias_db', 'append_branches', 0)) {
    for (const uri of found.slice(1)) ctx.branches.push({ uri, du: null, flags: 0, q: 0, socket: null });
  }
  return 1;
}

function find(ctx: ExecContext, table: string, input: string, out: ArgValue | undefined, flags: string): number {
  const found = query(ctx, table, input, flags);
  if (!found?.length || !out?.pv) return -1;
  const all = numParam(ctx.runtime, 'alias_db', 'append_branches', 0) ? found : found.slice(0, 1);
  for (const uri of all) if (!out.pv.set(ctx, uri)) return -1;
  return 1;
}

export const aliasDb: NativeModule = {
  name: 'alias_db',
  functions: {
    alias_db_lookup: {
      returns: [1, -1],
      impl: (ctx, [table, flags]) => lookup(ctx, table?.str ?? 'dbaliases', flags?.str ?? ''),
    },
    alias_db_find: {
      returns: [1, -1],
      impl: (ctx, [table, input, out, flags]) =>
        find(ctx, table?.str ?? 'dbaliases', input?.str ?? '', out, flags?.str ?? ''),
    },
  },
};
