// bench:overload: does goodput hold when clients offer more than the server
// can do? An in-memory registrar (bench/registrar.cfg on 127.0.112.1), SIPp
// registering distinct AoRs over UDP: first a ramp finds the sustainable rate
// (the highest step with no failed call and a p99 under T1, so that clients
// need no retransmission), after a warm-up, then the same
// server is offered 1.5x and 2x that rate. Goodput is successful REGISTERs per
// second of offer; p99 is SIPp's response time (retransmissions included);
// RSS is the server's after each phase. Every step is bounded in count and
// time. The machine may be shared: the load average is printed with each
// figure, and only figures of one run compare.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadNow, waitFor, which } from './bench-lib.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const SCENARIO = join(ROOT, 'bench/register-distinct.xml');
const SERVER = '127.0.112.1';
const CLIENT = '127.0.112.9';
/** Seconds of offer per step. */
const STEP_SECONDS = Number(process.env.OVERLOAD_STEP_SECONDS ?? 5);
const OVERLOAD_SECONDS = Number(process.env.OVERLOAD_SECONDS ?? 10);
const RAMP = (process.env.OVERLOAD_RAMP ?? '1000,2000,3000,4000,5000,6000,8000')
  .split(',')
  .map(Number)
  .filter((n) => n > 0);

interface Step {
  label: string;
  offered: number;
  seconds: number;
  count: number;
  succeeded: number;
  failed: number;
  retransmissions: number;
  goodput: number;
  p99?: number;
  rssMb: number;
  load: string;
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

let stepNo = 0;

function offer(label: string, rate: number, seconds: number, pid: number, work: string): Step {
  const count = Math.round(rate * seconds);
  const t0 = Date.now();
  const child = spawnSyncSipp(rate, count, seconds, work);
  const wall = (Date.now() - t0) / 1000;
  const out = child.stdout;
  const failedMatch = [...out.matchAll(/Failed call\s+\|\s+\d+\s+\|\s+(\d+)/g)].at(-1);
  const okMatch = [...out.matchAll(/Successful call\s+\|\s+\d+\s+\|\s+(\d+)/g)].at(-1);
  const sent = [...out.matchAll(/^\s+\S+ -+>\s+(?:B-RTD1\s+)?(\d+)\s+(\d+)/gm)].at(-1);
  const succeeded = Number(okMatch?.[1] ?? 0);
  const rtts: number[] = [];
  for (const f of readdirSync(work).filter((x) => x.endsWith('_rtt.csv'))) {
    for (const line of readFileSync(join(work, f), 'utf8').split('\n').slice(1)) {
      const v = Number(line.split(';')[1]);
      if (line && Number.isFinite(v)) rtts.push(v);
    }
    rmSync(join(work, f));
  }
  rtts.sort((a, b) => a - b);
  const p99 = rtts.length ? rtts[Math.min(rtts.length - 1, Math.floor(0.99 * rtts.length))] : undefined;
  return {
    label,
    offered: rate,
    seconds: wall,
    count,
    succeeded,
    failed: Number(failedMatch?.[1] ?? count - succeeded),
    retransmissions: Number(sent?.[2] ?? 0),
    // Per second of offer: a REGISTER answered after the offer ended still counts, a failed one does not.
    goodput: Math.round(succeeded / seconds),
    ...(p99 !== undefined ? { p99 } : {}),
    rssMb: rssMb(pid),
    load: loadNow(),
  };
}

function spawnSyncSipp(rate: number, count: number, seconds: number, work: string): { stdout: string } {
  const r = spawnSyncChecked(
    'taskset',
    [
      '-c',
      '1',
      which('sipp')!,
      `${SERVER}:5060`,
      '-sf',
      SCENARIO,
      '-set',
      'aor',
      `o${++stepNo}x`,
      '-m',
      String(count),
      '-r',
      String(rate),
      // Offered load is not throttled by SIPp's own concurrency limit: calls pile up as the server falls behind.
      '-l',
      String(rate * 8),
      '-i',
      CLIENT,
      '-p',
      '0',
      '-t',
      'u1',
      '-timeout',
      `${seconds + 15}s`,
      '-recv_timeout',
      '4000',
      '-nostdin',
      '-buff_size',
      '4194304',
      '-trace_rtt',
      '-rtt_freq',
      '1000',
    ],
    work,
    (seconds + 25) * 1000,
  );
  return r;
}

function spawnSyncChecked(cmd: string, args: string[], cwd: string, timeout: number): { stdout: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout, maxBuffer: 64 * 1024 * 1024 });
  return { stdout: r.stdout ?? '' };
}

/** Every call succeeded and 99% were answered before the first retransmission (T1, 500 ms). */
function sustained(s: Step): boolean {
  return s.failed === 0 && (s.p99 ?? 0) < 500;
}

function line(s: Step): string {
  return (
    `${s.label.padEnd(12)} offered ${String(s.offered).padStart(6)}/s  ok ${String(s.succeeded).padStart(6)}/${s.count}` +
    `  failed ${String(s.failed).padStart(5)}  retrans ${String(s.retransmissions).padStart(6)}` +
    `  goodput ${String(s.goodput).padStart(6)}/s  p99 ${s.p99 ?? '-'} ms  RSS ${s.rssMb.toFixed(0)} MB  load ${s.load}`
  );
}

async function main(): Promise<void> {
  if (!which('sipp')) {
    console.log('bench:overload: SIPp is not installed (apt-get install -y sip-tester): skipped');
    return;
  }
  const work = mkdtempSync(join(tmpdir(), 'ots-overload-'));
  const cfg = join(work, 'registrar.cfg');
  // OVERLOAD_MAXBUFFER=BYTES: the server's UDP receive buffer (the cfg's maxbuffer), to compare queue sizes.
  const maxbuffer = process.env.OVERLOAD_MAXBUFFER ? `maxbuffer=${Number(process.env.OVERLOAD_MAXBUFFER)}\n` : '';
  writeFileSync(
    cfg,
    maxbuffer + readFileSync(join(ROOT, 'bench/registrar.cfg'), 'utf8').replaceAll('127.0.30.1', SERVER),
  );
  const server: ChildProcess = spawn('taskset', ['-c', '0', process.execPath, 'dist/src/cli/bin.js', 'run', cfg], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    await waitFor(server, /listening on udp/, 90_000);
    console.log(`bench:overload, load average at start ${loadNow()} (2 cores shared; compare within this run only)`);
    // Warm-up (JIT, first allocations), not counted.
    console.log(line(offer('warm-up', RAMP[0]!, 3, server.pid!, work)));
    const ramp: Step[] = [];
    for (const rate of RAMP) {
      const s = offer(`ramp`, rate, STEP_SECONDS, server.pid!, work);
      console.log(line(s));
      ramp.push(s);
      if (!sustained(s)) break;
    }
    const clean = ramp.filter(sustained);
    const sustainable = clean.at(-1)?.offered ?? ramp[0]!.offered;
    console.log(`sustainable rate: ${sustainable}/s`);
    const x15 = offer('1.5x', Math.round(sustainable * 1.5), OVERLOAD_SECONDS, server.pid!, work);
    console.log(line(x15));
    const x2 = offer('2x', sustainable * 2, OVERLOAD_SECONDS, server.pid!, work);
    console.log(line(x2));
    const after = offer('after', sustainable, STEP_SECONDS, server.pid!, work);
    console.log(line(after));
    console.log('');
    console.log(`| figure | value |`);
    console.log(`| --- | --- |`);
    console.log(`| sustainable rate | ${sustainable}/s |`);
    console.log(
      `| goodput at 1.5x | ${x15.goodput}/s (${Math.round((100 * x15.goodput) / sustainable)}% of sustainable) |`,
    );
    console.log(
      `| goodput at 2x | ${x2.goodput}/s (${Math.round((100 * x2.goodput) / sustainable)}% of sustainable) |`,
    );
    console.log(`| p99 latency at 1.5x / 2x | ${x15.p99 ?? '-'} / ${x2.p99 ?? '-'} ms |`);
    console.log(`| RSS after 2x | ${x2.rssMb.toFixed(0)} MB |`);
    console.log(`| load average (1/5/15 min) at the end | ${loadNow()} |`);
  } finally {
    server.kill('SIGTERM');
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
