// cfgutils: random events, blocking sleeps, time recurrences, script locks,
// AVP set helpers and the $RANDOM, $env, $ctime and $shv variables, as
// OpenSIPS 3.3's cfgutils module offers them.
import { serviceKey, stateOf } from '../../base/keys.js';
import type { ExecContext } from '../../script/context.js';
import type { Runtime } from '../../script/runtime.js';
import type { Val } from '../../script/values.js';
import { checkTimeRecExpr } from '../common/timerec.js';
import { localTime } from '../common/timezone.js';
import type { ArgValue, NativeModule } from '../types.js';

interface CfgutilsState {
  /** rand_event's probability in percent (rand_set_prob changes it for the whole server). */
  probability: number;
  /** $shv: shared variables, one value each (shvset sets them at start-up). */
  shared: Map<string, Val>;
}

const STATE = serviceKey<CfgutilsState>('cfgutils:state');

function initialProbability(rt: Runtime): number {
  return Number(rt.param('cfgutils', 'initial_probability') ?? 10);
}

function state(rt: Runtime): CfgutilsState {
  return stateOf(rt.services, STATE, () => ({ probability: initialProbability(rt), shared: new Map() }));
}

/** "name=i:5" / "name=s:text" (shvset and varset values). */
function parseSetting(text: string): { name: string; value: Val } | undefined {
  const m = /^\s*([^=\s]+)\s*=\s*([is]):(.*)$/s.exec(text);
  if (!m) return undefined;
  if (m[2] === 's') return { name: m[1]!, value: m[3]! };
  const n = Number(m[3]!.trim());
  return Number.isInteger(n) ? { name: m[1]!, value: n } : undefined;
}

/** The worker blocks, as OpenSIPS's sleep()/usleep() block the process that runs the script. */
function blockFor(ms: number): void {
  if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export const cfgutils: NativeModule = {
  name: 'cfgutils',
  params: {
    initial_probability: { validate: (v) => (Number(v) > 100 ? `invalid probability <${v}>` : undefined) },
    lock_pool_size: { validate: (v) => (Number(v) < 1 ? `Invalid lock size parameter (${v})!` : undefined) },
    shvset: { validate: (v) => (parseSetting(String(v)) ? undefined : `unable to set shv parameter [${v}]`) },
    varset: { validate: (v) => (parseSetting(String(v)) ? undefined : `unable to set var parameter [${v}]`) },
  },
  functions: {
    rand_set_prob: {
      returns: [1],
      impl: (ctx, [p]) => {
        state(ctx.runtime).probability = p?.int ?? 0;
        return 1;
      },
    },
    rand_reset_prob: {
      returns: [1],
      impl: (ctx) => {
        state(ctx.runtime).probability = initialProbability(ctx.runtime);
        return 1;
      },
    },
    // The probability itself is the return code (0 ends the script, as in 3.3).
    rand_get_prob: { impl: (ctx) => state(ctx.runtime).probability },
    rand_event: {
      returns: [1, -1],
      impl: (ctx, [p]) => (Math.random() < (p?.given ? (p.int ?? 0) : state(ctx.runtime).probability) / 100 ? 1 : -1),
    },
    sleep: {
      returns: [1],
      impl: (_ctx, [s]) => {
        blockFor((s?.int ?? 0) * 1000);
        return 1;
      },
    },
    usleep: {
      returns: [1],
      impl: (_ctx, [us]) => {
        blockFor((us?.int ?? 0) / 1000);
        return 1;
      },
    },
    pkg_status: {
      returns: [1],
      impl: (ctx) => {
        logHeap(ctx.runtime, 'dbg_pkg_status');
        return 1;
      },
    },
    shm_status: {
      returns: [1],
      impl: (ctx) => {
        logHeap(ctx.runtime, 'dbg_shm_status');
        return 1;
      },
    },
    check_time_rec: {
      returns: [1, -1, -2],
      impl: (ctx, [rec, at]) =>
        checkTimeRecExpr(
          (rec?.str ?? '').trim(),
          at?.given ? (at.int ?? 0) : Math.floor(ctx.runtime.clock.now() / 1000),
        ),
    },
    get_accurate_time: {
      returns: [1, -1],
      impl: (ctx, [sec, usec, both]) => {
        const ms = ctx.runtime.clock.now();
        const s = Math.floor(ms / 1000);
        const us = Math.round((ms - s * 1000) * 1000);
        if (!sec?.pv?.set(ctx, s) || !usec?.pv?.set(ctx, us)) return -1;
        if (both?.pv && !both.pv.set(ctx, `${s}.${String(us).padStart(6, '0')}`)) return -1;
        return 1;
      },
    },
    ts_usec_delta: {
      returns: [1, -1],
      impl: (ctx, [t1s, t1u, t2s, t2u, out]) => {
        // 3.3 multiplies in C int: a difference over 2147 s wraps; kept so that scripts compute what OpenSIPS computes.
        const delta = Math.abs(
          (Math.imul(1000000, (t1s?.int ?? 0) - (t2s?.int ?? 0)) + (t1u?.int ?? 0) - (t2u?.int ?? 0)) | 0,
        );
        return out?.pv?.set(ctx, delta) ? 1 : -1;
      },
    },
    set_count: {
      returns: [1, -1],
      impl: (ctx, [name, out]) => {
        if (!name?.pv || !out?.pv) return -1;
        return out.pv.set(ctx, valuesOf(ctx, name.pv).length) ? 1 : -1;
      },
    },
    set_select_weight: {
      impl: (ctx, [name]) => {
        if (!name?.pv) return -1;
        const values = valuesOf(ctx, name.pv);
        if (values.some((v) => typeof v !== 'number')) {
          ctx.runtime.logger.log(
            -1,
            'cfgutils',
            'pv_sel_weight',
            'Applied select weight algorithm for a varible set containing not only integer values',
          );
          return -1;
        }
        if (values.length <= 0) return -1;
        if (values.length === 1) return 0;
        // Cumulative weights, then a random point in [0, sum): the index found is the return code (0 included).
        const bounds: number[] = [];
        let sum = 0;
        for (const v of values as number[]) bounds.push((sum += v));
        if (sum <= 0) return -1;
        const point = Math.floor(Math.random() * sum);
        const i = bounds.findIndex((b) => point < b);
        return i < 0 ? values.length : i;
      },
    },
    // One process runs every script here: a script lock is never contended.
    get_static_lock: { returns: [1], impl: () => 1 },
    release_static_lock: { returns: [1], impl: () => 1 },
    get_dynamic_lock: { returns: [1], impl: () => 1 },
    release_dynamic_lock: { returns: [1], impl: () => 1 },
  },
  pvs: {
    RANDOM: { takesName: false, get: () => Math.floor(Math.random() * 0x80000000) },
    env: { takesName: true, get: (_ctx, name) => (name !== undefined ? (process.env[name] ?? null) : null) },
    ctime: {
      takesName: true,
      get: (ctx, name) => {
        const t = localTime(Math.floor(ctx.runtime.clock.now() / 1000), undefined);
        switch (name) {
          case 'min':
            return t.min;
          case 'hour':
            return t.hour;
          case 'mday':
            return t.mday;
          case 'mon':
            return t.mon + 1;
          case 'year':
            return t.year;
          case 'wday':
            return t.wday + 1;
          case 'yday':
            return t.yday + 1;
          case 'isdst':
            return isDst(ctx.runtime.clock.now());
          default:
            return t.sec;
        }
      },
    },
    shv: {
      takesName: true,
      get: (ctx, name) => (name !== undefined ? (state(ctx.runtime).shared.get(name) ?? null) : null),
      set: (ctx, name, v) => {
        if (name === undefined) return false;
        state(ctx.runtime).shared.set(name, v);
        return true;
      },
    },
  },
  init: (rt) => {
    const shared = state(rt).shared;
    for (const v of rt.paramValues('cfgutils', 'shvset')) {
      const s = parseSetting(String(v));
      if (s) shared.set(s.name, s.value);
    }
    for (const v of rt.paramValues('cfgutils', 'varset')) {
      const s = parseSetting(String(v));
      if (s) rt.vars.set(s.name, s.value);
    }
  },
};

/** Every value of a pseudo-variable: an AVP's stack, newest first; other variables one value unless null. */
function valuesOf(ctx: ExecContext, pv: NonNullable<ArgValue['pv']>): Val[] {
  return pv.all(ctx).filter((v) => v !== null && v !== undefined);
}

function isDst(ms: number): number {
  const y = new Date(ms).getFullYear();
  const jan = new Date(y, 0, 1).getTimezoneOffset();
  const jul = new Date(y, 6, 1).getTimezoneOffset();
  return new Date(ms).getTimezoneOffset() < Math.max(jan, jul) ? 1 : 0;
}

/** pkg_status/shm_status print the allocator's state; here the V8 heap's. */
function logHeap(rt: Runtime, fn: string): void {
  const m = process.memoryUsage();
  rt.logger.log(
    1,
    'cfgutils',
    fn,
    `heap used ${m.heapUsed} of ${m.heapTotal} bytes, rss ${m.rss}, external ${m.external}`,
  );
}
