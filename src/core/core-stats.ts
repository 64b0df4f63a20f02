// The core's statistics tables (OpenSIPS's core_stats.c, shm_stats, pkg
// stats): registered before the modules' tables, as statistics.c does.
// Memory is V8's: OpenSIPS's shared memory is the heap every part of the
// server allocates from, so `shmem:` reads the V8 heap; the per-process
// private memory (`pkmem:`) reads what the process holds outside that heap.
// docs/mi.md has the mapping.
import { getHeapStatistics } from 'node:v8';
import { peek, serviceKey, stateOf } from '../base/keys.js';
import { NETWORK_STATUS } from '../net/types.js';
import type { StatExport } from '../modules/types.js';
import { CORE_COUNTERS } from '../script/core-stats.js';
import type { Runtime } from '../script/runtime.js';
import { counterStat } from '../modules/common/stats.js';

export interface StatGroup {
  group: string;
  stats: StatExport[];
}

/** The largest heap and resident sizes seen at a read: V8 keeps no high-water mark of its own. */
const PEAKS = serviceKey<{ heap: number; rss: number }>('core:mem-peaks');

function heap(rt: Runtime): ReturnType<typeof getHeapStatistics> {
  const h = getHeapStatistics();
  const peaks = stateOf(rt.services, PEAKS, () => ({ heap: 0, rss: 0 }));
  if (h.total_heap_size > peaks.heap) peaks.heap = h.total_heap_size;
  return h;
}

function resident(rt: Runtime): NodeJS.MemoryUsage {
  const m = process.memoryUsage();
  const peaks = stateOf(rt.services, PEAKS, () => ({ heap: 0, rss: 0 }));
  if (m.rss > peaks.rss) peaks.rss = m.rss;
  return m;
}

const gauge = (name: string, read: (rt: Runtime) => number): StatExport => ({ name, read, computed: true });

const CORE: StatExport[] = [
  ...Object.entries(CORE_COUNTERS).map(([name, c]) => counterStat(name, c)),
  // get_ticks(): seconds since start-up.
  gauge('timestamp', (rt) => Math.floor((rt.clock.now() - rt.startedAt) / 1000)),
];

const SHMEM: StatExport[] = [
  gauge('total_size', (rt) => heap(rt).heap_size_limit),
  gauge('used_size', (rt) => heap(rt).used_heap_size),
  gauge('real_used_size', (rt) => heap(rt).total_heap_size),
  gauge('max_used_size', (rt) => {
    heap(rt);
    return peek(rt.services, PEAKS)?.heap ?? 0;
  }),
  gauge('free_size', (rt) => {
    const h = heap(rt);
    return Math.max(0, h.heap_size_limit - h.total_heap_size);
  }),
  // V8 compacts its heap: there is no free-list fragment count to report.
  gauge('fragments', () => 0),
];

/** One process (ID 0, as `ps` lists it): OpenSIPS's per-process private memory, read outside the V8 heap. */
const PKMEM: StatExport[] = [
  gauge('0-total_size', (rt) => resident(rt).rss),
  gauge('0-used_size', (rt) => {
    const m = resident(rt);
    return m.external + m.arrayBuffers;
  }),
  gauge('0-real_used_size', (rt) => resident(rt).rss - resident(rt).heapTotal),
  gauge('0-max_used_size', (rt) => {
    resident(rt);
    return peek(rt.services, PEAKS)?.rss ?? 0;
  }),
  gauge('0-free_size', () => 0),
  gauge('0-fragments', () => 0),
];

const waiting = (proto: 'udp' | 'tcp' | 'tls') => (rt: Runtime) =>
  peek(rt.services, NETWORK_STATUS)?.waitingBytes(proto) ?? 0;

const NET: StatExport[] = [
  gauge('waiting_udp', waiting('udp')),
  gauge('waiting_tcp', waiting('tcp')),
  gauge('waiting_tls', waiting('tls')),
];

/** In OpenSIPS's registration order: shmem, core, net, then pkmem once the processes are known. */
export const CORE_STAT_GROUPS: readonly StatGroup[] = [
  { group: 'shmem', stats: SHMEM },
  { group: 'core', stats: CORE },
  { group: 'net', stats: NET },
  { group: 'pkmem', stats: PKMEM },
];
