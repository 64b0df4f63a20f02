// usrloc: parameters (the storage lives in ./store.ts).
import type { NativeModule } from '../types.js';
import { oneOf, atLeast } from '../common/fixups.js';
import { installUsrlocEvents } from './events.js';

export const WORKING_MODE_PRESETS = [
  'single-instance-no-db', 'single-instance-sql-write-through', 'single-instance-sql-write-back', 'sql-only',
  'federation-cachedb-cluster', 'full-sharing-cluster', 'full-sharing-cachedb-cluster',
] as const;

export const usrloc: NativeModule = {
  name: 'usrloc',
  functions: {},
  // Routes are compiled after module init: whether the cfg wants usrloc's events is known at start.
  init: (rt) => { rt.onStart.push(() => { installUsrlocEvents(rt); return undefined; }); return undefined; },
  params: {
    working_mode_preset: { validate: oneOf(WORKING_MODE_PRESETS) },
    db_mode: { validate: oneOf([0, 1, 2, 3]) },
    matching_mode: { validate: oneOf([0, 1]) },
    use_domain: { validate: oneOf([0, 1]) },
    desc_time_order: { validate: oneOf([0, 1]) },
    timer_interval: { validate: atLeast(1) },
  },
};
