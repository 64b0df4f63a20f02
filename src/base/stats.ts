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
