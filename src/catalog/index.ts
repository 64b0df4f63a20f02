// Typed access to the committed OpenSIPS 3.3 catalog (module and core
// exports extracted from the C sources by scripts/extract-catalog.ts).
//
// The JSON is read next to this file via import.meta.url. That works under
// tsx directly; a tsc build must copy src/catalog/opensips-3.3.json next to
// the emitted index.js (tsc does not copy .json files it does not import).

import { readFileSync } from 'node:fs';
import type {
  AsyncFunction,
  Catalog,
  GlobalParam,
  KeywordCommand,
  ModParam,
  ModuleEntry,
  PseudoVar,
  RemovedGlobal,
  ScriptFunction,
  Transformation,
} from './types.js';

export type * from './types.js';

export const CATALOG_URL = new URL('./opensips-3.3.json', import.meta.url);

let cached: Catalog | undefined;
let byModule: Map<string, ModuleEntry> | undefined;

export function loadCatalog(): Catalog {
  if (!cached) cached = JSON.parse(readFileSync(CATALOG_URL, 'utf8')) as Catalog;
  return cached;
}

function moduleIndex(): Map<string, ModuleEntry> {
  if (!byModule) {
    byModule = new Map();
    for (const m of loadCatalog().modules) {
      byModule.set(m.dir, m);
      byModule.set(m.name, m);
    }
  }
  return byModule;
}

/** a module by its exported name (or its modules/ directory name) */
export function findModule(name: string): ModuleEntry | undefined {
  return moduleIndex().get(name);
}

export function moduleNames(): string[] {
  return loadCatalog().modules.map((m) => m.name);
}

/** where a script function comes from: null = core */
export interface FunctionRef<F = ScriptFunction> {
  module: string | null;
  fn: F;
}

/** restrict module look-ups to these (e.g. the script's loadmodule list) */
function candidates(loaded?: Iterable<string>): ModuleEntry[] {
  if (!loaded) return loadCatalog().modules;
  const out: ModuleEntry[] = [];
  for (const n of loaded) {
    const m = findModule(n.replace(/\.so$/, ''));
    if (m) out.push(m);
  }
  return out;
}

/** every definition of a script function name (core first) */
export function findFunctions(name: string, loaded?: Iterable<string>): FunctionRef[] {
  const out: FunctionRef[] = loadCatalog()
    .core.functions.filter((f) => f.name === name)
    .map((fn) => ({ module: null, fn }));
  for (const m of candidates(loaded)) {
    for (const fn of m.functions) if (fn.name === name) out.push({ module: m.name, fn });
  }
  return out;
}

/** the script function a call resolves to: core first, then modules in order */
export function findFunction(name: string, loaded?: Iterable<string>): FunctionRef | undefined {
  return findFunctions(name, loaded)[0];
}

export function findAsyncFunction(name: string, loaded?: Iterable<string>): FunctionRef<AsyncFunction> | undefined {
  for (const m of candidates(loaded)) {
    const fn = m.asyncFunctions.find((f) => f.name === name);
    if (fn) return { module: m.name, fn };
  }
  return undefined;
}

export function findModParam(module: string, param: string): ModParam | undefined {
  return findModule(module)?.params.find((p) => p.name === param);
}

/** global `name = value` parameters accepted by the 3.3 grammar */
export function coreGlobals(): GlobalParam[] {
  return loadCatalog().core.globals;
}

export function findGlobal(name: string): GlobalParam | undefined {
  return coreGlobals().find((g) => g.name === name);
}

/** names older releases accepted as globals that 3.3 rejects */
export function removedGlobals(): RemovedGlobal[] {
  return loadCatalog().core.removedGlobals;
}

export function keywordCommands(): KeywordCommand[] {
  return loadCatalog().core.keywordCommands;
}

/**
 * All forms of a pseudo-variable class (a name can have several, e.g. with
 * and without an inner name). module null = core.
 */
export function findPv(name: string, loaded?: Iterable<string>): Array<{ module: string | null; pv: PseudoVar }> {
  const out: Array<{ module: string | null; pv: PseudoVar }> = loadCatalog()
    .core.pvs.filter((p) => p.name === name)
    .map((pv) => ({ module: null, pv }));
  for (const m of candidates(loaded)) {
    for (const pv of m.pvs) if (pv.name === name) out.push({ module: m.name, pv });
  }
  return out;
}

export function findTransformation(
  cls: string,
  loaded?: Iterable<string>,
): { module: string | null; tr: Transformation } | undefined {
  const core = loadCatalog().core.transformations.find((t) => t.class === cls);
  if (core) return { module: null, tr: core };
  for (const m of candidates(loaded)) {
    const tr = m.transformations.find((t) => t.class === cls);
    if (tr) return { module: m.name, tr };
  }
  return undefined;
}
