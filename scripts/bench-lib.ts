// Helpers the benchmark runners share.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';

/** The path of a command on PATH, or undefined. */
export function which(cmd: string): string | undefined {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).stdout.trim() || undefined;
}

/** Resolves when the child prints `pattern`; rejects on timeout or when it exits first. */
export function waitFor(child: ChildProcess, pattern: RegExp, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = '';
    const t = setTimeout(() => reject(new Error(`not ready:\n${log}`)), ms);
    const on = (d: Buffer): void => {
      log += d.toString();
      if (pattern.test(log)) {
        clearTimeout(t);
        resolve();
      }
    };
    child.stdout?.on('data', on);
    child.stderr?.on('data', on);
    child.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`exited ${code}:\n${log}`));
    });
  });
}

/** CPU a process has used so far, every thread counted (GC helpers, workers, libuv's pool). */
export interface ThreadCpu {
  /** All threads, nanoseconds (the scheduler's own account, /proc/PID/task/TID/schedstat). */
  totalNs: number;
  /** The main thread alone (the event loop: JavaScript, syscalls), nanoseconds. */
  mainNs: number;
}

export function threadCpu(pid: number): ThreadCpu {
  let totalNs = 0;
  let mainNs = 0;
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return { totalNs, mainNs };
  }
  for (const tid of tids) {
    try {
      const ns = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      totalNs += ns;
      if (tid === String(pid)) mainNs = ns;
    } catch {
      /* the thread ended */
    }
  }
  return { totalNs, mainNs };
}

/** Every process under `pid` (Kamailio forks its workers), `pid` first. */
export function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    const kids = spawnSync('pgrep', ['-P', String(out[i])], { encoding: 'utf8' }).stdout;
    for (const k of kids.split('\n').filter(Boolean)) out.push(Number(k));
  }
  return out;
}

/** threadCpu summed over processes; mainNs is the first one's main thread. */
export function treeCpu(pids: number[]): ThreadCpu {
  const all = pids.map(threadCpu);
  return { totalNs: all.reduce((s, c) => s + c.totalNs, 0), mainNs: all[0]!.mainNs };
}

/** The load average when a figure is taken: on a shared machine a figure means little without it. */
export function loadNow(): string {
  return loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
}

export function median(xs: number[]): number {
  const s = [...xs].sort((p, q) => p - q);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** SIPp sending `count` calls of `scenario` at `rate`/s from `from` to `target`, pinned to core 1; bounded in time. */
export function runSipp(opts: {
  target: string;
  scenario: string;
  count: number;
  rate: number;
  from: string;
  cwd: string;
  set?: Record<string, string>;
  extra?: string[];
}): SippRun {
  const t0 = Date.now();
  const seconds = Math.ceil(opts.count / opts.rate);
  const r = spawnSync(
    'taskset',
    [
      '-c',
      '1',
      which('sipp')!,
      opts.target,
      '-sf',
      opts.scenario,
      ...Object.entries(opts.set ?? {}).flatMap(([k, v]) => ['-set', k, v]),
      '-m',
      String(opts.count),
      '-r',
      String(opts.rate),
      '-l',
      String(opts.rate * 2),
      '-i',
      opts.from,
      '-p',
      '0',
      '-t',
      'u1',
      '-timeout',
      `${seconds + 10}s`,
      '-timeout_error',
      '-recv_timeout',
      '2000',
      '-nostdin',
      '-buff_size',
      '4194304',
      ...(opts.extra ?? []),
    ],
    { cwd: opts.cwd, encoding: 'utf8', timeout: (seconds + 20) * 1000 },
  );
  const stdout = r.stdout ?? '';
  // The last screen's counters: the first request's line (sent, retransmitted) and the failed calls.
  const sent = [...stdout.matchAll(/^\s+\S+ -+>\s+(?:B-RTD1\s+)?(\d+)\s+(\d+)/gm)].at(-1);
  const failed = [...stdout.matchAll(/Failed call\s+\|\s+\d+\s+\|\s+(\d+)/g)].at(-1);
  return {
    ok: r.status === 0,
    seconds: (Date.now() - t0) / 1000,
    retransmissions: Number(sent?.[2] ?? 0),
    failed: Number(failed?.[1] ?? (r.status === 0 ? 0 : opts.count)),
    stdout,
  };
}

export interface SippRun {
  /** SIPp's exit status was 0: every call succeeded. */
  ok: boolean;
  seconds: number;
  retransmissions: number;
  failed: number;
  stdout: string;
}
