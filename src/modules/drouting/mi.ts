// drouting's MI commands (default partition only, use_partitions 0):
// dr_reload, dr_reload_status, dr_gw_status, dr_carrier_status,
// dr_number_routing and dr_enable_probing, answering as 3.3 does.
import { MiError } from '../../base/mi.js';
import type { ModuleMi } from '../types.js';
import { drData, num, reloadData } from './data.js';
import { probingState } from './probe.js';
import { matchRule } from './routing.js';
import { gwStateName, setCarrierState, setGwState } from './status.js';

function noPartitions(p: Record<string, unknown>): void {
  if (p.partition_name !== undefined)
    throw new MiError(
      400,
      "Invalid parameter: 'partition_name'",
      "'partition_name' supported only when 'use_partitions' is set",
    );
}

function intParam(v: unknown): number {
  const s = String(v ?? '').trim();
  if (!/^-?\d+$/.test(s)) throw new MiError(400, 'Invalid params');
  return Number(s);
}

/** ctime(): "Tue Aug 12 12:26:00 2014" in local time, without the newline. */
function ctime(sec: number): string {
  const d = new Date(sec * 1000);
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getDay()];
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getMonth()];
  const two = (n: number) => String(n).padStart(2, '0');
  return `${day} ${mon} ${String(d.getDate()).padStart(2, ' ')} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())} ${d.getFullYear()}`;
}

export const DROUTING_MI: ModuleMi[] = [
  {
    name: 'dr_reload',
    recipes: [[], ['partition_name']],
    run: (p, rt) => {
      noPartitions(p);
      rt.logger.log(2, 'drouting', 'dr_reload_cmd', 'dr_reload MI command received!');
      if (!reloadData(rt)) throw new MiError(500, 'Failed to reload');
      return 'OK';
    },
  },
  {
    name: 'dr_reload_status',
    recipes: [[], ['partition_name']],
    run: (p, rt) => {
      noPartitions(p);
      return { Date: ctime(drData(rt).loadedAt) };
    },
  },
  {
    name: 'dr_gw_status',
    recipes: [
      [],
      ['partition_name'],
      ['gw_id'],
      ['gw_id', 'status'],
      ['partition_name', 'gw_id'],
      ['partition_name', 'gw_id', 'status'],
    ],
    run: (p, rt) => {
      noPartitions(p);
      const d = drData(rt);
      if (p.gw_id === undefined) {
        const sorted = [...d.gateways.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
        return {
          Gateways: sorted.map((g) => ({
            ID: g.id,
            IP: g.address,
            ...(g.attrs ? { ATTRS: g.attrs } : {}),
            State: gwStateName(g),
          })),
        };
      }
      const gw = d.gateways.get(String(p.gw_id));
      if (!gw) throw new MiError(404, 'GW ID not found');
      if (p.status === undefined) return { ...(gw.attrs ? { ATTRS: gw.attrs } : {}), State: gwStateName(gw) };
      const on = intParam(p.status) !== 0;
      setGwState(rt, gw, !on, !on, 'MI command');
      return 'OK';
    },
  },
  {
    name: 'dr_carrier_status',
    recipes: [
      [],
      ['partition_name'],
      ['carrier_id'],
      ['carrier_id', 'status'],
      ['partition_name', 'carrier_id'],
      ['partition_name', 'carrier_id', 'status'],
    ],
    run: (p, rt) => {
      noPartitions(p);
      const d = drData(rt);
      if (p.carrier_id === undefined) {
        const sorted = [...d.carriers.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
        return {
          Carriers: sorted.map((c) => ({
            ID: c.id,
            ...(c.attrs ? { ATTRS: c.attrs } : {}),
            Enabled: c.off ? 'no ' : 'yes',
          })),
        };
      }
      const cr = d.carriers.get(String(p.carrier_id));
      if (!cr) throw new MiError(404, 'Carrier ID not found');
      if (p.status === undefined) return { ...(cr.attrs ? { ATTRS: cr.attrs } : {}), Enabled: cr.off ? 'no ' : 'yes' };
      setCarrierState(rt, cr, intParam(p.status) === 0);
      return 'OK';
    },
  },
  {
    name: 'dr_number_routing',
    recipes: [
      ['number'],
      ['group_id', 'number'],
      ['partition_name', 'number'],
      ['partition_name', 'group_id', 'number'],
    ],
    run: (p, rt) => {
      noPartitions(p);
      const number = String(p.number ?? '');
      const grp = p.group_id === undefined ? -1 : intParam(p.group_id);
      const m = matchRule(rt, number, grp);
      if (!m) return 'No match';
      return {
        'Matched Prefix': number.slice(0, m.len),
        'GW List': m.rule.dsts.map((x) => (x.carrier ? { CARRIER: x.carrier.id } : { GATEWAY: x.gw!.id })),
        ...(m.rule.attrs ? { ATTRS: m.rule.attrs } : {}),
      };
    },
  },
  {
    name: 'dr_enable_probing',
    recipes: [[], ['status']],
    run: (p, rt) => {
      if (num(rt, 'probing_interval', 30) <= 0) throw new MiError(400, 'Gateways probing disabled from script');
      const st = probingState(rt);
      if (p.status === undefined) return { Status: st.on ? 1 : 0 };
      st.on = intParam(p.status) !== 0;
      return 'OK';
    },
  },
];
