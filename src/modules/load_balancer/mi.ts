// load_balancer's MI commands: lb_list, lb_status, lb_reload and lb_resize,
// answering as 3.3 does (the load of a resource is its profile's count).
import { MiError } from '../../base/mi.js';
import type { ModuleMi } from '../types.js';
import { profileSize } from '../dialog/api.js';
import { lbData, profileOf, reloadLbData, setDstState } from './data.js';

function intParam(v: unknown): number {
  const s = String(v ?? '').trim();
  if (!/^-?\d+$/.test(s)) throw new MiError(400, 'Invalid params');
  return Number(s);
}

export const LB_MI: ModuleMi[] = [
  {
    name: 'lb_list',
    recipes: [[]],
    run: (_p, rt) => ({
      Destinations: lbData(rt).dsts.map((d) => ({
        uri: d.uri,
        id: d.id,
        group: d.group,
        enabled: d.disabled ? 'no' : 'yes',
        'auto-reenable': d.permanent ? 'off' : 'on',
        Resources: [...d.capacity].map(([name, max]) => ({
          name,
          max,
          load: profileSize(rt, profileOf(name), d.profileId),
        })),
        ...(d.attrs ? { attrs: d.attrs } : {}),
      })),
    }),
  },
  {
    name: 'lb_status',
    recipes: [['destination_id'], ['destination_id', 'new_status']],
    run: (p, rt) => {
      const id = intParam(p.destination_id);
      const dst = lbData(rt).dsts.find((d) => d.id === id);
      if (!dst) throw new MiError(404, 'Destination ID not found');
      if (p.new_status === undefined)
        return { enable: dst.disabled ? 'no' : 'yes', ...(dst.attrs ? { attrs: dst.attrs } : {}) };
      const on = intParam(p.new_status) !== 0;
      setDstState(rt, dst, !on, !on);
      if (Number(rt.param('load_balancer', 'probing_verbose') ?? 0))
        rt.logger.log(
          2,
          'load_balancer',
          'mi_lb_status',
          `manually ${on ? 'enable' : 'disable'} destination ${dst.id} <${dst.uri}>`,
        );
      return 'OK';
    },
  },
  {
    name: 'lb_reload',
    recipes: [[]],
    run: (_p, rt) => {
      rt.logger.log(2, 'load_balancer', 'mi_lb_reload', '"lb_reload" MI command received!');
      if (!reloadLbData(rt)) throw new MiError(500, 'Failed to reload');
      return 'OK';
    },
  },
  {
    name: 'lb_resize',
    recipes: [['destination_id', 'res_name', 'new_capacity']],
    run: (p, rt) => {
      const id = intParam(p.destination_id);
      const size = intParam(p.new_capacity);
      const dst = lbData(rt).dsts.find((d) => d.id === id);
      if (!dst) throw new MiError(404, 'Destination ID not found');
      const name = String(p.res_name ?? '');
      if (!dst.capacity.has(name)) throw new MiError(404, 'Destination has no such resource');
      dst.capacity.set(name, size);
      return 'OK';
    },
  },
];
