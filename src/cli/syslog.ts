// syslog(3) for Node.js: the datagram glibc's syslog() sends to /dev/log,
// `<PRI>Mmm dd hh:mm:ss IDENT[PID]: TEXT`, over a Unix datagram socket.
// Node.js has no Unix datagram sockets, so the datagrams are sent by
// util-linux's `logger` (bsdutils, Essential in Debian), one long-lived child
// fed through a pipe: no native addon, no compiler. When there is no socket,
// or logger cannot run, the lines go to standard error with one warning, as
// glibc's LOG_CONS falls back to the console: a log line is never silently
// lost.
import { spawn, type ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import { dpTime, type LogSink } from '../base/logger.js';

/** The socket syslog() writes to; tests point it at their own receiver. */
export const SYSLOG_SOCKET_ENV = 'OPENSIPS_TS_SYSLOG_SOCKET';
export const DEFAULT_SYSLOG_SOCKET = '/dev/log';

/** syslog.h's facilities by the names log_facility takes (dprint.c's str2facility), already shifted. */
export const FACILITIES: Record<string, number> = {
  LOG_KERN: 0 << 3,
  LOG_USER: 1 << 3,
  LOG_MAIL: 2 << 3,
  LOG_DAEMON: 3 << 3,
  LOG_AUTH: 4 << 3,
  LOG_SYSLOG: 5 << 3,
  LOG_LPR: 6 << 3,
  LOG_NEWS: 7 << 3,
  LOG_UUCP: 8 << 3,
  LOG_CRON: 9 << 3,
  LOG_AUTHPRIV: 10 << 3,
  LOG_FTP: 11 << 3,
  LOG_LOCAL0: 16 << 3,
  LOG_LOCAL1: 17 << 3,
  LOG_LOCAL2: 18 << 3,
  LOG_LOCAL3: 19 << 3,
  LOG_LOCAL4: 20 << 3,
  LOG_LOCAL5: 21 << 3,
  LOG_LOCAL6: 22 << 3,
  LOG_LOCAL7: 23 << 3,
};

/** OpenSIPS's levels (L_ALERT -3 ... L_DBG 4) as syslog severities (LOG_ALERT 1 ... LOG_DEBUG 7). */
export function severityOf(level: number): number {
  if (level <= -3) return 1;
  if (level === -2) return 2;
  if (level === -1) return 3;
  if (level === 0 || level === 1) return 4;
  if (level === 2) return 5;
  if (level === 3) return 6;
  return 7;
}

export function facilityOf(name: string | undefined): number | undefined {
  return name === undefined ? FACILITIES.LOG_DAEMON : FACILITIES[name.toUpperCase()];
}

/** One syslog datagram, as glibc formats it (local time, no year, the ident and the pid). */
export function syslogDatagram(facility: number, level: number, ident: string, text: string, now: number): string {
  return `<${facility | severityOf(level)}>${dpTime(now)} ${ident}[${process.pid}]: ${text.replace(/\n$/, '')}`;
}

/** A line as `logger --prio-prefix` reads it: `<PRI>text`, one per line (a multi-line text becomes several). */
function prioLines(facility: number, level: number, text: string): string {
  const pri = facility | severityOf(level);
  return (
    text
      .replace(/\n$/, '')
      .split('\n')
      .map((l) => `<${pri}>${l}`)
      .join('\n') + '\n'
  );
}

function isSocket(path: string): boolean {
  try {
    return statSync(path).isSocket();
  } catch {
    return false;
  }
}

/**
 * A sink that sends each line to the syslog socket; `stderr` receives the lines (with OpenSIPS's stderr
 * prefix) and one warning when the socket cannot be used.
 */
export function syslogSink(opts: {
  facility: number;
  ident: string;
  path?: string;
  stderr?: (line: string) => void;
  now?: () => number;
}): LogSink & { close(): void } {
  const path = opts.path ?? process.env[SYSLOG_SOCKET_ENV] ?? DEFAULT_SYSLOG_SOCKET;
  const toStderr = opts.stderr ?? ((l: string) => process.stderr.write(l));
  const now = opts.now ?? Date.now;
  let logger: ChildProcess | undefined;
  let failed: string | undefined;
  const fail = (why: string): void => {
    if (failed) return;
    failed = why;
    logger?.stdin?.end();
    logger = undefined;
    toStderr(
      `${dpTime(now())} [${process.pid}] WARNING:core:syslog: cannot log to ${path}: ${why}; logging to standard error\n`,
    );
  };
  if (!isSocket(path)) fail('no syslog socket there');
  else {
    // util-linux's logger (Debian's bsdutils, always installed) writes glibc's datagram format on a Unix
    // datagram socket, which Node.js cannot open: one long-lived child reads our lines from a pipe.
    const child = spawn(
      'logger',
      ['--prio-prefix', '-d', '-u', path, '-t', opts.ident, `--id=${process.pid}`, '--socket-errors=on'],
      { stdio: ['pipe', 'ignore', 'pipe'] },
    );
    let errText = '';
    child.stderr?.on('data', (d: Buffer) => (errText += d.toString()));
    child.on('error', (err) => fail(`cannot run logger (bsdutils): ${err.message}`));
    child.on('exit', (code) => {
      if (logger === child && code !== 0) fail(errText.trim() || `logger exited with ${code}`);
      logger = undefined;
    });
    child.stdin?.on('error', (err) => fail(err.message));
    // Neither the child nor its pipes keep the server alive once it stops.
    child.unref();
    logger = child;
  }
  const fallback = (text: string): void =>
    toStderr(`${dpTime(now())} [${process.pid}] ${text}${text.endsWith('\n') ? '' : '\n'}`);
  const send = (level: number, text: string): boolean => !!logger?.stdin?.write(prioLines(opts.facility, level, text));
  return {
    write: (line) => {
      if (!logger) toStderr(line);
      else send(2, line);
    },
    record: (level, text) => {
      if (!logger) return fallback(text);
      send(level, text);
    },
    close: () => {
      logger?.stdin?.end();
      logger = undefined;
    },
  };
}
