// What OpenSIPS 3.3's daemonize.c does, for one Node.js process: the detached
// daemon (Node cannot fork, so the pre-daemon spawns it and waits for its
// start-up status on a pipe, as OpenSIPS's pre-daemon waits on its status
// pipe), the pid file, and do_suid() (-u/-g after the sockets are bound).
import { spawn } from 'node:child_process';
import { chownSync, closeSync, readFileSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';

/** The daemon learns from this variable which descriptor carries its start-up status to the pre-daemon. */
export const STATUS_FD_ENV = 'OPENSIPS_TS_STATUS_FD';
/** Set in a process respawned to apply -m as a V8 heap limit (so it does not respawn again). */
export const HEAP_APPLIED_ENV = 'OPENSIPS_TS_HEAP_APPLIED';

/** The V8 flag -m becomes: OpenSIPS's shared memory holds every transaction, dialog and contact; here the V8 old space does. */
export function heapFlags(shmMb: number | undefined): string[] {
  return shmMb ? [`--max-old-space-size=${shmMb}`] : [];
}

/** The command that runs this program again: the same Node.js, its loader flags (tsx), the same entry script. */
function selfCommand(extraExecArgv: string[]): { cmd: string; args: string[] } {
  return { cmd: process.execPath, args: [...process.execArgv, ...extraExecArgv, process.argv[1]!] };
}

/**
 * The pre-daemon: starts the daemon detached (its own session, stdin and stdout on /dev/null, stderr
 * inherited as OpenSIPS keeps it when log_stderror is on) and resolves with OpenSIPS's exit status:
 * 0 once the daemon reports it is serving, 255 when it fails or dies first.
 */
export function startDaemon(argv: readonly string[], shmMb: number | undefined): Promise<number> {
  const { cmd, args } = selfCommand(heapFlags(shmMb));
  const child = spawn(cmd, [...args, ...argv], {
    detached: true,
    stdio: ['ignore', 'ignore', 'inherit', 'pipe'],
    env: { ...process.env, [STATUS_FD_ENV]: '3', ...(shmMb ? { [HEAP_APPLIED_ENV]: '1' } : {}) },
  });
  return new Promise((resolve) => {
    let done = false;
    const finish = (code: number): void => {
      if (done) return;
      done = true;
      child.removeAllListeners();
      status.destroy();
      child.unref();
      resolve(code);
    };
    const status = child.stdio[3] as NodeJS.ReadableStream & { destroy(): void };
    status.on('data', (b: Buffer) => finish(b[0] === 0 ? 0 : 255));
    status.on('error', () => finish(255));
    status.on('end', () => finish(255));
    child.on('exit', () => finish(255));
    child.on('error', () => finish(255));
  });
}

/** In the daemon: tell the pre-daemon how start-up went (0 serving, anything else failed) and close the pipe. */
export function reportStatus(ok: boolean): void {
  const fd = Number(process.env[STATUS_FD_ENV]);
  if (!Number.isInteger(fd) || fd < 3) return;
  delete process.env[STATUS_FD_ENV];
  try {
    writeSync(fd, Buffer.from([ok ? 0 : 255]));
    closeSync(fd);
  } catch {
    // the pre-daemon is gone (killed): nobody to tell
  }
}

/**
 * -F with -m: the heap limit is a V8 start-up flag, so the server runs in a child with it; this process
 * stays in the foreground, passes signals on and exits as the child does.
 */
export function runWithHeapLimit(argv: readonly string[], shmMb: number): Promise<number> {
  const { cmd, args } = selfCommand(heapFlags(shmMb));
  const child = spawn(cmd, [...args, ...argv], {
    stdio: 'inherit',
    env: { ...process.env, [HEAP_APPLIED_ENV]: '1' },
  });
  const forward = (signal: NodeJS.Signals) => (): void => {
    child.kill(signal);
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGUSR1', 'SIGUSR2'];
  const handlers = signals.map((s) => [s, forward(s)] as const);
  for (const [s, h] of handlers) process.on(s, h);
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      for (const [s, h] of handlers) process.off(s, h);
      resolve(code ?? 128 + (signal ? (osSignalNumber(signal) ?? 0) : 0));
    });
    child.on('error', () => resolve(255));
  });
}

function osSignalNumber(signal: NodeJS.Signals): number | undefined {
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
  return numbers[signal];
}

/** daemonize()'s pid file: refuses a live process named in it, replaces a stale or invalid one. */
export function writePidFile(path: string, warn: (text: string) => void): string | undefined {
  let old: string | undefined;
  try {
    old = readFileSync(path, 'utf8');
  } catch {
    old = undefined;
  }
  if (old !== undefined) {
    const pid = Number.parseInt(old, 10);
    if (!Number.isInteger(pid) || pid <= 0) {
      warn(`pid file ${path} exists, but doesn't contain a valid pid number, replacing...`);
    } else if (pid !== process.pid && isAlive(pid)) {
      return `running process found in the pid file ${path}`;
    } else {
      warn('pid file contains old pid, replacing pid');
    }
  }
  try {
    writeFileSync(path, `${process.pid}\n`);
  } catch (err) {
    return `unable to create pid file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
  }
  return undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function removePidFile(path: string | undefined): void {
  if (!path) return;
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

/** user2uid(): a name from /etc/passwd or a number; the user's primary group comes with it, as in OpenSIPS. */
export function lookupUser(user: string): { uid: number; gid: number } | undefined {
  if (/^\d+$/.test(user)) return { uid: Number(user), gid: 0 };
  for (const line of readLines('/etc/passwd')) {
    const f = line.split(':');
    if (f[0] === user && f.length >= 4) return { uid: Number(f[2]), gid: Number(f[3]) };
  }
  return undefined;
}

/** group2gid(): a name from /etc/group or a number. */
export function lookupGroup(group: string): number | undefined {
  if (/^\d+$/.test(group)) return Number(group);
  for (const line of readLines('/etc/group')) {
    const f = line.split(':');
    if (f[0] === group && f.length >= 3) return Number(f[2]);
  }
  return undefined;
}

function readLines(path: string): string[] {
  try {
    return readFileSync(path, 'utf8').split('\n');
  } catch {
    return [];
  }
}

/**
 * do_suid(): the pid file handed to the new owner, then the group, then the user (the order matters: a
 * process that gave up root cannot change its group). Supplementary groups are dropped too when root,
 * which OpenSIPS 3.3 leaves (a root process keeps root's groups after setgid otherwise).
 */
export function dropPrivileges(ids: { uid: number; gid: number }, pidFile: string | undefined): string | undefined {
  if (pidFile) {
    try {
      chownSync(pidFile, ids.uid || -1, ids.gid || -1);
    } catch (err) {
      return `failed to change owner of pid file ${pidFile}: ${(err as Error).message}`;
    }
  }
  if (ids.gid) {
    try {
      if (process.getuid?.() === 0) process.setgroups?.([ids.gid]);
      process.setgid!(ids.gid);
    } catch (err) {
      return `cannot change gid to ${ids.gid}: ${(err as Error).message}`;
    }
  }
  if (ids.uid) {
    try {
      process.setuid!(ids.uid);
    } catch (err) {
      return `cannot change uid to ${ids.uid}: ${(err as Error).message}`;
    }
  }
  return undefined;
}
