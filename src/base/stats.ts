// A statistic a module increments (OpenSIPS's update_stat on a stat_var):
// its value lives in the runtime's services under a typed key, so one
// server's counters never leak into another's (tests run many in a process).
import { peek, stateOf, serviceKey, type KeyedBag, type ServiceKey } from './keys.js';

export class Counter {
  private readonly key: ServiceKey<{ value: number }>;

  constructor(readonly name: string) {
    this.key = serviceKey(`stat:${name}`);
  }

  inc(bag: KeyedBag, by = 1): void {
    stateOf(bag, this.key, () => ({ value: 0 })).value += by;
  }

  get(bag: KeyedBag): number {
    return peek(bag, this.key)?.value ?? 0;
  }

  reset(bag: KeyedBag): void {
    const box = peek(bag, this.key);
    if (box) box.value = 0;
  }
}

/** One statistic as get_statistics shows it. */
export interface StatValue {
  /** `group:name`. */
  key: string;
  value: number;
  /** Counters only (reset_statistics zeroes them); list_statistics calls them incremental. */
  reset?: () => void;
}

/**
 * Every statistic of a server, core's then the modules' (set by the core
 * when a server starts): what modules that show statistics read (prometheus,
 * statistics' `$stat`), without importing the core.
 */
export const STATISTICS = serviceKey<() => StatValue[]>('core:statistics');
