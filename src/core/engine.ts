// From a loaded cfg to a runnable Runtime with this build's native modules:
// the core hands the module tables to the script layer's compiler, as
// OpenSIPS's core loads the modules a cfg names before it fixes the routes.
import type { LoadedCfg } from '../cfg/load.js';
import { NATIVE_MODULES } from '../modules/index.js';
import { compileEngine, type Engine, type EngineOptions } from '../script/engine.js';

export type { Engine, EngineOptions };

export function buildEngine(loaded: LoadedCfg, opts: EngineOptions): Engine {
  return compileEngine(loaded, opts, NATIVE_MODULES);
}
