// `opensips-ts fmt FILE [--write|--check]`: print the cfg in canonical layout.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { hasErrors } from '../cfg/diagnostic.js';
import { parseCfgText } from '../cfg/parse.js';
import { printCfg } from '../cfg/print.js';
import { displayPath } from '../lint/pretty.js';
import { EXIT, printDiagnostics, type Io } from './io.js';

export function runFmt(file: string, mode: 'print' | 'write' | 'check', io: Io): number {
  const path = resolve(io.cwd, file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    io.err(`opensips-ts: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
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
  else if (mode === 'write') { if (formatted !== text) writeFileSync(path, formatted); }
  else if (formatted !== text) { io.err(`${displayPath(path, io.cwd)}: not formatted`); return EXIT.errors; }
  return EXIT.ok;
}
