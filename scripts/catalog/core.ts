// Core (non-module) facts: script functions from core_cmds.c, pseudo-variables
// from pvar.c, transformations from transformations.c, and the global
// parameters / keyword commands of the cfg grammar.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CodeBase, loadUnit, type Unit } from './codebase.js';
import { readCmds, readPvs, readTrans, tableTree, type TableCtx } from './tables.js';
import { extractGlobals, extractKeywordCommands } from './cfg-grammar.js';
import { ppOptions, type ExtractEnv } from './modules.js';
import type { CoreCatalog, RemovedGlobal } from '../../src/catalog/types.js';

interface TableSpec<T> {
  file: string;
  /** candidate array names, first found wins */
  names: string[];
  read: (ctx: TableCtx, tree: NonNullable<ReturnType<typeof tableTree>>) => T[];
}

function readCoreTable<T>(env: ExtractEnv, spec: TableSpec<T>, problems: string[]): T[] {
  const path = join(env.root, spec.file);
  if (!existsSync(path)) {
    problems.push(`${spec.file} not found`);
    return [];
  }
  const unit: Unit = loadUnit(path, ppOptions(env, []), true);
  const cb = new CodeBase([unit], env.coreHelpers);
  for (const name of spec.names) {
    const found = cb.findDecl(name, unit);
    const tree = found && tableTree(found.decl, found.unit);
    if (!found || !tree) continue;
    return spec.read({ cb, unit: found.unit, problems }, tree);
  }
  problems.push(`${spec.file}: none of ${spec.names.join(', ')} found`);
  return [];
}

export interface LegacyGrammar {
  version: string;
  dir: string;
}

export function extractCore(env: ExtractEnv, legacy: LegacyGrammar[] = []): CoreCatalog {
  const problems: string[] = [];
  const functions = readCoreTable(env, { file: 'core_cmds.c', names: ['core_cmds'], read: readCmds }, problems);
  const pvs = readCoreTable(env, { file: 'pvar.c', names: ['_pv_names_table'], read: readPvs }, problems);
  const transformations = readCoreTable(
    env,
    { file: 'transformations.c', names: ['core_trans'], read: readTrans },
    problems,
  );

  const lexPath = join(env.root, 'cfg.lex');
  const yPath = join(env.root, 'cfg.y');
  let globals: CoreCatalog['globals'] = [];
  let keywordCommands: CoreCatalog['keywordCommands'] = [];
  if (existsSync(lexPath) && existsSync(yPath)) {
    const lex = readFileSync(lexPath, 'latin1');
    const y = readFileSync(yPath, 'latin1');
    globals = extractGlobals(lex, y);
    keywordCommands = extractKeywordCommands(lex, y);
    if (!globals.length) problems.push('no global parameters found in cfg.y assign_stm');
  } else {
    problems.push('cfg.lex / cfg.y not found');
  }

  // names older grammars accepted that 3.3 does not
  const current = new Set(globals.map((g) => g.name));
  const removed = new Map<string, string[]>();
  for (const l of legacy) {
    const lex = readFileSync(join(l.dir, 'cfg.lex'), 'latin1');
    const y = readFileSync(join(l.dir, 'cfg.y'), 'latin1');
    for (const g of extractGlobals(lex, y)) {
      if (current.has(g.name)) continue;
      removed.set(g.name, [...(removed.get(g.name) ?? []), l.version]);
    }
  }
  const removedGlobals: RemovedGlobal[] = [...removed]
    .map(([name, acceptedIn]) => ({ name, acceptedIn: [...new Set(acceptedIn)].sort() }))
    .sort((a, b) => a.name.localeCompare(b.name));

  return { functions, pvs, transformations, globals, removedGlobals, keywordCommands, problems };
}
