// `npm run bench:register` (second part): REGISTERs for distinct AoRs at
// increasing rates to `opensips-ts run` with usrloc in each persistence mode -
// memory, SQLite write-back and write-through, PostgreSQL and MariaDB
// write-through and sql-only (private servers started for the run, as the
// tests do) - printing each mode's highest rate without failures and the
// server's CPU per REGISTER (opensips-ts only: the database server's CPU is
// not counted). Loopback only; every step is bounded in count and time.
// BENCH_MODES=memory,sqlite-wt,... picks modes; BENCH_RATES=500,1000,... the ramp.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor, which } from './bench-lib.js';
import { createTables, DbError, openDb } from '../src/db/index.js';
import { serverSkip, startMariadb, startPostgres, type DbServer } from '../test/helpers/db-servers.js';

const ROOT = process.cwd();
const SCENARIO = join(ROOT, 'conformance/sip/uac-register-load.xml');
const SECONDS_PER_STEP = 3;
const RATES = process.env.BENCH_RATES
  ? process.env.BENCH_RATES.split(',').map(Number)
  : [500, 1000, 2000, 3000, 4000, 6000, 8000, 12000, 16000];
const CLK_TCK = 100;
const SERVER_IP = '127.0.50.1';
const SIPP_IP = '127.0.50.9';

interface Mode {
  name: string;
  backend: 'none' | 'sqlite' | 'postgres' | 'mariadb';
  preset: string;
}
const MODES: Mode[] = [
  { name: 'memory', backend: 'none', preset: 'single-instance-no-db' },
  { name: 'sqlite-wb', backend: 'sqlite', preset: 'single-instance-sql-write-back' },
  { name: 'sqlite-wt', backend: 'sqlite', preset: 'single-instance-sql-write-through' },
  { name: 'pg-wt', backend: 'postgres', preset: 'single-instance-sql-write-through' },
  { name: 'pg-sql-only', backend: 'postgres', preset: 'sql-only' },
  { name: 'maria-wt', backend: 'mariadb', preset: 'single-instance-sql-write-through' },
  { name: 'maria-sql-only', backend: 'mariadb', preset: 'sql-only' },
];

function cpuTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return 0;
  }
}

function cfg(mode: Mode, url: string): string {
  return [
    `# bench:register ${mode.name}`,
    `socket=udp:${SERVER_IP}:5060`,
    'loadmodule "proto_udp.so"',
    'loadmodule "sl.so"',
    'loadmodule "signaling.so"',
    'loadmodule "usrloc.so"',
    'loadmodule "registrar.so"',
    `modparam("usrloc", "working_mode_preset", "${mode.preset}")`,
    ...(url ? [`modparam("usrloc", "db_url", "${url}")`] : []),
    // write-back flushes every timer_interval
    'modparam("usrloc", "timer_interval", 10)',
    'route {',
    '\tsave("location");',
    '}',
    '',
  ].join('\n');
}

/** One step: `rate` REGISTERs/s for SECONDS_PER_STEP (each step's SIPp has a new port: every REGISTER inserts a contact). */
function step(rate: number, pid: number, work: string): { ok: boolean; achieved: number; cpu: number } {
  const count = rate * SECONDS_PER_STEP;
  const before = cpuTicks(pid);
  const t0 = Date.now();
  const r = spawnSync(
    'taskset',
    [
      '-c',
      '1',
      which('sipp')!,
      `${SERVER_IP}:5060`,
      '-sf',
      SCENARIO,
      '-m',
      String(count),
      '-r',
      String(rate),
      '-l',
      String(rate * 2),
      '-i',
      SIPP_IP,
      '-p',
      '0',
      '-t',
      'u1',
      '-timeout',
      `${SECONDS_PER_STEP + 10}s`,
      '-timeout_error',
      '-recv_timeout',
      '2000',
      '-nostdin',
      '-buff_size',
      '4194304',
    ],
    { cwd: work, encoding: 'utf8', timeout: (SECONDS_PER_STEP + 20) * 1000 },
  );
  const ticks = cpuTicks(pid) - before;
  return {
    ok: r.status === 0,
    achieved: Math.round(count / ((Date.now() - t0) / 1000)),
    cpu: ((ticks / CLK_TCK) * 1e6) / count,
  };
}

async function main(): Promise<void> {
  if (!which('sipp')) {
    console.error('bench:register needs sipp (apt-get install -y sip-tester)');
    process.exit(2);
  }
  if (!existsSync(join(ROOT, 'dist/src/cli/bin.js'))) {
    console.error('run `npm run build` first');
    process.exit(2);
  }
  const wanted = process.env.BENCH_MODES?.split(',');
  const modes = MODES.filter((m) => !wanted || wanted.includes(m.name));
  console.log(
    `REGISTER (distinct AoRs) per usrloc persistence mode, ${SECONDS_PER_STEP} s per step, server pinned to core 0, SIPp to core 1, loopback only`,
  );
  const servers = new Map<string, DbServer>();
  const results: { mode: Mode; rate?: number; cpu?: number; note?: string }[] = [];
  try {
    for (const mode of modes) {
      const work = mkdtempSync(join(tmpdir(), 'bench-regdb-'));
      let url = '';
      if (mode.backend === 'sqlite') url = `sqlite://${join(work, 'location.db')}`;
      else if (mode.backend === 'postgres' || mode.backend === 'mariadb') {
        if (serverSkip(mode.backend)) {
          results.push({ mode, note: 'server not installed' });
          continue;
        }
        let srv = servers.get(mode.backend);
        if (!srv) {
          srv = await (mode.backend === 'postgres' ? startPostgres() : startMariadb());
          servers.set(mode.backend, srv);
        }
        url = srv.url;
        const db = openDb(url);
        if (db instanceof DbError) throw new Error(db.message);
        const made = createTables(db, ['location']);
        if (made instanceof DbError) throw new Error(made.message);
        db.delete('location', {});
        db.close();
      }
      const file = join(work, 'registrar.cfg');
      writeFileSync(file, cfg(mode, url));
      const child = spawn('taskset', ['-c', '0', process.execPath, 'dist/src/cli/bin.js', 'run', file], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      try {
        await waitFor(child, /listening on udp/, 20000);
        await new Promise((r) => setTimeout(r, 300));
        let best: { rate: number; achieved: number; cpu: number } | undefined;
        for (const rate of RATES) {
          const s = step(rate, child.pid!, work);
          console.log(
            `  ${mode.name.padEnd(15)} asked ${String(rate).padStart(6)}/s, achieved ${String(s.achieved).padStart(6)}/s: ${s.ok ? 'ok  ' : 'FAIL'}  cpu ${s.cpu.toFixed(1)} µs/REGISTER`,
          );
          if (!s.ok) break;
          best = { rate, ...s };
        }
        results.push(best ? { mode, rate: best.achieved, cpu: best.cpu } : { mode, note: 'failed at the lowest rate' });
      } finally {
        child.kill('SIGTERM');
        await new Promise((r) => setTimeout(r, 500));
        if (child.exitCode === null) child.kill('SIGKILL');
        rmSync(work, { recursive: true, force: true });
      }
    }
  } finally {
    for (const s of servers.values()) await s.stop();
  }
  console.log('\nhighest rate without failures (opensips-ts CPU per REGISTER at that rate):');
  for (const r of results)
    console.log(
      `  ${r.mode.name.padEnd(15)} ${r.rate !== undefined ? `${r.rate}/s  cpu ${r.cpu!.toFixed(1)} µs/REGISTER` : r.note}`,
    );
  console.log(
    `node ${process.version}; reproduce with: npm run bench:register (BENCH_MODES=${MODES.map((m) => m.name).join(',')})`,
  );
}

void main();
