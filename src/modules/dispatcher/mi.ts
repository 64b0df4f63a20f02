// dispatcher's MI commands: ds_list ([full]), ds_set_state (state, group,
// address) and ds_reload, answering as OpenSIPS's mi_http does.
import { MiError } from '../../base/mi.js';
import type { ModuleMi } from '../types.js';
import type { Runtime } from '../../script/runtime.js';
import { stateOf } from './select.js';
import { dsData, INACTIVE, PROBING, reloadSets, setState, type DsDest } from './sets.js';

function stateName(d: DsDest): string {
  return d.flags & INACTIVE ? 'Inactive' : d.flags & PROBING ? 'Probing' : 'Active';
}

function listDest(d: DsDest, full: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { URI: d.uri, state: stateName(d), first_hit_counter: d.chosen };
  if (d.socket) out.socket = `${d.socket.proto}:${d.socket.ip}:${d.socket.port}`;
  if (d.attrs) out.attr = d.attrs;
  if (d.scriptAttrs) out.script_attr = d.scriptAttrs;
  if (full) {
    out.weight = d.weight;
    out.priority = d.priority;
    if (d.description) out.description = d.description;
  }
  return out;
}

function checkPartition(p: Record<string, unknown>): void {
  if (p.partition !== undefined && String(p.partition) !== 'default') throw new MiError(500, 'ERROR Unknown partition');
}

export const DISPATCHER_MI: ModuleMi[] = [
  {
    name: 'ds_list',
    recipes: [[], ['partition'], ['full'], ['full', 'partition']],
    run: (p, rt) => {
      checkPartition(p);
      const full = p.full !== undefined && Number(p.full) !== 0;
      const sets = dsData(rt).sets;
      const partition: Record<string, unknown> = { name: 'default' };
      if (sets.length)
        partition.SETS = sets.map((s) => ({ id: s.id, Destinations: s.dests.map((d) => listDest(d, full)) }));
      return { PARTITIONS: [partition] };
    },
  },
  {
    name: 'ds_set_state',
    recipes: [['state', 'group', 'address']],
    run: (p, rt) => {
      const change = stateOf(String(p.state ?? '').slice(0, 1));
      if (!change || String(p.state ?? '') === '') throw new MiError(500, 'Bad state value');
      const group = String(p.group ?? '');
      const colon = group.indexOf(':');
      if (colon >= 0 && group.slice(0, colon) !== 'default') throw new MiError(404, 'ERROR Unknown partition');
      const id = colon >= 0 ? group.slice(colon + 1) : group;
      if (!/^-?\d+$/.test(id.trim())) throw new MiError(500, 'bad group value');
      const set = dsData(rt).sets.find((s) => s.id === Number(id));
      const address = String(p.address ?? '').toLowerCase();
      const dest = set?.dests.find((d) => d.uri.toLowerCase() === address);
      if (!set || !dest) throw new MiError(404, 'destination not found');
      setState(rt, set, dest, change, 'MI command');
      return 'OK';
    },
  },
  {
    name: 'ds_reload',
    recipes: [[], ['partition']],
    run: (p, rt) => {
      checkPartition(p);
      if (!reloadSets(rt)) throw new MiError(500, 'ERROR Reloading data');
      return 'OK';
    },
  },
];
