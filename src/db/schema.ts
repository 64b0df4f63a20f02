// OpenSIPS 3.3's standard tables (names, columns, types, defaults, keys and
// the `version` rows its modules check), as data, and the DDL for each SQL
// dialect written from that data. The facts come from OpenSIPS's schema
// (db/schema/*.xml and scripts/<db>/*-create.sql of the 3.3 tree).
import type { Db } from './db.js';
import { DbError } from './types.js';
import type { DbScheme } from './url.js';

type ColType =
  | 'id' // INT UNSIGNED AUTO_INCREMENT PRIMARY KEY
  | 'bigid' // BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY
  | 'bigkey' // BIGINT UNSIGNED PRIMARY KEY (set by the module)
  | 'int'
  | 'uint'
  | 'smallint'
  | 'tinyint'
  | 'char'
  | 'text'
  | 'datetime'
  | 'float'
  | 'blob';

export interface Column {
  name: string;
  type: ColType;
  size?: number;
  /** SQL literal of the default ('' quoted strings written as "''"). */
  def?: string;
  nullable?: boolean;
}

export interface TableDef {
  name: string;
  version: number;
  /** The OpenSIPS module whose script creates the table. */
  module: string;
  columns: Column[];
  unique?: [string, string[]][];
  index?: [string, string[]][];
}

const col = (name: string, type: ColType, extra: Partial<Column> = {}): Column => ({ name, type, ...extra });
const str = (name: string, size: number, def: string | null = '', extra: Partial<Column> = {}): Column =>
  def === null
    ? { name, type: 'char', size, def: 'NULL', nullable: true, ...extra }
    : { name, type: 'char', size, def: `'${def}'`, ...extra };
const num = (name: string, def: number, type: ColType = 'int'): Column => ({ name, type, def: String(def) });
const modified = col('last_modified', 'datetime', { def: "'1900-01-01 00:00:01'" });

const accColumns = (withDuration: boolean): Column[] => [
  col('id', 'id'),
  str('method', 16),
  str('from_tag', 64),
  str('to_tag', 64),
  str('callid', 64),
  str('sip_code', 3),
  str('sip_reason', 32),
  col('time', 'datetime'),
  ...(withDuration ? [num('duration', 0, 'uint'), num('ms_duration', 0, 'uint')] : []),
  num('setuptime', 0, 'uint'),
  col('created', 'datetime', { def: 'NULL', nullable: true }),
];

export const TABLES: TableDef[] = [
  {
    name: 'version',
    version: 1,
    module: 'standard',
    columns: [str('table_name', 32, undefined, { def: undefined }), num('table_version', 0, 'uint')],
    unique: [['t_name_idx', ['table_name']]],
  },
  {
    name: 'location',
    version: 1013,
    module: 'usrloc',
    columns: [
      col('contact_id', 'bigid'),
      str('username', 64),
      str('domain', 64, null),
      col('contact', 'text'),
      str('received', 255, null),
      str('path', 255, null),
      col('expires', 'uint'),
      col('q', 'float', { def: '1.0' }),
      str('callid', 255, 'Default-Call-ID'),
      num('cseq', 13),
      modified,
      num('flags', 0),
      str('cflags', 255, null),
      str('user_agent', 255),
      str('socket', 64, null),
      col('methods', 'int', { def: 'NULL', nullable: true }),
      str('sip_instance', 255, null),
      col('kv_store', 'text', { def: 'NULL', nullable: true }),
      str('attr', 255, null),
    ],
  },
  {
    name: 'subscriber',
    version: 8,
    module: 'auth_db',
    columns: [
      col('id', 'id'),
      str('username', 64),
      str('domain', 64),
      str('password', 25),
      str('email_address', 64),
      str('ha1', 64),
      str('ha1_sha256', 64),
      str('ha1_sha512t256', 64),
      str('rpid', 64, null),
    ],
    unique: [['account_idx', ['username', 'domain']]],
    index: [['username_idx', ['username']]],
  },
  {
    name: 'uri',
    version: 2,
    module: 'auth_db',
    columns: [col('id', 'id'), str('username', 64), str('domain', 64), str('uri_user', 64), modified],
    unique: [['account_idx', ['username', 'domain', 'uri_user']]],
  },
  {
    name: 'address',
    version: 5,
    module: 'permissions',
    columns: [
      col('id', 'id'),
      num('grp', 0, 'smallint'),
      str('ip', 50, undefined, { def: undefined }),
      num('mask', 32, 'tinyint'),
      num('port', 0, 'smallint'),
      str('proto', 4, 'any'),
      str('pattern', 64, null),
      str('context_info', 32, null),
    ],
  },
  {
    name: 'dispatcher',
    version: 8,
    module: 'dispatcher',
    columns: [
      col('id', 'id'),
      num('setid', 0),
      str('destination', 192),
      str('socket', 128, null),
      num('state', 0),
      str('weight', 64, '1'),
      num('priority', 0),
      str('attrs', 128),
      str('description', 64),
    ],
  },
  {
    name: 'tls_mgm',
    version: 3,
    module: 'tls_mgm',
    columns: [
      col('id', 'id'),
      str('domain', 64, undefined, { def: undefined }),
      str('match_ip_address', 255, null),
      str('match_sip_domain', 255, null),
      num('type', 1),
      str('method', 16, 'SSLv23', { nullable: true }),
      { name: 'verify_cert', type: 'int', def: '1', nullable: true },
      { name: 'require_cert', type: 'int', def: '1', nullable: true },
      col('certificate', 'blob', { def: 'NULL', nullable: true }),
      col('private_key', 'blob', { def: 'NULL', nullable: true }),
      { name: 'crl_check_all', type: 'int', def: '0', nullable: true },
      str('crl_dir', 255, null),
      col('ca_list', 'blob', { def: 'NULL', nullable: true }),
      str('ca_dir', 255, null),
      str('cipher_list', 255, null),
      col('dh_params', 'blob', { def: 'NULL', nullable: true }),
      str('ec_curve', 255, null),
    ],
    unique: [['domain_type_idx', ['domain', 'type']]],
  },
  {
    name: 'dbaliases',
    version: 2,
    module: 'alias_db',
    columns: [
      col('id', 'id'),
      str('alias_username', 64),
      str('alias_domain', 64),
      str('username', 64),
      str('domain', 64),
    ],
    unique: [['alias_idx', ['alias_username', 'alias_domain']]],
    index: [['target_idx', ['username', 'domain']]],
  },
  {
    name: 'domain',
    version: 3,
    module: 'domain',
    columns: [col('id', 'id'), str('domain', 64), str('attrs', 255, null), modified],
    unique: [['domain_idx', ['domain']]],
  },
  {
    name: 'grp',
    version: 3,
    module: 'group',
    columns: [col('id', 'id'), str('username', 64), str('domain', 64), str('grp', 64), modified],
    unique: [['account_group_idx', ['username', 'domain', 'grp']]],
  },
  {
    name: 're_grp',
    version: 2,
    module: 'group',
    columns: [col('id', 'id'), str('reg_exp', 128), num('group_id', 0)],
    index: [['group_idx', ['group_id']]],
  },
  { name: 'acc', version: 7, module: 'acc', columns: accColumns(true), index: [['callid_idx', ['callid']]] },
  { name: 'missed_calls', version: 5, module: 'acc', columns: accColumns(false), index: [['callid_idx', ['callid']]] },
  {
    name: 'dr_gateways',
    version: 6,
    module: 'drouting',
    columns: [
      col('id', 'id'),
      str('gwid', 64, undefined, { def: undefined }),
      num('type', 0, 'uint'),
      str('address', 128, undefined, { def: undefined }),
      num('strip', 0, 'uint'),
      str('pri_prefix', 16, null),
      str('attrs', 255, null),
      num('probe_mode', 0, 'uint'),
      num('state', 0, 'uint'),
      str('socket', 128, null),
      str('description', 128, null),
    ],
    unique: [['dr_gw_idx', ['gwid']]],
  },
  {
    name: 'dr_rules',
    version: 4,
    module: 'drouting',
    columns: [
      col('ruleid', 'id'),
      str('groupid', 255, undefined, { def: undefined }),
      str('prefix', 64, undefined, { def: undefined }),
      str('timerec', 255, null),
      num('priority', 0),
      str('routeid', 255, null),
      col('gwlist', 'char', { size: 255, nullable: true }),
      str('sort_alg', 1, 'N'),
      col('sort_profile', 'uint', { def: 'NULL', nullable: true }),
      str('attrs', 255, null),
      str('description', 128, null),
    ],
  },
  {
    name: 'dr_carriers',
    version: 3,
    module: 'drouting',
    columns: [
      col('id', 'id'),
      str('carrierid', 64, undefined, { def: undefined }),
      str('gwlist', 255, undefined, { def: undefined }),
      num('flags', 0, 'uint'),
      str('sort_alg', 1, 'N'),
      num('state', 0, 'uint'),
      str('attrs', 255, null),
      str('description', 128, null),
    ],
    unique: [['dr_carrier_idx', ['carrierid']]],
  },
  {
    name: 'dr_groups',
    version: 2,
    module: 'drouting',
    columns: [
      col('id', 'id'),
      str('username', 64, undefined, { def: undefined }),
      str('domain', 128, null),
      num('groupid', 0, 'uint'),
      str('description', 128, null),
    ],
  },
  {
    name: 'load_balancer',
    version: 3,
    module: 'load_balancer',
    columns: [
      col('id', 'id'),
      num('group_id', 0, 'uint'),
      str('dst_uri', 128, undefined, { def: undefined }),
      str('resources', 255, undefined, { def: undefined }),
      num('probe_mode', 0, 'uint'),
      str('attrs', 255, null),
      str('description', 128, null),
    ],
    index: [['dsturi_idx', ['dst_uri']]],
  },
  {
    name: 'usr_preferences',
    version: 3,
    module: 'avpops',
    columns: [
      col('id', 'id'),
      str('uuid', 64),
      str('username', 64, '0'),
      str('domain', 64),
      str('attribute', 32),
      num('type', 0),
      str('value', 128),
      modified,
    ],
    index: [
      ['ua_idx', ['uuid', 'attribute']],
      ['uda_idx', ['username', 'domain', 'attribute']],
      ['value_idx', ['value']],
    ],
  },
  {
    name: 'speed_dial',
    version: 3,
    module: 'speeddial',
    columns: [
      col('id', 'id'),
      str('username', 64),
      str('domain', 64),
      str('sd_username', 64),
      str('sd_domain', 64),
      str('new_uri', 255),
      str('fname', 64),
      str('lname', 64),
      str('description', 64),
    ],
    unique: [['speed_dial_idx', ['username', 'domain', 'sd_domain', 'sd_username']]],
  },
  {
    name: 'dialog',
    version: 11,
    module: 'dialog',
    columns: [
      col('dlg_id', 'bigkey'),
      str('callid', 255, undefined, { def: undefined }),
      str('from_uri', 255, undefined, { def: undefined }),
      str('from_tag', 64, undefined, { def: undefined }),
      str('to_uri', 255, undefined, { def: undefined }),
      str('to_tag', 64, undefined, { def: undefined }),
      str('mangled_from_uri', 64, null),
      str('mangled_to_uri', 64, null),
      str('caller_cseq', 11, undefined, { def: undefined }),
      str('callee_cseq', 11, undefined, { def: undefined }),
      col('caller_ping_cseq', 'uint'),
      col('callee_ping_cseq', 'uint'),
      col('caller_route_set', 'text', { nullable: true }),
      col('callee_route_set', 'text', { nullable: true }),
      col('caller_contact', 'char', { size: 255, nullable: true }),
      col('callee_contact', 'char', { size: 255, nullable: true }),
      str('caller_sock', 64, undefined, { def: undefined }),
      str('callee_sock', 64, undefined, { def: undefined }),
      col('state', 'uint'),
      col('start_time', 'uint'),
      col('timeout', 'uint'),
      col('vars', 'blob', { def: 'NULL', nullable: true }),
      col('profiles', 'text', { def: 'NULL', nullable: true }),
      num('script_flags', 0, 'uint'),
      num('module_flags', 0, 'uint'),
      num('flags', 0, 'uint'),
      str('rt_on_answer', 64, null),
      str('rt_on_timeout', 64, null),
      str('rt_on_hangup', 64, null),
    ],
  },
];

function typeSql(c: Column, scheme: DbScheme): string {
  const my = scheme === 'mysql';
  const pg = scheme === 'postgres';
  switch (c.type) {
    case 'id':
      return my
        ? 'INT(10) UNSIGNED AUTO_INCREMENT PRIMARY KEY'
        : pg
          ? 'SERIAL PRIMARY KEY'
          : 'INTEGER PRIMARY KEY AUTOINCREMENT';
    case 'bigid':
      return my
        ? 'BIGINT(10) UNSIGNED AUTO_INCREMENT PRIMARY KEY'
        : pg
          ? 'BIGSERIAL PRIMARY KEY'
          : 'INTEGER PRIMARY KEY AUTOINCREMENT';
    case 'bigkey':
      return my ? 'BIGINT(10) UNSIGNED PRIMARY KEY' : pg ? 'BIGINT PRIMARY KEY' : 'BIGINT PRIMARY KEY';
    case 'int':
      return my ? 'INT(11)' : 'INTEGER';
    case 'uint':
      return my ? 'INT(10) UNSIGNED' : pg ? 'BIGINT' : 'INTEGER';
    case 'smallint':
      return my ? 'SMALLINT(5) UNSIGNED' : pg ? 'INTEGER' : 'SMALLINT';
    case 'tinyint':
      return my ? 'TINYINT' : 'SMALLINT';
    case 'char':
      return `${pg ? 'VARCHAR' : 'CHAR'}(${c.size ?? 255})`;
    case 'text':
      return 'TEXT';
    case 'datetime':
      return pg ? 'TIMESTAMP WITHOUT TIME ZONE' : 'DATETIME';
    case 'float':
      return pg ? 'REAL' : 'FLOAT(10,2)';
    case 'blob':
      return pg ? 'BYTEA' : 'BLOB';
  }
}

/** The statements that create `t` (table, indexes, its version row) in `scheme`'s SQL. */
export function ddlFor(t: TableDef, scheme: DbScheme): string[] {
  const q = (n: string): string => (scheme === 'mysql' ? `\`${n}\`` : `"${n}"`);
  // Index names are per schema in PostgreSQL and SQLite: prefixed with the table, as OpenSIPS's scripts do.
  const idx = (n: string): string => q(scheme === 'mysql' ? n : `${t.name}_${n}`);
  const cols = t.columns.map((c) => {
    let s = `${q(c.name)} ${typeSql(c, scheme)}`;
    if (c.def !== undefined && !(scheme === 'mysql' && c.type === 'text' && c.def !== 'NULL')) s += ` DEFAULT ${c.def}`;
    if (!c.nullable) s += ' NOT NULL';
    return s;
  });
  for (const [name, keys] of t.unique ?? []) cols.push(`CONSTRAINT ${idx(name)} UNIQUE (${keys.map(q).join(', ')})`);
  const out = [
    `CREATE TABLE ${q(t.name)} (\n    ${cols.join(',\n    ')}\n)${scheme === 'mysql' ? ' ENGINE=InnoDB' : ''}`,
  ];
  for (const [name, keys] of t.index ?? [])
    out.push(`CREATE INDEX ${idx(name)} ON ${q(t.name)} (${keys.map(q).join(', ')})`);
  return out;
}

function exists(db: Db, table: string): boolean {
  return !(db.raw(`SELECT 1 FROM ${db.sql.id(table)} WHERE 1 = 0`) instanceof DbError);
}

/**
 * Creates the named tables (all when `names` is empty) that do not exist yet,
 * with their `version` rows; existing tables are left alone. The list of
 * tables created and kept, or the first error.
 */
export function createTables(db: Db, names: readonly string[] = []): { created: string[]; kept: string[] } | DbError {
  const wanted = names.length ? names : TABLES.map((t) => t.name);
  const unknown = wanted.filter((n) => !TABLES.some((t) => t.name === n));
  if (unknown.length)
    return new DbError(`unknown table(s): ${unknown.join(', ')} (known: ${TABLES.map((t) => t.name).join(', ')})`);
  const created: string[] = [];
  const kept: string[] = [];
  const todo = TABLES.filter((t) => t.name === 'version' || wanted.includes(t.name));
  for (const t of todo) {
    if (exists(db, t.name)) {
      if (t.name !== 'version' && wanted.includes(t.name)) kept.push(t.name);
      continue;
    }
    for (const stmt of ddlFor(t, db.scheme)) {
      const r = db.raw(stmt);
      if (r instanceof DbError) return new DbError(`creating table ${t.name}: ${r.message}`);
    }
    if (t.name !== 'version') {
      const r = db.insert('version', { table_name: t.name, table_version: t.version });
      if (r instanceof DbError) return new DbError(`version row of ${t.name}: ${r.message}`);
    }
    if (wanted.includes(t.name)) created.push(t.name);
  }
  return { created, kept };
}

/**
 * db_check_table_version(): undefined when the `version` row of `table` says
 * `expected`, otherwise OpenSIPS's error text (a missing row reads as 0).
 */
export function checkTableVersion(db: Db, table: string, expected: number): string | undefined {
  const rows = db.query('version', { keys: ['table_name'], vals: [table], cols: ['table_version'] });
  if (rows instanceof DbError) return `querying version for table ${table}: ${rows.message}`;
  const ver = rows.length ? Number(rows[0].table_version) : 0;
  return ver === expected ? undefined : `invalid version ${ver} for table ${table} found, expected ${expected}`;
}

/** The version 3.3's modules expect for a standard table. */
export function tableVersion(name: string): number | undefined {
  return TABLES.find((t) => t.name === name)?.version;
}
