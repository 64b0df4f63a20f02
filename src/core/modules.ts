// The core's view of the loaded modules: their export tables, in load order.
// The core reaches a module only through its table (MI commands, statistics,
// timers), never through its internals.
import { NATIVE_MODULES } from '../modules/index.js';
import { isStatFamily, type ModuleMi, type NativeModule } from '../modules/types.js';
import type { Runtime } from '../script/runtime.js';
import type { StatValue } from '../base/stats.js';

export type { StatValue };

/** The native tables of the modules this runtime loaded. */
export function loadedTables(rt: Runtime): NativeModule[] {
  const out: NativeModule[] = [];
  for (const name of rt.modparams.keys()) {
    const table = NATIVE_MODULES[name];
    if (table) out.push(table);
  }
  return out;
}

// The tables never change: the MI commands of one set of loaded modules are indexed once per runtime.
const miCache = new WeakMap<Runtime, ReadonlyMap<string, ModuleMi>>();

/** The MI commands of the loaded modules, by name. */
export function moduleMiCommands(rt: Runtime): ReadonlyMap<string, ModuleMi> {
  let found = miCache.get(rt);
  if (!found) {
    const map = new Map<string, ModuleMi>();
    for (const t of loadedTables(rt)) for (const cmd of t.mi ?? []) map.set(cmd.name, cmd);
    miCache.set(rt, map);
    found = map;
  }
  return found;
}

/** The httpd pages of the loaded modules, by path, bound to this runtime. */
export function moduleHttpPages(
  rt: Runtime,
): Map<string, (method: string) => { status: number; contentType: string; body: string }> {
  const pages = new Map<string, (method: string) => { status: number; contentType: string; body: string }>();
  for (const t of loadedTables(rt)) for (const p of t.http ?? []) pages.set(p.root(rt), (m) => p.answer(rt, m));
  return pages;
}

/** Every statistic of the loaded modules, in table order. */
export function moduleStatistics(rt: Runtime): StatValue[] {
  const out: StatValue[] = [];
  for (const t of loadedTables(rt)) {
    for (const s of t.stats ?? []) {
      if (isStatFamily(s)) {
        for (const [name, value] of Object.entries(s.each(rt))) {
          const reset = s.isCounter?.(name, rt) ? s.reset : undefined;
          out.push({
            key: s.fullKeys ? name : `${t.name}:${name}`,
            value,
            ...(reset ? { reset: () => reset(rt, name) } : {}),
          });
        }
      } else {
        const reset = s.reset;
        out.push({ key: `${t.name}:${s.name}`, value: s.read(rt), ...(reset ? { reset: () => reset(rt) } : {}) });
      }
    }
  }
  return out;
}
