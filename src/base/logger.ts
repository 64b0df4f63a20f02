// One logger for the whole program, honouring the cfg's log_level and
// xlog_level, printing as OpenSIPS does on stderr:
//   `Nov 25 15:30:00 [1234] ERROR:core:fn: text` and, for xlog, `Nov 25 15:30:00 [1234] text`.
import type { Clock } from './clock.js';

export const LOG_LEVELS = { ALERT: -3, CRIT: -2, ERR: -1, WARN: 1, NOTICE: 2, INFO: 3, DBG: 4 } as const;
export type LogLevelName = keyof typeof LOG_LEVELS;

const LEVEL_TEXT: Record<number, string> = {
  [-3]: 'ALERT:',
  [-2]: 'CRITICAL:',
  [-1]: 'ERROR:',
  1: 'WARNING:',
  2: 'NOTICE:',
  3: 'INFO:',
  4: 'DBG:',
};

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** ctime() without the day name and the year, as OpenSIPS's dp_time(): `Nov  5 09:03:07`. */
export function dpTime(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export interface LogSink {
  write(line: string): void;
  /**
   * A sink that stamps lines itself (syslog adds the time, ident and pid) takes the level and the bare text
   * (`ERROR:core:fn: text`, xlog's text as formatted) here instead of a whole line through write().
   */
  record?(level: number, text: string): void;
}

export class Logger {
  logLevel = 2;
  xlogLevel = 2;
  prefix = '';
  pid = process.pid;

  constructor(
    private readonly clock: Clock,
    private readonly sink: LogSink = { write: (l) => process.stderr.write(l) },
  ) {}

  private head(): string {
    return `${dpTime(this.clock.now())} [${this.pid}] ${this.prefix}`;
  }

  /** Core and module messages: `ERROR:module:function: text`. */
  log(level: number, module: string, fn: string, text: string): void {
    if (this.logLevel < level) return;
    const body = `${LEVEL_TEXT[level] ?? ''}${module}:${fn}: ${text}${text.endsWith('\n') ? '' : '\n'}`;
    if (this.sink.record) this.sink.record(level, this.prefix + body);
    else this.sink.write(this.head() + body);
  }

  /** xlog output: printed only when `level <= xlog_level`, with no level text, exactly as formatted. */
  xlog(level: number, text: string): boolean {
    if (this.xlogLevel < level) return false;
    if (this.sink.record) this.sink.record(level, this.prefix + text);
    else this.sink.write(`${this.head()}${text}`);
    return true;
  }

  /** A module's own line (LM_GEN2: acc's records): printed when `level <= log_level`, with no level text. */
  plain(level: number, text: string): void {
    if (this.logLevel < level) return;
    const body = `${text}${text.endsWith('\n') ? '' : '\n'}`;
    if (this.sink.record) this.sink.record(level, this.prefix + body);
    else this.sink.write(this.head() + body);
  }
}
