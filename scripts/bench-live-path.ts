// `npm run bench:live-path`: what a live request costs beyond its work, in
// one run, round after round (issue 22's table):
//   floor        a bare Node dgram responder copying Via/From/To/Call-ID/CSeq/Contact into a 200
//   in-process   opensips-ts's receive -> parse -> script -> reply, no socket
//   opensips-ts  `opensips-ts run bench/registrar.cfg` (or options.cfg), every thread of the process
//   kamailio     Kamailio with the same logic (bench/kamailio-*.cfg, one UDP worker), every process
// Each live server is started afresh, pinned to core 0 (SIPp on core 1), warmed up with BENCH_WARM requests and
// measured on BENCH_COUNT more at BENCH_RATE/s, REGISTERs for distinct AoRs; CPU from the scheduler's per-thread
// account. On a shared machine compare figures of one round; the load average is printed with each.
// bench:core and bench:register run one round first; test/perf/live-path.test.ts a short one in npm test.
// Runs from dist/ (npm scripts) or from source (`node --import tsx scripts/bench-live-path.ts`).
// Loopback only (127.0.113.x); every step is bounded in count and time.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadNow, median, processTree, runSipp, treeCpu, waitFor, which } from './bench-lib.js';

export type Kind = 'register' | 'options';

const ROOT = process.cwd();
const SIPP_IP = '127.0.113.9';
/** From source (tsx) the helpers run from source too; from dist/ the compiled ones. */
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const nodeScript = (name: string): string[] =>
  FROM_SOURCE ? ['--import', 'tsx', `scripts/${name}.ts`] : [`dist/scripts/${name}.js`];
const CLI = FROM_SOURCE ? ['--import', 'tsx', 'src/cli/bin.ts'] : ['dist/src/cli/bin.js'];

export interface RoundOptions {
  kind: Kind;
  rate: number;
  count: number;
  warm: number;
  /** Kamailio's binary, or undefined to skip the reference. */
  kamailio?: string | undefined;
  nodeFlags?: string[];
}

export interface Figure {
  /** CPU per request, µs, every thread (every process for Kamailio). */
  cpuUs: number;
  /** The main thread alone (Node processes). */
  mainUs?: number;
  ok: boolean;
  load: string;
  note?: string;
}

export interface Round {
  floor: Figure;
  inProcess: Figure;
  ours: Figure;
  kamailio?: Figure;
}

interface Target {
  ip: string;
  /** Count the processes it forks (Kamailio's workers); a Node server's children (tsx's esbuild) are not its work. */
  tree?: boolean;
  ready: RegExp;
  start(work: string): ChildProcess;
}

const scenarioOf = (kind: Kind): string =>
  join(ROOT, kind === 'register' ? 'bench/register-distinct.xml' : 'conformance/sip/uac-options-load.xml');

async function measureLive(t: Target, o: RoundOptions): Promise<Figure> {
  const work = mkdtempSync(join(tmpdir(), 'bench-live-'));
  const child = t.start(work);
  try {
    await waitFor(child, t.ready, 30000);
    await new Promise((r) => setTimeout(r, 300));
    const sipp = (count: number, aor: string) =>
      runSipp({
        target: `${t.ip}:5060`,
        scenario: scenarioOf(o.kind),
        count,
        rate: o.rate,
        from: SIPP_IP,
        cwd: work,
        ...(o.kind === 'register' ? { set: { aor } } : {}),
      });
    const warm = o.warm > 0 ? sipp(o.warm, 'w') : { ok: true, failed: 0 };
    // Kamailio's workers: one process each. Node: one process, its threads.
    const pids = t.tree ? processTree(child.pid!) : [child.pid!];
    const before = treeCpu(pids);
    const run = sipp(o.count, 'm');
    const after = treeCpu(pids);
    const clean = warm.ok && run.ok && !run.retransmissions;
    return {
      cpuUs: (after.totalNs - before.totalNs) / 1e3 / o.count,
      ...(!t.tree ? { mainUs: (after.mainNs - before.mainNs) / 1e3 / o.count } : {}),
      ok: warm.ok && run.ok,
      load: loadNow(),
      ...(clean
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

function measureInProcess(o: RoundOptions): Figure {
  const r = spawnSync(
    'taskset',
    ['-c', '0', process.execPath, ...nodeScript('bench-in-process'), o.kind, String(o.count), String(o.warm)],
    { cwd: ROOT, encoding: 'utf8', timeout: 120_000 },
  );
  const line = r.stdout?.trim().split('\n').at(-1) ?? '';
  try {
    const f = JSON.parse(line) as { cpuUs: number; replies: number };
    return { cpuUs: f.cpuUs, ok: f.replies === o.count, load: loadNow() };
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

const pinned = (cmd: string, args: string[]): ChildProcess =>
  spawn('taskset', ['-c', '0', cmd, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });

const floorTarget: Target = {
  ip: '127.0.113.3',
  ready: /listening/,
  start: () => pinned(process.execPath, [...nodeScript('bench-floor'), '127.0.113.3', '5060']),
};

const oursTarget = (o: RoundOptions): Target => ({
  ip: '127.0.113.1',
  ready: /listening on udp/,
  start: (work) =>
    pinned(process.execPath, [
      ...(o.nodeFlags ?? []),
      ...CLI,
      'run',
      moved(o.kind === 'register' ? 'bench/registrar.cfg' : 'bench/options.cfg', work),
    ]),
});

const kamailioTarget = (bin: string, o: RoundOptions): Target => ({
  ip: '127.0.113.2',
  tree: true,
  ready: /INFO|listening|init/i,
  start: (work) =>
    pinned(bin, [
      '-f',
      moved(o.kind === 'register' ? 'bench/kamailio-registrar.cfg' : 'bench/kamailio-options.cfg', work),
      '-DD',
      '-E',
      '-m',
      '256',
      '-M',
      '16',
      '-x',
      'tlsf',
    ]),
});

/** One round: the four figures back to back (Kamailio's when `o.kamailio` is set), each printed as it comes. */
export async function liveRound(o: RoundOptions, print = true): Promise<Round> {
  const unit = o.kind === 'register' ? 'REGISTER' : 'request';
  const show = (name: string, f: Figure): Figure => {
    if (!print) return f;
    const main =
      f.mainUs !== undefined
        ? ` (main thread ${f.mainUs.toFixed(1)}, other threads ${(f.cpuUs - f.mainUs).toFixed(1)})`
        : '';
    console.log(
      `  ${name.padEnd(12)} ${f.cpuUs.toFixed(1).padStart(6)} µs/${unit}${main}  load ${f.load}${f.ok ? '' : '  FAILURES'}${f.note ? ` (${f.note})` : ''}`,
    );
    return f;
  };
  const floor = show('floor', await measureLive(floorTarget, o));
  const inProcess = show('in-process', measureInProcess(o));
  const ours = show('opensips-ts', await measureLive(oursTarget(o), o));
  const kamailio = o.kamailio ? show('kamailio', await measureLive(kamailioTarget(o.kamailio, o), o)) : undefined;
  if (print)
    console.log(
      `  => live beyond floor + in-process: ${(ours.cpuUs - floor.cpuUs - inProcess.cpuUs).toFixed(1)} µs (target ≤ 10)${kamailio ? `; opensips-ts / kamailio: ${(ours.cpuUs / kamailio.cpuUs).toFixed(2)}x (target ≤ 2x)` : ''}`,
    );
  return { floor, inProcess, ours, ...(kamailio ? { kamailio } : {}) };
}

/** Kamailio's binary unless BENCH_NO_REFERENCE is set; says so loudly when it is missing. */
export function kamailioOrWarn(): string | undefined {
  if (process.env.BENCH_NO_REFERENCE) return undefined;
  const k = which('kamailio');
  if (!k)
    console.log(
      '!!! kamailio is not installed (apt-get install -y kamailio): no reference figure, the ratio is skipped',
    );
  return k;
}

async function main(): Promise<void> {
  if (!which('sipp')) {
    console.error('bench:live-path needs sipp (apt-get install -y sip-tester)');
    process.exit(2);
  }
  const o: RoundOptions = {
    kind: process.argv[2] === 'options' ? 'options' : 'register',
    rate: Number(process.env.BENCH_RATE ?? 6000),
    count: Number(process.env.BENCH_COUNT ?? 30000),
    warm: Number(process.env.BENCH_WARM ?? 6000),
    kamailio: kamailioOrWarn(),
    nodeFlags: (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean),
  };
  const rounds = Number(process.env.BENCH_REPEATS ?? 3);
  const unit = o.kind === 'register' ? 'REGISTER' : 'request';
  console.log(
    `CPU per ${unit}${o.kind === 'register' ? ' (distinct AoRs)' : ''}, ${rounds} round(s): each server fresh, ${o.warm} to warm up, then ${o.count} measured at ${o.rate}/s; server on core 0, SIPp on core 1`,
  );
  const all: Round[] = [];
  for (let r = 1; r <= rounds; r++) {
    console.log(`round ${r}:`);
    all.push(await liveRound(o));
  }
  const m = (pick: (r: Round) => number): string => median(all.map(pick)).toFixed(1);
  const failing = all.flatMap((r) => Object.values(r) as Figure[]).filter((x) => !x.ok).length;
  console.log(
    `\nmedians over ${rounds} round(s), µs CPU per ${unit}${failing ? ` (${failing} figure(s) with SIPp failures: the machine was too busy, or the server too slow)` : ''}:`,
  );
  console.log(
    `  floor ${m((r) => r.floor.cpuUs)}, in-process ${m((r) => r.inProcess.cpuUs)}, opensips-ts ${m((r) => r.ours.cpuUs)}${o.kamailio ? `, kamailio ${m((r) => r.kamailio!.cpuUs)}` : ''}`,
  );
  console.log(
    `  live beyond floor + in-process, median of the rounds: ${m((r) => r.ours.cpuUs - r.floor.cpuUs - r.inProcess.cpuUs)} µs`,
  );
  if (o.kamailio)
    console.log(
      `  opensips-ts / kamailio, median of the rounds: ${median(all.map((r) => r.ours.cpuUs / r.kamailio!.cpuUs)).toFixed(2)}x`,
    );
  console.log(
    `node ${process.version}; reproduce with: npm run bench:live-path [-- options] (BENCH_RATE, BENCH_COUNT, BENCH_WARM, BENCH_REPEATS, BENCH_NODE_FLAGS, BENCH_NO_REFERENCE)`,
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) void main();
