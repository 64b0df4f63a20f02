// The module contract, shaped like OpenSIPS's module_exports: one table per
// module that the linter, the evaluator and `opensips-ts modules` all read.
// Signatures (parameter kinds, optional ones, route types) come from the
// catalog extracted from the 3.3 sources, so they are declared once. It lives
// in script/ (as sr_module.h sits in OpenSIPS's core) because the evaluator
// calls what the tables declare; modules/types.ts re-exports it.
import type { MiExport } from '../base/mi.js';
import type { Diagnostic } from '../cfg/diagnostic.js';
import type { Span } from '../cfg/ast.js';
import type { ExecContext } from './context.js';
import type { Val } from './values.js';

export type RouteType =
  'request' | 'failure' | 'onreply' | 'branch' | 'error' | 'local' | 'startup' | 'timer' | 'event';

/** An argument as the function receives it at run time. */
export interface ArgValue {
  /** Expanded string form (format strings expanded), or undefined when the slot is empty. */
  str?: string;
  int?: number;
  /** The raw value of a pseudo-variable argument. */
  val?: Val;
  /** For `var` parameters: read and write access to the pseudo-variable. */
  pv?: {
    get(ctx: ExecContext): Val;
    set(ctx: ExecContext, v: Val): boolean;
    /** Every value ($avp: all of them, newest first). */ all(ctx: ExecContext): Val[];
  };
  given: boolean;
}

/** A constant argument seen at fix-up time, for validation before the script runs. */
export interface StaticArg {
  kind: 'string' | 'number' | 'pvar' | 'empty';
  text: string;
  /** True when a string argument holds pseudo-variables (its value is known only at run time). */
  dynamic: boolean;
  span: Span;
}

export type FunctionImpl = (ctx: ExecContext, args: ArgValue[]) => number;

export interface FunctionBehaviour {
  impl?: FunctionImpl;
  /** Every return code the function can produce (for lint of `switch ($retcode)`). */
  returns?: number[];
  /** Start-up checks OpenSIPS makes in the fix-up (flag strings, ranges, regexes). */
  fixup?: (
    args: StaticArg[],
    report: (message: string, span: Span, hint?: string, severity?: 'error' | 'warning') => void,
  ) => void;
  /** Why this use (by its constant arguments) has no native implementation (an acc backend, say): `run` refuses it like an unimplemented function. */
  notNativeFor?: (args: StaticArg[]) => string | undefined;
  /** Work OpenSIPS does at start-up with constant arguments (e.g. allocating named flags). */
  prepare?: (rt: import('./runtime.js').Runtime, constants: (string | number | undefined)[]) => void;
}

export interface ParamDef {
  name: string;
  type: 'int' | 'str';
  /** Some params accept both (declared with USE_FUNC_PARAM in OpenSIPS). */
  alsoType?: 'int' | 'str';
  default: string | number | null;
  /** Returns an error message when the value is outside what the module accepts. */
  validate?: (value: string | number) => string | undefined;
}

/** An MI command of a module: it exists exactly when the module is loaded. */
export type ModuleMi = MiExport<import('./runtime.js').Runtime>;

/**
 * A statistic (OpenSIPS's stat_export_t), read as `module:name`. Either a
 * counter the module increments (reset_statistics zeroes it) or a value read
 * when asked: a setting or a gauge (STAT_NO_RESET) or a computation
 * (STAT_IS_FUNC, `computed`).
 */
export interface StatExport {
  name: string;
  read(rt: import('./runtime.js').Runtime): number;
  /** Present for counters: reset_statistics calls it. Absent = STAT_NO_RESET. */
  reset?(rt: import('./runtime.js').Runtime): void;
  /** Computed on every read (STAT_IS_FUNC): list_statistics calls it non-incremental. */
  computed?: boolean;
}

/**
 * Statistics made at run time, one per thing the module creates (usrloc's
 * `<table>-users` for each table a save() names, as register_udomain() does).
 */
export interface StatFamily {
  /** The name pattern, for listings: `<table>-users`. */
  name: string;
  each(rt: import('./runtime.js').Runtime): Record<string, number>;
  /** The names `each` gives are `group:name` already (the script's statistics, in groups of their own). */
  fullKeys?: boolean;
  /** Which names of the family are counters (the others are gauges, STAT_NO_RESET). */
  isCounter?(name: string, rt: import('./runtime.js').Runtime): boolean;
  /** reset_statistics on a counter of the family. */
  reset?(rt: import('./runtime.js').Runtime, name: string): void;
}

/** A page on httpd: its path (without the leading /) and its answer. */
export interface HttpPageExport {
  root(rt: import('./runtime.js').Runtime): string;
  answer(rt: import('./runtime.js').Runtime, method: string): { status: number; contentType: string; body: string };
}

/** A periodic job (OpenSIPS's register_timer): started with the server, stopped with it. */
export interface TimerExport {
  name: string;
  /** How the period is set, for `opensips-ts modules NAME` (`natping_interval`...). */
  period: string;
  /** Milliseconds between runs, from the module's parameters; 0 = this cfg does not start it. */
  interval(rt: import('./runtime.js').Runtime): number;
  job(rt: import('./runtime.js').Runtime): void;
  /** Work left pending by the job to cancel when the server stops. */
  stop?(rt: import('./runtime.js').Runtime): void;
}

export interface NativeModule {
  name: string;
  /** Behaviour of the script functions that opensips-ts implements natively. */
  functions: Record<string, FunctionBehaviour>;
  params?: Record<string, Pick<ParamDef, 'validate'>>;
  /** Pseudo-variables the module provides natively ($T_reply_code...). */
  pvs?: Record<string, import('./pv-core.js').PvDef>;
  init?: (rt: import('./runtime.js').Runtime, params: ReadonlyMap<string, string | number>) => Diagnostic[] | void;
  /** MI commands (mi_export_t). */
  mi?: ModuleMi[];
  /** Statistics, `module:name` in get_statistics. */
  stats?: (StatExport | StatFamily)[];
  /** Periodic jobs the core starts after init, once the routes are compiled. */
  timers?: TimerExport[];
  /** Pages served on httpd's server (register_httpdcb): prometheus's /metrics. */
  http?: HttpPageExport[];
  /** Called when the server stops, after the timers (mod_destroy). */
  destroy?: (rt: import('./runtime.js').Runtime) => void;
}

export function isStatFamily(s: StatExport | StatFamily): s is StatFamily {
  return 'each' in s;
}
