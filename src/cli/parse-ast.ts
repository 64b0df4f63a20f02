// `opensips-ts parse --ast FILE`: the AST (includes expanded) as JSON.
import { hasErrors } from '../cfg/diagnostic.js';
import { loadCfg } from '../cfg/load.js';
import type { CfgInput } from './cfg-input.js';
import { EXIT, printDiagnostics, type Io } from './io.js';

export function runParseAst(input: CfgInput, strict: boolean, io: Io): number {
  const file = input.file;
  const loaded = loadCfg(file, { profile: { strict }, cwd: io.cwd, readFile: input.readFile });
  printDiagnostics(io, loaded.diagnostics, loaded.sources);
  io.out(JSON.stringify({ kind: 'CfgFile', file, items: loaded.items }, null, 2));
  return hasErrors(loaded.diagnostics) ? EXIT.errors : EXIT.ok;
}
