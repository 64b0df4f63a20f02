// opensips-ts as a library (package.json "main"): what the CLI's jobs are
// made of. Load a cfg, check it as `opensips -c` does, lint it, dry-run
// messages through it, or start the live server on its sockets.
export { loadCfg, type LoadOptions, type LoadedCfg } from './cfg/load.js';
export { parseCfgText } from './cfg/parse.js';
export type { Diagnostic } from './cfg/diagnostic.js';
export { checkCfg, type CheckResult } from './lint/check.js';
export { lintCfg, type LintResult } from './lint/lint.js';
export { dryRun, type DryRunOptions, type DryRunResult } from './dryrun/dryrun.js';
export { buildEngine, type Engine, type EngineOptions } from './core/engine.js';
export { SipServer } from './core/server.js';
export { startLive, type LiveServer } from './cli/run.js';
export { VERSION } from './version.js';
