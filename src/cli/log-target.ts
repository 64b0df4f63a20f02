// Where the live server logs, decided as OpenSIPS 3.3 decides it (main.c,
// cfg.y): standard error unless the cfg sets `log_stderror=no` (3.3's default
// is yes). -E cannot override the cfg's `log_stderror=no` in 3.3 either; -D
// forces standard error. With `log_stderror=no` the lines go to syslog with
// the cfg's log_facility (LOG_DAEMON by default) and log_name as the ident.
import type { LogSink } from '../base/logger.js';
import type { GlobalParam } from '../cfg/ast.js';
import { facilityOf, syslogSink } from './syslog.js';

/** The syslog ident when the cfg sets no log_name (OpenSIPS uses its argv[0]). */
export const DEFAULT_IDENT = 'opensips-ts';

export function logSinkFor(
  globals: ReadonlyMap<string, GlobalParam>,
  opts: { forceStderr: boolean; stderr?: (line: string) => void },
): (LogSink & { close(): void }) | undefined {
  const stderr = globals.get('log_stderror');
  if (opts.forceStderr || !stderr || stderr.value.kind !== 'Number' || stderr.value.value !== 0) return undefined;
  const str = (name: string): string | undefined => {
    const v = globals.get(name)?.value;
    if (!v) return undefined;
    return v.kind === 'String' ? v.value : v.kind === 'Id' || v.kind === 'Words' ? v.text : undefined;
  };
  // An unknown facility is a cfg error the linter reports (bad facility); LOG_DAEMON is what 3.3 keeps then.
  const facility = facilityOf(str('log_facility')) ?? facilityOf(undefined)!;
  return syslogSink({
    facility,
    ident: str('log_name') ?? DEFAULT_IDENT,
    ...(opts.stderr ? { stderr: opts.stderr } : {}),
  });
}
