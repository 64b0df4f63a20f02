// The accounting context of a request (acc_ctx_t): what do_accounting()
// turned on per backend, the times, the db table, the $acc_extra values;
// made by do_accounting or by a first $acc_extra assignment.
import type { ExecContext } from '../../script/context.js';
import { stateKey } from '../../base/keys.js';
import type { Dialog } from '../dialog/api.js';
import type { Backend, Extra } from './flags.js';
import type { AccExtras } from './extra.js';

/** Per backend: on, and which extras (missed/failed/cdr) it takes. */
export type AccFlags = Map<Backend, Set<Extra>>;

export interface AccState {
  flags: AccFlags;
  /** The request's arrival, the `timestamp` of its records. */
  receivedSec: number;
  createdSec: number;
  /** cdr asked for on an initial INVITE: its dialog. */
  dialog?: Dialog;
  /** do_accounting's table for the db backend. */
  table?: string;
  extras: AccExtras;
  /** $acc_leg values, one map per acc_new_leg(). */
  legs: AccExtras[];
  /** The tm callbacks are in place (do_accounting was called). */
  hooked?: boolean;
  cdr?: boolean;
}

export const STATE = stateKey<AccState>('acc:ctx');

export function stateOf(ctx: ExecContext): AccState | undefined {
  return ctx.state(STATE);
}

/** The accounting context of the request, made by do_accounting or by a first $acc_extra assignment. */
export function contextOf(ctx: ExecContext): AccState {
  return ctx.state(STATE, () => ({
    flags: new Map(),
    receivedSec: Math.floor(ctx.runtime.clock.now() / 1000),
    createdSec: 0,
    extras: new Map(),
    legs: [],
  }));
}
