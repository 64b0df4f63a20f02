// drouting: dynamic routing from the dr_gateways, dr_carriers, dr_rules and
// dr_groups tables (data.ts): do_routing with its F/L/C flags and use_next_gw
// for failover (routing.ts), route_to_gw/route_to_carrier, dr_match,
// is_from_gw/goes_to_gw/dr_is_gw (gw-match.ts), dr_disable, gateway probing
// (probe.ts), E_DROUTING_STATUS, and the MI commands (mi.ts). The default
// partition only (use_partitions 0); Q (qrouting) sorting keeps the listed
// order; blacklists (define_blacklist) and clustering are not native.
import type { ArgValue, FunctionBehaviour, NativeModule, StaticArg } from '../types.js';
import { installProber } from '../common/prober.js';
import { drData, num } from './data.js';
import { gwFlags, isGw, uriTarget } from './gw-match.js';
import { DROUTING_MI } from './mi.js';
import { DR_PROBER, PROBE_PREFIX } from './probe.js';
import { doRouting, drDisable, drMatch, routeTo, routingFlags, useNextGw } from './routing.js';

function partitionUse(index: number) {
  return (args: StaticArg[]): string | undefined => {
    const p = args[index];
    return p && p.kind !== 'empty' && p.text !== ''
      ? 'drouting partitions (use_partitions) have no native implementation in opensips-ts yet'
      : undefined;
  };
}

const int = (a: ArgValue | undefined, dflt: number): number => (a?.given && a.int !== undefined ? a.int : dflt);
const str = (a: ArgValue | undefined): string | undefined => (a?.given ? a.str : undefined);

function gwFlagsFixup(index: number): NonNullable<FunctionBehaviour['fixup']> {
  return (args, report) => {
    const a = args[index];
    if (a?.kind !== 'string' || a.dynamic) return;
    for (const c of a.text)
      if (!'spinrc'.includes(c))
        report(
          `unsupported flag ${c}: OpenSIPS warns and ignores it`,
          a.span,
          'the flags are s, p, i, n, r, c',
          'warning',
        );
  };
}

const check = (which: 'from' | 'to' | 'uri'): FunctionBehaviour => {
  const base = which === 'uri' ? 1 : 0;
  return {
    returns: [1, -1],
    fixup: gwFlagsFixup(base + 1),
    notNativeFor: partitionUse(base + 4),
    impl: (ctx, args) => {
      const [type, flags, gwAttrs, crAttrs] = args.slice(base);
      let target: { host: string; port: number; proto: string } | undefined;
      if (which === 'from') target = { host: ctx.src.ip, port: ctx.src.port, proto: ctx.src.proto };
      else {
        const uri = which === 'to' ? (ctx.du ?? ctx.ruri) : (args[0]?.str ?? '');
        target = uriTarget(uri);
        if (!target) {
          ctx.runtime.logger.log(
            -1,
            'drouting',
            `${which === 'to' ? 'goes_to_gw' : 'dr_is_gw'}`,
            `failed to extract IP/port from uri <${uri}>`,
          );
          return -1;
        }
      }
      return isGw(ctx, int(type, -1), gwFlags(str(flags)), target.host, target.port, target.proto, gwAttrs, crAttrs);
    },
  };
};

export const drouting: NativeModule = {
  name: 'drouting',
  functions: {
    do_routing: {
      returns: [1, -1],
      notNativeFor: partitionUse(6),
      impl: (ctx, [grp, flags, wl, ruleAttrs, gwAttrs, crAttrs]) =>
        doRouting(ctx, int(grp, -1), routingFlags(str(flags)), str(wl) || undefined, {
          rule: ruleAttrs,
          gw: gwAttrs,
          carrier: crAttrs,
        }),
    },
    use_next_gw: {
      returns: [1, -1],
      notNativeFor: partitionUse(3),
      impl: (ctx, [ruleAttrs, gwAttrs, crAttrs]) => useNextGw(ctx, { rule: ruleAttrs, gw: gwAttrs, carrier: crAttrs }),
    },
    route_to_gw: {
      returns: [1, -1],
      notNativeFor: partitionUse(3),
      impl: (ctx, [ids, gwAttrs, crAttrs]) => routeTo(ctx, ids?.str ?? '', false, { gw: gwAttrs, carrier: crAttrs }),
    },
    route_to_carrier: {
      returns: [1, -1],
      notNativeFor: partitionUse(3),
      impl: (ctx, [ids, gwAttrs, crAttrs]) => routeTo(ctx, ids?.str ?? '', true, { gw: gwAttrs, carrier: crAttrs }),
    },
    is_from_gw: check('from'),
    goes_to_gw: check('to'),
    dr_is_gw: check('uri'),
    dr_disable: { returns: [1, -1], notNativeFor: partitionUse(0), impl: (ctx) => drDisable(ctx) },
    dr_match: {
      returns: [1, -1],
      notNativeFor: partitionUse(4),
      impl: (ctx, [grp, flags, number, ruleAttrs]) =>
        drMatch(ctx, int(grp, 0), routingFlags(str(flags)), number?.str ?? '', ruleAttrs),
    },
  },
  init: (rt) => {
    if (num(rt, 'use_partitions', 0) !== 0)
      rt.logger.log(
        1,
        'drouting',
        'dr_init',
        'opensips-ts implements the default partition only: use_partitions is ignored',
      );
    rt.onStart.push(() => {
      drData(rt);
      return undefined;
    });
    installProber(rt, PROBE_PREFIX);
  },
  mi: DROUTING_MI,
  timers: [DR_PROBER],
};
