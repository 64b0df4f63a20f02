// permissions: the address table (db_url, address_table; any DB backend) and
// check_address / check_source_address / get_source_group over it: group 0
// and port 0 match any, proto "any" matches every transport, mask < 32 (or
// < 128) makes a subnet, a pattern is an fnmatch glob on the given string,
// context_info goes to the optional variable. Return codes as 3.3: 1 found,
// -1 not found, -2 the group does not exist.
import { BlockList, isIPv6 } from 'node:net';
import type { ExecContext } from '../../script/context.js';
import type { Runtime } from '../../script/runtime.js';
import { globRegex } from '../../script/regex.js';
import { DbError } from '../../db/index.js';
import { dbFor, dbUrlOf } from '../common/db.js';
import type { ArgValue, NativeModule } from '../types.js';
import { allowRegister, allowRouting, allowUri } from './rules.js';
import { sqlName } from '../common/params.js';
import { serviceKey } from '../../base/keys.js';

interface AddressRow {
  grp: number;
  net: BlockList;
  port: number;
  proto: string;
  pattern: string | null;
  info: string | null;
}

const column = (rt: Runtime, name: string, dflt: string): string => sqlName(rt, 'permissions', name, dflt);

function loadTable(rt: Runtime): AddressRow[] {
  const url = dbUrlOf(rt, 'permissions');
  if (!url) {
    rt.logger.log(
      -1,
      'permissions',
      'mod_init',
      'permissions needs a db_url (or db_default_url) for the address table',
    );
    return [];
  }
  const cols = ['grp_col', 'ip_col', 'mask_col', 'port_col', 'proto_col', 'pattern_col', 'info_col'].map((c, i) =>
    column(rt, c, ['grp', 'ip', 'mask', 'port', 'proto', 'pattern', 'context_info'][i]!),
  );
  const db = dbFor(rt, url);
  const res = db instanceof DbError ? db : db.query(column(rt, 'address_table', 'address'), { cols });
  if (res instanceof DbError) {
    rt.logger.log(-1, 'permissions', 'mod_init', `cannot load the address table: ${res.message}`);
    return [];
  }
  const out: AddressRow[] = [];
  for (const r of res) {
    const [grp, ip, mask, port, proto, pattern, info] = cols.map((c) => r[c]);
    try {
      const net = new BlockList();
      const family = isIPv6(String(ip)) ? 'ipv6' : 'ipv4';
      net.addSubnet(String(ip), Number(mask ?? (family === 'ipv6' ? 128 : 32)), family);
      out.push({
        grp: Number(grp),
        net,
        port: Number(port ?? 0),
        proto: String(proto ?? 'any').toLowerCase(),
        pattern: pattern === null || pattern === undefined ? null : String(pattern),
        info: info === null || info === undefined ? null : String(info),
      });
    } catch (err) {
      rt.logger.log(
        -1,
        'permissions',
        'mod_init',
        `bad address row ${String(ip)}/${String(mask)}: ${(err as Error).message}`,
      );
    }
  }
  return out;
}

const ADDRESS_TABLE = serviceKey<AddressRow[]>('permissions:address');

function tableOf(rt: Runtime): AddressRow[] {
  return rt.service(ADDRESS_TABLE, () => loadTable(rt));
}

function check(
  ctx: ExecContext,
  grp: number,
  ip: string,
  port: number,
  proto: string,
  info: ArgValue | undefined,
  pattern: string | undefined,
): number {
  const rows = tableOf(ctx.runtime);
  if (grp !== 0 && !rows.some((r) => r.grp === grp)) return -2;
  const family = isIPv6(ip) ? 'ipv6' : 'ipv4';
  const row = rows.find(
    (r) =>
      (r.grp === 0 || r.grp === grp || grp === 0) &&
      (r.proto === 'any' || r.proto === proto || proto === 'any') &&
      (r.port === 0 || r.port === port || port === 0) &&
      r.net.check(ip, family) &&
      (!r.pattern || pattern === undefined || globRegex(r.pattern, false).test(pattern)),
  );
  if (!row) return -1;
  info?.pv?.set(ctx, row.info ?? '');
  return 1;
}

export const permissions: NativeModule = {
  name: 'permissions',
  functions: {
    allow_routing: { returns: [1, -1], impl: (ctx, [base]) => allowRouting(ctx, base?.given ? base.str : undefined) },
    allow_register: { returns: [1, -1], impl: (ctx, [base]) => allowRegister(ctx, base?.str ?? '') },
    allow_uri: { returns: [1, -1], impl: (ctx, [base, uri]) => allowUri(ctx, base?.str ?? '', uri?.str ?? '') },
    check_source_address: {
      returns: [1, -1, -2],
      impl: (ctx, [grp, info, pattern]) =>
        check(
          ctx,
          grp?.int ?? 0,
          ctx.src.ip,
          ctx.src.port,
          ctx.src.proto,
          info,
          pattern?.given ? pattern.str : undefined,
        ),
    },
    check_address: {
      returns: [1, -1, -2],
      impl: (ctx, [grp, ip, port, proto, info, pattern]) =>
        check(
          ctx,
          grp?.int ?? 0,
          ip?.str ?? '',
          port?.int ?? 0,
          (proto?.str ?? 'any').toLowerCase(),
          info,
          pattern?.given ? pattern.str : undefined,
        ),
    },
    get_source_group: {
      returns: [1, -1],
      impl: (ctx, [out]) => {
        const family = isIPv6(ctx.src.ip) ? 'ipv6' : 'ipv4';
        const row = tableOf(ctx.runtime).find(
          (r) => (r.port === 0 || r.port === ctx.src.port) && r.net.check(ctx.src.ip, family),
        );
        return row && out?.pv?.set(ctx, row.grp) ? 1 : -1;
      },
    },
  },
};
