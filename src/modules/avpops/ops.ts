// avpops' AVP operations, as avpops_impl.c runs them. Our AVP stacks keep the
// newest value last; OpenSIPS's list keeps it first, and "add" prepends: here
// a push. Walking "from the newest" is walking the array backwards; values
// written while walking land on top and are not walked again, so operations
// over all values come out in reverse order, as in OpenSIPS.
import type { ExecContext } from '../../script/context.js';
import { globRegex, posixRegex } from '../../script/regex.js';
import { applySubst, type SubstExpr } from '../../script/subst.js';
import type { Val } from '../../script/values.js';
import { str2int, unsigned64, type OpValue, type PvRef } from './params.js';

function log(ctx: ExecContext, level: number, fn: string, text: string): void {
  ctx.runtime.logger.log(level, 'avpops', fn, text);
}

function stackOf(ctx: ExecContext, ref: PvRef, fn: string): Val[] | undefined {
  const name = ref.avpName(ctx);
  if (name === undefined) {
    log(ctx, -1, fn, 'failed to get AVP name');
    return undefined;
  }
  return ctx.avps.get(name);
}

function pushTo(ctx: ExecContext, ref: PvRef, v: Val): boolean {
  const name = ref.avpName(ctx);
  if (name === undefined) return false;
  ctx.avpStack(name).push(v);
  return true;
}

/** is_avp_set("$avp(n)[idx]/flags"): flags e (empty), n (an int), s (a string). */
export function isAvpSet(ctx: ExecContext, ref: PvRef, flags: Set<string>): number {
  const stack = stackOf(ctx, ref, 'ops_is_avp_set');
  if (!stack?.length) return -1;
  const idxText = ref.spec.index;
  let idx = 0;
  if (idxText !== undefined && /^-?\d+$/.test(idxText)) idx = Number(idxText);
  // A negative index, like none, looks at the newest value.
  const at = stack.length - 1 - Math.max(0, idx);
  if (at < 0) return -1;
  const v = stack[at]!;
  if (flags.size === 0) return 1;
  if ((flags.has('s') && typeof v === 'number') || (flags.has('n') && typeof v !== 'number')) return -1;
  if (flags.has('e')) return (typeof v === 'number' ? v === 0 : String(v ?? '').length === 0) ? 1 : -1;
  return 1;
}

/** avp_delete: a named AVP (the newest value, or all with g), or every AVP for `*`/`a`/`i`. */
export function deleteAvps(ctx: ExecContext, target: PvRef | 'all' | 'string-named', all: boolean): number {
  if (target === 'all') {
    const n = [...ctx.avps.values()].reduce((sum, s) => sum + s.length, 0);
    ctx.avps.clear();
    return n ? 1 : -1;
  }
  // Names marked as strings by avp_db_load only: none here.
  if (target === 'string-named') return -1;
  const stack = stackOf(ctx, target, 'ops_delete_avp');
  if (!stack?.length) return -1;
  if (all) stack.length = 0;
  else stack.pop();
  return 1;
}

/** avp_copy(src, dst/flags): g all values, d delete the copied ones, n string -> int, s int -> string. */
export function copyAvps(ctx: ExecContext, src: PvRef, dst: PvRef, flags: Set<string>): number {
  const stack = stackOf(ctx, src, 'ops_copy_avp');
  if (!stack?.length) return -1;
  if (dst.avpName(ctx) === undefined) return -1;
  let copied = 0;
  for (let i = stack.length - 1; i >= 0; i--) {
    let v = stack[i]!;
    if (typeof v === 'string' && flags.has('n')) {
      const n = str2int(v);
      if (n === undefined) {
        log(ctx, -1, 'ops_copy_avp', 'cannot convert str to int');
        return -1;
      }
      v = n;
    } else if (typeof v === 'number' && flags.has('s')) v = unsigned64(v);
    pushTo(ctx, dst, v);
    copied++;
    if (flags.has('d')) stack.splice(i, 1);
    if (!flags.has('g')) break;
  }
  return copied ? 1 : -1;
}

export type PushTarget = 'ruri' | 'ruri-user' | 'ruri-host' | 'duri' | 'branch';

/** avp_pushto(dst, src[/g]): into the R-URI (or its user/host), $du, or a new branch. */
export function pushToTarget(ctx: ExecContext, target: PushTarget, src: PvRef, all: boolean): number {
  const values: Val[] = [];
  if (src.isAvp) {
    const stack = stackOf(ctx, src, 'ops_pushto_avp');
    if (!stack?.length) return -1;
    for (let i = stack.length - 1; i >= 0; i--) {
      values.push(stack[i]!);
      if (!all) break;
    }
  } else values.push(src.get(ctx) ?? '');
  for (let k = 0; k < values.length; k++) {
    const v = values[k]!;
    if ((target === 'duri' || target === 'branch') && typeof v === 'number') return -1;
    const text = typeof v === 'number' ? unsigned64(v) : String(v);
    if (target === 'duri') {
      ctx.du = text;
      continue;
    }
    if (target === 'branch') {
      ctx.branches.push({ uri: text, du: null, flags: 0, q: -1, socket: ctx.socketOut });
      continue;
    }
    if (k > 0) ctx.branches.push({ uri: ctx.ruri, du: null, flags: 0, q: -1, socket: null });
    const next = target === 'ruri' ? text : rewritePart(ctx.ruri, target === 'ruri-user' ? 'user' : 'host', text);
    if (next === undefined) {
      log(ctx, -1, 'ops_pushto_avp', 'Failed to set user or host');
      return -1;
    }
    ctx.ruri = next;
  }
  return 1;
}

function rewritePart(uri: string, part: 'user' | 'host', value: string): string | undefined {
  const m = /^([a-z]+:)(?:([^@]*)@)?([^;?]*)(.*)$/i.exec(uri);
  if (!m) return undefined;
  const [, scheme, user, hostport, rest] = m;
  if (part === 'user') return `${scheme}${value ? value + '@' : ''}${hostport}${rest}`;
  const port = /:(\d+)$/.exec(hostport!)?.[0] ?? '';
  return `${scheme}${user !== undefined ? user + '@' : ''}${value}${port}${rest}`;
}

export const CHECK_OPS = ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 're', 'fm', 'and', 'or', 'xor'] as const;

/** One comparison of avp_check; undefined when the types differ. */
function compare(op: string, a: Val, b: Val, ci: boolean): boolean | undefined {
  if (typeof a === 'number' && typeof b === 'number') {
    switch (op) {
      case 'eq':
        return a === b;
      case 'ne':
        return a !== b;
      case 'lt':
        return a < b;
      case 'le':
        return a <= b;
      case 'gt':
        return a > b;
      case 'ge':
        return a >= b;
      case 'and':
        return (a & b) !== 0;
      case 'or':
        return (a | b) !== 0;
      case 'xor':
        return (a ^ b) !== 0;
      default:
        return false;
    }
  }
  if (typeof a === 'number' || typeof b === 'number') return undefined;
  const x = String(a ?? '');
  const y = String(b ?? '');
  switch (op) {
    case 'eq':
      return ci ? x.toLowerCase() === y.toLowerCase() : x === y;
    case 'ne':
      return ci ? x.toLowerCase() !== y.toLowerCase() : x !== y;
    // Orderings compare without case, whatever the flags (strncasecmp).
    case 'lt':
      return x.toLowerCase() < y.toLowerCase();
    case 'le':
      return x.toLowerCase() <= y.toLowerCase();
    case 'gt':
      return x.toLowerCase() > y.toLowerCase();
    case 'ge':
      return x.toLowerCase() >= y.toLowerCase();
    case 're':
      return posixRegex(y).test(x);
    case 'fm':
      return globRegex(y, ci).test(x);
    default:
      return false;
  }
}

/** avp_check(pvar, op/value/flags): 1 at the first pair that matches. */
export function checkAvps(ctx: ExecContext, src: PvRef, ov: OpValue): number {
  const left: Val[] = [];
  if (src.isAvp) {
    const stack = stackOf(ctx, src, 'ops_check_avp');
    if (!stack?.length) return -1;
    for (let i = stack.length - 1; i >= 0; i--) {
      left.push(stack[i]!);
      if (!ov.flags.has('g')) break;
    }
  } else left.push(src.get(ctx) ?? '');
  for (const a of left) {
    if (typeof a === 'string' && a.length >= 1024) {
      log(ctx, -1, 'ops_check_avp', 'src value too long');
      return -1;
    }
    let right: Val[];
    if (isRef(ov.value)) {
      if (ov.value.isAvp) {
        const stack = stackOf(ctx, ov.value, 'ops_check_avp');
        if (!stack?.length) return -1;
        right = [...stack].reverse();
      } else right = [ov.value.get(ctx) ?? ''];
    } else right = [ov.value];
    for (const b of right) {
      const r = compare(ov.op, a, b, ov.flags.has('i'));
      if (r === undefined) {
        log(ctx, -1, 'ops_check_avp', "value types don't match");
        continue;
      }
      if (r) return 1;
    }
  }
  return -1;
}

export const OP_OPS = ['add', 'sub', 'mul', 'div', 'mod', 'and', 'or', 'xor', 'not'] as const;

function arith(ctx: ExecContext, op: string, a: number, b: number): number {
  switch (op) {
    case 'add':
      return (a + b) | 0;
    case 'sub':
      return (a - b) | 0;
    case 'mul':
      return Math.imul(a, b);
    case 'div':
      if (b === 0) {
        log(ctx, -1, 'ops_op_avp', 'division by 0');
        return 0;
      }
      return (a / b) | 0;
    case 'mod':
      if (b === 0) {
        log(ctx, -1, 'ops_op_avp', 'modulo by 0');
        return 0;
      }
      return (a % b) | 0;
    case 'and':
      return a & b;
    case 'or':
      return a | b;
    case 'xor':
      return a ^ b;
    default:
      return ~b; // not: the source value does not count
  }
}

/** avp_op($avp(src)[/$avp(dst)], op/value/flags): every int value of src, one result per operand value. */
export function opAvps(ctx: ExecContext, src: PvRef, dst: PvRef, ov: OpValue): number {
  const stack = stackOf(ctx, src, 'ops_op_avp');
  if (!stack?.length) return -1;
  const ints: number[] = [];
  for (let i = stack.length - 1; i >= 0; i--) if (typeof stack[i] === 'number') ints.push(i);
  if (!ints.length && ov.op !== 'not') return -1;
  let operands: number[];
  if (isRef(ov.value)) {
    if (ov.value.isAvp) {
      const o = stackOf(ctx, ov.value, 'ops_op_avp');
      operands = (o ?? []).filter((v): v is number => typeof v === 'number').reverse();
      if (!operands.length) return -1;
    } else {
      const v = ov.value.get(ctx);
      if (typeof v !== 'number') {
        log(ctx, -1, 'ops_op_avp', 'dst value is str');
        return -1;
      }
      operands = [v];
    }
  } else operands = [Number(ov.value)];
  const sources = ints.length ? ints.map((i) => stack[i] as number) : [0];
  const results: number[] = [];
  for (const a of sources) for (const b of operands) results.push(arith(ctx, ov.op, a, b));
  if (ov.flags.has('d')) for (const i of ints) stack.splice(i, 1); // highest index first: the others stay put
  for (const r of results) pushTo(ctx, dst, r);
  return 1;
}

/** avp_subst($avp(src)[/$avp(dst)][/flags], subst): string values only; without g the first that matches. */
export function substAvps(
  ctx: ExecContext,
  src: PvRef,
  dst: PvRef | undefined,
  flags: Set<string>,
  e: SubstExpr,
): number {
  const stack = stackOf(ctx, src, 'ops_subst');
  if (!stack?.length) return -1;
  const target = dst ?? src;
  const drop = flags.has('d') || dst === undefined;
  const done: number[] = [];
  const results: string[] = [];
  for (let i = stack.length - 1; i >= 0; i--) {
    const v = stack[i];
    if (typeof v !== 'string') continue;
    const out = applySubst(e, v);
    if (out === undefined) continue;
    results.push(out);
    if (drop) done.push(i);
    if (!flags.has('g')) break;
  }
  for (const i of done) stack.splice(i, 1);
  for (const r of results) pushTo(ctx, target, r);
  return results.length ? 1 : -1;
}

/** avp_print(): every AVP of the context at INFO, newest first. */
export function printAvps(ctx: ExecContext): number {
  const info = (t: string): void => log(ctx, 2, 'ops_print_avp', t);
  info('----------- All AVPs in this context --------');
  info('  (SIP txn, script event, timer route, etc.)');
  let id = 0;
  for (const [name, stack] of [...ctx.avps].reverse()) {
    id++;
    for (let i = stack.length - 1; i >= 0; i--) {
      const v = stack[i]!;
      info(
        `p=avp:${name}:${i}, flags=0x${(typeof v === 'number' ? 0 : 2).toString(16).padStart(4, '0').toUpperCase()}`,
      );
      info(`    name=<${name}>`);
      info(`    id=<${id}>`);
      info(
        typeof v === 'number'
          ? `    val_int=<${v}>`
          : `    val_str=<${String(v ?? '')} / ${Buffer.byteLength(String(v ?? ''))}>`,
      );
    }
  }
  info('---------------- END ALL AVPs ---------------');
  return 1;
}

function isRef(v: Val | PvRef): v is PvRef {
  return typeof v === 'object' && v !== null && 'isAvp' in v;
}
