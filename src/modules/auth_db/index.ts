// auth_db: www_authorize / proxy_authorize against a subscriber table in
// its database (db_url: sqlite://, mysql://, postgres://): the HA1 column for
// the algorithm (ha1, ha1_sha256, ha1_sha512t256), or plain passwords with
// calculate_ha1.
import { DbError, type Db } from '../../db/index.js';
import type { ExecContext } from '../../script/context.js';
import type { Runtime } from '../../script/runtime.js';
import { authorize, type Kind, type UserLookup } from '../auth/index.js';
import { baseOf, type Algorithm } from '../common/digest.js';
import { oneOf } from '../common/fixups.js';
import { dbFor, dbUrlOf } from '../common/db.js';
import { sqlName, strParam } from '../common/params.js';
import { doesUriExist, getAuthId, isAuthorizedFor } from './checks.js';
import type { NativeModule } from '../types.js';

const param = (rt: Runtime, name: string, dflt: string): string => strParam(rt, 'auth_db', name, dflt);

function dbOf(rt: Runtime): Db | DbError {
  return dbFor(rt, dbUrlOf(rt, 'auth_db'));
}

const column = (rt: Runtime, name: string, dflt: string): string => sqlName(rt, 'auth_db', name, dflt);

function lookupIn(rt: Runtime, table: string): UserLookup {
  return (user, domain, alg: Algorithm) => {
    const db = dbOf(rt);
    if (db instanceof DbError) {
      rt.logger.log(-1, 'auth_db', 'get_ha1', `failed to query database: ${db.message}`);
      return new Error(db.message);
    }
    const plain = Number(rt.param('auth_db', 'calculate_ha1') ?? 0) !== 0;
    const base = baseOf(alg);
    const secretColumn = plain
      ? column(rt, 'password_column', 'ha1')
      : base === 'SHA-256'
        ? column(rt, 'hash_column_sha256', 'ha1_sha256')
        : base === 'SHA-512-256'
          ? column(rt, 'hash_column_sha512t256', 'ha1_sha512t256')
          : column(rt, 'password_column', 'ha1');
    const useDomain = Number(rt.param('auth_db', 'use_domain') ?? 0) !== 0;
    const keys = [column(rt, 'user_column', 'username')];
    const vals = [user];
    if (useDomain) {
      keys.push(column(rt, 'domain_column', 'domain'));
      vals.push(domain);
    }
    const rows = db.query(table, { keys, vals, cols: [secretColumn] });
    if (rows instanceof DbError) {
      rt.logger.log(-1, 'auth_db', 'get_ha1', `failed to query database: ${rows.message}`);
      return new Error(rows.message);
    }
    const secret = rows[0]?.[secretColumn];
    return secret !== null && secret !== undefined ? { secret: String(secret), plain } : undefined;
  };
}

function authorizeIn(kind: Kind) {
  return (ctx: ExecContext, realm: string, table: string): number =>
    authorize(ctx, kind, realm, lookupIn(ctx.runtime, table || 'subscriber'));
}

export const authDb: NativeModule = {
  name: 'auth_db',
  functions: {
    www_authorize: {
      returns: [1, 0, -1, -2, -3, -4, -5],
      impl: (ctx, [realm, table]) => authorizeIn('www')(ctx, realm?.str ?? '', table?.str ?? ''),
    },
    proxy_authorize: {
      returns: [1, 0, -1, -2, -3, -4, -5],
      impl: (ctx, [realm, table]) => authorizeIn('proxy')(ctx, realm?.str ?? '', table?.str ?? ''),
    },
    db_does_uri_exist: {
      returns: [1, -1, -4, -5],
      impl: (ctx, [uri, table]) => doesUriExist(ctx, uri?.str ?? '', table?.str || 'subscriber'),
    },
    db_is_from_authorized: {
      returns: [1, -1, -2, -4, -8, -9],
      impl: (ctx, [table]) => isAuthorizedFor(ctx, 'from', table?.str || 'uri'),
    },
    db_is_to_authorized: {
      returns: [1, -1, -2, -4, -8, -9],
      impl: (ctx, [table]) => isAuthorizedFor(ctx, 'to', table?.str || 'uri'),
    },
    db_get_auth_id: {
      returns: [1, -1, -3, -4, -8],
      impl: (ctx, [table, uri, user, realm]) => getAuthId(ctx, table?.str || 'uri', uri?.str ?? '', user, realm),
    },
  },
  params: {
    calculate_ha1: { validate: oneOf([0, 1]) },
    use_domain: { validate: oneOf([0, 1]) },
  },
};
