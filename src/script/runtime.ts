// Script-wide state: functions and PVs available (core + loaded modules),
// compiled routes, sockets, flags, $var values, logger and clock.
import type { RouteKind } from '../cfg/ast.js';
import type { ScriptFunction } from '../catalog/types.js';
import { timersFor, type Clock, type TimerHandle, type Timers } from '../base/clock.js';
import { Logger } from '../base/logger.js';
import { peek, put, stateOf, type ServiceKey } from '../base/keys.js';
import type { FunctionBehaviour } from './module-contract.js';
import type { SipMessage } from '../sip/message.js';
import type { ExecContext } from './context.js';
import type { ControlChannel, Peer, SocketInfo } from '../net/types.js';
import { FlagRegistry } from './flags.js';
import type { PvDef } from './pv-core.js';
import type { Val } from './values.js';

export interface FunctionEntry {
  name: string;
  /** `core` or the module name. */
  module: string;
  signature: ScriptFunction;
  behaviour: FunctionBehaviour | undefined;
}

export interface CompiledRoute {
  kind: RouteKind;
  name: string;
  /** timer_route's interval in seconds, or event_route's mode word. */
  extra?: string;
  run(ctx: ExecContext): void;
}

/** A message the script would send: a reply or a forwarded/generated request. */
export interface Outbound {
  kind: 'reply' | 'request';
  from: SocketInfo;
  /** Where it goes; a tls/wss request may carry the script's TLS client-domain choice (tls-client.ts). */
  to: Peer;
  text: string;
  /** What produced it: `sl_send_reply`, `t_relay`... */
  via: string;
  /** A request sent statefully (a tm client transaction: retransmissions, replies consumed). */
  stateful?: boolean;
  /**
   * A stateful request's final reply (tm's callback on a transaction the
   * server originated): the code and the reply, or 408 and undefined when
   * the final-response timer fired (FAKED_REPLY). Never called without a
   * live transaction layer (a dry-run).
   */
  onFinal?: (code: number, reply: SipMessage | undefined) => void;
}

export interface Transport {
  send(out: Outbound): void;
}

/** A module's pre-script callback that may drop a request (OpenSIPS's PRE_SCRIPT_CB returning SCB_DROP_MSG). */
export interface RequestFilter {
  module: string;
  fn: string;
  why: string;
  drops(msg: SipMessage): boolean;
}

export class Runtime {
  readonly flags = new FlagRegistry();
  readonly vars = new Map<string, Val>();
  readonly functions = new Map<string, FunctionEntry>();
  readonly modulePvs = new Map<string, PvDef>();
  readonly routes = new Map<RouteKind, Map<string, CompiledRoute>>();
  readonly sockets: SocketInfo[] = [];
  readonly modparams = new Map<string, Map<string, string | number>>();
  /** Every value of a parameter given several times, in cfg order. */
  readonly modparamLists = new Map<string, Map<string, (string | number)[]>>();
  /** Module singletons (usrloc tables, transaction layer...) keyed by module name. */
  readonly services = new Map<string, unknown>();
  readonly logger: Logger;
  readonly startedAt: number;
  maxWhileLoops = 10000;
  enableAsserts = false;
  /** Level of the one-argument xlog() (xlog_print_level, default L_ERR). */
  xlogPrintLevel = -1;
  /** $C(..) gives ANSI colours only when logging to stderr (log_stderror) or with xlog_force_color. */
  logColors = false;
  /** The folder of the main cfg file: relative file names of modules (permissions' rule files) start there. */
  cfgDir: string | undefined;
  /** script_trace()'s setting, when on. */
  scriptTrace: import('./script-trace.js').ScriptTrace | undefined;
  /** The core's db_default_url: the database of modules whose db_url is not set. */
  dbDefaultUrl: string | undefined;
  /** `Server:` value of local replies; undefined when server_signature is off. */
  serverHeader: string | undefined = 'opensips-ts (OpenSIPS 3.3 compatible)';
  /**
   * 3.3.10 behaviours kept on request where opensips-ts fixes a defect
   * (`--compat NAME`; docs/compatibility.md lists the names).
   */
  readonly compat = new Set<string>();
  /** Module timers started with the server (nathelper pings...); each may return a handle to cancel at stop. */
  readonly onStart: (() => TimerHandle | undefined)[] = [];
  /** Replies that match no transaction are offered here first (nathelper's ping replies); true = consumed. */
  readonly replyFilters: ((method: string, callid: string | undefined, status: number) => boolean)[] = [];
  /** Requests are offered here before the script (sl's ACK filter); true = dropped, the script does not run. */
  readonly requestFilters: RequestFilter[] = [];
  /**
   * Raw processing (OpenSIPS's register_pre_raw_processing_cb / post_raw): `pre`
   * rewrites every received datagram or frame before it is parsed, `post`
   * every message before it is sent (topology_hiding's Call-ID masking).
   */
  readonly rawProcessing: { pre: ((data: Buffer) => Buffer)[]; post: ((data: Buffer) => Buffer)[] } = {
    pre: [],
    post: [],
  };
  /** Functions the user simulated with `dry-run --stub fn=RC`. */
  readonly stubs = new Map<string, number>();
  transport: Transport = { send: () => undefined };
  control: ControlChannel | undefined;

  /** Scheduling that follows `clock` (virtual timers fire as a virtual clock advances). */
  readonly timers: Timers;

  constructor(
    readonly clock: Clock,
    logger?: Logger,
  ) {
    // A timer's work (fr_timeout's failure_route, module pings...) runs outside any message's guard: an exception is logged, never fatal.
    const base = timersFor(clock);
    const guard = (fn: () => void) => () => {
      try {
        fn();
      } catch (err) {
        this.logger.log(-1, 'core', 'timer', `error in a timer job: ${(err as Error).message}`);
      }
    };
    this.timers = { after: (ms, fn) => base.after(ms, guard(fn)), every: (ms, fn) => base.every(ms, guard(fn)) };
    this.logger = logger ?? new Logger(clock);
    this.startedAt = clock.now();
  }

  /** A host (and port: 5060 when a URI or Via leaves it out) that one of our sockets listens on, or advertises. */
  isMyAddress(host: string, port: number | undefined): boolean {
    const h = host.replace(/^\[|\]$/g, '');
    const p = port ?? 5060;
    return this.sockets.some(
      (s) =>
        (s.ip === h || s.cfgIp === h || s.advertisedIp === h) &&
        (s.port === p || s.cfgPort === p || s.advertisedPort === p),
    );
  }

  /** The first pre-script filter that drops `msg`, if any. */
  droppingFilter(msg: SipMessage): RequestFilter | undefined {
    const filters = this.requestFilters;
    for (let i = 0; i < filters.length; i++) if (filters[i]!.drops(msg)) return filters[i];
    return undefined;
  }

  route(kind: RouteKind, name: string): CompiledRoute | undefined {
    return this.routes.get(kind)?.get(name);
  }

  /** `proto:ip:port` (proto case-insensitive) among the listening sockets, advertised forms too. */
  findSocket(text: string): SocketInfo | undefined {
    const m = /^(\w+):(\[[^\]]+\]|[^:]+):(\d+)$/.exec(text.trim());
    if (!m) return undefined;
    const [, proto, ip, port] = m;
    const p = Number(port);
    return this.sockets.find(
      (s) =>
        s.proto === proto!.toLowerCase() &&
        ((s.port === p && (s.ip === ip || s.advertisedIp === ip)) || (s.cfgIp === ip && (s.cfgPort ?? s.port) === p)),
    );
  }

  /** All values of a module parameter given several times (its default when never given). */
  paramValues(module: string, name: string): (string | number)[] {
    const list = this.modparamLists.get(module)?.get(name);
    if (list?.length) return list;
    const one = this.param(module, name);
    return one === undefined || one === '' ? [] : [one];
  }

  param(module: string, name: string): string | number | undefined {
    return this.modparams.get(module)?.get(name);
  }

  /** A module's server-wide value under a typed key: undefined when unset, or made by `init` on first use. */
  service<T>(key: ServiceKey<T>): T | undefined;
  service<T>(key: ServiceKey<T>, init: () => T): T;
  service<T>(key: ServiceKey<T>, init?: () => T): T | undefined {
    return init ? stateOf(this.services, key, init) : peek(this.services, key);
  }

  setService<T>(key: ServiceKey<T>, value: T): void {
    put(this.services, key, value);
  }
}
