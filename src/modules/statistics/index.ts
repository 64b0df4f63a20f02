// statistics: statistics made and updated by the script (update_stat,
// reset_stat, $stat), shown by get_statistics with the core's and the
// modules' own.
import { peek } from '../../base/keys.js';
import { STATISTICS } from '../../base/stats.js';
import type { Runtime } from '../../script/runtime.js';
import type { Val } from '../../script/values.js';
import type { NativeModule } from '../types.js';
import { declareVariable, scriptStat, scriptStats, splitStatName } from './store.js';

const ROUTES_RC = [1, -1];

/** `$stat(name)`: a script statistic, or any statistic of the server by `group:name` or by name. */
function readStat(rt: Runtime, text: string): Val {
  const { group, name } = splitStatName(text.trim());
  for (const s of scriptStats(rt).values())
    if (s.name === name && (group === undefined || s.group === group)) return s.value;
  for (const s of peek(rt.services, STATISTICS)?.() ?? []) {
    const { group: g, name: n } = splitStatName(s.key);
    if (n === name && (group === undefined || g === group)) return s.value;
  }
  return null;
}

export const statistics: NativeModule = {
  name: 'statistics',
  functions: {
    update_stat: {
      returns: ROUTES_RC,
      impl: (ctx, [name, value]) => {
        const n = value?.int ?? Number(value?.str);
        if (!name?.str || !Number.isFinite(n)) return -1;
        if (n === 0) return 1; // "update with 0 value makes no sense"
        scriptStat(ctx.runtime, name.str, 'dynamic').value += n;
        return 1;
      },
    },
    reset_stat: {
      returns: ROUTES_RC,
      impl: (ctx, [name]) => {
        if (!name?.str) return -1;
        const s = scriptStat(ctx.runtime, name.str, 'dynamic');
        if (!s.noReset) s.value = 0;
        return 1;
      },
    },
  },
  pvs: {
    stat: {
      takesName: true,
      get: (ctx, inner) => (inner === undefined ? null : readStat(ctx.runtime, inner)),
      // pv_set_stat: any assignment resets the statistic (only script ones are writable here).
      set: (ctx, inner) => {
        if (inner === undefined) return false;
        const s = scriptStat(ctx.runtime, inner, 'dynamic');
        if (!s.noReset) s.value = 0;
        return true;
      },
    },
  },
  init: (rt) => {
    const problems: string[] = [];
    for (const v of rt.paramValues('statistics', 'variable')) {
      const err = declareVariable(rt, String(v));
      if (err) problems.push(`statistics: variable "${v}": ${err}`);
    }
    for (const p of problems) rt.logger.log(-1, 'statistics', 'reg_statistic', p);
  },
  stats: [
    {
      name: '<group>:<name> (script statistics)',
      fullKeys: true,
      each: (rt) => Object.fromEntries([...scriptStats(rt).values()].map((s) => [`${s.group}:${s.name}`, s.value])),
      isCounter: (key, rt) => !scriptStats(rt).get(key)?.noReset,
      reset: (rt, key) => {
        const s = scriptStats(rt).get(key);
        if (s && !s.noReset) s.value = 0;
      },
    },
  ],
};
