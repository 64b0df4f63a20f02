// Readers for the OpenSIPS export tables (cmd_export_t, acmd_export_t,
// param_export_t, dep_export_t, pv_export_t, trans_export_t, mi_export_t,
// stat_export_t), working on parsed initializer trees.

import type { Tok } from './c-lexer.js';
import { tokText } from './c-lexer.js';
import { tryEval } from './c-eval.js';
import { expandMacros } from './c-preproc.js';
import {
  baseTypeName,
  isZero,
  matchClose,
  nodeString,
  parseInit,
  splitTop,
  type Decl,
  type InitNode,
} from './c-decls.js';
import { KEEP_FLAG_NAMES, type CodeBase, type Unit } from './codebase.js';
import type {
  AsyncFunction,
  CmdParam,
  DefaultFrom,
  DepBehaviour,
  MiCommand,
  ModParam,
  ModType,
  ModuleDep,
  ParamDep,
  ParamKind,
  PseudoVar,
  RouteType,
  ScriptFunction,
  Statistic,
  Transformation,
} from '../../src/catalog/types.js';

export interface TableCtx {
  cb: CodeBase;
  /** unit holding the table (macro context) */
  unit: Unit;
  problems: string[];
}

/** Values as defined by the 3.3 headers; used only when a tree lacks them. */
export const FALLBACK_CONSTS: Record<string, bigint> = {
  CMD_PARAM_INT: 1n,
  CMD_PARAM_STR: 2n,
  CMD_PARAM_VAR: 4n,
  CMD_PARAM_REGEX: 8n,
  CMD_PARAM_OPT: 16n,
  CMD_PARAM_FIX_NULL: 32n,
  CMD_PARAM_NO_EXPAND: 64n,
  CMD_PARAM_STATIC: 128n,
  REQUEST_ROUTE: 1n,
  FAILURE_ROUTE: 2n,
  ONREPLY_ROUTE: 4n,
  BRANCH_ROUTE: 8n,
  ERROR_ROUTE: 16n,
  LOCAL_ROUTE: 32n,
  STARTUP_ROUTE: 64n,
  TIMER_ROUTE: 128n,
  EVENT_ROUTE: 256n,
  STR_PARAM: 1n,
  INT_PARAM: 2n,
  USE_FUNC_PARAM: 1n << 31n,
  DEP_SILENT: 1n,
  DEP_WARN: 2n,
  DEP_ABORT: 4n,
  DEP_REVERSE_INIT: 8n,
  DEP_REVERSE_DESTROY: 16n,
};

const CMD_FLAGS = [
  'CMD_PARAM_INT',
  'CMD_PARAM_STR',
  'CMD_PARAM_VAR',
  'CMD_PARAM_REGEX',
  'CMD_PARAM_OPT',
  'CMD_PARAM_FIX_NULL',
  'CMD_PARAM_NO_EXPAND',
  'CMD_PARAM_STATIC',
];
const ROUTES: Array<[string, RouteType]> = [
  ['REQUEST_ROUTE', 'request'],
  ['FAILURE_ROUTE', 'failure'],
  ['ONREPLY_ROUTE', 'onreply'],
  ['BRANCH_ROUTE', 'branch'],
  ['ERROR_ROUTE', 'error'],
  ['LOCAL_ROUTE', 'local'],
  ['STARTUP_ROUTE', 'startup'],
  ['TIMER_ROUTE', 'timer'],
  ['EVENT_ROUTE', 'event'],
];
const DEP_FLAGS = ['DEP_SILENT', 'DEP_WARN', 'DEP_ABORT', 'DEP_REVERSE_INIT', 'DEP_REVERSE_DESTROY'];

function constOf(ctx: TableCtx, name: string): bigint | undefined {
  return ctx.cb.constValue(name, ctx.unit) ?? FALLBACK_CONSTS[name];
}

function numOf(ctx: TableCtx, n: InitNode | undefined): bigint | undefined {
  if (!n || n.kind !== 'expr' || n.toks.length === 0) return n && n.kind === 'expr' ? 0n : undefined;
  const v = ctx.cb.evaluate(n.toks, ctx.unit);
  return typeof v === 'bigint' ? v : undefined;
}

function decode(ctx: TableCtx, value: bigint, names: readonly string[]): string[] {
  return names.filter((n) => {
    const v = constOf(ctx, n);
    return v !== undefined && v !== 0n && (value & v) === v;
  });
}

function rawText(n: InitNode | undefined): string {
  return n && n.kind === 'expr' ? tokText(n.toks) : '';
}

/** identifier a table slot names (function pointer / table), or null for 0/NULL */
function identOf(n: InitNode | undefined): string | null {
  if (!n || n.kind !== 'expr') return null;
  const ids = n.toks.filter((t) => t.kind === 'id' && !/^(void|char|int|struct|const|unsigned)$/.test(t.value));
  return ids.length ? ids[ids.length - 1]!.value : null;
}

/** Parse a table declaration's initializer, expanding macros except flag names. */
export function tableTree(decl: Decl, unit: Unit): InitNode | undefined {
  if (!decl.init) return undefined;
  return parseInit(expandMacros(decl.init, unit.tu.macros, KEEP_FLAG_NAMES));
}

function listItems(n: InitNode | undefined): InitNode[] {
  return n && n.kind === 'list' ? n.items : [];
}

// ------------------------------------------------------------ functions

function readCmdParams(ctx: TableCtx, node: InitNode | undefined, fname: string): CmdParam[] {
  const params: CmdParam[] = [];
  for (const p of listItems(node)) {
    const [flagsN, fixupN] = listItems(p);
    const value = numOf(ctx, flagsN);
    if (value === undefined) {
      ctx.problems.push(`${fname}: unreadable param flags '${rawText(flagsN)}'`);
      break;
    }
    if (value === 0n && isZero(fixupN)) break; // {0,0,0} terminator
    const flags = decode(ctx, value, CMD_FLAGS);
    const kinds: ParamKind[] = [];
    if (flags.includes('CMD_PARAM_INT')) kinds.push('int');
    if (flags.includes('CMD_PARAM_STR')) kinds.push('str');
    if (flags.includes('CMD_PARAM_VAR')) kinds.push('var');
    if (flags.includes('CMD_PARAM_REGEX')) kinds.push('regex');
    params.push({
      kinds,
      optional: flags.includes('CMD_PARAM_OPT'),
      static: flags.includes('CMD_PARAM_STATIC'),
      noExpand: flags.includes('CMD_PARAM_NO_EXPAND'),
      fixNull: flags.includes('CMD_PARAM_FIX_NULL'),
      flags,
      raw: rawText(flagsN),
      fixup: identOf(fixupN),
    });
  }
  return params;
}

function arity(params: CmdParam[]): { minArgs: number; maxArgs: number } {
  let min = 0;
  params.forEach((p, i) => {
    if (!p.optional) min = i + 1;
  });
  return { minArgs: min, maxArgs: params.length };
}

export function readCmds(ctx: TableCtx, table: InitNode): ScriptFunction[] {
  const out: ScriptFunction[] = [];
  for (const entry of listItems(table)) {
    const items = listItems(entry);
    const name = nodeString(items[0]);
    if (!name) {
      if (!isZero(entry)) ctx.problems.push(`cmd entry without a readable name: ${rawText(items[0])}`);
      break;
    }
    const params = readCmdParams(ctx, items[2], name);
    const mask = numOf(ctx, items[3]);
    if (mask === undefined) ctx.problems.push(`${name}: unreadable route flags '${rawText(items[3])}'`);
    const m = mask ?? 0n;
    out.push({
      name,
      params,
      ...arity(params),
      routes: ROUTES.filter(([macro]) => {
        const v = constOf(ctx, macro);
        return v !== undefined && (m & v) !== 0n;
      }).map(([, r]) => r),
      routeFlags:
        items[3] && items[3].kind === 'expr' ? items[3].toks.filter((t) => t.kind === 'id').map((t) => t.value) : [],
      routeMask: Number(m),
    });
  }
  return out;
}

export function readAcmds(ctx: TableCtx, table: InitNode): AsyncFunction[] {
  const out: AsyncFunction[] = [];
  for (const entry of listItems(table)) {
    const items = listItems(entry);
    const name = nodeString(items[0]);
    if (!name) break;
    const params = readCmdParams(ctx, items[2], name);
    out.push({ name, params, ...arity(params) });
  }
  return out;
}

// ------------------------------------------------------------ modparams

interface Resolved {
  value: string | number | null;
  from: DefaultFrom;
}

/** strip casts, parentheses and address-of from a pointer expression */
export function stripPointerExpr(toks: Tok[]): Tok[] {
  for (;;) {
    if (toks[0]?.value === '&') {
      toks = toks.slice(1);
      continue;
    }
    if (toks[0]?.value !== '(') return toks;
    const close = matchClose(toks, 0);
    toks = close === toks.length - 1 ? toks.slice(1, -1) : toks.slice(close + 1);
  }
}

type PathStep = { member: string } | { index: bigint };

/** resolve the default value behind a param_export_t pointer expression */
export function resolveDefault(ctx: TableCtx, ptr: InitNode | undefined): Resolved {
  const unresolved: Resolved = { value: null, from: 'unresolved' };
  if (!ptr || ptr.kind !== 'expr') return unresolved;
  const toks = stripPointerExpr(ptr.toks);
  const base = toks[0];
  if (!base || base.kind !== 'id') return unresolved;
  // access path: .member / [index] steps
  const steps: PathStep[] = [];
  for (let i = 1; i < toks.length;) {
    if (toks[i]!.value === '.' && toks[i + 1]?.kind === 'id') {
      steps.push({ member: toks[i + 1]!.value });
      i += 2;
      continue;
    }
    if (toks[i]!.value === '[') {
      const close = matchClose(toks, i);
      const v = ctx.cb.evaluate(toks.slice(i + 1, close), ctx.unit);
      if (typeof v !== 'bigint') return unresolved;
      steps.push({ index: v });
      i = close + 1;
      continue;
    }
    return unresolved;
  }
  const found = ctx.cb.findDecl(base.value, ctx.unit);
  if (!found) return unresolved;
  const { decl, unit } = found;
  let type = baseTypeName(decl.typeToks) ?? '';
  let isPtr = decl.declarator.some((t) => t.value === '*');
  const isArray = decl.declarator.some((t) => t.value === '[');
  const last = steps[steps.length - 1];
  const lastMember = last && 'member' in last ? last.member : undefined;
  if (!decl.init) {
    const pointerLike = isPtr || type === 'str' || lastMember === 's';
    if (pointerLike) return { value: null, from: 'null' };
    if (type === 'char' && isArray && steps.length === 0) return { value: '', from: 'implicit-zero' };
    return { value: 0, from: 'implicit-zero' };
  }
  let node: InitNode | undefined = parseInit(expandMacros(decl.init, unit.tu.macros));
  for (const step of steps) {
    if (!node || node.kind !== 'list') return unresolved;
    if ('index' in step) {
      node = node.items[Number(step.index)];
      continue;
    }
    const designated: InitNode | undefined = node.items.find((x) => x.designator === step.member);
    const members = ctx.cb.findStruct(type);
    let idx = members?.findIndex((m) => m.name === step.member) ?? -1;
    if (idx < 0 && type === 'str') idx = step.member === 'len' ? 1 : 0;
    if (!designated && idx < 0) return unresolved;
    node = designated ?? node.items[idx];
    const mt = members?.[idx]?.type ?? (step.member === 's' ? 'char*' : 'int');
    isPtr = mt.endsWith('*');
    type = mt.replace(/\*$/, '');
  }
  // a str (or struct) value: its first member holds the string
  if (node && node.kind === 'list') {
    isPtr = true;
    node = node.items[0];
  }
  const pointerLike = isPtr || type === 'str';
  if (!node || node.kind !== 'expr' || node.toks.length === 0) {
    return pointerLike ? { value: null, from: 'null' } : { value: 0, from: 'implicit-zero' };
  }
  const v = tryEval(node.toks, { resolveId: (n) => ctx.cb.enumValue(n, unit) ?? FALLBACK_CONSTS[n] });
  if (typeof v === 'string') return { value: v, from: 'initializer' };
  if (typeof v === 'bigint') {
    if (v === 0n && pointerLike) return { value: null, from: 'null' };
    return { value: Number(v), from: 'initializer' };
  }
  return unresolved;
}

export function readParams(ctx: TableCtx, table: InitNode): ModParam[] {
  const out: ModParam[] = [];
  for (const entry of listItems(table)) {
    const items = listItems(entry);
    const name = nodeString(items[0]);
    if (!name) break;
    const t = numOf(ctx, items[1]);
    if (t === undefined) ctx.problems.push(`param ${name}: unreadable type '${rawText(items[1])}'`);
    const flags = decode(ctx, t ?? 0n, ['STR_PARAM', 'INT_PARAM', 'USE_FUNC_PARAM']);
    const useFunc = flags.includes('USE_FUNC_PARAM');
    const types = [
      ...(flags.includes('INT_PARAM') ? ['int' as const] : []),
      ...(flags.includes('STR_PARAM') ? ['str' as const] : []),
    ];
    const def: Resolved = useFunc ? { value: null, from: 'function' } : resolveDefault(ctx, items[2]);
    out.push({ name, types, useFunc, rawType: rawText(items[1]), default: def.value, defaultFrom: def.from });
  }
  return out;
}

// ------------------------------------------------------------ dependencies

function modTypeOf(id: string | null): ModType {
  const m = /^MOD_TYPE_(\w+)$/.exec(id ?? '');
  const t = (m?.[1] ?? 'DEFAULT').toLowerCase();
  return (['default', 'sqldb', 'cachedb', 'aaa', 'null'].includes(t) ? t : 'default') as ModType;
}

function depOf(ctx: TableCtx, typeId: string | null, name: string | null | undefined, flagsV: bigint): ModuleDep {
  const flags = decode(ctx, flagsV, DEP_FLAGS);
  const onMissing: DepBehaviour = flags.includes('DEP_ABORT')
    ? 'abort'
    : flags.includes('DEP_WARN')
      ? 'warn'
      : 'silent';
  return { module: name ?? null, modType: modTypeOf(typeId), onMissing, flags };
}

/** alloc_module_dep(type, name, flags[, ...]) calls inside a resolver body */
function depsInBody(ctx: TableCtx, body: readonly Tok[], unit: Unit): ModuleDep[] {
  const out: ModuleDep[] = [];
  const sub: TableCtx = { ...ctx, unit };
  for (let i = 0; i < body.length; i++) {
    const t = body[i]!;
    if (t.kind !== 'id' || !/^_?alloc_module_dep$/.test(t.value) || body[i + 1]?.value !== '(') continue;
    const close = matchClose(body, i + 1);
    const args = splitTop(expandMacros(body.slice(i + 2, close), unit.tu.macros, KEEP_FLAG_NAMES), ',');
    for (let k = 0; k + 2 < args.length; k += 3) {
      const typeId = args[k]!.find((x) => x.kind === 'id')?.value ?? null;
      if (typeId === 'MOD_TYPE_NULL') break;
      const name = tryEval(expandMacros(args[k + 1]!, unit.tu.macros));
      const fl = ctx.cb.evaluate(args[k + 2]!, unit);
      out.push(depOf(sub, typeId, typeof name === 'string' ? name : null, typeof fl === 'bigint' ? fl : 0n));
    }
    i = close;
  }
  return out;
}

export function readDeps(ctx: TableCtx, table: InitNode): { modules: ModuleDep[]; params: ParamDep[] } {
  const [mdN, mpdN] = listItems(table);
  const modules: ModuleDep[] = [];
  for (const e of listItems(mdN)) {
    const [typeN, nameN, flagsN] = listItems(e);
    const typeId = identOf(typeN);
    if (!typeId || typeId === 'MOD_TYPE_NULL') break;
    modules.push(depOf(ctx, typeId, nodeString(nameN), numOf(ctx, flagsN) ?? 0n));
  }
  const params: ParamDep[] = [];
  for (const e of listItems(mpdN)) {
    const [pN, fN] = listItems(e);
    const param = nodeString(pN);
    if (!param) break;
    const resolver = identOf(fN) ?? '';
    const fn = ctx.cb.findFunc(resolver, ctx.unit);
    if (!fn) ctx.problems.push(`param dep ${param}: resolver ${resolver} not found`);
    const possible = fn ? depsInBody(ctx, fn.body, fn.unit) : [];
    const unique = [...new Map(possible.map((d) => [JSON.stringify(d), d])).values()];
    params.push({ param, resolver, possible: unique });
  }
  return { modules, params };
}

// ------------------------------------------------------------ pvs, trans, mi, stats

export function readPvs(ctx: TableCtx, table: InitNode): PseudoVar[] {
  const out: PseudoVar[] = [];
  for (const entry of listItems(table)) {
    const items = listItems(entry);
    const name = nodeString(items[0]);
    if (!name) break;
    const typeN = items[1];
    const typeId = typeN && typeN.kind === 'expr' ? tokText(typeN.toks) : '';
    out.push({
      name,
      type: typeId,
      writable: !isZero(items[3]),
      takesName: !isZero(items[4]),
      takesIndex: !isZero(items[5]),
    });
  }
  return out;
}

/** lengths the condition before body[at] compares `name.len` with */
function nameLenChecks(body: readonly Tok[], at: number): number[] {
  const lens: number[] = [];
  for (let j = at - 1; j >= 0 && at - j < 60; j--) {
    const v = body[j]!.value;
    if (v === ';' || v === '{' || v === '}') break;
    if (v !== 'len' || body[j - 1]?.value !== '.' || body[j - 2]?.value !== 'name') continue;
    const after = body[j + 1]?.value === '==' ? body[j + 2] : undefined;
    const before = body[j - 3]?.value === '==' ? body[j - 4] : undefined;
    for (const t of [after, before]) if (t?.kind === 'num') lens.push(Number(t.value));
  }
  return lens;
}

/**
 * Method names a transformation parser recognises: string literals compared
 * with `name.s` (strncasecmp/memcmp/...); prefix tests (where the condition
 * pins name.len to another length) are skipped.
 */
export function methodNames(body: readonly Tok[]): { methods: string[]; prefixTests: boolean } {
  const names = new Set<string>();
  let prefixTests = false;
  for (let i = 0; i < body.length; i++) {
    const t = body[i]!;
    if (t.kind !== 'id' || !/(cmp|match)/i.test(t.value) || body[i + 1]?.value !== '(') continue;
    const close = matchClose(body, i + 1);
    const args = splitTop(body.slice(i + 2, close), ',');
    const isNameS = (a: Tok[]): boolean =>
      a.length === 3 && a[0]!.value === 'name' && a[1]!.value === '.' && a[2]!.value === 's';
    if (!args.some(isNameS)) continue;
    const lens = nameLenChecks(body, i);
    for (const a of args) {
      if (a.length !== 1 || a[0]!.kind !== 'str') continue;
      const lit = a[0]!.value;
      if (lens.length && !lens.includes(lit.length)) {
        prefixTests = true;
        continue;
      }
      names.add(lit);
    }
    // comparisons against an offset into the name (name.s+3 ...)
    if (args.some((a) => a.length > 3 && a[0]!.value === 'name' && a[2]?.value === 's')) prefixTests = true;
  }
  return { methods: [...names].sort(), prefixTests };
}

export function readTrans(ctx: TableCtx, table: InitNode): Transformation[] {
  const out: Transformation[] = [];
  for (const entry of listItems(table)) {
    const items = listItems(entry);
    const cls = nodeString(items[0]);
    if (!cls) break;
    const parser = identOf(items[1]);
    const fn = parser ? ctx.cb.findFunc(parser, ctx.unit) : undefined;
    if (parser && !fn) ctx.problems.push(`transformation ${cls}: parser ${parser} not found`);
    const m = fn ? methodNames(fn.body) : { methods: [], prefixTests: true };
    out.push({ class: cls, methods: m.methods, methodsComplete: !m.prefixTests });
  }
  return out;
}

export function readMi(_ctx: TableCtx, table: InitNode): MiCommand[] {
  const out: MiCommand[] = [];
  for (const entry of listItems(table)) {
    const items = listItems(entry);
    const name = nodeString(items[0]);
    if (!name) break;
    const recipes: string[][] = [];
    for (const r of listItems(items[4])) {
      const [cmdN, paramsN] = listItems(r);
      if (isZero(cmdN)) break;
      const names: string[] = [];
      for (const p of listItems(paramsN)) {
        const s = nodeString(p);
        if (!s) break;
        names.push(s);
      }
      recipes.push(names);
    }
    out.push({ name, recipes });
  }
  return out;
}

export function readStats(_ctx: TableCtx, table: InitNode): Statistic[] {
  const out: Statistic[] = [];
  for (const entry of listItems(table)) {
    const items = listItems(entry);
    const name = nodeString(items[0]);
    if (!name) break;
    const f = items[1];
    const flags = f && f.kind === 'expr' ? f.toks.filter((t) => t.kind === 'id').map((t) => t.value) : [];
    out.push({ name, flags });
  }
  return out;
}
