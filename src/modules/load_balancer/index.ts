// load_balancer: destinations with resources and capacities from the
// load_balancer table (data.ts); lb_start / lb_next / lb_start_or_next
// (load_balance) / lb_reset / lb_is_started / lb_disable_dst /
// lb_is_destination / lb_count_call (balance.ts), the load counted with
// dialog profiles as 3.3 does; probing (probe.ts), E_LOAD_BALANCER_STATUS,
// MI lb_list / lb_status / lb_reload / lb_resize (mi.ts). FreeSWITCH load
// (fetch_freeswitch_stats), blacklists and clustering are not native.
import type { ArgValue, FunctionBehaviour, NativeModule } from '../types.js';
import { installProber } from '../common/prober.js';
import {
  lbCountCall,
  lbDisableDst,
  lbFlags,
  lbIsDestination,
  lbIsStarted,
  lbNext,
  lbReset,
  lbStart,
  parseResourceNames,
} from './balance.js';
import { lbData, lbNum } from './data.js';
import { LB_MI } from './mi.js';
import { LB_PROBE_PREFIX, LB_PROBER } from './probe.js';

const int = (a: ArgValue | undefined, dflt: number): number => (a?.given && a.int !== undefined ? a.int : dflt);

/** fixup_resources: a constant list of resource names ("pstn;transc"), no values. */
function resourcesFixup(index: number): NonNullable<FunctionBehaviour['fixup']> {
  return (args, report) => {
    const a = args[index];
    if (a?.kind === 'string' && !a.dynamic && !parseResourceNames(a.text))
      report(`invalid parameter ${a.text}`, a.span, 'resource names separated by `;`, without values: "pstn;transc"');
  };
}

const start: FunctionBehaviour = {
  returns: [1, -1, -2, -3, -4],
  fixup: resourcesFixup(1),
  impl: (ctx, [grp, res, flags, attrs]) => lbStart(ctx, int(grp, 0), res?.str ?? '', lbFlags(flags?.str), attrs),
};

const startOrNext: FunctionBehaviour = {
  ...start,
  impl: (ctx, args) => (lbIsStarted(ctx) > 0 ? lbNext(ctx, args[3]) : start.impl!(ctx, args)),
};

export const loadBalancer: NativeModule = {
  name: 'load_balancer',
  functions: {
    lb_start: start,
    lb_start_or_next: startOrNext,
    load_balance: startOrNext,
    lb_next: { returns: [1, -1, -2, -3], impl: (ctx, [attrs]) => lbNext(ctx, attrs) },
    lb_reset: { returns: [1, -1], impl: (ctx) => lbReset(ctx) },
    lb_is_started: { returns: [1, -1], impl: (ctx) => lbIsStarted(ctx) },
    lb_disable_dst: { returns: [1, -1], impl: (ctx) => lbDisableDst(ctx) },
    lb_is_destination: {
      returns: [1, -1],
      impl: (ctx, [ip, port, grp, active, attrs]) =>
        lbIsDestination(ctx, ip?.str ?? '', int(port, 0), int(grp, -1), int(active, 0) !== 0, attrs),
    },
    lb_count_call: {
      returns: [1, -1],
      fixup: resourcesFixup(3),
      impl: (ctx, [ip, port, grp, res, undo]) =>
        lbCountCall(ctx, ip?.str ?? '', int(port, 0), int(grp, -1), res?.str ?? '', int(undo, 0) !== 0),
    },
  },
  init: (rt) => {
    if (lbNum(rt, 'fetch_freeswitch_stats', 0) !== 0)
      rt.logger.log(
        1,
        'load_balancer',
        'mod_init',
        'opensips-ts does not fetch FreeSWITCH loads: the table capacities are used',
      );
    rt.onStart.push(() => {
      lbData(rt);
      return undefined;
    });
    installProber(rt, LB_PROBE_PREFIX);
  },
  mi: LB_MI,
  timers: [LB_PROBER],
};
