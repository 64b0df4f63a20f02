// auth_db's checks beyond authorization (checks.c): whether a URI's user is a
// subscriber (db_does_uri_exist), whether the From/To user may be used by the
// authenticated user (the `uri` table: db_is_from/to_authorized), and the
// authentication id of a URI (db_get_auth_id). On auth_db's db_url, as the rest of auth_db.
import type { ExecContext } from '../../script/context.js';
import type { Runtime } from '../../script/runtime.js';
import type { ArgValue } from '../types.js';
import { splitUri } from '../../script/uri-fields.js';
import { authorizedCredentials } from '../auth/index.js';
import { DbError } from '../../db/index.js';
import { dbFor, dbUrlOf } from '../common/db.js';

const OK = 1;
const ERR_INTERNAL = -1;
const ERR_CREDENTIALS = -2;
const ERR_DBUSE = -3;
const ERR_USERNOTFOUND = -4;
const ERR_DBEMPTYRES = -5;
const ERR_DBQUERY = -8;
const ERR_SPOOFEDUSER = -9;

function col(rt: Runtime, name: string, dflt: string): string {
  const c = rt.param('auth_db', name);
  return typeof c === 'string' && /^\w+$/.test(c) ? c : dflt;
}

function useDomain(rt: Runtime): boolean {
  return Number(rt.param('auth_db', 'use_domain') ?? 0) !== 0;
}

/** Rows of `SELECT cols FROM table WHERE keys`, or an error code. */
function select(
  ctx: ExecContext,
  table: string,
  cols: string[],
  where: [string, string][],
  fn: string,
): unknown[][] | number {
  const db = dbFor(ctx.runtime, dbUrlOf(ctx.runtime, 'auth_db'));
  const rows =
    db instanceof DbError ? db : db.query(table, { keys: where.map(([k]) => k), vals: where.map(([, v]) => v), cols });
  if (rows instanceof DbError) {
    ctx.runtime.logger.log(-1, 'auth_db', fn, `Error while querying database: ${rows.message}`);
    return ERR_DBQUERY;
  }
  return rows.map((r) => cols.map((c) => r[c]));
}

/** db_does_uri_exist(uri, table): its user (and host with use_domain) in the subscriber table. */
export function doesUriExist(ctx: ExecContext, uri: string, table: string): number {
  const u = uri ? splitUri(uri) : undefined;
  if (!u) return ERR_INTERNAL;
  const rt = ctx.runtime;
  const where: [string, string][] = [[col(rt, 'user_column', 'username'), u.user ?? '']];
  if (useDomain(rt)) where.push([col(rt, 'domain_column', 'domain'), u.host]);
  const rows = select(ctx, table, [where[0]![0]], where, 'does_uri_exist');
  // A failed query reads as "user not found" in 3.3.
  if (typeof rows === 'number') return ERR_USERNOTFOUND;
  return rows.length ? OK : ERR_DBEMPTYRES;
}

/** db_is_from_authorized / db_is_to_authorized(table): the uri table lets the digest user use that URI's user. */
export function isAuthorizedFor(ctx: ExecContext, which: 'from' | 'to', table: string): number {
  const creds = authorizedCredentials(ctx);
  if (!creds) {
    ctx.runtime.logger.log(-1, 'auth_db', 'check_username', 'No authorized credentials found (error in scripts)');
    return ERR_CREDENTIALS;
  }
  const na = which === 'from' ? ctx.msg.from : ctx.msg.to;
  const u = na ? splitUri(na.uri) : undefined;
  if (!u) return ERR_INTERNAL;
  if (!u.user) {
    ctx.runtime.logger.log(-1, 'auth_db', 'check_username', 'Username not found in URI');
    return ERR_USERNOTFOUND;
  }
  const rt = ctx.runtime;
  const username = creds.params.username ?? '';
  const digestUser = username.includes('@') ? username.slice(0, username.indexOf('@')) : username;
  const realm = username.includes('@') ? username.slice(username.indexOf('@') + 1) : (creds.params.realm ?? '');
  const userCol = col(rt, 'uri_user_column', 'username');
  const rows = select(
    ctx,
    table,
    [userCol],
    [
      [userCol, digestUser],
      [col(rt, 'uri_domain_column', 'domain'), realm],
      [col(rt, 'uri_uriuser_column', 'uri_user'), u.user],
    ],
    'check_username',
  );
  if (typeof rows === 'number') return rows;
  return rows.length ? OK : ERR_SPOOFEDUSER;
}

/** db_get_auth_id(table, uri, user_var, realm_var): the uri table's username and domain for the URI's user. */
export function getAuthId(
  ctx: ExecContext,
  table: string,
  uri: string,
  userOut: ArgValue | undefined,
  realmOut: ArgValue | undefined,
): number {
  const u = splitUri(uri);
  if (!u || !u.user) {
    ctx.runtime.logger.log(
      -1,
      'auth_db',
      'get_auth_id',
      `First parameter must be a URI with username (val = '${uri}').`,
    );
    return -1;
  }
  const rt = ctx.runtime;
  const userCol = col(rt, 'uri_user_column', 'username');
  const domainCol = col(rt, 'uri_domain_column', 'domain');
  const where: [string, string][] = [[col(rt, 'uri_uriuser_column', 'uri_user'), u.user]];
  if (useDomain(rt)) where.push([domainCol, u.host]);
  const rows = select(ctx, table, [userCol, domainCol], where, 'get_auth_id');
  if (typeof rows === 'number') return rows;
  if (!rows.length) return ERR_USERNOTFOUND;
  if (rows.length > 1)
    rt.logger.log(
      1,
      'auth_db',
      'get_auth_id',
      "Multiple entries are matching the given uri. Consider setting the 'use_domain' param.",
    );
  const [user, domain] = rows[0]!;
  if (typeof user !== 'string' || typeof domain !== 'string') return ERR_DBUSE;
  userOut?.pv?.set(ctx, user);
  realmOut?.pv?.set(ctx, domain);
  return OK;
}
