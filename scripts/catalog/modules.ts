// Extract one module's exports from modules/<dir>/*.c of an OpenSIPS tree
// (or from the transport modules kept under net/proto_*).

import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join, sep } from 'node:path';
import { isZero, type InitNode } from './c-decls.js';
import { CodeBase, loadUnit, type Unit } from './codebase.js';
import type { PreprocessOptions } from './c-preproc.js';
import {
  readAcmds,
  readCmds,
  readDeps,
  readMi,
  readParams,
  readPvs,
  readStats,
  readTrans,
  stripPointerExpr,
  tableTree,
  type TableCtx,
} from './tables.js';
import type { ModType, ModuleEntry } from '../../src/catalog/types.js';

/** Macros a default Linux build of 3.3 defines (Makefile.conf.template + Makefile.defs). */
export const DEFAULT_DEFINES: Record<string, string> = {
  STATISTICS: '1',
  PKG_MALLOC: '1',
  SHM_MMAP: '1',
  USE_MCAST: '1',
  DISABLE_NAGLE: '1',
  HAVE_RESOLV_RES: '1',
  F_MALLOC: '1',
  Q_MALLOC: '1',
  HP_MALLOC: '1',
  DBG_MALLOC: '1',
  __OS_linux: '1',
  __linux__: '1',
  __CPU_x86_64: '1',
  __SMP_yes: '1',
  __GNUC__: '9',
  __GLIBC__: '2',
  __GLIBC_MINOR__: '31',
  HAVE_EPOLL: '1',
  HAVE_SIGIO_RT: '1',
  HAVE_SELECT: '1',
  HAVE_GETHOSTBYNAME2: '1',
  HAVE_UNION_SEMUN: '1',
  HAVE_SCHED_YIELD: '1',
  HAVE_MSG_NOSIGNAL: '1',
  HAVE_MSGHDR_MSG_CONTROL: '1',
  HAVE_ALLOCA_H: '1',
  HAVE_TIMEGM: '1',
  USE_FUTEX: '1',
  FAST_LOCK: '1',
  NAME: '"opensips"',
  // normally from system headers, which are not read
  NULL: '((void *)0)',
  INT_MAX: '2147483647',
  UINT_MAX: '4294967295U',
  true: '1',
  false: '0',
  S_IRUSR: '0400',
  S_IWUSR: '0200',
  S_IXUSR: '0100',
  S_IRGRP: '0040',
  S_IWGRP: '0020',
  S_IXGRP: '0010',
  S_IROTH: '0004',
  S_IWOTH: '0002',
  S_IXOTH: '0001',
  // -DCFG_DIR for the default install prefix
  CFG_DIR: '"/usr/local/etc/opensips/"',
};

/** module_exports members in 3.3 order; used only if the struct can't be read */
const EXPORTS_FIELDS_FALLBACK = [
  'name',
  'type',
  'version',
  'compile_flags',
  'dlflags',
  'load_f',
  'deps',
  'cmds',
  'acmds',
  'params',
  'stats',
  'mi_cmds',
  'items',
  'trans',
  'procs',
  'preinit_f',
  'init_f',
  'response_f',
  'destroy_f',
  'init_child_f',
  'reload_ack_f',
];

export interface ExtractEnv {
  root: string;
  defines: Record<string, string>;
  /** units shared by every module (e.g. the core's sr_module_deps.c) */
  coreHelpers: Unit[];
}

export function ppOptions(
  env: ExtractEnv,
  extraDirs: string[],
  defines: Record<string, string> = {},
): PreprocessOptions {
  return { includeDirs: [...extraDirs, env.root], predefined: { ...env.defines, ...defines }, sandbox: env.root };
}

/** .c siblings of lib/ headers a module includes (where lib globals live) */
function libHelpers(env: ExtractEnv, units: Unit[]): Unit[] {
  const libDir = join(env.root, 'lib') + sep;
  const files = new Set<string>();
  for (const u of units) {
    for (const h of u.tu.included) {
      if (!h.startsWith(libDir) || !h.endsWith('.h')) continue;
      const c = h.slice(0, -2) + '.c';
      if (existsSync(c)) files.add(c);
    }
  }
  return [...files].sort().map((f) => loadUnit(f, ppOptions(env, [dirname(f)]), true));
}

function modTypeOf(n: InitNode | undefined): ModType {
  const id = n && n.kind === 'expr' ? n.toks.find((t) => t.kind === 'id')?.value : undefined;
  const t = (/^MOD_TYPE_(\w+)$/.exec(id ?? '')?.[1] ?? 'DEFAULT').toLowerCase();
  return (['default', 'sqldb', 'cachedb', 'aaa'].includes(t) ? t : 'default') as ModType;
}

/** map the exports initializer onto struct member names */
function exportsFields(tree: InitNode, fields: string[]): Map<string, InitNode> {
  const map = new Map<string, InitNode>();
  if (tree.kind !== 'list') return map;
  let pos = 0;
  for (const item of tree.items) {
    const field = item.designator ?? fields[pos];
    if (field) map.set(field, item);
    pos = item.designator ? fields.indexOf(item.designator) + 1 : pos + 1;
  }
  return map;
}

export function emptyModule(path: string): ModuleEntry {
  const dir = basename(path);
  return {
    name: dir,
    dir,
    path,
    modType: 'default',
    functions: [],
    asyncFunctions: [],
    params: [],
    deps: { modules: [], params: [] },
    pvs: [],
    transformations: [],
    mi: [],
    stats: [],
    problems: [],
  };
}

/** `path` is relative to the tree root: modules/<dir> or net/proto_<x> */
export function extractModule(env: ExtractEnv, path: string): { module: ModuleEntry; failed: boolean } {
  const modDir = join(env.root, path);
  const mod = emptyModule(path);
  const cFiles = readdirSync(modDir)
    .filter((f) => f.endsWith('.c'))
    .sort();
  const opts = ppOptions(env, [modDir], { MOD_NAME: mod.dir });
  const units = cFiles.map((f) => loadUnit(join(modDir, f), opts));
  const cb = new CodeBase(units, [...libHelpers(env, units), ...env.coreHelpers]);

  // `exports` in modules/, `<name>_exports` for the built-in transports
  const found =
    cb.findDecl('exports', undefined, /module_exports/) ??
    cb.findDecl(`${mod.dir}_exports`, undefined, /module_exports/);
  if (!found || !found.decl.init) {
    mod.problems.push('no `struct module_exports exports` found');
    return { module: mod, failed: true };
  }
  const { unit } = found;
  const tree = tableTree(found.decl, unit)!;
  const fields = exportsFields(tree, cb.findStruct('module_exports')?.map((m) => m.name) ?? EXPORTS_FIELDS_FALLBACK);
  const ctx: TableCtx = { cb, unit, problems: mod.problems };
  const nameNode = fields.get('name');
  const name = nameNode && nameNode.kind === 'expr' ? cb.evaluate(nameNode.toks, unit) : undefined;
  if (typeof name === 'string') mod.name = name;
  else mod.problems.push('module name not readable; using the directory name');
  mod.modType = modTypeOf(fields.get('type'));

  /** resolve a table pointer slot (`cmds`, `&deps`, `0`) to its parsed initializer */
  const table = (field: string): { tree: InitNode; ctx: TableCtx } | undefined => {
    const slot = fields.get(field);
    if (!slot || slot.kind !== 'expr' || isZero(slot)) return undefined;
    const id = stripPointerExpr(slot.toks).find((t) => t.kind === 'id')?.value;
    if (!id) return undefined;
    const d = cb.findDecl(id, unit);
    if (!d || !d.decl.init) {
      mod.problems.push(`${field}: table '${id}' not found`);
      return undefined;
    }
    const t = tableTree(d.decl, d.unit);
    return t ? { tree: t, ctx: { ...ctx, unit: d.unit } } : undefined;
  };
  const guard = <T>(what: string, f: () => T[]): T[] => {
    try {
      return f();
    } catch (e) {
      mod.problems.push(`${what}: ${(e as Error).message}`);
      return [];
    }
  };

  const cmds = table('cmds');
  if (cmds) mod.functions = guard('cmds', () => readCmds(cmds.ctx, cmds.tree));
  const acmds = table('acmds');
  if (acmds) mod.asyncFunctions = guard('acmds', () => readAcmds(acmds.ctx, acmds.tree));
  const params = table('params');
  if (params) mod.params = guard('params', () => readParams(params.ctx, params.tree));
  const deps = table('deps');
  if (deps) {
    try {
      mod.deps = readDeps(deps.ctx, deps.tree);
    } catch (e) {
      mod.problems.push(`deps: ${(e as Error).message}`);
    }
  }
  const items = table('items');
  if (items) mod.pvs = guard('items', () => readPvs(items.ctx, items.tree));
  const trans = table('trans');
  if (trans) mod.transformations = guard('trans', () => readTrans(trans.ctx, trans.tree));
  const mi = table('mi_cmds');
  if (mi) mod.mi = guard('mi', () => readMi(mi.ctx, mi.tree));
  const stats = table('stats');
  if (stats) mod.stats = guard('stats', () => readStats(stats.ctx, stats.tree));
  return { module: mod, failed: false };
}

/** module directories relative to the root: modules/* and net/proto_* */
export function listModuleDirs(root: string): string[] {
  const out: string[] = [];
  for (const [base, filter] of [
    ['modules', /./],
    ['net', /^proto_/],
  ] as const) {
    const dir = join(root, base);
    if (!existsSync(dir)) continue;
    for (const d of readdirSync(dir, { withFileTypes: true })) {
      if (!d.isDirectory() || !filter.test(d.name)) continue;
      if (readdirSync(join(dir, d.name)).some((f) => f.endsWith('.c'))) out.push(`${base}/${d.name}`);
    }
  }
  return out.sort((a, b) => basename(a).localeCompare(basename(b)));
}
