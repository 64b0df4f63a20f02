// load_balancer's destinations (lb_db.c, lb_data.c) from the load_balancer
// table: each with its group, URI, resources and their capacities
// ("pstn=32;transc=10"), probe mode and attributes. A resource's load on a
// destination is the number of dialogs in the dialog profile `lbX<resource>`
// with the destination's id (in hex) as value, as 3.3 counts it.
import type { Runtime } from '../../script/runtime.js';
import { DbError } from '../../db/index.js';
import { serviceKey } from '../../base/keys.js';
import { dbFor, dbUrlOf } from '../common/db.js';
import { numParam, strParam } from '../common/params.js';
import { splitUri, uriParam } from '../../script/uri-fields.js';
import { raiseEvent } from '../../script/events.js';

export interface LbDst {
  readonly id: number;
  readonly group: number;
  readonly uri: string;
  readonly host: string;
  readonly port: number;
  /** Resource name -> capacity (max_load); lb_resize changes it. */
  readonly capacity: Map<string, number>;
  /** The value of the destination in the resources' profiles: its id in hex. */
  readonly profileId: string;
  readonly attrs: string;
  /** probe_mode 0: never probed; 1: probed while disabled; 2: always. */
  readonly probeMode: number;
  /** LB_DST_STAT_DSBL_FLAG. */
  disabled: boolean;
  /** LB_DST_STAT_NOEN_FLAG: disabled by MI, probing cannot bring it back. */
  permanent: boolean;
}

export interface LbData {
  dsts: LbDst[];
  /** Every resource name any destination has, sorted (3.3 keeps them in name order). */
  resources: string[];
}

const DATA = serviceKey<LbData>('load_balancer:data');

export const lbParam = (rt: Runtime, name: string, dflt: string): string => strParam(rt, 'load_balancer', name, dflt);
export const lbNum = (rt: Runtime, name: string, dflt: number): number => numParam(rt, 'load_balancer', name, dflt);

export function profileOf(resource: string): string {
  return `lbX${resource}`;
}

/**
 * parse_resources_list: "name=val; name2=val2" (withValues) or "name;name2";
 * undefined when a name is empty, a value is missing or one is given where
 * none is expected.
 */
export function parseResources(text: string, withValues: boolean): { name: string; value: number }[] | undefined {
  const out: { name: string; value: number }[] = [];
  for (const raw of text.split(';')) {
    const piece = raw.trim();
    if (!piece) {
      if (out.length) continue;
      return undefined;
    }
    const eq = piece.indexOf('=');
    if (eq >= 0 !== withValues) return undefined;
    const name = (eq >= 0 ? piece.slice(0, eq) : piece).trim();
    if (!name) return undefined;
    const v = eq >= 0 ? piece.slice(eq + 1).trim() : '0';
    if (withValues && !/^\d+$/.test(v)) return undefined;
    out.push({ name, value: Number(v) });
  }
  return out.length ? out : undefined;
}

function dstOf(rt: Runtime, row: Record<string, unknown>): LbDst | string {
  const uri = String(row.dst_uri ?? '');
  const u = splitUri(uri);
  if (!u || !u.host) return `bad uri [${uri}] for destination`;
  const res = parseResources(String(row.resources ?? ''), true);
  if (!res) return `failed to parse resourse string <${String(row.resources ?? '')}>`;
  const id = Number(row.id);
  const tls = u.scheme.toLowerCase() === 'sips' || uriParam(u.params, 'transport')?.toLowerCase() === 'tls';
  return {
    id,
    group: Number(row.group_id ?? 0),
    uri,
    host: u.host.replace(/^\[|\]$/g, '').toLowerCase(),
    port: u.port ? Number(u.port) : tls ? 5061 : 5060,
    capacity: new Map(res.map((r) => [r.name, r.value])),
    profileId: (id >>> 0).toString(16).toUpperCase(),
    attrs: row.attrs === null || row.attrs === undefined ? '' : String(row.attrs),
    probeMode: Number(row.probe_mode ?? 0),
    disabled: false,
    permanent: false,
  };
}

/** load_lb_data: the destinations in table order, or why they could not be read. */
export function loadLbData(rt: Runtime): LbData | string {
  const url = dbUrlOf(rt, 'load_balancer');
  if (!url) return 'no db_url (and no db_default_url)';
  const db = dbFor(rt, url);
  if (db instanceof DbError) return db.message;
  const res = db.exec(
    db.sql.query(lbParam(rt, 'db_table', 'load_balancer'), {
      cols: ['id', 'group_id', 'dst_uri', 'resources', 'probe_mode', 'attrs'],
      order: 'id', // table order on every backend (PostgreSQL moves an updated row last)
    }),
  );
  if (res instanceof DbError) return res.message;
  const dsts: LbDst[] = [];
  if (!res.rows.length)
    rt.logger.log(1, 'load_balancer', 'lb_db_load_data', `table "${lbParam(rt, 'db_table', 'load_balancer')}" empty`);
  for (const row of res.rows) {
    const d = dstOf(rt, row);
    if (typeof d === 'string') {
      rt.logger.log(-1, 'load_balancer', 'add_lb_dsturi', d);
      rt.logger.log(-1, 'load_balancer', 'lb_db_load_data', `failed to add destination ${dsts.length} -> skipping`);
      continue;
    }
    dsts.push(d);
  }
  const resources = [...new Set(dsts.flatMap((d) => [...d.capacity.keys()]))].sort();
  return { dsts, resources };
}

export function lbData(rt: Runtime): LbData {
  return rt.service(DATA, () => {
    const loaded = loadLbData(rt);
    if (typeof loaded === 'string') {
      rt.logger.log(-1, 'load_balancer', 'mod_init', `failed to load load balancing data: ${loaded}`);
      return { dsts: [], resources: [] };
    }
    return loaded;
  });
}

/** lb_reload: new data; a destination with the same id, group and URI keeps its state (lb_inherit_state). */
export function reloadLbData(rt: Runtime): boolean {
  const loaded = loadLbData(rt);
  if (typeof loaded === 'string') {
    rt.logger.log(-2, 'load_balancer', 'lb_reload_data', 'failed to load load-balancing info');
    return false;
  }
  const old = lbData(rt);
  for (const d of loaded.dsts) {
    const prev = old.dsts.find(
      (o) => o.id === d.id && o.group === d.group && o.uri.toLowerCase() === d.uri.toLowerCase(),
    );
    if (prev) {
      d.disabled = prev.disabled;
      d.permanent = prev.permanent;
    }
  }
  Object.assign(old, loaded);
  return true;
}

/** lb_status_changed: E_LOAD_BALANCER_STATUS. */
export function setDstState(rt: Runtime, d: LbDst, disabled: boolean, permanent: boolean): void {
  if (d.disabled === disabled && d.permanent === (disabled && permanent)) return;
  d.disabled = disabled;
  d.permanent = disabled && permanent;
  raiseEvent(rt, 'E_LOAD_BALANCER_STATUS', { group: d.group, uri: d.uri, status: disabled ? 'disabled' : 'enabled' });
}
