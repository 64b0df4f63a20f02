// dispatcher: destination sets from the `dispatcher` table (SQLite here),
// ds_select_dst/_domain with algorithms 0-8 and the f/u/d/a flags, failover
// through ds_next_*, ds_mark_dst, ds_is_in_list, ds_count, script attributes,
// OPTIONS probing, E_DISPATCHER_STATUS, and the MI commands (mi.ts). Only the
// default partition; algorithms 9 (PV load) and 10 (algo_route) are not native.
import type { NativeModule, StaticArg } from '../types.js';
import { dsCount, dsGetScriptAttrs, dsIsInList, dsPushScriptAttrs } from './lists.js';
import { DISPATCHER_MI } from './mi.js';
import { consumePingReply, PINGER_TIMER } from './probe.js';
import { dsMark, dsNext, dsSelect, parseSelectFlags, stateOf } from './select.js';
import { dsData } from './sets.js';

/** Uses this implementation does not cover, told by their constant arguments. */
function partitionUse(index: number) {
  return (args: StaticArg[]): string | undefined => {
    const p = args[index];
    return p && p.kind === 'string' && p.text !== '' && p.text !== 'default'
      ? 'dispatcher partitions other than the default one have no native implementation in opensips-ts yet'
      : undefined;
  };
}

function selectUse(args: StaticArg[]): string | undefined {
  const alg = args[1];
  if (alg?.kind === 'number' && (alg.text === '9' || alg.text === '10'))
    return `dispatcher algorithm ${alg.text} has no native implementation in opensips-ts yet (0-8 do)`;
  return partitionUse(3)(args);
}

const select = (domain: boolean): NativeModule['functions'][string] => ({
  returns: [1, -1],
  fixup: (args, report) => {
    const f = args[2];
    if (f && f.kind === 'string' && !f.dynamic && parseSelectFlags(f.text) === undefined)
      report(
        `bad dispatcher flags '${f.text}'`,
        f.span,
        'the flags are f (failover), u (user only), d (use default), a (append)',
      );
  },
  notNativeFor: selectUse,
  impl: (ctx, [set, alg, flags, , max]) => {
    const f = parseSelectFlags(flags?.str ?? '');
    if (!f) return -1;
    return dsSelect(ctx, set?.int ?? 0, alg?.int ?? 0, f, max?.given ? (max.int ?? 1000) : 1000, domain);
  },
});

export const dispatcher: NativeModule = {
  name: 'dispatcher',
  functions: {
    ds_select_dst: select(false),
    ds_select_domain: select(true),
    ds_next_dst: { returns: [1, -1], notNativeFor: partitionUse(0), impl: (ctx) => dsNext(ctx, false) },
    ds_next_domain: { returns: [1, -1], notNativeFor: partitionUse(0), impl: (ctx) => dsNext(ctx, true) },
    ds_mark_dst: {
      returns: [1, -1],
      fixup: (args, report) => {
        const s = args[0];
        if (s && s.kind === 'string' && !s.dynamic && stateOf(s.text) === undefined)
          report(
            `bad state '${s.text}' for ds_mark_dst`,
            s.span,
            'one letter: i (inactive), a (active) or p (probing)',
          );
      },
      notNativeFor: partitionUse(1),
      impl: (ctx, [state]) => dsMark(ctx, state?.given ? state.str : undefined),
    },
    ds_is_in_list: {
      returns: [1, -1],
      notNativeFor: partitionUse(3),
      impl: (ctx, [ip, port, set, , active, pattern]) =>
        dsIsInList(
          ctx,
          ip?.str ?? '',
          port?.int ?? 0,
          set?.given ? (set.int ?? -1) : -1,
          (active?.int ?? 0) !== 0,
          pattern?.given ? pattern.str : undefined,
        ),
    },
    ds_count: {
      returns: [1, -1],
      notNativeFor: partitionUse(3),
      impl: (ctx, [set, filter, out]) => dsCount(ctx, set?.int ?? 0, filter?.str ?? '', out),
    },
    ds_push_script_attrs: {
      returns: [1, -1],
      notNativeFor: partitionUse(4),
      impl: (ctx, [attrs, ip, port, set]) =>
        dsPushScriptAttrs(
          ctx.runtime,
          attrs?.str ?? '',
          ip?.str ?? '',
          port?.int ?? 0,
          set?.given ? (set.int ?? -1) : -1,
        ),
    },
    ds_get_script_attrs: {
      returns: [1, -1],
      notNativeFor: partitionUse(2),
      impl: (ctx, [uri, set, , out]) => dsGetScriptAttrs(ctx, uri?.str ?? '', set?.int ?? -1, out),
    },
  },
  init: (rt) => {
    rt.onStart.push(() => {
      dsData(rt);
      return undefined;
    });
    rt.replyFilters.push((method, callId, status) => consumePingReply(rt, method, callId, status));
  },
  mi: DISPATCHER_MI,
  timers: [PINGER_TIMER],
};
