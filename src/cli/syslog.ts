// syslog(3) for Node.js: the datagram glibc's syslog() sends to /dev/log,
// `<PRI>Mmm dd hh:mm:ss IDENT[PID]: TEXT`, over a Unix datagram socket.
// Node.js has no Unix datagram sockets, so this uses unix-dgram (a small
// native addon kept by a Node.js core maintainer; an optional dependency).
// Without it, or when nothing listens on the socket, the lines go to standard
// error with one warning, as glibc's LOG_CONS falls back to the console:
// a log line is never silently lost.
import { createRequire } from 'node:module';
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

interface DgramSocket {
  on(event: 'error', cb: (err: Error) => void): void;
  connect(path: string): void;
  send(buf: Buffer): void;
  close(): void;
}

function loadUnixDgram(): { createSocket(type: 'unix_dgram'): DgramSocket } | string {
  try {
    return createRequire(import.meta.url)('unix-dgram') as { createSocket(type: 'unix_dgram'): DgramSocket };
  } catch (err) {
    return `the optional package unix-dgram is not installed (${(err as Error).message.split('\n')[0]})`;
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
  let socket: DgramSocket | undefined;
  let failed: string | undefined;
  const fail = (why: string): void => {
    if (failed) return;
    failed = why;
    socket?.close();
    socket = undefined;
    toStderr(
      `${dpTime(now())} [${process.pid}] WARNING:core:syslog: cannot log to ${path}: ${why}; logging to standard error\n`,
    );
  };
  const lib = loadUnixDgram();
  if (typeof lib === 'string') fail(lib);
  else {
    try {
      const s = lib.createSocket('unix_dgram');
      s.on('error', (err) => fail(err.message));
      socket = s;
      s.connect(path);
    } catch (err) {
      fail((err as Error).message);
    }
  }
  const fallback = (text: string): void =>
    toStderr(`${dpTime(now())} [${process.pid}] ${text}${text.endsWith('\n') ? '' : '\n'}`);
  return {
    write: (line) =>
      socket ? socket.send(Buffer.from(syslogDatagram(opts.facility, 2, opts.ident, line, now()))) : toStderr(line),
    record: (level, text) => {
      if (!socket) return fallback(text);
      try {
        socket.send(Buffer.from(syslogDatagram(opts.facility, level, opts.ident, text, now())));
      } catch (err) {
        fail((err as Error).message);
        fallback(text);
      }
    },
    // The socket is a libuv poll handle: left open, it keeps the process alive after the server stops.
    close: () => {
      socket?.close();
      socket = undefined;
    },
  };
}
