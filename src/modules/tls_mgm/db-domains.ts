// tls_mgm's database-defined domains (db_url, the `tls_mgm` table, version
// 3): one row per domain, `type` 1 a client domain and 2 a server one, the
// certificate, key, CA list and DH parameters stored as PEM in the row; what a
// row leaves NULL takes the defaults of a script domain (load_info and
// db_add_domain). A row that cannot be used is logged and skipped, as 3.3
// does; a table that cannot be read is an error. Read at start-up and again
// by tls_reload.
import { join } from 'node:path';
import { checkTableVersion, DbError } from '../../db/index.js';
import { parseTlsMethod, type TlsDomain } from '../../net/tls-domains.js';
import type { Runtime } from '../../script/runtime.js';
import { dbFor, dbUrlOf } from '../common/db.js';
import { sqlName } from '../common/params.js';

const CLIENT_DOMAIN_TYPE = 1;
const SERVER_DOMAIN_TYPE = 2;

const COLUMNS = [
  'id',
  'domain',
  'match_ip_address',
  'match_sip_domain',
  'type',
  'method',
  'verify_cert',
  'require_cert',
  'certificate',
  'private_key',
  'crl_check_all',
  'crl_dir',
  'ca_list',
  'ca_dir',
  'cipher_list',
  'dh_params',
  'ec_curve',
] as const;

/** The parameter naming a column, where it is not `<column>_col`; null: the name is fixed (3.3 has no parameter). */
const PARAM_OF: Partial<Record<(typeof COLUMNS)[number], string | null>> = {
  id: null,
  type: null,
  method: 'tls_method_col',
  cipher_list: 'ciphers_list_col',
};

/** Whether the cfg has tls_mgm read its table (db_url, or db_default_url). */
export function hasTlsDb(rt: Runtime): boolean {
  return rt.modparamLists.get('tls_mgm')?.has('db_url') === true && dbUrlOf(rt, 'tls_mgm') !== '';
}

const blob = (v: unknown): Buffer | undefined =>
  v === null || v === undefined || v === ''
    ? undefined
    : Buffer.isBuffer(v)
      ? v
      : v instanceof Uint8Array
        ? Buffer.from(v)
        : Buffer.from(String(v));
const text = (v: unknown): string | undefined =>
  v === null || v === undefined || v === '' ? undefined : Buffer.isBuffer(v) ? v.toString() : String(v);
const int = (v: unknown): number | undefined => (v === null || v === undefined || v === '' ? undefined : Number(v));
const csv = (v: string | undefined): string[] =>
  v === undefined
    ? ['*']
    : v
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);

/**
 * The table's domains, or why it cannot be read. `taken` are the script's domains: a row with the name (and side)
 * of one is skipped, as 3.3 refuses a DB domain "already defined".
 */
export function dbTlsDomains(rt: Runtime, taken: readonly TlsDomain[], cfgDir: string): TlsDomain[] | string {
  const url = dbUrlOf(rt, 'tls_mgm');
  const db = dbFor(rt, url);
  if (db instanceof DbError) return db.message;
  const table = sqlName(rt, 'tls_mgm', 'db_table', 'tls_mgm');
  const bad = checkTableVersion(db, table, 3);
  if (bad) return bad;
  const cols = COLUMNS.map((c) => {
    const param = PARAM_OF[c];
    return param === null ? c : sqlName(rt, 'tls_mgm', param ?? `${c}_col`, c);
  });
  const res = db.exec({ ...db.sql.query(table, { cols }), arrays: true });
  if (res instanceof DbError) return res.message;
  const out: TlsDomain[] = [];
  const skip = (why: string): void => rt.logger.log(-1, 'tls_mgm', 'load_info', `${why}, skipping...`);
  for (const row of res.arrays ?? []) {
    const v = Object.fromEntries(COLUMNS.map((c, i) => [c, row[i]])) as Record<(typeof COLUMNS)[number], unknown>;
    const id = int(v.id) ?? 0;
    const name = text(v.domain);
    if (!name) {
      skip(`DB defined domain, id: ${id}, must have a name`);
      continue;
    }
    const type = int(v.type);
    const side = type === CLIENT_DOMAIN_TYPE ? 'client' : type === SERVER_DOMAIN_TYPE ? 'server' : undefined;
    if (!side) {
      skip(`failed to add TLS domain '${name}' id: ${id} (type ${String(v.type)}: 1 client, 2 server)`);
      continue;
    }
    if ([...taken, ...out].some((d) => d.side === side && d.name === name)) {
      skip(`Domain: [${name}] already defined; failed to add TLS domain '${name}' id: ${id}`);
      continue;
    }
    const method = parseTlsMethod(text(v.method) ?? 'SSLv23');
    if (typeof method === 'string') {
      skip(`failed to add TLS domain '${name}' id: ${id}: ${method}`);
      continue;
    }
    const verify = int(v.verify_cert);
    const require = int(v.require_cert);
    const cert = blob(v.certificate);
    const key = blob(v.private_key);
    const ca = blob(v.ca_list);
    const dh = blob(v.dh_params);
    const ciphers = text(v.cipher_list);
    const ecCurve = text(v.ec_curve);
    out.push({
      name,
      side,
      matchAddresses: csv(text(v.match_ip_address)),
      matchSipDomains: csv(text(v.match_sip_domain)),
      certificate: join(cfgDir, 'tls/cert.pem'),
      privateKey: join(cfgDir, 'tls/ckey.pem'),
      verifyCert: verify === undefined ? true : verify !== 0,
      requireCert: require === undefined ? side === 'server' : require !== 0,
      ...method,
      ...(ciphers ? { ciphers } : {}),
      ...(ecCurve ? { ecCurve } : {}),
      db: { id, ...(cert ? { cert } : {}), ...(key ? { key } : {}), ...(ca ? { ca } : {}), ...(dh ? { dh } : {}) },
    });
  }
  return out;
}
