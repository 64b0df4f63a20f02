// Every statistic of a server: the core's tables first, then the loaded
// modules' (statistics.c registers core, shmem and net before the modules).
import { put } from '../base/keys.js';
import { STATISTICS, type StatValue } from '../base/stats.js';
import type { Runtime } from '../script/runtime.js';
import { CORE_STAT_GROUPS } from './core-stats.js';
import { moduleStatistics } from './modules.js';

export function allStatistics(rt: Runtime): StatValue[] {
  const out: StatValue[] = [];
  for (const g of CORE_STAT_GROUPS) {
    for (const s of g.stats) {
      const reset = s.reset;
      out.push({ key: `${g.group}:${s.name}`, value: s.read(rt), ...(reset ? { reset: () => reset(rt) } : {}) });
    }
  }
  out.push(...moduleStatistics(rt));
  return out;
}

/** Lets the modules that show statistics (prometheus, $stat) read them all. */
export function installStatistics(rt: Runtime): void {
  put(rt.services, STATISTICS, () => allStatistics(rt));
}
