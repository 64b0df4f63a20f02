// `opensips-ts dry-run`: the request route run on sample messages with a
// virtual clock and a recording transport. Nothing is opened, nothing is sent.
import type { Diagnostic, Profile } from '../cfg/diagnostic.js';
import { hasErrors } from '../cfg/diagnostic.js';
import { loadCfg } from '../cfg/load.js';
import { MAIN_ROUTE } from '../cfg/script.js';
import { VirtualClock } from '../base/clock.js';
import { Logger } from '../base/logger.js';
import { runStartupRoute } from '../core/script-routes.js';
import { usrlocOf } from '../modules/usrloc/api.js';
import { parseSipMessage } from '../sip/index.js';
import { NotImplementedError, runRoute } from '../script/compile.js';
import { ExecContext, socketString } from '../script/context.js';
import type { SocketInfo } from '../net/types.js';
import { buildEngine } from '../core/engine.js';
import type { Outbound, Runtime } from '../script/runtime.js';
import { scriptMessage } from '../script/sip-adapter.js';
import { RecordingTracer, type TraceEvent } from '../script/trace.js';
import { ScriptCompileError } from '../script/errors.js';

export interface Endpoint {
  proto: string;
  ip: string;
  port: number;
}

export interface DryRunOptions {
  profile: Profile;
  /** Reads the cfg's files (the CLI serves standard input through it). */
  readFile?: (path: string) => string;
  /** Where each message comes from. */
  src: Endpoint;
  /** The receiving socket, `proto:ip:port`; default: the first socket of the source's protocol. */
  socket?: string;
  /** Virtual time, ms since the epoch. */
  timeMs: number;
  stubs: Map<string, number>;
}

export interface LocationRow {
  domain: string;
  aor: string;
  contact: string;
  expiresIn: number | 'permanent';
  received?: string;
  socket?: string;
  q: string;
  callid: string;
  cseq: number;
  cflags: string;
  userAgent: string;
}

export interface MessageRun {
  file: string;
  trace: TraceEvent[];
  sent: Outbound[];
  logs: string[];
  retcode: number;
  dropped: boolean;
  stoppedBy?: string;
  /** A module's pre-script filter dropped the message (sl's ACK filter): the script did not run. */
  filteredBy?: string;
  locationBefore: LocationRow[];
  locationAfter: LocationRow[];
  receivedOn: string;
  from: Endpoint;
}

export interface DryRunResult {
  diagnostics: Diagnostic[];
  sources: Map<string, string>;
  runs: MessageRun[];
  /** Log lines of the cfg's startup_route, run once before the messages. */
  startupLogs?: string[];
  fatal?: string;
}

/** Text files written by hand often use bare LF: the head is normalised to CRLF, the body kept. */
export function normaliseMessage(raw: Buffer): Buffer {
  if (raw.includes(13)) return raw;
  const text = raw.toString('latin1');
  const split = text.indexOf('\n\n');
  const head = split < 0 ? text : text.slice(0, split);
  const body = split < 0 ? '' : text.slice(split + 2);
  return Buffer.from(`${head.replace(/\n/g, '\r\n')}\r\n\r\n${body}`, 'latin1');
}

export function locationTable(rt: Runtime): LocationRow[] {
  const ul = usrlocOf(rt);
  const now = Math.floor(rt.clock.now() / 1000);
  const rows: LocationRow[] = [];
  for (const d of ul.domains.values()) {
    for (const r of d.records.values()) {
      for (const b of r.bindings) {
        rows.push({
          domain: d.name,
          aor: r.aor,
          contact: b.uri,
          expiresIn: b.expires === 0 ? 'permanent' : b.expires - now,
          ...(b.received ? { received: b.received } : {}),
          ...(b.socket ? { socket: b.socket } : {}),
          q: b.q < 0 ? '' : String(b.q / 1000),
          callid: b.callid,
          cseq: b.cseq,
          cflags: rt.flags.namesOf('branch', b.cflags),
          userAgent: b.userAgent,
        });
      }
    }
  }
  return rows;
}

function receivingSocket(rt: Runtime, opts: DryRunOptions): SocketInfo | undefined {
  if (opts.socket) return rt.findSocket(opts.socket);
  return rt.sockets.find((s) => s.proto === opts.src.proto) ?? rt.sockets[0];
}

export function dryRun(
  cfgPath: string,
  messages: { file: string; bytes: Buffer }[],
  opts: DryRunOptions,
): DryRunResult {
  const loaded = loadCfg(cfgPath, { profile: opts.profile, ...(opts.readFile ? { readFile: opts.readFile } : {}) });
  const clock = new VirtualClock(opts.timeMs);
  const logs: string[] = [];
  const logger = new Logger(clock, { write: (l) => logs.push(l) });
  const engine = buildEngine(loaded, { profile: opts.profile, clock, logger });
  const diagnostics = [...loaded.diagnostics, ...engine.diagnostics];
  const result: DryRunResult = { diagnostics, sources: loaded.sources, runs: [] };
  if (hasErrors(diagnostics)) {
    result.fatal = 'the cfg has errors: fix them first (see above)';
    return result;
  }
  const rt = engine.runtime;
  for (const [k, v] of opts.stubs) rt.stubs.set(k, v);
  const main = rt.route('route', MAIN_ROUTE);
  const socketIn = receivingSocket(rt, opts);
  if (!socketIn) {
    result.fatal = opts.socket ? `no socket ${opts.socket} in the cfg` : 'the cfg declares no socket';
    return result;
  }
  // What modules set up when a server starts (usrloc's event listeners...); their timers never come due here.
  for (const start of rt.onStart) start();
  if (rt.route('startup_route', '')) {
    runStartupRoute(rt);
    result.startupLogs = [...logs];
  }
  for (const m of messages) {
    const parsed = parseSipMessage(normaliseMessage(m.bytes));
    if ('error' in parsed) {
      result.fatal = `${m.file}: not a SIP message: ${parsed.error}`;
      return result;
    }
    const sent: Outbound[] = [];
    rt.transport = { send: (o) => sent.push(o) };
    const before = locationTable(rt);
    logs.length = 0;
    const ctx = new ExecContext(rt, scriptMessage(parsed.msg), { ...opts.src }, socketIn);
    const tracer = new RecordingTracer();
    ctx.tracer = tracer;
    const run: MessageRun = {
      file: m.file,
      trace: tracer.events,
      sent,
      logs: [],
      retcode: 0,
      dropped: false,
      locationBefore: before,
      locationAfter: [],
      receivedOn: socketString(socketIn),
      from: opts.src,
    };
    try {
      const filter = parsed.msg.isRequest ? rt.droppingFilter(parsed.msg) : undefined;
      if (filter) run.filteredBy = `${filter.module} (${filter.fn}): ${filter.why}`;
      else if (main && parsed.msg.isRequest) runRoute(ctx, main, 'request', MAIN_ROUTE);
    } catch (err) {
      if (err instanceof NotImplementedError) run.stoppedBy = `${err.message}; simulate it with --stub ${err.fn}=RC`;
      else if (err instanceof ScriptCompileError) run.stoppedBy = `${err.span.line}:${err.span.col}: ${err.message}`;
      else run.stoppedBy = `internal error: ${(err as Error).message}`;
    }
    // What the message raised (event_route jobs) runs right after it, as in a live server.
    clock.advance(0);
    run.retcode = ctx.retcode;
    run.dropped = ctx.dropped;
    run.logs = [...logs];
    run.locationAfter = locationTable(rt);
    result.runs.push(run);
  }
  return result;
}
