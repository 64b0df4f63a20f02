// Statistic entries for export tables: a counter the module increments, or a
// module parameter shown as a statistic (registrar's max_expires...).
import { Counter } from '../../base/stats.js';
import type { StatExport } from '../types.js';

/** A counter statistic: read and reset through the runtime's services. */
export function counterStat(name: string, counter: Counter): StatExport {
  return { name, read: (rt) => counter.get(rt.services), reset: (rt) => counter.reset(rt.services) };
}

/** A numeric parameter of `module` exposed as a statistic that is never reset (STAT_NO_RESET). */
export function paramStat(name: string, module: string, param: string, dflt: number): StatExport {
  return {
    name,
    read: (rt) => {
      const v = rt.param(module, param);
      return typeof v === 'number' ? v : dflt;
    },
  };
}

export { Counter };
