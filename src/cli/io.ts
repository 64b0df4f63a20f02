// Output helpers shared by the commands.
import type { Diagnostic } from '../cfg/diagnostic.js';
import { formatPretty, summaryLine } from '../lint/pretty.js';

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  color: boolean;
  cwd: string;
  /** Standard input as text (FILE `-`); tests supply their own. */
  stdin?: () => string;
}

export function processIo(): Io {
  return {
    out: (s) => process.stdout.write(s + '\n'),
    err: (s) => process.stderr.write(s + '\n'),
    color: !!process.stderr.isTTY && !process.env.NO_COLOR,
    cwd: process.cwd(),
  };
}

export function printDiagnostics(io: Io, diags: readonly Diagnostic[], sources: ReadonlyMap<string, string>): void {
  for (const d of diags) io.err(formatPretty(d, sources, { color: io.color, cwd: io.cwd }) + '\n');
  if (diags.length) io.err(summaryLine(diags, io.color));
}

/** Exit codes: 0 valid, 1 errors in the cfg, 2 usage errors. */
export const EXIT = { ok: 0, errors: 1, usage: 2 } as const;
