// group: db_is_user_in(uri, group) - is the user of the Request-URI, To, From,
// the authorized Credentials or a URI string in `group` of the `grp` table
// (use_domain: the domain too)? 1 yes, -6 no, -5 DB error, -1 no user.
// db_get_user_group(uri, avp): every regular expression of re_table (loaded
// at start, case-insensitive POSIX ERE) that matches sip:user@domain adds its
// group id to the AVP (the first only when multiple_gid is 0): the count, or -1.
import { DbError } from '../../db/index.js';
import { serviceKey, stateOf } from '../../base/keys.js';
import type { ExecContext } from '../../script/context.js';
import type { Runtime } from '../../script/runtime.js';
import { posixRegex } from '../../script/regex.js';
import { splitUri } from '../../script/uri-fields.js';
import { authorizedCredentials } from '../auth/index.js';
import { dbFor, dbUrlOf } from '../common/db.js';
import { numParam, sqlName, strParam } from '../common/params.js';
import type { ArgValue, NativeModule } from '../types.js';

/** get_username_domain(): the user and domain that `which` names. */
function userDomain(ctx: ExecContext, which: string, fn: string): { user: string; domain: string } | undefined {
  const log = (t: string): void => ctx.runtime.logger.log(-1, 'group', fn, t);
  const w = which.toLowerCase();
  if (w === 'credentials') {
    const c = authorizedCredentials(ctx);
    if (!c) {
      log('no authorized credentials found (error in scripts)');
      return undefined;
    }
    const name = c.params.username ?? '';
    const at = name.indexOf('@');
    return at >= 0
      ? { user: name.slice(0, at), domain: name.slice(at + 1) }
      : { user: name, domain: c.params.realm ?? '' };
  }
  const uri = w === 'request-uri' ? ctx.ruri : w === 'to' ? ctx.msg.to?.uri : w === 'from' ? ctx.msg.from?.uri : which;
  const u = uri ? splitUri(uri) : undefined;
  if (!u) {
    log(`failed to parse URI <${uri ?? which}>`);
    return undefined;
  }
  return { user: u.user ?? '', domain: u.host };
}

function isUserIn(ctx: ExecContext, which: string, group: string): number {
  const rt = ctx.runtime;
  const who = userDomain(ctx, which, 'db_is_user_in');
  if (!who) return -1;
  if (!who.user) return -1;
  const keys = [sqlName(rt, 'group', 'user_column', 'username'), sqlName(rt, 'group', 'group_column', 'grp')];
  const vals = [who.user, group];
  if (numParam(rt, 'group', 'use_domain', 0)) {
    keys.push(sqlName(rt, 'group', 'domain_column', 'domain'));
    vals.push(who.domain);
  }
  const db = dbFor(rt, dbUrlOf(rt, 'group'));
  const rows =
    db instanceof DbError ? db : db.query(sqlName(rt, 'group', 'table', 'grp'), { keys, vals, cols: [keys[1]!] });
  if (rows instanceof DbError) {
    rt.logger.log(-1, 'group', 'db_is_user_in', `failed to query database: ${rows.message}`);
    return -5;
  }
  return rows.length ? 1 : -6;
}

const RE_GROUPS = serviceKey<{ re: RegExp; gid: number }[]>('group:re');

/** The re_table's expressions, read once (OpenSIPS loads them at start). */
function reGroups(rt: Runtime): { re: RegExp; gid: number }[] {
  return stateOf(rt.services, RE_GROUPS, () => {
    const table = strParam(rt, 'group', 're_table', '');
    if (!table) return [];
    const expCol = sqlName(rt, 'group', 're_exp_column', 'reg_exp');
    const gidCol = sqlName(rt, 'group', 're_gid_column', 'group_id');
    const db = dbFor(rt, dbUrlOf(rt, 'group'));
    const rows = db instanceof DbError ? db : db.query(table, { cols: [expCol, gidCol] });
    if (rows instanceof DbError) {
      rt.logger.log(-1, 'group', 'load_re', `failed to query database: ${rows.message}`);
      return [];
    }
    const out: { re: RegExp; gid: number }[] = [];
    for (const r of rows) {
      try {
        out.push({ re: new RegExp(posixRegex(String(r[expCol] ?? '')).source, 'i'), gid: Number(r[gidCol]) });
      } catch {
        rt.logger.log(-1, 'group', 'load_re', `bad reg exp '${String(r[expCol])}'`);
      }
    }
    return out;
  });
}

function userGroups(ctx: ExecContext, which: string, out: ArgValue | undefined): number {
  const who = userDomain(ctx, which, 'get_user_group');
  if (!who || !who.user || !out?.pv) return -1;
  const uri = `sip:${who.user}@${who.domain}`;
  let n = 0;
  const multiple = numParam(ctx.runtime, 'group', 'multiple_gid', 1) !== 0;
  for (const g of reGroups(ctx.runtime)) {
    if (!g.re.test(uri)) continue;
    if (!out.pv.set(ctx, g.gid)) return -1;
    n++;
    if (!multiple) break;
  }
  return n || -1;
}

export const group: NativeModule = {
  name: 'group',
  init: (rt) => {
    if (strParam(rt, 'group', 're_table', ''))
      rt.onStart.push(() => {
        reGroups(rt);
        return undefined;
      });
  },
  functions: {
    db_is_user_in: {
      returns: [1, -1, -5, -6],
      impl: (ctx, [which, grp]) => isUserIn(ctx, which?.str ?? '', grp?.str ?? ''),
    },
    db_get_user_group: { returns: [-1], impl: (ctx, [which, out]) => userGroups(ctx, which?.str ?? '', out) },
  },
};
