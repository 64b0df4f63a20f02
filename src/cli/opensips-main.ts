// `opensips-ts [-f FILE] [-F] [-E] [-P PIDFILE] [-u USER] [-g GROUP] ...`:
// OpenSIPS 3.3's own command line (main.c), so that unit files, init
// scripts and container entrypoints written for `opensips` start opensips-ts
// unchanged. Without -F the server daemonizes; with -F it stays in the
// foreground and runs the cfg as `opensips-ts run` does. Failures exit 255
// (main() returning -1), as OpenSIPS's do.
import { dpTime } from '../base/logger.js';
import { COMPAT } from '../modules/mid_registrar/settings.js';
import { readCfgInput } from './cfg-input.js';
import {
  dropPrivileges,
  HEAP_APPLIED_ENV,
  lookupGroup,
  lookupUser,
  removePidFile,
  reportStatus,
  runWithHeapLimit,
  startDaemon,
  STATUS_FD_ENV,
  writePidFile,
} from './daemon.js';
import type { Io } from './io.js';
import { VERSION } from '../version.js';
import { parseOpensipsArgs, type OpensipsArgs } from './opensips-args.js';
import { OPENSIPS_ERROR_EXIT, runOpensipsCheck } from './opensips-check.js';
import { startLive } from './run.js';
import { untilShutdown } from './signals.js';
import { logSinkFor } from './log-target.js';

/** Where a packaged OpenSIPS keeps its cfg (Debian's and the official packages'); -f overrides it. */
export const DEFAULT_CFG = '/etc/opensips/opensips.cfg';

export const OPENSIPS_HELP = `OpenSIPS 3.3's command line (the first argument is an option):
  opensips-ts [-f FILE] [-c|-C] [-F] [-E] [-P PIDFILE] [-u USER] [-g GROUP] [-w DIR] [-d...] [-D] [-m MB] [-M MB]
              [--map FROM=TO[:PORT]]... [--strict] [--compat NAME]
    -f FILE      the cfg (default ${DEFAULT_CFG})
    -c, -C       check the cfg and exit, printed as OpenSIPS prints it (0 ok, 255 errors)
    -F           stay in the foreground (containers, systemd Type=simple); without it the server daemonizes:
                 a detached process, and this one exits 0 once it serves (255 when it cannot start)
    -E           log to standard error (the default of 3.3 unless the cfg sets log_stderror=no)
    -P PIDFILE   write the server's pid; refuses to start when it names a running process
    -u USER, -g GROUP
                 give up root for USER (and its group) / GROUP once the sockets are bound
    -w DIR       working directory once started (default /)
    -d           one more log level when the cfg sets no log_level (-dd: INFO, -ddd: DEBUG)
    -D           debug mode: foreground, standard error, log_level DEBUG
    -m MB        the V8 heap limit (--max-old-space-size): what OpenSIPS's shared memory holds lives there
    -M MB        accepted and ignored with a warning: one process, no separate private memory
    -V, -h       version, this text
  SIGTERM and SIGINT stop the server (exit 0); SIGHUP, SIGUSR1 and SIGUSR2 are ignored, as in OpenSIPS.`;

export async function runOpensipsStyle(argv: string[], io: Io): Promise<number> {
  const log = (level: string, text: string): void =>
    io.err(`${dpTime(Date.now())} [${process.pid}] ${level}:core:main: ${text}`);
  const a = parseOpensipsArgs(argv);
  if (typeof a === 'string') {
    log('ERROR', a);
    return OPENSIPS_ERROR_EXIT;
  }
  if (a.help) {
    io.out(`version: opensips-ts ${VERSION} (OpenSIPS 3.3 cfg language)\n${OPENSIPS_HELP}`);
    return 0;
  }
  if (a.version) {
    io.out(`version: opensips-ts ${VERSION} (OpenSIPS 3.3 cfg language)\nflags: Node.js ${process.version}`);
    return 0;
  }
  const known: string[] = Object.values(COMPAT);
  const badCompat = a.compat.find((c) => !known.includes(c));
  if (badCompat) {
    log('ERROR', `unknown --compat ${badCompat} (known: ${known.join(', ')})`);
    return OPENSIPS_ERROR_EXIT;
  }
  const file = a.file ?? DEFAULT_CFG;
  if (a.check) {
    const input = readCfgInput(file, io);
    return input ? runOpensipsCheck(input, a.strict, io) : OPENSIPS_ERROR_EXIT;
  }
  const daemon = !!process.env[STATUS_FD_ENV];
  if (!daemon) {
    // The pre-daemon (or the foreground process) says once what it will not honour; the daemon does not repeat it.
    for (const text of a.ignored) log('WARNING', `ignoring ${text}`);
    if (a.pkgMb !== undefined) log('WARNING', `ignoring -M ${a.pkgMb}: one process, one V8 heap; -m sets its limit`);
  }
  const ids = resolveIds(a);
  if (typeof ids === 'string') {
    log('ERROR', ids);
    return OPENSIPS_ERROR_EXIT;
  }
  const foreground = a.foreground || a.debugMode || daemon;
  if (!foreground) return startDaemon(argv, a.shmMb);
  if (a.shmMb && !process.env[HEAP_APPLIED_ENV]) return runWithHeapLimit(argv, a.shmMb);
  const code = await serve(a, file, ids, io, log);
  if (code !== 0) reportStatus(false);
  return code;
}

function resolveIds(a: OpensipsArgs): { uid: number; gid: number } | undefined | string {
  if (!a.user && !a.group) return undefined;
  let ids = { uid: 0, gid: 0 };
  if (a.user) {
    const u = lookupUser(a.user);
    if (!u) return `bad user name/uid number: -u ${a.user}`;
    ids = u;
  }
  if (a.group) {
    const g = lookupGroup(a.group);
    if (g === undefined) return `bad group name/gid number: -g ${a.group}`;
    ids.gid = g;
  }
  return ids;
}

/** The server itself (foreground or daemon): pid file, sockets, working dir, privileges, then serve until SIGTERM/SIGINT. */
async function serve(
  a: OpensipsArgs,
  file: string,
  ids: { uid: number; gid: number } | undefined,
  io: Io,
  log: (level: string, text: string) => void,
): Promise<number> {
  const input = readCfgInput(file, io);
  if (!input) {
    log('ERROR', `failed to parse config file ${file}`);
    return OPENSIPS_ERROR_EXIT;
  }
  if (a.pidFile) {
    const err = writePidFile(a.pidFile, (t) => log('WARNING', t));
    if (err) {
      log('CRITICAL', err);
      return OPENSIPS_ERROR_EXIT;
    }
  }
  // Installed before anything is bound: a SIGHUP during start-up must not kill the server either.
  const stopped = untilShutdown();
  let sink: ReturnType<typeof logSinkFor>;
  const live = await startLive(
    input.abs,
    {
      maps: a.maps,
      strict: a.strict,
      compat: a.compat,
      debug: a.debugMode,
      readFile: input.readFile,
      ...(a.maxBuffer !== undefined ? { maxBuffer: a.maxBuffer } : {}),
      ...(a.debugLevels ? { logLevel: 2 + a.debugLevels } : {}),
      logSink: (globals) => (sink = logSinkFor(globals, { forceStderr: a.debugMode })),
    },
    io,
  );
  if (typeof live === 'number') {
    sink?.close();
    removePidFile(a.pidFile);
    return OPENSIPS_ERROR_EXIT;
  }
  const fail = async (text: string): Promise<number> => {
    log('CRITICAL', text);
    await live.stop();
    sink?.close();
    removePidFile(a.pidFile);
    return OPENSIPS_ERROR_EXIT;
  };
  const dir = a.workDir ?? '/';
  try {
    process.chdir(dir);
  } catch (err) {
    return fail(`Cannot chdir to ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (ids) {
    const err = dropPrivileges(ids, a.pidFile);
    if (err) return fail(err);
  }
  reportStatus(true);
  await stopped;
  await live.stop();
  sink?.close();
  removePidFile(a.pidFile);
  return 0;
}
