// The core's MI commands (version, uptime, which, log levels, statistics);
// the loaded modules' commands come from their export tables.
import { MiError, MiRegistry } from '../base/mi.js';
import type { Runtime } from '../script/runtime.js';
import { moduleMiCommands, type StatValue } from './modules.js';
import { allStatistics } from './statistics.js';
import { addOpsCommands } from './mi-ops.js';

/** Every statistic as `group:name` -> value. */
export function statistics(rt: Runtime): Record<string, number> {
  return Object.fromEntries(allStatistics(rt).map((s) => [s.key, s.value]));
}

const names = (param: unknown): string[] => (Array.isArray(param) ? param.map(String) : [String(param ?? 'all')]);

/** The statistics a `statistics` parameter names: `all`, `group:` or `group:name` (one or an array). */
function selected(rt: Runtime, param: unknown, groups = true): StatValue[] {
  const all = allStatistics(rt);
  const out: StatValue[] = [];
  for (const w of names(param)) {
    for (const s of all)
      if ((groups && (w === 'all' || (w.endsWith(':') && s.key.startsWith(w)))) || s.key === w) out.push(s);
  }
  return out;
}

/** As OpenSIPS: a list naming no statistic at all is an error (`all` always names something). */
function found(param: unknown, list: StatValue[], allowAll: boolean): StatValue[] {
  if (!list.length && !(allowAll && names(param).includes('all'))) throw new MiError(404, 'Statistics Not Found');
  return list;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** C's ctime() without its newline, in local time: `Tue Dec  8 00:31:01 2026` (day of month padded with a space). */
export function ctime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())} ${d.getFullYear()}`;
}

export function coreMi(version: string): MiRegistry<Runtime> {
  const mi = new MiRegistry<Runtime>(moduleMiCommands);
  mi.add('version', { recipes: [[]], run: () => ({ Server: `opensips-ts ${version} (OpenSIPS 3.3 compatible)` }) });
  mi.add('uptime', {
    recipes: [[]],
    run: (_p, rt) => {
      const up = Math.floor((rt.clock.now() - rt.startedAt) / 1000);
      return { Now: ctime(rt.clock.now()), 'Up since': ctime(rt.startedAt), 'Up time': `${up} [sec]` };
    },
  });
  mi.add('which', { recipes: [[]], run: (_p, rt) => mi.names(rt) });
  mi.add('xlog_level', {
    recipes: [[], ['level']],
    run: (p, rt) => {
      if (p.level !== undefined) {
        const n = Number(p.level);
        if (!Number.isInteger(n)) throw new MiError(-32602, 'Invalid params', 'level must be an integer');
        rt.logger.xlogLevel = n;
        return { 'New xlog level': n };
      }
      return { 'xLog Level': rt.logger.xlogLevel };
    },
  });
  addOpsCommands(mi);
  mi.add('get_statistics', {
    recipes: [['statistics']],
    run: (p, rt) =>
      Object.fromEntries(found(p.statistics, selected(rt, p.statistics), true).map((s) => [s.key, s.value])),
  });
  // OpenSIPS calls a counter "incremental"; a computed value, a gauge or a setting (no reset) "non-incremental".
  mi.add('list_statistics', {
    recipes: [[], ['statistics']],
    run: (p, rt) => {
      const list =
        p.statistics === undefined ? allStatistics(rt) : found(p.statistics, selected(rt, p.statistics), false);
      return Object.fromEntries(list.map((s) => [s.key, s.reset ? 'incremental' : 'non-incremental']));
    },
  });
  // One statistic per name (no groups); those that cannot be reset are left as they are.
  mi.add('reset_statistics', {
    recipes: [['statistics']],
    run: (p, rt) => {
      for (const s of found(p.statistics, selected(rt, p.statistics, false), false)) s.reset?.();
      return 'OK';
    },
  });
  return mi;
}
