// The core's operational MI commands (mi_core.c): ps, kill, per-process
// log_level, pwd, arg, list_tcp_conns, the memory dumps and reload_routes.
// opensips-ts is one process: `ps` lists the jobs OpenSIPS gives separate
// processes, all with this process's PID, so per-process settings apply to it.
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import { MiError, type MiRegistry } from '../base/mi.js';
import { peek, serviceKey } from '../base/keys.js';
import { NETWORK_STATUS } from '../net/types.js';
import type { Runtime } from '../script/runtime.js';
import { reloadRoutes } from './reload.js';

/** How `kill` stops the server: set by `run` (a SIGTERM to itself, handled as a signal would be). */
export const SHUTDOWN = serviceKey<() => void>('core:shutdown');

interface Process {
  ID: number;
  PID: number;
  Type: string;
}

/** The jobs OpenSIPS runs as processes, in its order: attendant, MI, receivers, timers. */
export function processes(rt: Runtime): Process[] {
  const types = ['attendant'];
  if (rt.modparams.has('mi_fifo')) types.push('MI FIFO');
  if (rt.modparams.has('httpd')) types.push('HTTPD');
  for (const s of rt.sockets) if (s.proto === 'udp') types.push(`SIP receiver udp:${s.ip}:${s.port}`);
  if (rt.sockets.some((s) => s.proto !== 'udp')) types.push('TCP receiver', 'TCP main');
  types.push('time_keeper', 'timer');
  return types.map((Type, ID) => ({ ID, PID: process.pid, Type }));
}

const two = (n: number): string => String(n).padStart(2, '0');
/** strftime("%Y-%m-%d %H:%M:%S") in local time. */
const dateTime = (ms: number): string => {
  const d = new Date(ms);
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
};

function intParam(v: unknown, name: string): number {
  const n = typeof v === 'number' ? v : Number(String(v));
  if (!Number.isInteger(n)) throw new MiError(-32602, 'Invalid params', `${name} must be an integer`);
  return n;
}

/** The V8 heap as OpenSIPS's shm_status() would log its pool. */
function logHeap(rt: Runtime, level: number, what: string): void {
  const h = getHeapStatistics();
  rt.logger.log(
    level,
    'core',
    'mem_dump',
    `Memory status (${what}): heap_size_limit=${h.heap_size_limit} total_heap_size=${h.total_heap_size} used_heap_size=${h.used_heap_size} external=${h.external_memory}`,
  );
  for (const s of getHeapSpaceStatistics())
    rt.logger.log(
      level,
      'core',
      'mem_dump',
      `  ${s.space_name}: size=${s.space_size} used=${s.space_used_size} available=${s.space_available_size}`,
    );
}

export function addOpsCommands(mi: MiRegistry<Runtime>): void {
  mi.add('ps', { recipes: [[]], run: (_p, rt) => ({ Processes: processes(rt) }) });
  mi.add('pwd', { recipes: [[]], run: () => ({ WD: process.cwd() }) });
  mi.add('arg', { recipes: [[]], run: () => process.argv.slice(1) });
  mi.add('kill', {
    recipes: [[]],
    run: (_p, rt) => {
      const stop = peek(rt.services, SHUTDOWN);
      if (!stop) throw new MiError(500, 'No server to stop');
      // After the reply is written: the transports answer before the server closes them.
      setTimeout(stop, 50).unref?.();
      return 'OK';
    },
  });
  mi.add('log_level', {
    recipes: [[], ['level'], ['level', 'pid']],
    run: (p, rt) => {
      if (p.level === undefined)
        return {
          Processes: processes(rt).map((x) => ({ PID: x.PID, 'Log level': rt.logger.logLevel, Type: x.Type })),
        };
      const level = intParam(p.level, 'level');
      if (p.pid === undefined) {
        rt.logger.logLevel = level;
        return { 'New global log level': level };
      }
      if (intParam(p.pid, 'pid') !== process.pid) throw new MiError(-32602, 'Invalid params', 'Bad PID');
      rt.logger.logLevel = level;
      return { 'Log level': level };
    },
  });
  mi.add('list_tcp_conns', {
    recipes: [[]],
    run: (_p, rt) => {
      const net = peek(rt.services, NETWORK_STATUS);
      if (!net) return null;
      return {
        Connections: net.connections().map((c) => ({
          ID: c.id,
          Type: c.proto,
          State: 0, // S_CONN_OK: a connection that is not open is not listed
          Remote: `${c.remote.ip}:${c.remote.port}`,
          Local: `${c.local.ip}:${c.local.port}`,
          Lifetime: dateTime(c.expires),
        })),
      };
    },
  });
  mi.add('mem_shm_dump', {
    recipes: [[], ['log_level']],
    run: (p, rt) => {
      logHeap(rt, p.log_level === undefined ? 2 : intParam(p.log_level, 'log_level'), 'shm');
      return 'OK';
    },
  });
  mi.add('mem_pkg_dump', {
    recipes: [['pid'], ['pid', 'log_level']],
    run: (p, rt) => {
      if (intParam(p.pid, 'pid') !== process.pid) throw new MiError(404, 'Process not found');
      logHeap(rt, p.log_level === undefined ? 2 : intParam(p.log_level, 'log_level'), 'pkg');
      return 'OK';
    },
  });
  mi.add('reload_routes', {
    recipes: [[]],
    run: (_p, rt) => {
      const errors = reloadRoutes(rt);
      if (!errors.length) {
        rt.logger.log(2, 'core', 'reload_routing_script', 'new routes are now active');
        return 'OK';
      }
      for (const e of errors) rt.logger.log(-1, 'core', 'reload_routing_script', e);
      throw new MiError(500, 'reload failed', errors.join('\n'));
    },
  });
}
