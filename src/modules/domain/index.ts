// domain: is_from_local / is_uri_host_local / is_domain_local(domain) against
// the `domain` table (any DB backend): db_mode 0 queries the table on every
// call, db_mode 1 reads it once at start (and on domain_reload) and matches
// case-insensitively, as 3.3's hash table does. The optional variable gets the
// row's attrs. 1 local, -1 not local, -2 bad From (is_from_local), -3 DB error.
// MI domain_reload / domain_dump act on the db_mode 1 cache (mi.c).
import { MiError } from '../../base/mi.js';
import { DbError } from '../../db/index.js';
import { serviceKey, stateOf } from '../../base/keys.js';
import type { ExecContext } from '../../script/context.js';
import type { Runtime } from '../../script/runtime.js';
import { splitUri } from '../../script/uri-fields.js';
import { dbFor, dbUrlOf } from '../common/db.js';
import { numParam, sqlName } from '../common/params.js';
import type { ArgValue, ModuleMi, NativeModule } from '../types.js';

const CACHE = serviceKey<{ domains: Map<string, string | null> | undefined }>('domain:cache');

function table(rt: Runtime): { name: string; domain: string; attrs: string } {
  return {
    name: sqlName(rt, 'domain', 'domain_table', 'domain'),
    domain: sqlName(rt, 'domain', 'domain_col', 'domain'),
    attrs: sqlName(rt, 'domain', 'attrs_col', 'attrs'),
  };
}

/** db_mode 1: the whole table, keyed by lower-case domain; a DbError when it cannot be read. */
export function loadDomains(rt: Runtime): Map<string, string | null> | DbError {
  const t = table(rt);
  const db = dbFor(rt, dbUrlOf(rt, 'domain'));
  const rows = db instanceof DbError ? db : db.query(t.name, { cols: [t.domain, t.attrs] });
  if (rows instanceof DbError) return rows;
  const out = new Map<string, string | null>();
  for (const r of rows)
    out.set(
      String(r[t.domain] ?? '').toLowerCase(),
      r[t.attrs] === null || r[t.attrs] === undefined ? null : String(r[t.attrs]),
    );
  stateOf(rt.services, CACHE, () => ({ domains: undefined })).domains = out;
  return out;
}

function isLocal(ctx: ExecContext, host: string, out: ArgValue | undefined): number {
  const rt = ctx.runtime;
  let attrs: string | null | undefined;
  if (numParam(rt, 'domain', 'db_mode', 0) === 1) {
    const cache = stateOf(rt.services, CACHE, () => ({ domains: undefined }));
    const domains = cache.domains ?? loadDomains(rt);
    if (domains instanceof DbError) {
      rt.logger.log(-1, 'domain', 'is_domain_local', `Error while querying database: ${domains.message}`);
      return -3;
    }
    if (!domains.has(host.toLowerCase())) return -1;
    attrs = domains.get(host.toLowerCase());
  } else {
    const t = table(rt);
    const db = dbFor(rt, dbUrlOf(rt, 'domain'));
    const rows =
      db instanceof DbError ? db : db.query(t.name, { keys: [t.domain], vals: [host], cols: [t.domain, t.attrs] });
    if (rows instanceof DbError) {
      rt.logger.log(-1, 'domain', 'is_domain_local', `Error while querying database: ${rows.message}`);
      return -3;
    }
    if (!rows.length) return -1;
    const a = rows[0]![t.attrs];
    attrs = a === null || a === undefined ? null : String(a);
  }
  if (out?.pv && attrs !== null && attrs !== undefined) out.pv.set(ctx, attrs);
  return 1;
}

/** Both commands need the cache (db_mode 1), as in 3.3. */
function cached(rt: Runtime): void {
  if (numParam(rt, 'domain', 'db_mode', 0) !== 1) throw new MiError(500, 'command not activated');
}

const DOMAIN_MI: ModuleMi[] = [
  {
    name: 'domain_reload',
    recipes: [[]],
    run: (_p, rt) => {
      cached(rt);
      // A failed read keeps the table in use (the new one replaces it only when complete).
      const r = loadDomains(rt);
      if (r instanceof DbError) {
        rt.logger.log(-1, 'domain', 'reload_domain_table', `Error while querying database: ${r.message}`);
        throw new MiError(500, 'Domain table reload failed');
      }
      return 'OK';
    },
  },
  {
    name: 'domain_dump',
    recipes: [[]],
    run: (_p, rt) => {
      cached(rt);
      const domains = stateOf(rt.services, CACHE, () => ({ domains: undefined })).domains ?? loadDomains(rt);
      if (domains instanceof DbError) throw new MiError(500, 'Domain table reload failed');
      return {
        Domains: [...domains].map(([name, attrs]) => ({ name, ...(attrs !== null ? { attributes: attrs } : {}) })),
      };
    },
  },
];

export const domain: NativeModule = {
  name: 'domain',
  mi: DOMAIN_MI,
  functions: {
    is_from_local: {
      returns: [1, -1, -2, -3],
      impl: (ctx, [out]) => {
        const u = ctx.msg.from ? splitUri(ctx.msg.from.uri) : undefined;
        if (!u) {
          ctx.runtime.logger.log(-1, 'domain', 'is_from_local', 'Error while parsing From header');
          return -2;
        }
        return isLocal(ctx, u.host, out);
      },
    },
    is_uri_host_local: {
      returns: [1, -1, -3],
      impl: (ctx, [out]) => {
        const u = splitUri(ctx.ruri);
        if (!u) {
          ctx.runtime.logger.log(-1, 'domain', 'is_uri_host_local', 'Error while parsing R-URI');
          return -1;
        }
        return isLocal(ctx, u.host, out);
      },
    },
    is_domain_local: { returns: [1, -1, -3], impl: (ctx, [host, out]) => isLocal(ctx, host?.str ?? '', out) },
  },
};
