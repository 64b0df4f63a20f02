// Build src/catalog/opensips-3.3.json from an OpenSIPS source tree by reading
// the C export tables of every module and of the core.
//
//   tsx scripts/extract-catalog.ts /path/to/opensips [--out src/catalog/opensips-3.3.json]
//       [--ref 3.3] [--commit <sha>] [--legacy 2.4=/path/to/old/tree ...]
//
// --legacy points at older trees (only cfg.lex and cfg.y are read) to list
// global parameters those releases accepted but this one no longer does.
// Only node built-ins are used; the OpenSIPS tree is read, never built.
//
// The committed catalog was produced from the 3.3 branch like this:
//   git -C <mirror> archive 3.3 | tar -x -C /tmp/opensips-3.3
//   for v in 1.11 2.4 3.0 3.1 3.2; do mkdir -p /tmp/legacy/$v;
//     git -C <mirror> archive $v cfg.lex cfg.y | tar -x -C /tmp/legacy/$v; done
//   tsx scripts/extract-catalog.ts /tmp/opensips-3.3 --ref 3.3 --commit <sha> \
//     --legacy 1.11=/tmp/legacy/1.11 --legacy 2.4=/tmp/legacy/2.4 --legacy 3.0=/tmp/legacy/3.0 \
//     --legacy 3.1=/tmp/legacy/3.1 --legacy 3.2=/tmp/legacy/3.2

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadUnit } from './catalog/codebase.js';
import { extractCore, type LegacyGrammar } from './catalog/core.js';
import { DEFAULT_DEFINES, extractModule, listModuleDirs, ppOptions, type ExtractEnv } from './catalog/modules.js';
import type { Catalog, ModuleEntry } from '../src/catalog/types.js';

export interface ExtractOptions {
  ref?: string;
  commit?: string | null;
  legacy?: LegacyGrammar[];
  defines?: Record<string, string>;
  /** only these module paths, e.g. modules/tm (default: all) */
  only?: string[];
}

export function makeEnv(root: string, defines: Record<string, string> = DEFAULT_DEFINES): ExtractEnv {
  const env: ExtractEnv = { root: resolve(root), defines, coreHelpers: [] };
  const depsFile = join(env.root, 'sr_module_deps.c');
  if (existsSync(depsFile)) env.coreHelpers.push(loadUnit(depsFile, ppOptions(env, []), true));
  return env;
}

function readVersion(root: string): string {
  try {
    const mk = readFileSync(join(root, 'Makefile.defs'), 'latin1');
    const v = (k: string): string => new RegExp(`^${k}\\s*=\\s*(\\S+)`, 'm').exec(mk)?.[1] ?? '?';
    return `${v('VERSION_MAJOR')}.${v('VERSION_MINOR')}.${v('VERSION_SUBMINOR')}`;
  } catch {
    return 'unknown';
  }
}

function gitCommit(root: string): string | null {
  if (!existsSync(join(root, '.git'))) return null;
  try {
    return execFileSync('git', ['-C', root, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

/** pretty JSON that keeps small objects/arrays on one line (short, diffable) */
export function formatJson(value: unknown, indent = '', width = 200): string {
  const flat = JSON.stringify(value);
  if (value === null || typeof value !== 'object' || flat.length + indent.length <= width) return flat;
  const inner = indent + '  ';
  if (Array.isArray(value)) {
    return `[\n${value.map((v) => inner + formatJson(v, inner, width)).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${formatJson(v, inner, width)}`).join(',\n')}\n${indent}}`;
}

/** stable ordering so regenerated JSON diffs cleanly */
function sortModule(m: ModuleEntry): ModuleEntry {
  const byName = <T extends { name: string }>(xs: T[]): T[] => [...xs].sort((a, b) => a.name.localeCompare(b.name));
  return {
    ...m,
    functions: byName(m.functions),
    asyncFunctions: byName(m.asyncFunctions),
    params: byName(m.params),
    pvs: byName(m.pvs),
    mi: byName(m.mi),
    stats: byName(m.stats),
    transformations: [...m.transformations].sort((a, b) => a.class.localeCompare(b.class)),
  };
}

export function extractCatalog(root: string, opts: ExtractOptions = {}): Catalog {
  const env = makeEnv(root, opts.defines);
  const modules: ModuleEntry[] = [];
  const failed: string[] = [];
  const partial: string[] = [];
  for (const dir of opts.only ?? listModuleDirs(env.root)) {
    let res: ReturnType<typeof extractModule>;
    try {
      res = extractModule(env, dir);
    } catch (e) {
      failed.push(dir);
      process.stderr.write(`module ${dir}: ${(e as Error).stack ?? e}\n`);
      continue;
    }
    if (res.failed) failed.push(dir);
    else {
      if (res.module.problems.length) partial.push(dir);
      modules.push(sortModule(res.module));
    }
  }
  const core = extractCore(env, opts.legacy ?? []);
  core.functions.sort((a, b) => a.name.localeCompare(b.name));
  core.pvs.sort((a, b) => a.name.localeCompare(b.name));
  return {
    source: {
      project: 'opensips',
      ref: opts.ref ?? 'unknown',
      commit: opts.commit ?? gitCommit(env.root),
      version: readVersion(env.root),
      assumedDefines: Object.keys(env.defines).sort(),
      legacyCompared: (opts.legacy ?? []).map((l) => l.version),
    },
    core,
    modules: modules.sort((a, b) => a.dir.localeCompare(b.dir)),
    extraction: { failed, partial },
  };
}

function parseArgs(argv: string[]): { root: string; out: string; opts: ExtractOptions } {
  let root: string | undefined;
  let out = 'src/catalog/opensips-3.3.json';
  const opts: ExtractOptions = { legacy: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const val = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--out') out = val();
    else if (a === '--ref') opts.ref = val();
    else if (a === '--commit') opts.commit = val();
    else if (a === '--only') opts.only = val().split(',');
    else if (a === '--legacy') {
      const [version, dir] = val().split('=');
      if (!version || !dir) throw new Error('--legacy wants VERSION=DIR');
      opts.legacy!.push({ version, dir });
    } else if (a.startsWith('-')) throw new Error(`unknown option ${a}`);
    else root = a;
  }
  if (!root)
    throw new Error(
      'usage: extract-catalog.ts <opensips-source-dir> [--out file] [--ref name] [--commit sha] [--legacy VER=DIR]...',
    );
  return { root, out, opts };
}

function main(): void {
  const { root, out, opts } = parseArgs(process.argv.slice(2));
  const t0 = Date.now();
  const catalog = extractCatalog(root, opts);
  mkdirSync(dirname(resolve(out)), { recursive: true });
  writeFileSync(out, formatJson(catalog) + '\n');
  const fnCount = catalog.modules.reduce((n, m) => n + m.functions.length, 0);
  process.stderr.write(
    `wrote ${out}: ${catalog.modules.length} modules, ${fnCount} module functions, ` +
      `${catalog.core.functions.length} core functions, ${catalog.core.globals.length} global names ` +
      `(${Date.now() - t0} ms)\n` +
      `failed: ${catalog.extraction.failed.join(', ') || 'none'}\n` +
      `partial: ${catalog.extraction.partial.join(', ') || 'none'}\n` +
      (catalog.core.problems.length ? `core problems: ${catalog.core.problems.join('; ')}\n` : ''),
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();
