// speeddial: sd_lookup(table[, owner]) - the R-URI's user is a short number
// of the caller (From, or `owner`), looked up in `table` (db_url, any backend):
// username (+ domain with use_domain 1, + sd_domain with 2; domain_prefix
// stripped from both domains) and sd_username give new_uri, which becomes the
// R-URI ("sip:" put in front when it has no scheme). 1 found, -1 otherwise.
import type { ExecContext } from '../../script/context.js';
import { splitUri } from '../../script/uri-fields.js';
import { DbError } from '../../db/index.js';
import { dbFor } from '../common/db.js';
import { sqlName, strParam } from '../common/params.js';
import type { NativeModule } from '../types.js';

const param = (ctx: ExecContext, name: string, dflt: string): string => strParam(ctx.runtime, 'speeddial', name, dflt);
const column = (ctx: ExecContext, name: string, dflt: string): string => sqlName(ctx.runtime, 'speeddial', name, dflt);

function stripPrefix(host: string, prefix: string): string {
  return prefix && prefix.length < host.length && host.toLowerCase().startsWith(prefix.toLowerCase())
    ? host.slice(prefix.length)
    : host;
}

function sdLookup(ctx: ExecContext, table: string, owner: string | undefined): number {
  const rt = ctx.runtime;
  const who = splitUri((owner ?? ctx.msg.from?.uri ?? '').replace(/^<|>$/g, ''));
  const ruri = splitUri(ctx.ruri);
  if (!who || !ruri || !/^\w+$/.test(table)) return -1;
  const url = param(ctx, 'db_url', rt.dbDefaultUrl ?? '');
  const db = dbFor(rt, url);
  if (db instanceof DbError) {
    rt.logger.log(-1, 'speeddial', 'sd_lookup', `failed to query database: ${db.message}`);
    return -1;
  }
  const useDomain = Number(rt.param('speeddial', 'use_domain') ?? 0);
  const strip = param(ctx, 'domain_prefix', '');
  const where: [string, string][] = [[column(ctx, 'user_column', 'username'), who.user ?? '']];
  if (useDomain >= 1) where.push([column(ctx, 'domain_column', 'domain'), stripPrefix(who.host, strip)]);
  where.push([column(ctx, 'sd_user_column', 'sd_username'), ruri.user ?? '']);
  if (useDomain >= 2) where.push([column(ctx, 'sd_domain_column', 'sd_domain'), stripPrefix(ruri.host, strip)]);
  const col = column(ctx, 'new_uri_column', 'new_uri');
  const rows = db.query(table, { keys: where.map(([c]) => c), vals: where.map(([, v]) => v), cols: [col], limit: 1 });
  if (rows instanceof DbError) {
    rt.logger.log(-1, 'speeddial', 'sd_lookup', `failed to query database: ${rows.message}`);
    return -1;
  }
  const found = rows[0]?.[col];
  if (found === null || found === undefined) return -1;
  const uri = String(found);
  ctx.ruri = /^sip:/i.test(uri) ? uri : `sip:${uri}`;
  return 1;
}

export const speeddial: NativeModule = {
  name: 'speeddial',
  functions: {
    sd_lookup: {
      returns: [1, -1],
      impl: (ctx, [table, owner]) => sdLookup(ctx, table?.str ?? '', owner?.given ? owner.str : undefined),
    },
  },
};
