// `npm run bench:udp-buffer`: how many REGISTERs a warm opensips-ts drops at
// high rates with each UDP receive buffer size (the cfg's `maxbuffer`). For
// each size a fresh server (bench/registrar.cfg, core 0) is warmed up with
// 20,000 REGISTERs at 5,000/s, then SIPp (core 1) sends BENCH_COUNT more at
// each of BENCH_RATES; printed: SIPp's failed calls and the kernel's UDP
// receive-buffer drops (RcvbufErrors) over the measured run. The drop counter
// is the network namespace's: run it alone, or under `unshare -n` with
// loopback up, so that no other traffic counts. Loopback only (127.0.114.x);
// every run is bounded in count and time.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadNow, runSipp, threadCpu, waitFor, which } from './bench-lib.js';

const ROOT = process.cwd();
const SERVER = '127.0.114.1';
const CLIENT = '127.0.114.9';
const list = (v: string | undefined, dflt: string): number[] =>
  (v ?? dflt)
    .split(',')
    .map(Number)
    .filter((n) => n > 0);
const BUFFERS = list(process.env.BENCH_BUFFERS, '262144,524288,1048576');
const RATES = list(process.env.BENCH_RATES, '10000,12000');
const COUNT = Number(process.env.BENCH_COUNT ?? 60_000);

/** The kernel's count of UDP datagrams dropped for a full receive buffer, in this network namespace. */
function rcvbufErrors(): number {
  const lines = readFileSync('/proc/net/snmp', 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('Udp:'));
  const names = lines[0]!.split(/\s+/);
  const values = lines[1]!.split(/\s+/);
  return Number(values[names.indexOf('RcvbufErrors')]);
}

async function measure(maxbuffer: number, rate: number): Promise<string> {
  const work = mkdtempSync(join(tmpdir(), 'ots-udpbuf-'));
  const cfg = join(work, 'registrar.cfg');
  writeFileSync(
    cfg,
    `maxbuffer=${maxbuffer}\n` +
      readFileSync(join(ROOT, 'bench/registrar.cfg'), 'utf8').replaceAll('127.0.30.1', SERVER),
  );
  const server: ChildProcess = spawn('taskset', ['-c', '0', process.execPath, 'dist/src/cli/bin.js', 'run', cfg], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    await waitFor(server, /listening on udp/, 90_000);
    const sipp = (count: number, r: number, aor: string) =>
      runSipp({
        target: `${SERVER}:5060`,
        scenario: join(ROOT, 'bench/register-distinct.xml'),
        count,
        rate: r,
        from: CLIENT,
        cwd: work,
        set: { aor },
      });
    const warm = sipp(20_000, 5000, 'w');
    const drops0 = rcvbufErrors();
    const cpu0 = threadCpu(server.pid!).totalNs;
    const run = sipp(COUNT, rate, 'm');
    const cpuUs = (threadCpu(server.pid!).totalNs - cpu0) / 1e3 / COUNT;
    const drops = rcvbufErrors() - drops0;
    return (
      `maxbuffer ${String(maxbuffer).padStart(8)}  ${String(rate).padStart(6)}/s: failed ${String(run.failed).padStart(5)} of ${COUNT}` +
      `  kernel drops ${String(drops).padStart(5)}  cpu ${cpuUs.toFixed(1)} µs/REGISTER  (warm-up failed ${warm.failed})  load ${loadNow()}`
    );
  } finally {
    server.kill('SIGTERM');
    rmSync(work, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (!which('sipp')) {
    console.log('bench:udp-buffer: SIPp is not installed (apt-get install -y sip-tester): skipped');
    return;
  }
  console.log(
    `REGISTERs for distinct AoRs to a warm server, ${COUNT} per step; the kernel's drops count this network namespace`,
  );
  for (const b of BUFFERS) for (const r of RATES) console.log(await measure(b, r));
  console.log(
    `node ${process.version}; reproduce with: npm run bench:udp-buffer (BENCH_BUFFERS, BENCH_RATES, BENCH_COUNT), alone on the machine`,
  );
}

await main();
