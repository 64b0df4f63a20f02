// `opensips-ts check FILE` / `opensips-ts -c -f FILE`: is the cfg valid?
import { hasErrors } from '../cfg/diagnostic.js';
import { checkCfg } from '../lint/check.js';
import { displayPath } from '../lint/pretty.js';
import type { CfgInput } from './cfg-input.js';
import { EXIT, printDiagnostics, type Io } from './io.js';

export function runCheck(input: CfgInput, strict: boolean, io: Io): number {
  const file = input.file;
  const loaded = checkCfg(file, { profile: { strict }, cwd: io.cwd, readFile: input.readFile });
  printDiagnostics(io, loaded.diagnostics, loaded.sources);
  if (hasErrors(loaded.diagnostics)) return EXIT.errors;
  io.out(`${displayPath(file, io.cwd)}: config file ok${strict ? ' (strict: as OpenSIPS 3.3 would accept it)' : ''}`);
  return EXIT.ok;
}
