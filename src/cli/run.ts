// `opensips-ts run FILE [--map FROM=TO[:PORT]]...`: the cfg as a live SIP
// server on its sockets (UDP and TCP), until SIGINT/SIGTERM.
import { hasErrors, type Diagnostic } from '../cfg/diagnostic.js';
import { loadCfg } from '../cfg/load.js';
import { realClock } from '../base/clock.js';
import { SipServer } from '../core/server.js';
import { isIP } from 'node:net';
import { mapPeer, parseMap } from '../net/address-map.js';
import { expandSockets, isHostAddress, systemResolver, type HostResolver } from '../net/interfaces.js';
import { RealNetwork, type RealNetworkOptions } from '../net/real.js';
import type { TcpLimits } from '../net/tcp.js';
import { secureContexts, TLS_CONNECTIONS, TLS_DOMAIN_CONTROL } from '../net/tls.js';
import { put } from '../base/keys.js';
import type { Runtime } from '../script/runtime.js';
import { dbTlsDomains, hasTlsDb, tlsDomains } from '../modules/tls_mgm/index.js';
import { BlockingUdp } from '../net/blocking-udp.js';
import { buildEngine } from '../core/engine.js';
import { notNative } from '../script/native-coverage.js';
import { socketString } from '../script/context.js';
import { EXIT, printDiagnostics, type Io } from './io.js';
import { coreMi } from '../core/mi-core.js';
import { SHUTDOWN } from '../core/mi-ops.js';
import { moduleHttpPages } from '../core/modules.js';
import { CFG_SOURCE } from '../core/reload.js';
import { miExecutor } from '../base/mi.js';
import { startMiHttp } from '../net/http-mi.js';
import { fifoMode, startMiFifo, type MiFifo } from '../net/fifo-mi.js';
import { VERSION } from './lint.js';
import { attachUsrlocPersistence, type UsrlocPersistence } from '../modules/usrloc/sql.js';
import { usrlocOf } from '../modules/usrloc/api.js';
import { loadSets } from '../modules/dispatcher/sets.js';
import { DB_POOL } from '../modules/common/db.js';
import { closeRedis, connectRedis } from '../modules/cachedb_redis/index.js';
import { peek } from '../base/keys.js';
import { untilShutdown } from './signals.js';
import { urlProblems } from './urls.js';
import { portTakenAdvice } from './port-holder.js';
import { displayPath } from '../lint/pretty.js';
import { Logger, type LogSink } from '../base/logger.js';
import type { GlobalParam } from '../cfg/ast.js';

/** A started live server and how to stop it. */
export interface LiveServer {
  server: SipServer;
  stop(): Promise<void>;
}

/** Everything `run` does before waiting for a signal: checks, persistence, sockets, MI. */
export async function startLive(
  file: string,
  opts: {
    maps: string[];
    strict: boolean;
    debug?: boolean;
    /** --tcp-max-per-source: TCP connections from one IP address (not in 3.3; unlimited by default). */
    tcpMaxPerSource?: number;
    /** OpenSIPS's `-b`: the UDP receive buffer to ask for, over the cfg's `maxbuffer`. */
    maxBuffer?: number;
    logPrefix?: string;
    compat?: string[];
    readFile?: (path: string) => string;
    resolver?: HostResolver;
    /** `run --check`: every refusal of run on this host, then stop before opening a database or binding a socket. */
    checkOnly?: boolean;
    /** The log level when the cfg sets none (OpenSIPS's -d: NOTICE plus one per -d). */
    logLevel?: number;
    /** Where the log goes, chosen from the cfg's globals (log_stderror, log_facility, log_name); stderr otherwise. */
    logSink?: (globals: ReadonlyMap<string, GlobalParam>) => LogSink | undefined;
  },
  io: Io,
): Promise<LiveServer | number> {
  const map = parseMap(opts.maps);
  if (typeof map === 'string') {
    io.err(`opensips-ts: ${map}`);
    return EXIT.usage;
  }
  const loaded = loadCfg(file, {
    profile: { strict: opts.strict },
    cwd: io.cwd,
    ...(opts.readFile ? { readFile: opts.readFile } : {}),
  });
  const sink = opts.logSink?.(loaded.script.globals);
  const engine = buildEngine(loaded, {
    profile: { strict: opts.strict },
    clock: realClock,
    addressMap: map,
    ...(sink ? { logger: new Logger(realClock, sink) } : {}),
  });
  const problems: Diagnostic[] = [
    ...loaded.diagnostics,
    ...engine.diagnostics,
    ...notNative(loaded, engine.runtime),
    ...urlProblems(loaded.script),
  ];
  const resolver = opts.resolver ?? systemResolver;
  const declared = loaded.script.sockets.filter((d) => d.address.proto);
  for (const decl of declared) {
    const host = decl.address.host;
    const mapped = map.get(host)?.ip ?? host;
    if (isIP(mapped.replace(/^\[|\]$/g, '')) && !isHostAddress(mapped.replace(/^\[|\]$/g, ''), resolver.interfaces())) {
      problems.push({
        rule: 'socket-not-local',
        severity: 'error',
        span: decl.span,
        message: `${host} is not an address of this host`,
        hint: `map it to a loopback address: --map ${host}=127.0.0.1 (or another 127.x.y.z)`,
      });
    }
  }
  // `*`, interface names and hostnames: one socket per address (socket_info.c), before anything binds.
  const expanded = await expandSockets(engine.runtime.sockets, resolver);
  for (const e of expanded.errors) {
    const decl = declared[engine.runtime.sockets.indexOf(e.socket)];
    problems.push({
      rule: 'socket-not-local',
      severity: 'error',
      span: decl?.span ?? loaded.script.sockets[0]!.span,
      message: e.error,
      ...(e.hint ? { hint: e.hint } : {}),
    });
  }
  for (const s of expanded.sockets) {
    if (engine.runtime.sockets.includes(s) || isHostAddress(s.ip, resolver.interfaces())) continue;
    const decl = declared.find((d) => d.address.host === s.ip) ?? loaded.script.sockets[0]!;
    problems.push({
      rule: 'socket-not-local',
      severity: 'error',
      span: decl.span,
      message: `${s.ip} (a socket host's address) is not an address of this host`,
    });
  }
  engine.runtime.sockets.splice(0, engine.runtime.sockets.length, ...expanded.sockets);
  printDiagnostics(io, problems, loaded.sources);
  if (hasErrors(problems)) {
    io.err(`opensips-ts: ${opts.checkOnly ? 'run would refuse to start' : 'not starting'}: fix the errors above`);
    return EXIT.errors;
  }
  if (opts.checkOnly) {
    // The TLS domains' certificate files are read too: a missing one stops run.
    const transports = transportOptions(engine.runtime, io);
    if (typeof transports === 'number') return transports;
    io.out(`${displayPath(file, io.cwd ?? '.')}: runnable on this host (nothing was bound)`);
    return EXIT.ok;
  }
  const rt = engine.runtime;
  // reload_routes reads the cfg again; MI kill stops the server as SIGTERM does.
  // (from the disk: opts.readFile keeps the text read at start-up)
  put(rt.services, CFG_SOURCE, { file, profile: { strict: opts.strict }, cwd: io.cwd });
  put(rt.services, SHUTDOWN, () => process.kill(process.pid, 'SIGTERM'));
  for (const c of opts.compat ?? []) rt.compat.add(c);
  if (opts.logLevel !== undefined && !loaded.script.globals.has('log_level')) rt.logger.logLevel = opts.logLevel;
  if (opts.debug) rt.logger.logLevel = 4; // like `opensips -dddd`
  if (opts.logPrefix) rt.logger.prefix = opts.logPrefix;
  const lifetime = loaded.script.globals.get('tcp_connection_lifetime');
  const lifetimeMs = (lifetime?.value.kind === 'Number' ? lifetime.value.value : 120) * 1000;
  let persistence: UsrlocPersistence | undefined;
  if (rt.modparams.has('usrloc')) {
    const dflt = loaded.script.globals.get('db_default_url');
    const p = attachUsrlocPersistence(
      rt,
      [...usrlocOf(rt).domains.keys()],
      dflt?.value.kind === 'String' ? dflt.value.value : undefined,
    );
    if ('error' in p) {
      io.err(`opensips-ts: usrloc: ${p.error}`);
      return EXIT.errors;
    }
    persistence = p;
    if (p.mode !== 'none') rt.logger.log(2, 'usrloc', 'init', `${p.mode} to SQL: ${p.loaded} contact(s) loaded`);
  }
  // Each reply becomes a Buffer cut from Node's shared pool; a 64 KB pool is
  // refilled an eighth as often as the default 8 KB one (refills cost ~2% of
  // a stateless reply's time in scripts/bench-hot-path.ts).
  Buffer.poolSize = 64 * 1024;
  if (rt.modparams.has('cachedb_redis') || engine.resolution.modules.has('cachedb_redis')) {
    // OpenSIPS does not start when a cachedb_url cannot be reached.
    const errors = connectRedis(rt);
    if (errors.length) {
      for (const e of errors) io.err(`opensips-ts: cachedb_redis: ${e}`);
      return EXIT.errors;
    }
  }
  if (rt.modparams.has('dispatcher')) {
    // OpenSIPS does not start when dispatcher cannot read its table.
    const sets = loadSets(rt);
    if (typeof sets === 'string') {
      io.err(`opensips-ts: dispatcher: cannot load the destinations: ${sets}`);
      return EXIT.errors;
    }
  }
  // Media-relay control (rtpengine's ng protocol) blocks the script until the answer, as OpenSIPS does.
  // Control nodes named by cfg addresses follow --map too.
  const control = new BlockingUdp();
  rt.control = {
    request: (host, port, payload, prefix, ms, attempts) => {
      const to = mapPeer(map, host, port);
      return control.request(to.ip, to.port, payload, prefix, ms, attempts);
    },
    requestAsync: (host, port, payload, prefix, ms, attempts) => {
      const to = mapPeer(map, host, port);
      return control.requestAsync(to.ip, to.port, payload, prefix, ms, attempts);
    },
  };
  const transports = transportOptions(rt, io);
  if (typeof transports === 'number') {
    persistence?.close();
    return transports;
  }
  const maxBuffer = opts.maxBuffer ?? positiveGlobal(loaded.script.globals, 'maxbuffer');
  if (maxBuffer !== undefined) transports.udpRecvBuffer = maxBuffer;
  const net = new RealNetwork(
    () => lifetimeMs,
    (t) => rt.logger.log(-1, 'net', 'socket', t),
    (level, fn, t) => rt.logger.log(level, 'core', fn, t),
    {
      ...tcpLimitsOf(loaded.script.globals, rt),
      ...(opts.tcpMaxPerSource !== undefined ? { maxPerSource: opts.tcpMaxPerSource } : {}),
    },
    transports,
  );
  const server = new SipServer(rt, net, map);
  // $tls_* read the connection a message came over; tcp_persistent_flag and force_tcp_alias reach TLS and WS connections too.
  put(rt.services, TLS_CONNECTIONS, net);
  put(rt.services, TLS_DOMAIN_CONTROL, net);
  rt.services.set('net:tcp', net);
  try {
    await server.start();
  } catch (err) {
    io.err(`opensips-ts: cannot listen: ${(err as Error).message}`);
    const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
    const taken = e.code === 'EADDRINUSE' ? rt.sockets.find((s) => s.ip === e.address && s.port === e.port) : undefined;
    if (taken) io.err(portTakenAdvice(taken.proto, taken));
    await server.stop();
    persistence?.close();
    return EXIT.errors;
  }
  for (const s of rt.sockets) rt.logger.log(2, 'core', 'main', `listening on ${socketString(s)}`);
  let http: import('node:http').Server | undefined;
  const pages = moduleHttpPages(rt);
  const withMi = engine.resolution.modules.has('mi_http');
  if (withMi || pages.size) {
    // httpd binds to loopback unless the cfg names an address (OpenSIPS's default is every interface).
    const ip = String(rt.param('httpd', 'ip') || '127.0.0.1');
    const port = Number(rt.param('httpd', 'port') ?? 8888);
    const root = String(rt.param('mi_http', 'root') ?? 'mi');
    try {
      http = await startMiHttp(withMi ? miExecutor(coreMi(VERSION), rt) : undefined, rt.logger, {
        ip,
        port,
        root,
        pages,
      });
      if (withMi) rt.logger.log(2, 'mi_http', 'init', `MI over HTTP on http://${ip}:${port}/${root}`);
      for (const p of pages.keys()) rt.logger.log(2, 'httpd', 'init', `serving http://${ip}:${port}/${p}`);
    } catch (err) {
      io.err(`opensips-ts: cannot start mi_http on ${ip}:${port}: ${(err as Error).message}`);
      await server.stop();
      persistence?.close();
      return EXIT.errors;
    }
  }
  let fifo: MiFifo | undefined;
  if (engine.resolution.modules.has('mi_fifo')) {
    const path = String(rt.param('mi_fifo', 'fifo_name') || '/tmp/opensips_fifo');
    const started = startMiFifo(miExecutor(coreMi(VERSION), rt), rt.logger, {
      path,
      mode: fifoMode(rt.modparamLists.get('mi_fifo')?.get('fifo_mode')?.at(-1)),
      replyDir: String(rt.param('mi_fifo', 'reply_dir') || '/tmp/'),
    });
    // OpenSIPS stops when it cannot make its FIFO; the SIP service matters more here: logged, and run goes on.
    if (typeof started === 'string') rt.logger.log(-1, 'mi_fifo', 'mi_init_fifo', started);
    else {
      fifo = started;
      rt.logger.log(2, 'mi_fifo', 'init', `MI over the FIFO ${path}`);
    }
  }
  return {
    server,
    stop: async () => {
      fifo?.close();
      http?.close();
      await server.stop();
      persistence?.close();
      peek(rt.services, DB_POOL)?.closeAll();
      closeRedis(rt);
      rt.logger.log(2, 'core', 'main', `stopped after ${server.received} messages`);
    },
  };
}

/** tls_mgm's domains (their files read now: a missing one stops `run` naming it) and the WebSocket settings. */
function transportOptions(rt: Runtime, io: Io): RealNetworkOptions | number {
  const out: RealNetworkOptions = {};
  const protos = new Set(rt.sockets.map((s) => s.proto));
  const explicit = (module: string, name: string): number | undefined => {
    const v = rt.modparamLists.get(module)?.get(name)?.at(-1);
    return v === undefined ? undefined : Number(v);
  };
  if (rt.modparams.has('tls_mgm')) {
    const cfgDir = rt.cfgDir ?? io.cwd ?? '.';
    const script = tlsDomains(rt.modparamLists.get('tls_mgm'), cfgDir);
    if (script.errors.length) {
      for (const e of script.errors) io.err(`opensips-ts: ${e}`);
      return EXIT.errors;
    }
    // db_url: the table's domains too, ahead of the cfg's (3.3 links the DB list before the script one).
    const fromDb = hasTlsDb(rt) ? dbTlsDomains(rt, script.domains, cfgDir) : [];
    if (typeof fromDb === 'string') {
      io.err(`opensips-ts: not starting: tls_mgm: cannot load the TLS domains of the database: ${fromDb}`);
      return EXIT.errors;
    }
    const domains = [...fromDb, ...script.domains];
    const contexts = secureContexts(domains);
    if (typeof contexts === 'string') {
      io.err(`opensips-ts: not starting: ${contexts}`);
      return EXIT.errors;
    }
    // tls_handshake_timeout bounds OpenSIPS's blocking handshake steps (100 ms); node:tls bounds the whole handshake, so an unset one is 10 s.
    out.tls = {
      settings: {
        domains,
        handshakeTimeoutMs:
          explicit('proto_tls', 'tls_handshake_timeout') ??
          explicit('proto_wss', 'wss_tls_handshake_timeout') ??
          10_000,
      },
      contexts,
    };
  } else if (protos.has('tls') || protos.has('wss')) {
    io.err(
      `opensips-ts: not starting: ${protos.has('tls') ? 'tls' : 'wss'} sockets need tls_mgm and a server_domain (loadmodule "tls_mgm.so")`,
    );
    return EXIT.errors;
  }
  const originRaw =
    rt.modparamLists.get('proto_ws')?.get('require_origin')?.at(-1) ??
    rt.modparamLists.get('proto_wss')?.get('require_origin')?.at(-1);
  const origin = originRaw === undefined ? undefined : /^(0|no|off|false)$/i.test(String(originRaw)) ? 0 : 1;
  const chunks = explicit('proto_ws', 'ws_max_msg_chunks') ?? explicit('proto_wss', 'wss_max_msg_chunks');
  out.ws = {
    requireOrigin: origin === undefined ? true : origin !== 0,
    // OpenSIPS reads at most BUF_SIZE (65535) bytes of a message; ws_max_msg_chunks of 16 KB frames allows as many.
    maxMessageBytes: Math.max(65535, (chunks ?? 4) * 16384),
  };
  return out;
}

/** Resolves on SIGINT/SIGTERM, or after `seconds` when given (bounded demos and tests); SIGHUP/SIGUSR1/SIGUSR2 are ignored, as OpenSIPS does. */
export async function untilStopped(seconds?: number): Promise<void> {
  await untilShutdown(seconds ? { seconds } : {});
}

export async function runServer(
  file: string,
  opts: {
    maps: string[];
    strict: boolean;
    debug?: boolean;
    compat?: string[];
    tcpMaxPerSource?: number;
    readFile?: (path: string) => string;
    checkOnly?: boolean;
  },
  io: Io,
): Promise<number> {
  const live = await startLive(file, opts, io);
  if (typeof live === 'number') return live;
  await untilStopped();
  await live.stop();
  return EXIT.ok;
}

/** The TCP limits the cfg sets (tcp_max_connections, tcp_max_msg_time, proto_tcp's tcp_max_msg_chunks); 3.3's defaults otherwise. */
/** A core parameter set to a positive number in the cfg. */
function positiveGlobal(
  globals: ReadonlyMap<string, { value: { kind: string; value?: unknown } }>,
  name: string,
): number | undefined {
  const g = globals.get(name);
  return g?.value.kind === 'Number' && typeof g.value.value === 'number' && g.value.value > 0
    ? g.value.value
    : undefined;
}

function tcpLimitsOf(
  globals: ReadonlyMap<string, { value: { kind: string; value?: unknown } }>,
  rt: { param(m: string, n: string): string | number | undefined },
): Partial<TcpLimits> {
  const num = (name: string): number | undefined => positiveGlobal(globals, name);
  const limits: Partial<TcpLimits> = {};
  const conns = num('tcp_max_connections');
  if (conns) limits.maxConnections = conns;
  const msgTime = num('tcp_max_msg_time');
  if (msgTime) limits.maxMsgTimeMs = msgTime * 1000;
  const chunks = Number(rt.param('proto_tcp', 'tcp_max_msg_chunks') ?? 0);
  if (chunks > 0) limits.maxMsgChunks = chunks;
  return limits;
}
