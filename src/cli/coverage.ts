// `opensips-ts modules --coverage CFG|DIR...`: for a set of cfgs, how many
// would start under `run` (no call to a function without a native
// implementation), and which modules block the others, ranked by how many
// cfgs each one blocks, with the functions that do it. A cfg with errors
// (what OpenSIPS 3.3 would refuse too) is counted apart.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { VirtualClock } from '../base/clock.js';
import { Logger } from '../base/logger.js';
import { loadCfg } from '../cfg/load.js';
import { buildEngine } from '../core/engine.js';
import { notNative } from '../script/native-coverage.js';
import { EXIT, type Io } from './io.js';

export interface CoverageReport {
  total: number;
  starts: string[];
  /** Cfgs with errors of their own (OpenSIPS 3.3 would not start them either). */
  refused: string[];
  /** Module -> the cfgs it blocks and the functions that block them. */
  blockers: Map<string, { cfgs: Set<string>; functions: Set<string> }>;
  /** Cfg -> the modules that block it. */
  blocked: Map<string, Set<string>>;
}

function cfgFiles(args: string[], cwd: string): string[] {
  return args.flatMap((a) => {
    const p = resolve(cwd, a);
    return statSync(p).isDirectory()
      ? readdirSync(p)
          .filter((f) => f.endsWith('.cfg'))
          .sort()
          .map((f) => join(p, f))
      : [p];
  });
}

export function coverageOf(files: string[]): CoverageReport {
  const report: CoverageReport = {
    total: files.length,
    starts: [],
    refused: [],
    blockers: new Map(),
    blocked: new Map(),
  };
  for (const path of files) {
    const loaded = loadCfg(path, {
      profile: { strict: false },
      readFile: (p) => readFileSync(p, 'latin1'),
      fileExists: existsSync,
      cwd: resolve(path, '..'),
    });
    const clock = new VirtualClock(0);
    const engine = buildEngine(loaded, {
      profile: { strict: false },
      clock,
      logger: new Logger(clock, { write: () => undefined }),
    });
    if ([...loaded.diagnostics, ...engine.diagnostics].some((d) => d.severity === 'error')) {
      report.refused.push(path);
      continue;
    }
    const missing = notNative(loaded, engine.runtime);
    if (!missing.length) {
      report.starts.push(path);
      continue;
    }
    const mods = new Set<string>();
    for (const d of missing) {
      const fn = /^`([^`]+)`/.exec(d.message)?.[1] ?? '?';
      const mod = /\(module (\S+)\)/.exec(d.message)?.[1] ?? engine.runtime.functions.get(fn)?.module ?? 'core';
      mods.add(mod);
      const b = report.blockers.get(mod) ?? { cfgs: new Set<string>(), functions: new Set<string>() };
      b.cfgs.add(path);
      b.functions.add(fn);
      report.blockers.set(mod, b);
    }
    report.blocked.set(path, mods);
  }
  return report;
}

export function formatCoverage(r: CoverageReport): string[] {
  const blocked = r.total - r.starts.length - r.refused.length;
  const out = [
    `${r.total} cfgs: ${r.starts.length} would start under \`run\`, ${blocked} stop at functions not native yet, ${r.refused.length} have cfg errors (OpenSIPS 3.3 refuses them too)`,
  ];
  if (!r.blockers.size) return out;
  out.push('', 'module               blocks  functions');
  const ranked = [...r.blockers].sort((a, b) => b[1].cfgs.size - a[1].cfgs.size || a[0].localeCompare(b[0]));
  for (const [m, b] of ranked)
    out.push(`${m.padEnd(20)} ${String(b.cfgs.size).padStart(6)}  ${[...b.functions].sort().join(', ')}`);
  return out;
}

export function runCoverage(args: string[], io: Io): number {
  if (!args.length) {
    io.err('opensips-ts: modules --coverage needs cfg files or folders');
    return EXIT.usage;
  }
  let files: string[];
  try {
    files = cfgFiles(args, io.cwd);
  } catch (err) {
    io.err(`opensips-ts: ${(err as Error).message}`);
    return EXIT.usage;
  }
  for (const line of formatCoverage(coverageOf(files))) io.out(line);
  return EXIT.ok;
}
