// `opensips-ts fmt FILE [--write|--check]`: print the cfg in canonical layout.
import { writeFileSync } from 'node:fs';
import { STDIN_NAME, type CfgInput } from './cfg-input.js';
import { hasErrors } from '../cfg/diagnostic.js';
import { parseCfgText } from '../cfg/parse.js';
import { printCfg } from '../cfg/print.js';
import { displayPath } from '../lint/pretty.js';
import { EXIT, printDiagnostics, type Io } from './io.js';

export function runFmt(input: CfgInput, mode: 'print' | 'write' | 'check', io: Io): number {
  const { abs: path, text } = input;
  if (mode === 'write' && input.file === STDIN_NAME) {
    io.err('opensips-ts: fmt --write needs a file, not standard input');
    return EXIT.usage;
  }
  const parsed = parseCfgText(text, path, { strict: false });
  const syntax = parsed.diagnostics.filter((d) => d.severity === 'error');
  if (hasErrors(syntax)) {
    printDiagnostics(io, syntax, new Map([[path, text]]));
    return EXIT.errors;
  }
  const formatted = printCfg(parsed.result, parsed.comments);
  if (mode === 'print') io.out(formatted.replace(/\n$/, ''));
  else if (mode === 'write') {
    if (formatted !== text) writeFileSync(path, formatted);
  } else if (formatted !== text) {
    io.err(`${displayPath(path, io.cwd)}: not formatted`);
    return EXIT.errors;
  }
  return EXIT.ok;
}
