// drouting's routing data (dr_load.c), read from the dr_gateways,
// dr_carriers and dr_rules tables of db_url: gateways by id, carriers with
// their gateway lists, rules per group under their prefix (or prefixless),
// each list ordered by priority, higher first, ties in table order. Only the
// default partition. A reload keeps the state of gateways and carriers that
// are still there.
import type { SocketInfo } from '../../net/types.js';
import type { Runtime } from '../../script/runtime.js';
import { DbError } from '../../db/index.js';
import { serviceKey } from '../../base/keys.js';
import { dbFor, dbUrlOf } from '../common/db.js';
import { numParam, strParam } from '../common/params.js';
import { checkTimeRecExpr } from '../common/timerec.js';

/** probe_mode 1: ping only while disabled; 2: ping always (DR_DST_PING_*). */
export const PING_WHEN_DISABLED = 1;
export const PING_ALWAYS = 2;

export interface Gateway {
  readonly internalId: number;
  readonly id: string;
  /** The address without `sip:`/`sips:` and user: host[:port][;params], what the R-URI gets. */
  readonly address: string;
  readonly host: string;
  /** 0: any port. */
  readonly port: number;
  /** '' = any protocol. */
  readonly proto: string;
  readonly type: number;
  readonly strip: number;
  /** undefined when the column is NULL (gw_priprefix_avp then gets ''). */
  readonly priPrefix: string | undefined;
  readonly attrs: string;
  readonly probeMode: number;
  readonly socket: SocketInfo | undefined;
  /** DR_DST_STAT_DSBL_FLAG. */
  disabled: boolean;
  /** DR_DST_STAT_NOEN_FLAG: disabled by MI (or state 1 in the table), probing cannot bring it back. */
  permanent: boolean;
}

export interface DstRef {
  carrier?: Carrier;
  gw?: Gateway;
  weight: number;
}

export interface Carrier {
  readonly id: string;
  readonly dsts: DstRef[];
  /** DR_CR_FLAG_FIRST: only the first usable gateway. */
  readonly firstOnly: boolean;
  readonly sortAlg: SortAlg;
  readonly attrs: string;
  /** DR_CR_FLAG_IS_OFF. */
  off: boolean;
}

/** N: as listed; W: weight based; Q: quality based (qrouting), not native: as listed. */
export type SortAlg = 'N' | 'W' | 'Q';

export interface Rule {
  readonly id: number;
  readonly priority: number;
  /** The time recurrence expression (check_time_rec's syntax), checked at routing time. */
  readonly timeRec: string | undefined;
  readonly routeId: string | undefined;
  readonly dsts: DstRef[];
  readonly sortAlg: SortAlg;
  readonly attrs: string;
}

export interface DrData {
  gateways: Map<string, Gateway>;
  carriers: Map<string, Carrier>;
  /** prefix -> group -> rules, by priority. */
  prefixes: Map<string, Map<number, Rule[]>>;
  /** Every proper prefix of a stored prefix: where the tree has deeper nodes. */
  inner: Set<string>;
  noPrefix: Map<number, Rule[]>;
  /** The characters a prefix may hold: digits and extra_prefix_chars. */
  prefixChars: Set<string>;
  loadedAt: number;
}

const DATA = serviceKey<DrData>('drouting:data');

export const param = (rt: Runtime, name: string, dflt: string): string => strParam(rt, 'drouting', name, dflt);
export const num = (rt: Runtime, name: string, dflt: number): number => numParam(rt, 'drouting', name, dflt);

function sortAlgOf(v: unknown): SortAlg {
  const c = String(v ?? '')[0];
  return c === 'W' || c === 'Q' ? c : 'N';
}

function text(v: unknown): string {
  return v === null || v === undefined ? '' : String(v);
}

function idChars(rt: Runtime): string {
  return param(rt, 'extra_id_chars', '_-.');
}

function validId(rt: Runtime, id: string): boolean {
  const extra = idChars(rt);
  return id.length > 0 && [...id].every((c) => /[A-Za-z0-9]/.test(c) || extra.includes(c));
}

/** parse_destination_list: "gw1=10, #cr2 , gw3"; unknown ids are warned about and left out; undefined on a syntax error. */
export function parseDstList(
  rt: Runtime,
  d: Pick<DrData, 'gateways' | 'carriers'>,
  list: string,
): DstRef[] | undefined {
  const out: DstRef[] = [];
  const extra = idChars(rt);
  const isId = (c: string | undefined) => c !== undefined && (/[A-Za-z0-9]/.test(c) || extra.includes(c));
  let i = 0;
  const space = () => {
    while (list[i] === ' ' || list[i] === '\t' || list[i] === '\r' || list[i] === '\n') i++;
  };
  while (i < list.length) {
    space();
    const isCarrier = list[i] === '#';
    if (isCarrier) i++;
    const start = i;
    while (isId(list[i])) i++;
    if (i === start) {
      rt.logger.log(-1, 'drouting', 'parse_destination_list', `bad id '${list[i] ?? ''}' (${i})[${list}]`);
      return undefined;
    }
    const id = list.slice(start, i);
    const ref: DstRef = { weight: 0 };
    if (isCarrier) {
      const c = d.carriers.get(id);
      if (c) ref.carrier = c;
    } else {
      const g = d.gateways.get(id);
      if (g) ref.gw = g;
    }
    if (!ref.carrier && !ref.gw)
      rt.logger.log(1, 'drouting', 'parse_destination_list', `destination ID <${id}> was not found`);
    space();
    if (list[i] === '=') {
      i++;
      const m = /^[ \t]*[+-]?\d+/.exec(list.slice(i));
      if (!m) {
        rt.logger.log(-1, 'drouting', 'parse_destination_list', `bad weight value '${list[i] ?? ''}' (${i})[${list}]`);
        return undefined;
      }
      ref.weight = Number(m[0]);
      i += m[0].length;
      space();
    }
    if (ref.carrier || ref.gw) out.push(ref);
    if (list[i] === '|' || list[i] === ',') i++;
    else if (i < list.length) {
      rt.logger.log(-1, 'drouting', 'parse_destination_list', `bad char ${list[i]} (${i}) [${list}]`);
      return undefined;
    }
  }
  return out;
}

/** add_dst: the address as a SIP URI (sip: added when missing); the host part is what the R-URI gets. */
function gatewayOf(
  rt: Runtime,
  row: Record<string, unknown>,
  internalId: number,
  persistent: boolean,
): Gateway | string {
  const id = text(row.gwid);
  if (!validId(rt, id)) return `invalid char in gateway's name`;
  const raw = text(row.address);
  const uri = /^sips?:/i.test(raw) ? raw : `sip:${raw}`;
  const m = /^sips?:(?:[^@]*@)?(\[[^\]]+\]|[^:;?]+)(?::(\d+))?([^?]*)/i.exec(uri);
  if (!m || !m[1]) return `invalid uri <${uri}>`;
  const address = uri.replace(/^sips?:(?:[^@]*@)?/i, '');
  const probeMode = Number(row.probe_mode ?? 0);
  const state = persistent ? Number(row.state ?? 0) : 0;
  if (![0, 1, 2].includes(probeMode) || ![0, 1, 2].includes(state)) return 'bad probe_mode or state';
  const sockText = text(row.socket).trim();
  let socket: SocketInfo | undefined;
  if (sockText && param(rt, 'gw_socket_filter_mode', 'all').toLowerCase() !== 'ignore') {
    socket = rt.findSocket(sockText);
    if (!socket) {
      if (param(rt, 'gw_socket_filter_mode', 'all').toLowerCase() === 'matched-only') return 'filtered';
      rt.logger.log(
        -1,
        'drouting',
        'dr_load_routing_info',
        `GW <${id}>(${text(row.id)}): socket <${sockText}> is not local to OpenSIPS (we must listen on it) -> ignoring socket`,
      );
    }
  }
  const transport = /;transport=(\w+)/i.exec(m[3] ?? '')?.[1]?.toLowerCase() ?? '';
  return {
    internalId,
    id,
    address,
    host: m[1].replace(/^\[|\]$/g, '').toLowerCase(),
    port: m[2] ? Number(m[2]) : 0,
    proto: transport,
    type: Number(row.type ?? 0),
    strip: Number(row.strip ?? 0),
    priPrefix: row.pri_prefix === null || row.pri_prefix === undefined ? undefined : String(row.pri_prefix),
    attrs: text(row.attrs),
    probeMode,
    socket,
    disabled: state !== 0,
    permanent: state === 1,
  };
}

function insertByPriority(list: Rule[], r: Rule): void {
  const at = list.findIndex((x) => r.priority > x.priority);
  if (at < 0) list.push(r);
  else list.splice(at, 0, r);
}

function select(rt: Runtime, table: string, cols: string[]): Record<string, unknown>[] | string {
  const url = dbUrlOf(rt, 'drouting');
  if (!url) return 'no db_url (and no db_default_url)';
  const db = dbFor(rt, url);
  if (db instanceof DbError) return db.message;
  // In id order (the first column): PostgreSQL returns an updated row (a state write) last otherwise.
  const res = db.exec(db.sql.query(table, { cols, order: cols[0] }));
  return res instanceof DbError ? res.message : res.rows;
}

/** dr_load_routing_info: the data, or why it could not be read. */
export function loadData(rt: Runtime): DrData | string {
  const persistent = num(rt, 'persistent_state', 1) !== 0;
  const state = persistent ? ['state'] : [];
  const gwRows = select(rt, param(rt, 'drd_table', 'dr_gateways'), [
    'id',
    'gwid',
    'address',
    'strip',
    'pri_prefix',
    'type',
    'attrs',
    'probe_mode',
    'socket',
    ...state,
  ]);
  if (typeof gwRows === 'string') return gwRows;
  const extra = param(rt, 'extra_prefix_chars', '');
  const d: DrData = {
    gateways: new Map(),
    carriers: new Map(),
    prefixes: new Map(),
    inner: new Set(),
    noPrefix: new Map(),
    prefixChars: new Set([...'0123456789', ...[...extra].filter((c) => c.charCodeAt(0) < 128)]),
    loadedAt: Math.floor(rt.clock.now() / 1000),
  };
  let n = 0;
  const counts = { gw: [0, 0], cr: [0, 0], rl: [0, 0] };
  for (const row of gwRows) {
    const gw = gatewayOf(rt, row, ++n, persistent);
    if (gw === 'filtered') continue;
    if (typeof gw === 'string') {
      rt.logger.log(-1, 'drouting', 'add_dst', gw);
      rt.logger.log(
        -1,
        'drouting',
        'dr_load_routing_info',
        `failed to add destination <${text(row.gwid)}>(${text(row.id)}) -> skipping`,
      );
      counts.gw[1]!++;
      continue;
    }
    d.gateways.set(gw.id, gw);
    counts.gw[0]!++;
  }
  const crRows = select(rt, param(rt, 'drc_table', 'dr_carriers'), [
    'id',
    'carrierid',
    'flags',
    'sort_alg',
    'gwlist',
    'attrs',
    ...state,
  ]);
  if (typeof crRows === 'string') return crRows;
  for (const row of crRows) {
    const id = text(row.carrierid);
    const dsts = parseDstList(rt, d, text(row.gwlist));
    if (!dsts || dsts.some((x) => x.carrier)) {
      rt.logger.log(
        -1,
        'drouting',
        'dr_load_routing_info',
        `failed to add carrier db_id <${text(row.id)}> -> skipping`,
      );
      counts.cr[1]!++;
      continue;
    }
    const flags = Number(row.flags ?? 0);
    d.carriers.set(id, {
      id,
      dsts,
      firstOnly: (flags & 1) !== 0,
      sortAlg: sortAlgOf(row.sort_alg),
      attrs: text(row.attrs),
      off: persistent && Number(row.state ?? 0) !== 0,
    });
    counts.cr[0]!++;
  }
  const rlRows = select(rt, param(rt, 'drr_table', 'dr_rules'), [
    'ruleid',
    'groupid',
    'prefix',
    'timerec',
    'priority',
    'routeid',
    'gwlist',
    'sort_alg',
    'attrs',
  ]);
  if (typeof rlRows === 'string') return rlRows;
  for (const row of rlRows) {
    const id = Number(row.ruleid);
    const tr = text(row.timerec);
    const timeRec = tr || undefined;
    if (tr && checkTimeRecExpr(tr, Math.floor(rt.clock.now() / 1000)) === -2) {
      rt.logger.log(
        -1,
        'drouting',
        'dr_load_routing_info',
        `bad time definition <${tr}> for rule id ${id} -> skipping`,
      );
      continue;
    }
    const dsts = text(row.gwlist) ? parseDstList(rt, d, text(row.gwlist)) : [];
    if (!dsts) {
      rt.logger.log(-1, 'drouting', 'dr_load_routing_info', `failed to add routing info for rule id ${id} -> skipping`);
      continue;
    }
    const rule: Rule = {
      id,
      priority: Number(row.priority ?? 0),
      timeRec,
      routeId: text(row.routeid) || undefined,
      dsts,
      sortAlg: sortAlgOf(row.sort_alg),
      attrs: text(row.attrs),
    };
    const groups = parseGroups(text(row.groupid));
    const prefix = text(row.prefix);
    if (!groups || [...prefix].some((c) => !d.prefixChars.has(c))) {
      rt.logger.log(-1, 'drouting', 'dr_load_routing_info', `failed to add rule id ${id} -> skipping`);
      counts.rl[1]!++;
      continue;
    }
    for (const g of groups) {
      const byGroup = prefix ? (d.prefixes.get(prefix) ?? new Map<number, Rule[]>()) : d.noPrefix;
      if (prefix) d.prefixes.set(prefix, byGroup);
      const list = byGroup.get(g) ?? [];
      byGroup.set(g, list);
      insertByPriority(list, rule);
    }
    for (let l = 1; l < prefix.length; l++) d.inner.add(prefix.slice(0, l));
    counts.rl[0]!++;
  }
  for (const [what, [ok, bad]] of [
    ['gateways', counts.gw],
    ['carriers', counts.cr],
    ['rules', counts.rl],
  ] as const)
    rt.logger.log(
      2,
      'drouting',
      'dr_load_routing_info',
      `loaded ${ok} (discarded ${bad}) ${what} in partition 'Default'`,
    );
  return d;
}

/** "1,2 | 5": the groups a rule belongs to; undefined on a bad list. */
function parseGroups(list: string): number[] | undefined {
  const out: number[] = [];
  for (const part of list.split(/[,|]/)) {
    const t = part.trim();
    if (t === '' && out.length) continue;
    if (!/^[+-]?\d+$/.test(t)) return undefined;
    out.push(Number(t) >>> 0);
  }
  return out.length ? out : undefined;
}

/** The loaded data (loaded on first use; empty when the tables could not be read). */
export function drData(rt: Runtime): DrData {
  return rt.service(DATA, () => {
    const loaded = loadData(rt);
    if (typeof loaded === 'string') {
      rt.logger.log(-1, 'drouting', 'dr_init', `failed to load routing info: ${loaded}`);
      return emptyData();
    }
    return loaded;
  });
}

function emptyData(): DrData {
  return {
    gateways: new Map(),
    carriers: new Map(),
    prefixes: new Map(),
    inner: new Set(),
    noPrefix: new Map(),
    prefixChars: new Set('0123456789'),
    loadedAt: 0,
  };
}

/** dr_reload: new data; gateways and carriers still there keep their state. False when the tables could not be read. */
export function reloadData(rt: Runtime): boolean {
  const loaded = loadData(rt);
  if (typeof loaded === 'string') {
    rt.logger.log(-1, 'drouting', 'dr_reload_data', `failed to load routing info: ${loaded}`);
    return false;
  }
  const old = drData(rt);
  for (const g of loaded.gateways.values()) {
    const prev = old.gateways.get(g.id);
    if (prev) {
      g.disabled = prev.disabled;
      g.permanent = prev.permanent;
    }
  }
  for (const c of loaded.carriers.values()) {
    const prev = old.carriers.get(c.id);
    if (prev) c.off = prev.off;
  }
  Object.assign(old, loaded);
  return true;
}
