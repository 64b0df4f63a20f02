// `npm run bench:live-path`: what a live REGISTER costs beyond its work, in
// one run, round after round (issue 22's table):
//   floor        a bare Node dgram responder copying Via/From/To/Call-ID/CSeq/Contact into a 200
//   in-process   opensips-ts's receive -> parse -> script -> save -> reply, no socket
//   opensips-ts  `opensips-ts run bench/registrar.cfg`, every thread of the process
//   kamailio     Kamailio with the same logic (bench/kamailio-registrar.cfg, one UDP worker), every process
// Each live server is started afresh, pinned to core 0 (SIPp on core 1), warmed up with BENCH_WARM REGISTERs and
// measured on BENCH_COUNT more at BENCH_RATE/s, all for distinct AoRs; CPU from the scheduler's per-thread
// account. On a shared machine compare figures of one round; the load average is printed with each.
// Loopback only (127.0.113.x); every step is bounded in count and time.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadNow, median, runSipp, threadCpu, waitFor, which, type ThreadCpu } from './bench-lib.js';

const ROOT = process.cwd();
const SCENARIO = join(ROOT, 'bench/register-distinct.xml');
const RATE = Number(process.env.BENCH_RATE ?? 6000);
const COUNT = Number(process.env.BENCH_COUNT ?? 30000);
const WARM = Number(process.env.BENCH_WARM ?? 6000);
const ROUNDS = Number(process.env.BENCH_REPEATS ?? 3);
const NODE_FLAGS = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
const SIPP_IP = '127.0.113.9';

/** Every process under `pid` (Kamailio forks its workers), `pid` first. */
function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    const kids = spawnSync('pgrep', ['-P', String(out[i])], { encoding: 'utf8' }).stdout;
    for (const k of kids.split('\n').filter(Boolean)) out.push(Number(k));
  }
  return out;
}

function treeCpu(pids: number[]): ThreadCpu {
  const all = pids.map(threadCpu);
  return { totalNs: all.reduce((s, c) => s + c.totalNs, 0), mainNs: all[0]!.mainNs };
}

interface Figure {
  cpuUs: number;
  mainUs?: number;
  ok: boolean;
  load: string;
  note?: string;
}

interface Target {
  name: string;
  ip: string;
  ready: RegExp;
  start(work: string): ChildProcess;
}

async function measureLive(t: Target): Promise<Figure> {
  const work = mkdtempSync(join(tmpdir(), 'bench-live-'));
  const child = t.start(work);
  try {
    await waitFor(child, t.ready, 20000);
    await new Promise((r) => setTimeout(r, 300));
    const target = `${t.ip}:5060`;
    const warm = runSipp({
      target,
      scenario: SCENARIO,
      count: WARM,
      rate: RATE,
      from: SIPP_IP,
      cwd: work,
      set: { aor: 'w' },
    });
    // Kamailio's workers: one process each. Node: one process, its threads.
    const pids = processTree(child.pid!);
    const before = treeCpu(pids);
    const run = runSipp({
      target,
      scenario: SCENARIO,
      count: COUNT,
      rate: RATE,
      from: SIPP_IP,
      cwd: work,
      set: { aor: 'm' },
    });
    const after = treeCpu(pids);
    return {
      cpuUs: (after.totalNs - before.totalNs) / 1e3 / COUNT,
      ...(pids.length === 1 ? { mainUs: (after.mainNs - before.mainNs) / 1e3 / COUNT } : {}),
      ok: warm.ok && run.ok,
      load: loadNow(),
      ...(warm.ok && run.ok && !run.retransmissions
        ? {}
        : {
            note: `SIPp: failed calls ${warm.failed} warming up, ${run.failed} measured; ${run.retransmissions} retransmissions`,
          }),
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(work, { recursive: true, force: true });
  }
}

function measureInProcess(): Figure {
  const r = spawnSync(
    'taskset',
    ['-c', '0', process.execPath, 'dist/scripts/bench-in-process.js', 'register', String(COUNT), String(WARM)],
    { cwd: ROOT, encoding: 'utf8', timeout: 120_000 },
  );
  const line = r.stdout?.trim().split('\n').at(-1) ?? '';
  try {
    const f = JSON.parse(line) as { cpuUs: number; replies: number };
    return { cpuUs: f.cpuUs, ok: f.replies === COUNT, load: loadNow() };
  } catch {
    return { cpuUs: NaN, ok: false, load: loadNow(), note: `no figure: ${r.stderr}` };
  }
}

/** A cfg copied with its 127.0.30.x addresses moved to 127.0.113.x. */
function moved(cfg: string, work: string): string {
  const file = join(work, cfg.replace(/.*\//, ''));
  writeFileSync(file, readFileSync(join(ROOT, cfg), 'utf8').replaceAll('127.0.30.', '127.0.113.'));
  return file;
}

const floor: Target = {
  name: 'floor',
  ip: '127.0.113.3',
  ready: /listening/,
  start: () =>
    spawn('taskset', ['-c', '0', process.execPath, 'dist/scripts/bench-floor.js', '127.0.113.3', '5060'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
};

const ours: Target = {
  name: 'opensips-ts',
  ip: '127.0.113.1',
  ready: /listening on udp/,
  start: (work) =>
    spawn(
      'taskset',
      ['-c', '0', process.execPath, ...NODE_FLAGS, 'dist/src/cli/bin.js', 'run', moved('bench/registrar.cfg', work)],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    ),
};

function kamailioTarget(bin: string): Target {
  return {
    name: 'kamailio',
    ip: '127.0.113.2',
    ready: /INFO|listening|init/i,
    start: (work) =>
      spawn(
        'taskset',
        [
          '-c',
          '0',
          bin,
          '-f',
          moved('bench/kamailio-registrar.cfg', work),
          '-DD',
          '-E',
          '-m',
          '256',
          '-M',
          '16',
          '-x',
          'tlsf',
        ],
        { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
      ),
  };
}

function show(name: string, f: Figure): void {
  const main =
    f.mainUs !== undefined
      ? ` (main thread ${f.mainUs.toFixed(1)}, other threads ${(f.cpuUs - f.mainUs).toFixed(1)})`
      : '';
  console.log(
    `  ${name.padEnd(12)} ${f.cpuUs.toFixed(1).padStart(6)} µs/REGISTER${main}  load ${f.load}${f.ok ? '' : '  FAILURES'}${f.note ? ` (${f.note})` : ''}`,
  );
}

async function main(): Promise<void> {
  if (!which('sipp')) {
    console.error('bench:live-path needs sipp (apt-get install -y sip-tester)');
    process.exit(2);
  }
  if (!existsSync(join(ROOT, 'dist/src/cli/bin.js')) || !existsSync(join(ROOT, 'dist/scripts/bench-floor.js'))) {
    console.error('run `npm run build` first');
    process.exit(2);
  }
  const kam = process.env.BENCH_NO_REFERENCE ? undefined : which('kamailio');
  if (!kam)
    console.log(
      '!!! kamailio is not installed (apt-get install -y kamailio): no reference figure, the ratio is skipped',
    );
  console.log(
    `CPU per REGISTER (distinct AoRs), ${ROUNDS} round(s): each server fresh, ${WARM} REGISTERs to warm up, then ${COUNT} measured at ${RATE}/s; server on core 0, SIPp on core 1`,
  );
  const figures = { floor: [] as Figure[], inproc: [] as Figure[], ours: [] as Figure[], kam: [] as Figure[] };
  for (let r = 1; r <= ROUNDS; r++) {
    console.log(`round ${r}:`);
    const f = await measureLive(floor);
    figures.floor.push(f);
    show('floor', f);
    const i = measureInProcess();
    figures.inproc.push(i);
    show('in-process', i);
    const o = await measureLive(ours);
    figures.ours.push(o);
    show('opensips-ts', o);
    if (kam) {
      const k = await measureLive(kamailioTarget(kam));
      figures.kam.push(k);
      show('kamailio', k);
    }
    const over = o.cpuUs - f.cpuUs - i.cpuUs;
    console.log(
      `  => live beyond floor + in-process: ${over.toFixed(1)} µs (target ≤ 10)${kam ? `; opensips-ts / kamailio: ${(o.cpuUs / figures.kam.at(-1)!.cpuUs).toFixed(2)}x (target ≤ 2x)` : ''}`,
    );
  }
  const m = (xs: Figure[]): number => median(xs.map((x) => x.cpuUs));
  const failing = Object.values(figures)
    .flat()
    .filter((x) => !x.ok).length;
  console.log(
    `\nmedians over ${ROUNDS} round(s), µs CPU per REGISTER${failing ? ` (${failing} figure(s) with SIPp failures: the machine was too busy, or the server too slow)` : ''}:`,
  );
  console.log(
    `  floor ${m(figures.floor).toFixed(1)}, in-process ${m(figures.inproc).toFixed(1)}, opensips-ts ${m(figures.ours).toFixed(1)}${kam ? `, kamailio ${m(figures.kam).toFixed(1)}` : ''}`,
  );
  const overs = figures.ours.map((o, k) => o.cpuUs - figures.floor[k]!.cpuUs - figures.inproc[k]!.cpuUs);
  console.log(`  live beyond floor + in-process, median of the rounds: ${median(overs).toFixed(1)} µs`);
  if (kam) {
    const ratios = figures.ours.map((o, k) => o.cpuUs / figures.kam[k]!.cpuUs);
    console.log(`  opensips-ts / kamailio, median of the rounds: ${median(ratios).toFixed(2)}x`);
  }
  console.log(
    `node ${process.version}; reproduce with: npm run bench:live-path (BENCH_RATE, BENCH_COUNT, BENCH_WARM, BENCH_REPEATS, BENCH_NODE_FLAGS)`,
  );
}

void main();
