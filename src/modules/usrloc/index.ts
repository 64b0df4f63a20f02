// usrloc: parameters (the storage lives in ./store.ts).
import type { Runtime } from '../../script/runtime.js';
import type { NativeModule } from '../types.js';
import { oneOf, atLeast } from '../common/fixups.js';
import { installUsrlocEvents } from './events.js';
import { USRLOC_MI } from './mi.js';
import { usrlocOf } from './api.js';
import { startExpiryTimer } from './timer.js';

export const WORKING_MODE_PRESETS = [
  'single-instance-no-db',
  'single-instance-sql-write-through',
  'single-instance-sql-write-back',
  'sql-only',
  'federation-cachedb-cluster',
  'full-sharing-cluster',
  'full-sharing-cachedb-cluster',
] as const;

export const usrloc: NativeModule = {
  name: 'usrloc',
  functions: {},
  // Routes are compiled after module init: whether the cfg wants usrloc's events is known at start.
  // The expiry timer starts with the server (a dry-run has none).
  init: (rt) => {
    rt.onStart.push(() => {
      installUsrlocEvents(rt);
      return undefined;
    });
    rt.onStart.push(() => startExpiryTimer(rt));
    return undefined;
  },
  params: {
    working_mode_preset: { validate: oneOf(WORKING_MODE_PRESETS) },
    db_mode: { validate: oneOf([0, 1, 2, 3]) },
    matching_mode: { validate: oneOf([0, 1]) },
    use_domain: { validate: oneOf([0, 1]) },
    desc_time_order: { validate: oneOf([0, 1]) },
    timer_interval: { validate: atLeast(1) },
  },
  mi: USRLOC_MI,
  stats: [
    // One family per table, made by the first save()/lookup() that names it (register_udomain).
    {
      name: '<table>-{users,contacts,expires}',
      each: perTable,
      isCounter: (name) => name.endsWith('-expires'),
      reset: resetExpired,
    },
    {
      name: 'registered_users',
      computed: true,
      read: (rt) => [...usrlocOf(rt).domains.values()].reduce((n, d) => n + d.records.size, 0),
    },
  ],
};

function perTable(rt: Runtime): Record<string, number> {
  const out: Record<string, number> = {};
  for (const d of usrlocOf(rt).domains.values()) {
    out[`${d.name}-users`] = d.records.size;
    out[`${d.name}-contacts`] = d.contactCount();
    out[`${d.name}-expires`] = d.expiredCount;
  }
  return out;
}

/** Only `<table>-expires` counts events; users and contacts are gauges (STAT_NO_RESET). */
function resetExpired(rt: Runtime, name: string): void {
  const d = usrlocOf(rt).domains.get(name.replace(/-expires$/, ''));
  if (d) d.expiredCount = 0;
}
