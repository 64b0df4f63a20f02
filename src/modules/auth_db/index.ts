// auth_db: www_authorize / proxy_authorize against a subscriber table in
// SQLite (db_url sqlite://PATH): the HA1 column for the algorithm (ha1,
// ha1_sha256, ha1_sha512t256), or plain passwords with calculate_ha1.
import type Database from 'better-sqlite3';
import type { ExecContext } from '../../script/context.js';
import type { Runtime } from '../../script/runtime.js';
import { authorize, type Kind, type UserLookup } from '../auth/index.js';
import { baseOf, type Algorithm } from '../auth/digest.js';
import { oneOf } from '../common/fixups.js';
import { sqliteFor } from '../common/sqlite.js';
import { sqlName, strParam } from '../common/params.js';
import { doesUriExist, getAuthId, isAuthorizedFor } from './checks.js';
import type { NativeModule } from '../types.js';

const param = (rt: Runtime, name: string, dflt: string): string => strParam(rt, 'auth_db', name, dflt);

function dbOf(rt: Runtime): Database.Database | Error {
  const db = sqliteFor(rt, String(rt.param('auth_db', 'db_url') ?? ''), { readonly: true });
  return db instanceof Error && !String(rt.param('auth_db', 'db_url') ?? '').startsWith('sqlite://') ? new Error('auth_db needs db_url = sqlite://PATH') : db;
}

const column = (rt: Runtime, name: string, dflt: string): string => sqlName(rt, 'auth_db', name, dflt);

function lookupIn(rt: Runtime, table: string): UserLookup {
  return (user, domain, alg: Algorithm) => {
    const db = dbOf(rt);
    if (db instanceof Error) { rt.logger.log(-1, 'auth_db', 'get_ha1', `failed to query database: ${db.message}`); return db; }
    const plain = Number(rt.param('auth_db', 'calculate_ha1') ?? 0) !== 0;
    const base = baseOf(alg);
    const secretColumn = plain ? column(rt, 'password_column', 'ha1')
      : base === 'SHA-256' ? column(rt, 'hash_column_sha256', 'ha1_sha256') : base === 'SHA-512-256' ? column(rt, 'hash_column_sha512t256', 'ha1_sha512t256') : column(rt, 'password_column', 'ha1');
    const useDomain = Number(rt.param('auth_db', 'use_domain') ?? 0) !== 0;
    if (!/^\w+$/.test(table)) return new Error(`bad table name ${table}`);
    try {
      const sql = `SELECT "${secretColumn}" AS secret FROM "${table}" WHERE "${column(rt, 'user_column', 'username')}" = ?${useDomain ? ` AND "${column(rt, 'domain_column', 'domain')}" = ?` : ''}`;
      const row = db.prepare(sql).get(...(useDomain ? [user, domain] : [user])) as { secret: unknown } | undefined;
      return row && row.secret !== null ? { secret: String(row.secret), plain } : undefined;
    } catch (err) {
      rt.logger.log(-1, 'auth_db', 'get_ha1', `failed to query database: ${(err as Error).message}`);
      return err as Error;
    }
  };
}

function authorizeIn(kind: Kind) {
  return (ctx: ExecContext, realm: string, table: string): number => authorize(ctx, kind, realm, lookupIn(ctx.runtime, table || 'subscriber'));
}

export const authDb: NativeModule = {
  name: 'auth_db',
  functions: {
    www_authorize: { returns: [1, 0, -1, -2, -3, -4, -5], impl: (ctx, [realm, table]) => authorizeIn('www')(ctx, realm?.str ?? '', table?.str ?? '') },
    proxy_authorize: { returns: [1, 0, -1, -2, -3, -4, -5], impl: (ctx, [realm, table]) => authorizeIn('proxy')(ctx, realm?.str ?? '', table?.str ?? '') },
    db_does_uri_exist: { returns: [1, -1, -4, -5], impl: (ctx, [uri, table]) => doesUriExist(ctx, uri?.str ?? '', table?.str || 'subscriber') },
    db_is_from_authorized: { returns: [1, -1, -2, -4, -8, -9], impl: (ctx, [table]) => isAuthorizedFor(ctx, 'from', table?.str || 'uri') },
    db_is_to_authorized: { returns: [1, -1, -2, -4, -8, -9], impl: (ctx, [table]) => isAuthorizedFor(ctx, 'to', table?.str || 'uri') },
    db_get_auth_id: { returns: [1, -1, -3, -4, -8], impl: (ctx, [table, uri, user, realm]) => getAuthId(ctx, table?.str || 'uri', uri?.str ?? '', user, realm) },
  },
  params: {
    calculate_ha1: { validate: oneOf([0, 1]) },
    use_domain: { validate: oneOf([0, 1]) },
  },
};
