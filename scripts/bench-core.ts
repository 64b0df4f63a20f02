// `npm run bench:core` / `npm run bench:register`: SIPp sends OPTIONS (or
// REGISTERs for distinct AoRs) at increasing rates to `opensips-ts run` and to
// Kamailio with the equivalent cfg, in the same invocation; prints each one's
// highest rate without failures, p50/p99 response times, server CPU µs per
// request (from /proc) and the ratios; for REGISTER also the memory growth per
// contact. Loopback only; every step is bounded in count and time.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadNow, processTree, runSipp, treeCpu, waitFor, which } from './bench-lib.js';
import { liveRound, type Round } from './bench-live-path.js';
import { transportBench } from './bench-transport.js';
import type { StreamTransport } from './bench-stream-load.js';

const ROOT = process.cwd();
const KIND = process.argv[2] === 'register' ? 'register' : 'options';
// `--transport tcp|tls|ws|wss`: the same load over persistent connections (scripts/bench-transport.ts); udp is SIPp's.
const TRANSPORT_AT = process.argv.indexOf('--transport');
const TRANSPORT = TRANSPORT_AT > 0 ? (process.argv[TRANSPORT_AT + 1] ?? '') : 'udp';
// REGISTERs: an AoR prefix per SIPp run (-set aor), so that every step inserts AoRs no earlier step registered.
const SCENARIO = KIND === 'register' ? 'bench/register-distinct.xml' : 'conformance/sip/uac-options-load.xml';
const OURS_CFG = KIND === 'register' ? 'bench/registrar.cfg' : 'bench/options.cfg';
const KAM_CFG = KIND === 'register' ? 'bench/kamailio-registrar.cfg' : 'bench/kamailio-options.cfg';
const SECONDS_PER_STEP = 3;
const RATES = process.env.BENCH_RATES
  ? process.env.BENCH_RATES.split(',').map(Number)
  : [1000, 2000, 4000, 6000, 8000, 10000, 12000, 14000, 16000, 20000, 25000, 30000, 35000, 40000, 50000];
/** Paired rounds after the ramps (OPTIONS only by default: a repeated REGISTER run would refresh, not insert). */
const REPEATS = Number(process.env.BENCH_REPEATS ?? (KIND === 'register' ? 0 : 5));
const NODE_FLAGS = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);

/** CPU of a process, its threads and the processes it forked (Kamailio's workers), in µs. */
function cpuUs(pid: number): number {
  return treeCpu(processTree(pid)).totalNs / 1e3;
}

/** Proportional set size of a process and its children, in bytes (shared pages counted once). */
function pss(pid: number): number {
  const pids = [
    pid,
    ...spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter(Boolean)
      .map(Number),
  ];
  let kb = 0;
  for (const p of pids) {
    try {
      kb += Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${p}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
    } catch {
      /* gone */
    }
  }
  return kb * 1024;
}

const MEMORY_AORS = Number(process.env.BENCH_MEMORY_AORS ?? 100_000);

/** Memory growth per registered contact: PSS before and after MEMORY_AORS registrations of distinct AoRs. */
function memoryPerContact(target: string, pid: number, work: string): { bytes: number; ok: boolean } {
  const before = pss(pid);
  const r = spawnSync(
    'taskset',
    [
      '-c',
      '1',
      which('sipp')!,
      target,
      '-sf',
      join(ROOT, SCENARIO),
      '-set',
      'aor',
      'r',
      '-m',
      String(MEMORY_AORS),
      '-r',
      '4000',
      '-l',
      '8000',
      '-i',
      '127.0.30.9',
      '-p',
      '0',
      '-t',
      'u1',
      '-timeout',
      '60s',
      '-timeout_error',
      '-recv_timeout',
      '4000',
      '-nostdin',
      '-buff_size',
      '4194304',
    ],
    { cwd: work, encoding: 'utf8', timeout: 90_000 },
  );
  return { bytes: (pss(pid) - before) / MEMORY_AORS, ok: r.status === 0 };
}

interface Step {
  rate: number;
  achieved: number;
  ok: boolean;
  sent: number;
  p50?: number;
  p99?: number;
  cpuUsPerReq?: number;
}

function percentile(sorted: number[], p: number): number | undefined {
  if (!sorted.length) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

let stepNo = 0;

function runStep(target: string, rate: number, serverPid: number, work: string): Step {
  const count = rate * SECONDS_PER_STEP;
  const prefix = KIND === 'register' ? ['-set', 'aor', `s${++stepNo}x`] : [];
  const before = cpuUs(serverPid);
  const t0 = Date.now();
  const r = spawnSync(
    'taskset',
    [
      '-c',
      '1',
      which('sipp')!,
      target,
      '-sf',
      join(ROOT, SCENARIO),
      ...prefix,
      '-s',
      'bench',
      '-m',
      String(count),
      '-r',
      String(rate),
      '-l',
      String(rate * 2),
      '-i',
      '127.0.30.9',
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
      '-trace_rtt',
      '-rtt_freq',
      '1000',
    ],
    { cwd: work, encoding: 'utf8', timeout: (SECONDS_PER_STEP + 20) * 1000 },
  );
  const used = cpuUs(serverPid) - before;
  // SIPp may not reach the asked rate on its core: the achieved one is what counts.
  const achieved = Math.round(count / ((Date.now() - t0) / 1000));
  const rtts: number[] = [];
  for (const f of readdirSync(work).filter((x) => x.endsWith('_rtt.csv'))) {
    for (const line of readFileSync(join(work, f), 'utf8').split('\n').slice(1)) {
      // Date_ms;response_time_ms;rtd_no: SIPp measures whole milliseconds.
      const v = Number(line.split(';')[1]);
      if (Number.isFinite(v) && line) rtts.push(v);
    }
    rmSync(join(work, f));
  }
  rtts.sort((a, b) => a - b);
  const p50 = percentile(rtts, 50);
  const p99 = percentile(rtts, 99);
  return {
    rate,
    achieved,
    ok: r.status === 0,
    sent: count,
    ...(p50 !== undefined ? { p50 } : {}),
    ...(p99 !== undefined ? { p99 } : {}),
    cpuUsPerReq: used / count,
  };
}

/** A server under test, started and ready; `stop()` ends it. */
interface Server {
  name: string;
  target: string;
  child: ChildProcess;
  work: string;
}

async function startServer(name: string, start: () => ChildProcess, ready: RegExp, target: string): Promise<Server> {
  const child = start();
  await waitFor(child, ready, 20000);
  await new Promise((r) => setTimeout(r, 500));
  return { name, target, child, work: mkdtempSync(join(tmpdir(), 'bench-core-')) };
}

async function stopServer(s: Server): Promise<void> {
  s.child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  if (s.child.exitCode === null) s.child.kill('SIGKILL');
  rmSync(s.work, { recursive: true, force: true });
}

function printStep(name: string, s: Step): void {
  console.log(
    `  ${name.padEnd(12)} asked ${String(s.rate).padStart(6)}/s, achieved ${String(s.achieved).padStart(6)}/s: ${s.ok ? 'ok  ' : 'FAIL'}  p50 ${s.p50 ?? '-'} ms  p99 ${s.p99 ?? '-'} ms  cpu ${s.cpuUsPerReq!.toFixed(1)} µs/req`,
  );
}

/** The ramp: RATES in order until a step fails (and, for REGISTER, the memory per contact first). */
function ramp(srv: Server): Step[] {
  const steps: Step[] = [];
  if (KIND === 'register') {
    const m = memoryPerContact(srv.target, srv.child.pid!, srv.work);
    memory.set(srv.name, m.bytes);
    console.log(
      `  ${srv.name.padEnd(12)} memory: ${(m.bytes / 1024).toFixed(2)} KB per contact after ${MEMORY_AORS} AoRs${m.ok ? '' : ' (some registrations failed)'}`,
    );
  }
  for (const rate of RATES) {
    const s = runStep(srv.target, rate, srv.child.pid!, srv.work);
    steps.push(s);
    printStep(srv.name, s);
    if (!s.ok) break;
  }
  return steps;
}

/**
 * Paired rounds at each server's top rate, ours then the reference, so that
 * each ratio compares two runs a few seconds apart: on a shared machine one
 * run's CPU figure moves by 20%, the median of the paired ratios much less.
 */
function pairedRounds(a: Server, aRate: number, b: Server, bRate: number): number[] {
  const ratios: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const x = runStep(a.target, aRate, a.child.pid!, a.work);
    const y = runStep(b.target, bRate, b.child.pid!, b.work);
    if (!x.ok || !y.ok) {
      console.log(`  round ${i + 1}: a step failed (${x.ok ? '' : a.name + ' '}${y.ok ? '' : b.name}), not counted`);
      continue;
    }
    ratios.push(x.cpuUsPerReq! / y.cpuUsPerReq!);
    console.log(
      `  round ${i + 1}: ${a.name} ${x.cpuUsPerReq!.toFixed(1)} µs/req at ${x.achieved}/s, ${b.name} ${y.cpuUsPerReq!.toFixed(1)} µs/req at ${y.achieved}/s: ${ratios[ratios.length - 1]!.toFixed(2)}x`,
    );
  }
  return ratios;
}

function median(xs: number[]): number {
  const s = [...xs].sort((p, q) => p - q);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const memory = new Map<string, number>();

function best(steps: Step[]): Step | undefined {
  return [...steps].reverse().find((s) => s.ok);
}

const startOurs = (): Promise<Server> =>
  startServer(
    'opensips-ts',
    () =>
      spawn('taskset', ['-c', '0', process.execPath, ...NODE_FLAGS, 'dist/src/cli/bin.js', 'run', OURS_CFG], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    /listening on udp/,
    '127.0.30.1:5060',
  );

const startKamailio = (bin: string): Promise<Server> =>
  startServer(
    'kamailio',
    () =>
      spawn('taskset', ['-c', '0', bin, '-f', KAM_CFG, '-DD', '-E', '-m', '1024', '-M', '16', '-x', 'tlsf'], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    /INFO|listening|sl|init/i,
    '127.0.30.2:5060',
  );

/** Resident table sizes for the REGISTER phase that an operator sees (issue 14): BENCH_RESIDENT=100000,300000. */
const RESIDENT = (process.env.BENCH_RESIDENT ?? '100000,300000')
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
const RESIDENT_RATE = Number(process.env.BENCH_RESIDENT_RATE ?? 8000);
/** Long enough for old-generation collections to run during the step (the table grows by RATE x SECONDS). */
const RESIDENT_SECONDS = Number(process.env.BENCH_RESIDENT_SECONDS ?? 10);
const FILL_RATE = Number(process.env.BENCH_FILL_RATE ?? 8000);

interface ResidentFigure {
  cpuUs: number;
  mainUs: number;
  ok: boolean;
  note: string;
  kbPerContact: number;
  load: string;
}

/**
 * A fresh server filled with `resident` AoRs, then RESIDENT_SECONDS of new AoRs at RESIDENT_RATE: CPU per
 * REGISTER of every thread (every process for Kamailio) while the table is large and growing.
 */
async function residentStep(start: () => Promise<Server>, resident: number): Promise<ResidentFigure> {
  const srv = await start();
  try {
    const pid = srv.child.pid!;
    const scenario = join(ROOT, SCENARIO);
    const before = pss(pid);
    const fill = runSipp({
      target: srv.target,
      scenario,
      count: resident,
      rate: FILL_RATE,
      from: '127.0.30.9',
      cwd: srv.work,
      set: { aor: 'r' },
    });
    const kbPerContact = (pss(pid) - before) / resident / 1024;
    const pids = processTree(pid);
    const b = treeCpu(pids);
    const count = RESIDENT_RATE * RESIDENT_SECONDS;
    const run = runSipp({
      target: srv.target,
      scenario,
      count,
      rate: RESIDENT_RATE,
      from: '127.0.30.9',
      cwd: srv.work,
      set: { aor: 'm' },
    });
    const a = treeCpu(pids);
    return {
      cpuUs: (a.totalNs - b.totalNs) / 1e3 / count,
      mainUs: (a.mainNs - b.mainNs) / 1e3 / count,
      ok: fill.ok && run.ok,
      note: `fill ${fill.failed} failed; step ${run.failed} failed, ${run.retransmissions} retransmissions`,
      kbPerContact,
      load: loadNow(),
    };
  } finally {
    await stopServer(srv);
  }
}

async function residentPhase(kamailio: string | undefined): Promise<void> {
  console.log(
    `\nresident AoRs: each server fresh, filled at ${FILL_RATE}/s, then ${RESIDENT_RATE}/s new AoRs for ${RESIDENT_SECONDS} s; CPU per REGISTER of every thread:`,
  );
  for (const resident of RESIDENT) {
    const o = await residentStep(startOurs, resident);
    const k = kamailio ? await residentStep(() => startKamailio(kamailio), resident) : undefined;
    const line = (name: string, f: ResidentFigure, main: boolean): string =>
      `  ${String(resident).padStart(7)} resident  ${name.padEnd(12)} ${f.cpuUs.toFixed(1).padStart(6)} µs/REGISTER${main ? ` (main thread ${f.mainUs.toFixed(1)})` : ''}  memory ${f.kbPerContact.toFixed(2)} KB/contact  ${f.ok ? 'ok' : 'FAILURES'} (${f.note})  load ${f.load}`;
    console.log(line('opensips-ts', o, true));
    if (k) {
      console.log(line('kamailio', k, false));
      console.log(
        `  ${String(resident).padStart(7)} resident  opensips-ts / kamailio: ${(o.cpuUs / k.cpuUs).toFixed(2)}x (target ≤ 2x)`,
      );
    }
  }
}

async function main(): Promise<void> {
  if (TRANSPORT !== 'udp') {
    if (!['tcp', 'tls', 'ws', 'wss'].includes(TRANSPORT)) {
      console.error(`--transport ${TRANSPORT}: one of udp, tcp, tls, ws, wss`);
      process.exit(2);
    }
    await transportBench(KIND, TRANSPORT as StreamTransport);
    return;
  }
  if (!which('sipp')) {
    console.error('bench:core needs sipp (apt-get install -y sip-tester)');
    process.exit(2);
  }
  if (!existsSync(join(ROOT, 'dist/src/cli/bin.js'))) {
    console.error('run `npm run build` first');
    process.exit(2);
  }
  console.log(
    `${KIND === 'register' ? 'REGISTER (distinct AoRs)' : 'OPTIONS'} load, ${SECONDS_PER_STEP} s per step, server pinned to core 0, SIPp to core 1, loopback only`,
  );
  const kamailio = process.env.BENCH_NO_REFERENCE ? undefined : which('kamailio');
  // The live path first (issue 22): what a request costs live against the floor of Node's UDP path and the
  // in-process work, so that a regression of either shows in every run.
  let live: Round | undefined;
  if (process.env.BENCH_LIVE_PATH !== '0') {
    console.log(
      `live path: the floor (bare Node dgram responder), the in-process path, opensips-ts run; 6000 to warm up, 30000 at 6000/s (127.0.113.x):`,
    );
    live = await liveRound({ kind: KIND, rate: 6000, count: 30000, warm: 6000, nodeFlags: NODE_FLAGS });
    console.log('');
  }
  const oursSrv = await startOurs();
  const servers = [oursSrv];
  try {
    // Both stay up (an idle Kamailio costs nothing measurable) so that the paired rounds can alternate.
    const theirSrv = kamailio ? await startKamailio(kamailio) : undefined;
    if (theirSrv) servers.push(theirSrv);
    else if (process.env.BENCH_NO_REFERENCE) console.log('BENCH_NO_REFERENCE is set: no Kamailio reference figures');
    else console.log('kamailio is not installed (apt-get install -y kamailio): no reference figures');
    const ours = ramp(oursSrv);
    const theirs = theirSrv ? ramp(theirSrv) : [];
    const a = best(ours);
    const b = best(theirs);
    console.log('\nhighest rate without failures:');
    for (const [n, s] of [
      ['opensips-ts', a],
      ['kamailio', b],
    ] as const) {
      if (s)
        console.log(
          `  ${n.padEnd(12)} ${s.achieved}/s (asked ${s.rate}/s)  p50 ${s.p50} ms  p99 ${s.p99} ms (SIPp resolution: 1 ms)  cpu ${s.cpuUsPerReq?.toFixed(1)} µs/req`,
        );
    }
    if (KIND === 'register' && memory.size)
      console.log(`memory per contact: ${[...memory].map(([n, v]) => `${n} ${(v / 1024).toFixed(2)} KB`).join(', ')}`);
    if (a && b)
      console.log(
        `ratios (opensips-ts / kamailio): rate ${(a.achieved / b.achieved).toFixed(2)}x (both may be limited by SIPp on one core), cpu per request ${(a.cpuUsPerReq! / b.cpuUsPerReq!).toFixed(2)}x`,
      );
    if (a && b && theirSrv && REPEATS > 0) {
      console.log(
        `\n${REPEATS} paired rounds at the top rates (${a.rate}/s and ${b.rate}/s asked), ${SECONDS_PER_STEP} s each:`,
      );
      const ratios = pairedRounds(oursSrv, a.rate, theirSrv, b.rate);
      if (ratios.length)
        console.log(
          `cpu per request, median of ${ratios.length} paired ratios: ${median(ratios).toFixed(2)}x (range ${Math.min(...ratios).toFixed(2)}x-${Math.max(...ratios).toFixed(2)}x)`,
        );
    }
  } finally {
    for (const s of servers) await stopServer(s);
  }
  if (KIND === 'register' && RESIDENT.length) await residentPhase(kamailio);
  if (live)
    console.log(
      `\nlive path: opensips-ts ${live.ours.cpuUs.toFixed(1)} µs per request (main thread ${live.ours.mainUs?.toFixed(1)}), in-process ${live.inProcess.cpuUs.toFixed(1)}, floor ${live.floor.cpuUs.toFixed(1)}: ${(live.ours.cpuUs - live.floor.cpuUs - live.inProcess.cpuUs).toFixed(1)} µs beyond floor + in-process (target ≤ 10); load ${live.ours.load}`,
    );
  console.log(`node ${process.version}; reproduce with: npm run bench:${KIND === 'register' ? 'register' : 'core'}`);
}

void main();
