// Signals as OpenSIPS 3.3 handles them (signals.c): SIGINT and SIGTERM shut
// the server down cleanly and it exits 0; SIGHUP, SIGUSR1 and SIGUSR2 are
// ignored (OpenSIPS's main process does nothing with them). Node.js would
// otherwise die on SIGHUP and open its inspector on SIGUSR1.

export const SHUTDOWN_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
export const IGNORED_SIGNALS: readonly NodeJS.Signals[] = ['SIGHUP', 'SIGUSR1', 'SIGUSR2'];

/**
 * Resolves with the signal that asks for a shutdown (or 'timeout' after `seconds`, for bounded demos);
 * until then the ignored signals are reported to `onIgnored` and change nothing.
 */
export function untilShutdown(
  opts: { seconds?: number; onIgnored?: (signal: NodeJS.Signals) => void } = {},
): Promise<NodeJS.Signals | 'timeout'> {
  return new Promise((resolve) => {
    const ignore = (signal: NodeJS.Signals): void => opts.onIgnored?.(signal);
    let timer: NodeJS.Timeout | undefined;
    const done = (why: NodeJS.Signals | 'timeout'): void => {
      for (const s of SHUTDOWN_SIGNALS) process.off(s, done);
      for (const s of IGNORED_SIGNALS) process.off(s, ignore);
      if (timer) clearTimeout(timer);
      resolve(why);
    };
    for (const s of SHUTDOWN_SIGNALS) process.on(s, done);
    for (const s of IGNORED_SIGNALS) process.on(s, ignore);
    if (opts.seconds) timer = setTimeout(() => done('timeout'), opts.seconds * 1000);
  });
}
