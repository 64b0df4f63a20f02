// dispatcher's destination sets, loaded from the `dispatcher` table
// (ds_load_data): each set's destinations ordered by priority, higher first,
// ties in row order; sets listed newest first, as OpenSIPS prepends them.
// The state of a destination (active, inactive, probing) lives here; its
// changes raise E_DISPATCHER_STATUS and, with persistent_state, go back to
// the table's `state` column.
import type { ExecContext } from '../../script/context.js';
import type { SocketInfo } from '../../net/types.js';
import { raiseEvent } from '../../script/events.js';
import { avpNameOf } from '../../script/avp-param.js';
import type { Runtime } from '../../script/runtime.js';
import { splitUri, uriParam } from '../../script/uri-fields.js';
import { DbError } from '../../db/index.js';
import { dbFor } from '../common/db.js';
import { numParam as numParamOf, sqlName, strParam } from '../common/params.js';
import { serviceKey } from '../../base/keys.js';

export const INACTIVE = 1;
export const PROBING = 2;

export interface DsDest {
  /** As in the table. */
  readonly uri: string;
  /** What goes into $du: the URI without user, password and headers. */
  readonly dstUri: string;
  readonly host: string;
  readonly port: number;
  readonly socket: SocketInfo | undefined;
  readonly attrs: string;
  readonly description: string;
  readonly weight: number;
  readonly priority: number;
  flags: number;
  failureCount: number;
  chosen: number;
  rrCount: number;
  scriptAttrs: string;
}

export interface DsSet {
  readonly id: number;
  readonly dests: DsDest[];
  /** Index of the destination chosen last (round robin starts from it). */
  last: number;
}

export interface DsData {
  sets: DsSet[];
}

export function isActive(d: DsDest): boolean {
  return (d.flags & (INACTIVE | PROBING)) === 0;
}

export const param = (rt: Runtime, name: string, dflt: string): string => strParam(rt, 'dispatcher', name, dflt);
export const numParam = (rt: Runtime, name: string, dflt: number): number => numParamOf(rt, 'dispatcher', name, dflt);
const column = (rt: Runtime, name: string, dflt: string): string => sqlName(rt, 'dispatcher', name, dflt);

/** The address the destination is reached at: $du keeps scheme, host, port and parameters only. */
function dstUriOf(uri: string): string {
  const p = splitUri(uri);
  if (!p || (p.user === undefined && p.password === undefined && p.headers === '')) return uri;
  return `${p.scheme}:${p.host}${p.port ? ':' + p.port : ''}${p.params}`;
}

function defaultPort(scheme: string, params: string): number {
  return scheme.toLowerCase() === 'sips' || uriParam(params, 'transport')?.toLowerCase() === 'tls' ? 5061 : 5060;
}

/** A weight column value: digits as str2int reads them (empty is 1). */
function weightOf(v: unknown): number {
  if (typeof v === 'number') return v & 0xffff;
  const s = String(v ?? '').trim();
  if (s === '') return 1;
  const m = /^\d+/.exec(s);
  return m ? Number(m[0]) & 0xffff : 0;
}

function dbUrl(rt: Runtime): string | undefined {
  const own = rt.param('dispatcher', 'db_url');
  return own !== undefined && own !== '' ? String(own) : rt.dbDefaultUrl;
}

/** Reads the table: the data, or the reason it could not. */
export function loadSets(rt: Runtime): DsData | string {
  const url = dbUrl(rt);
  if (!url) return 'no db_url (and no db_default_url)';
  const db = dbFor(rt, url);
  if (db instanceof DbError) return db.message;
  const persistent = numParam(rt, 'persistent_state', 1) !== 0;
  const cols = [
    'setid_col',
    'destination_col',
    'socket_col',
    'weight_col',
    'attrs_col',
    'priority_col',
    'description_col',
    ...(persistent ? ['state_col'] : []),
  ].map((c) => column(rt, c, c.replace(/_col$/, '')));
  const table = column(rt, 'table_name', 'dispatcher');
  // In id order, the order of a set's destinations on every backend (PostgreSQL returns a row whose state was
  // written last otherwise); a table of its own without an id column is read as it comes.
  let res = db.exec({ ...db.sql.query(table, { cols, order: 'id' }), arrays: true });
  if (res instanceof DbError) res = db.exec({ ...db.sql.query(table, { cols }), arrays: true });
  if (res instanceof DbError) return res.message;
  const rows: unknown[][] = res.arrays ?? [];
  const sets: DsSet[] = [];
  for (const [setid, destination, socket, weight, attrs, priority, description, state] of rows) {
    if (setid === null || setid === undefined) continue;
    const dest = destOf(rt, String(destination ?? ''), socket, weight, attrs, priority, description, state);
    if (!dest) continue;
    let set = sets.find((s) => s.id === Number(setid));
    if (!set) {
      set = { id: Number(setid), dests: [], last: 0 };
      sets.unshift(set);
    }
    set.dests.push(dest);
  }
  // Higher priority first; Array.prototype.sort is stable, so ties keep the table's order.
  for (const s of sets) s.dests.sort((a, b) => b.priority - a.priority);
  return { sets };
}

function destOf(
  rt: Runtime,
  uri: string,
  socket: unknown,
  weight: unknown,
  attrs: unknown,
  priority: unknown,
  description: unknown,
  state: unknown,
): DsDest | undefined {
  const p = uri ? splitUri(uri) : undefined;
  const portOk = !p?.port || (/^\d+$/.test(p.port) && Number(p.port) >= 1 && Number(p.port) <= 65535);
  if (!p || p.host.length > 254 || !portOk) {
    rt.logger.log(-1, 'dispatcher', 'add_dest2list', `bad destination URI '${uri}'`);
    return undefined;
  }
  const sockText = socket === null || socket === undefined ? '' : String(socket).trim();
  const sock = sockText ? rt.findSocket(sockText) : undefined;
  if (sockText && !sock)
    rt.logger.log(1, 'dispatcher', 'add_dest2list', `socket ${sockText} of ${uri} is not a local one: ignored`);
  const st = Number(state ?? 0);
  return {
    uri,
    dstUri: dstUriOf(uri),
    host: p.host.replace(/^\[|\]$/g, ''),
    port: p.port ? Number(p.port) : defaultPort(p.scheme, p.params),
    socket: sock,
    attrs: String(attrs ?? ''),
    description: String(description ?? ''),
    weight: weightOf(weight),
    priority: Number(priority ?? 0),
    flags: st === 1 ? INACTIVE : st === 2 ? PROBING : 0,
    failureCount: 0,
    chosen: 0,
    rrCount: 0,
    scriptAttrs: '',
  };
}

const DATA = serviceKey<DsData>('dispatcher:data');

/** The loaded sets (loaded on first use). */
export function dsData(rt: Runtime): DsData {
  return rt.service(DATA, () => {
    const loaded = loadSets(rt);
    if (typeof loaded === 'string')
      rt.logger.log(-1, 'dispatcher', 'ds_load_data', `cannot load the destinations: ${loaded}`);
    return typeof loaded === 'string' ? { sets: [] } : loaded;
  });
}

/** ds_reload: new data from the table; a destination still there keeps its runtime state. False when the table could not be read. */
export function reloadSets(rt: Runtime): boolean {
  const loaded = loadSets(rt);
  if (typeof loaded === 'string') {
    rt.logger.log(-1, 'dispatcher', 'ds_reload_db', loaded);
    return false;
  }
  const old = dsData(rt);
  for (const s of loaded.sets) {
    const before = old.sets.find((o) => o.id === s.id);
    for (const d of s.dests) {
      const prev = before?.dests.find((o) => o.uri.toLowerCase() === d.uri.toLowerCase());
      if (prev) d.flags = prev.flags;
    }
  }
  old.sets = loaded.sets;
  return true;
}

export function findSet(rt: Runtime, id: number): DsSet | undefined {
  return dsData(rt).sets.find((s) => s.id === id);
}

export type StateChange = 'active' | 'inactive' | 'probing';

/**
 * _ds_set_state: active clears both bits; inactive sets INACTIVE and clears
 * PROBING; probing counts a failure and sets PROBING only at
 * ds_probing_threshold (ignored on an inactive destination), then clears
 * INACTIVE. Each bit that changes raises E_DISPATCHER_STATUS.
 */
export function setState(rt: Runtime, set: DsSet, d: DsDest, change: StateChange, reason: string): void {
  const before = d.flags;
  if (change === 'active') clear(rt, set, d, INACTIVE | PROBING, reason);
  else if (change === 'inactive') {
    raise(rt, set, d, INACTIVE, reason);
    clear(rt, set, d, PROBING, reason);
  } else {
    if (!(d.flags & INACTIVE)) {
      const threshold = numParam(rt, 'ds_probing_threshold', numParam(rt, 'ds_probing_threshhold', 3));
      d.failureCount = Math.min(d.failureCount + 1, threshold);
      if (d.failureCount >= threshold) raise(rt, set, d, PROBING, reason);
    }
    clear(rt, set, d, INACTIVE, reason);
  }
  if (d.flags !== before) persist(rt, set, d);
}

function raise(rt: Runtime, set: DsSet, d: DsDest, bit: number, reason: string): void {
  if (d.flags & bit) return;
  d.flags |= bit;
  statusEvent(rt, set, d, 'inactive', reason);
}

function clear(rt: Runtime, set: DsSet, d: DsDest, bits: number, reason: string): void {
  if (!(d.flags & bits)) return;
  d.flags &= ~bits;
  statusEvent(rt, set, d, 'active', reason);
}

function statusEvent(rt: Runtime, set: DsSet, d: DsDest, status: string, reason: string): void {
  raiseEvent(rt, 'E_DISPATCHER_STATUS', { group: set.id, address: d.uri, status, reason });
}

/** persistent_state: the table's state column follows (OpenSIPS flushes every 30 s; here at once). */
function persist(rt: Runtime, set: DsSet, d: DsDest): void {
  if (numParam(rt, 'persistent_state', 1) === 0) return;
  const url = dbUrl(rt);
  const db = url ? dbFor(rt, url) : undefined;
  if (!db || db instanceof DbError) return;
  const state = d.flags & INACTIVE ? 1 : d.flags & PROBING ? 2 : 0;
  const table = column(rt, 'table_name', 'dispatcher');
  const stmt = db.sql.update(
    table,
    { keys: [column(rt, 'setid_col', 'setid'), column(rt, 'destination_col', 'destination')], vals: [set.id, d.uri] },
    { [column(rt, 'state_col', 'state')]: state },
  );
  // A state change comes from a probe's answer or the timer: written on the async path, the script never waits for it.
  void db.execAsync(stmt).then((r) => {
    if (r instanceof DbError)
      rt.logger.log(-1, 'dispatcher', 'ds_flusher_routine', `cannot save the state of ${d.uri}: ${r.message}`);
  });
}

/** The failover AVP names (dst_avp, grp_avp, cnt_avp, sock_avp; attrs_avp and script_attrs_avp when set). */
export interface DsAvps {
  dst: string;
  grp: string;
  cnt: string;
  sock: string;
  attrs?: string;
  scriptAttrs?: string;
}

export function avpNames(rt: Runtime): DsAvps {
  const name = (p: string, dflt: string): string => avpNameOf(param(rt, p, `$avp(${dflt})`)) ?? dflt;
  const opt = (p: string): string | undefined => avpNameOf(param(rt, p, ''));
  const attrs = opt('attrs_avp');
  const scriptAttrs = opt('script_attrs_avp');
  return {
    dst: name('dst_avp', 'ds_dst_failover'),
    grp: name('grp_avp', 'ds_grp_failover'),
    cnt: name('cnt_avp', 'ds_cnt_failover'),
    sock: name('sock_avp', 'ds_sock_failover'),
    ...(attrs ? { attrs } : {}),
    ...(scriptAttrs ? { scriptAttrs } : {}),
  };
}

/** The newest value of an AVP stack (OpenSIPS's search_first_avp). */
export function firstAvp(ctx: ExecContext, name: string): string | number | undefined {
  const s = ctx.avps.get(name);
  const v = s && s.length ? s[s.length - 1] : undefined;
  return typeof v === 'string' || typeof v === 'number' ? v : undefined;
}
