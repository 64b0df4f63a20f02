// Pseudo-variable specs compiled once into get/set closures: $var and $avp
// (with indexes and value stacks), the core table, module PVs, transformations.
import type { PVarSpec } from '../cfg/ast.js';
import type { ExecContext } from './context.js';
import { parseFormat } from '../cfg/pvar.js';
import { CORE_PVS, type PvDef } from './pv-core.js';
import { applyTransformations } from './transformations.js';
import type { Val } from './values.js';

export interface PvAccess {
  text: string;
  get(ctx: ExecContext): Val;
  /** `op` is `=` or `:=` (they differ for AVPs); undefined when read-only. */
  set?(ctx: ExecContext, v: Val, op: '=' | ':='): boolean;
}

export class PvCompileError extends Error {}

/** Module pseudo-variables ($T_*, $rr_params...) registered by the runtime. */
export type PvLookup = (name: string) => PvDef | undefined;

type NameFn = (ctx: ExecContext) => string;

function dynamicName(inner: string, lookup: PvLookup): NameFn {
  if (!inner.includes('$')) return () => inner;
  const parts = parseFormat(inner).parts.map((p) => (typeof p === 'string' ? p : compileSpec(p, lookup, '')));
  return (ctx) => parts.map((p) => (typeof p === 'string' ? p : String(p.get(ctx) ?? ''))).join('');
}

/** `[n]`, `[-1]`, `[*]` or `[$var(i)]`; `*` is 'all'. */
function indexFn(index: string | undefined, lookup: PvLookup): ((ctx: ExecContext) => number | 'all') | undefined {
  if (index === undefined) return undefined;
  if (index === '*') return () => 'all';
  if (/^-?\d+$/.test(index)) {
    const n = Number(index);
    return () => n;
  }
  const pv = compileSpec(parseFormat(index).parts.find((p) => typeof p !== 'string') as PVarSpec, lookup, index);
  return (ctx) => {
    const v = pv.get(ctx);
    return typeof v === 'number' ? v : Number(v ?? 0);
  };
}

function pick(values: Val[], i: number | 'all'): Val {
  if (i === 'all') return values.length ? values.map((v) => String(v ?? '')).join(',') : null;
  const at = i < 0 ? values.length + i : i;
  return values[at] ?? null;
}

function avpAccess(spec: PVarSpec, lookup: PvLookup, text: string): PvAccess {
  const name = dynamicName(spec.inner ?? '', lookup);
  const index = indexFn(spec.index, lookup);
  // Stored newest last; index 0 is the newest, -1 the oldest.
  const view = (stack: Val[]): Val[] => [...stack].reverse();
  return {
    text,
    get: (ctx) => {
      const stack = ctx.avps.get(name(ctx)) ?? [];
      return index ? pick(view(stack), index(ctx)) : (stack[stack.length - 1] ?? null);
    },
    set: (ctx, v, op) => {
      const stack = ctx.avpStack(name(ctx));
      const i = index?.(ctx);
      if (v === null) {
        if (op === ':=' || i === 'all') stack.length = 0;
        else if (i === undefined) stack.pop();
        else {
          const at = i < 0 ? -i - 1 : stack.length - 1 - i;
          if (at >= 0 && at < stack.length) stack.splice(at, 1);
        }
        return true;
      }
      if (op === ':=') stack.length = 0;
      if (i !== undefined && i !== 'all') {
        const at = i < 0 ? -i - 1 : stack.length - 1 - i;
        if (at < 0 || at >= stack.length) return false;
        stack[at] = v;
        return true;
      }
      stack.push(v);
      return true;
    },
  };
}

function varAccess(spec: PVarSpec, lookup: PvLookup, text: string): PvAccess {
  const name = dynamicName(spec.inner ?? '', lookup);
  return {
    text,
    get: (ctx) => ctx.runtime.vars.get(name(ctx)) ?? null,
    set: (ctx, v) => {
      ctx.runtime.vars.set(name(ctx), v);
      return true;
    },
  };
}

function tableAccess(spec: PVarSpec, def: PvDef, lookup: PvLookup, text: string): PvAccess {
  if (def.takesName === true && spec.inner === undefined)
    throw new PvCompileError(`\`$${spec.name}\` needs a name: \`$${spec.name}(...)\``);
  if (def.takesName === false && spec.inner !== undefined) throw new PvCompileError(`\`$${spec.name}\` takes no name`);
  const inner = spec.inner !== undefined ? dynamicName(spec.inner, lookup) : undefined;
  const index = indexFn(spec.index, lookup);
  if (index && !def.all) throw new PvCompileError(`\`$${spec.name}\` takes no index`);
  const get = index
    ? (ctx: ExecContext) => pick(def.all!(ctx, inner?.(ctx)), index(ctx))
    : (ctx: ExecContext) => def.get(ctx, inner?.(ctx));
  const set = def.set;
  return { text, get, ...(set ? { set: (ctx: ExecContext, v: Val) => set(ctx, inner?.(ctx), v) } : {}) };
}

export function compileSpec(spec: PVarSpec, lookup: PvLookup, text: string): PvAccess {
  let access: PvAccess;
  if (spec.name === 'avp') access = avpAccess(spec, lookup, text);
  else if (spec.name === 'var') access = varAccess(spec, lookup, text);
  else if (spec.name === '$') access = { text, get: () => '$' };
  else {
    const def = CORE_PVS[spec.name] ?? lookup(spec.name);
    if (!def) throw new PvCompileError(`unknown pseudo-variable \`$${spec.name}\``);
    access = tableAccess(spec, def, lookup, text);
  }
  if (!spec.transforms.length) return access;
  const transforms = spec.transforms;
  const base = access.get;
  return { text, get: (ctx) => applyTransformations(base(ctx), transforms, ctx, lookup) };
}

/** A format string (`text $pv text`) expanded once, at run time: a variable that cannot be read gives `<null>`. */
export function expandFormat(ctx: ExecContext, format: string): string {
  const lookup = (n: string): PvDef | undefined => ctx.runtime.modulePvs.get(n);
  return parseFormat(format)
    .parts.map((p) => {
      if (typeof p === 'string') return p;
      try {
        const v = compileSpec(p, lookup, '').get(ctx);
        return v === null ? '<null>' : String(v);
      } catch {
        return '<null>';
      }
    })
    .join('');
}

/** The variable a modparam names (`$avp(x)`, `$var(y)`...), compiled; undefined when the text is not one variable. */
export function pvNamed(ctx: ExecContext, text: string): PvAccess | undefined {
  const parts = parseFormat(text.trim()).parts;
  const spec = parts.length === 1 && typeof parts[0] !== 'string' ? parts[0] : undefined;
  if (!spec) return undefined;
  try {
    return compileSpec(spec, (n) => ctx.runtime.modulePvs.get(n), text);
  } catch {
    return undefined;
  }
}
