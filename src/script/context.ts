// Per-message execution state: the message, its flags and AVPs, the current
// R-URI and destination, $retcode, and the control-flow signal of the route
// being run. Script variables ($var) live in the Runtime: they survive messages.
import type { Span } from '../cfg/ast.js';
import { peek, put, stateKey, stateOf, type StateKey } from '../base/keys.js';
import type { ScriptMessage } from './message.js';
import type { Runtime } from './runtime.js';
import type { Tracer } from './trace.js';
import type { Val } from './values.js';
import type { RouteType } from './module-contract.js';
import type { SocketInfo } from '../net/types.js';

/** force_rport() was called for this message: replies go to the source port. */
export const FORCE_RPORT = stateKey<boolean>('core:force_rport');
/** add_local_rport() was called: the Via this proxy adds carries ;rport. */
export const ADD_LOCAL_RPORT = stateKey<boolean>('core:add_local_rport');

/** set_err_info's last error: $err.* reads it; error_route clears it. */
export const ERR_INFO = stateKey<import('./errinfo.js').ErrInfo>('core:err');

export const enum Flow {
  None = 0,
  Exit = 1,
  Return = 2,
  Break = 3,
}

/** The host and port a message sent from `s` names itself by: the script's override, the socket's advertised address, or its own. */
export function advertisedHostPort(ctx: ExecContext, s: SocketInfo): { host: string; port: string } {
  return {
    host: ctx.advertisedAddress ?? s.advertisedIp ?? s.ip,
    port: ctx.advertisedPort ?? String(s.advertisedPort ?? s.port),
  };
}

export function socketString(s: SocketInfo): string {
  return `${s.proto}:${s.ip}:${s.port}`;
}

export class ExecContext {
  msgFlags = 0;
  /** Branch flags; index 0 is the R-URI branch. */
  branchFlags: number[] = [0];
  private ownAvps: Map<string, Val[]> | undefined;
  private ownModState: Map<string, unknown> | undefined;
  retcode = 1;
  flow: Flow = Flow.None;
  dropped = false;
  returnValue = 1;
  ruri: string;
  /** The R-URI branch's q (× 1000), -1 unspecified (lookup() sets it from the contact). */
  ruriQ = -1;
  du: string | null = null;
  /** set_advertised_address / set_advertised_port: what this message's Via and Record-Route name instead of the socket. */
  advertisedAddress: string | undefined;
  advertisedPort: string | undefined;
  socketOut: SocketInfo | null = null;
  /** Routes being run, innermost last: positional `$param(n)` of route() calls, named ones of an event_route. */
  readonly routeStack: { type: RouteType; name: string; params: Val[]; named?: Record<string, Val> }[] = [];
  /** A function set the error info (`setError`): error_route runs after the statement (action.c run_action_list). */
  errPending = false;
  /** Span of the statement being run ($cfg_line, $cfg_file). */
  current: Span | undefined;
  tracer: Tracer | undefined;
  /** Branches appended after the R-URI branch (lookup(), append_branch()). */
  readonly branches: {
    uri: string;
    du: string | null;
    flags: number;
    q: number;
    socket: SocketInfo | null;
    path?: string;
  }[] = [];

  constructor(
    readonly runtime: Runtime,
    readonly msg: ScriptMessage,
    readonly src: { ip: string; port: number; proto: string },
    readonly socketIn: SocketInfo,
  ) {
    this.ruri = msg.ruri;
  }

  // The two maps are created on first use: most messages (a stateless reply)
  // never touch them.

  /** Works on another context's AVPs from now on (a transaction's, in failure_route). */
  shareAvps(avps: Map<string, Val[]>): void {
    this.ownAvps = avps;
  }

  /** AVP value stacks, newest last (`$(avp(x)[0])` is the newest). */
  get avps(): Map<string, Val[]> {
    return (this.ownAvps ??= new Map());
  }

  /** Per-message scratch space for modules (registrar reply state, transaction...). */
  get modState(): Map<string, unknown> {
    return (this.ownModState ??= new Map());
  }

  /** OpenSIPS's set_err_info/set_err_reply: read as $err.*, and error_route runs after the current statement. */
  setError(info: import('./errinfo.js').ErrInfo): void {
    this.setState(ERR_INFO, info);
    this.errPending = true;
  }

  /**
   * modState.get() without creating the map.
   * @deprecated read through a typed key: state(KEY).
   */
  peekState(key: string): unknown {
    return this.ownModState?.get(key);
  }

  /** This message's value under a typed key: undefined when unset, or made by `init` on first use. */
  state<T>(key: StateKey<T>): T | undefined;
  state<T>(key: StateKey<T>, init: () => T): T;
  state<T>(key: StateKey<T>, init?: () => T): T | undefined {
    if (!init) return peek(this.ownModState, key);
    return stateOf(this.modState, key, init);
  }

  setState<T>(key: StateKey<T>, value: T): void {
    put(this.modState, key, value);
  }

  /** Forgets this message's value under `key` (state(key) is undefined again). */
  clearState<T>(key: StateKey<T>): void {
    this.ownModState?.delete(key.name);
  }

  avpStack(name: string): Val[] {
    let s = this.avps.get(name);
    if (!s) {
      s = [];
      this.avps.set(name, s);
    }
    return s;
  }
}
