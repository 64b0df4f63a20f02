// Output helpers shared by the commands.
import type { Diagnostic } from '../cfg/diagnostic.js';
import { formatPretty, summaryLine } from '../lint/pretty.js';

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  /** Colours on standard error (diagnostics of check and run). */
  color: boolean;
  /** Colours on standard output (lint's report); `color` when absent. */
  outColor?: boolean;
  cwd: string;
  /** Standard input as text (FILE `-`); tests supply their own. */
  stdin?: () => string;
}

/**
 * Colours on a stream, by the conventions of no-color.org and force-color.org: NO_COLOR (non-empty) turns
 * them off, FORCE_COLOR turns them on (FORCE_COLOR=0 or false off), otherwise a terminal that is not dumb.
 */
export function colorFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined) return !/^(0|false)$/i.test(env.FORCE_COLOR);
  return !!stream.isTTY && env.TERM !== 'dumb';
}

export function processIo(): Io {
  return {
    out: (s) => process.stdout.write(s + '\n'),
    err: (s) => process.stderr.write(s + '\n'),
    color: colorFor(process.stderr),
    outColor: colorFor(process.stdout),
    cwd: process.cwd(),
  };
}

/** Diagnostics as compilers print them: on standard error (`to: 'out'` for a report, as lint's). */
export function printDiagnostics(
  io: Io,
  diags: readonly Diagnostic[],
  sources: ReadonlyMap<string, string>,
  to: 'err' | 'out' = 'err',
): void {
  const write = to === 'out' ? io.out : io.err;
  const color = to === 'out' ? (io.outColor ?? io.color) : io.color;
  for (const d of diags) write(formatPretty(d, sources, { color, cwd: io.cwd }) + '\n');
  if (diags.length) write(summaryLine(diags, color));
}

/** Exit codes: 0 valid, 1 errors in the cfg, 2 usage errors. */
export const EXIT = { ok: 0, errors: 1, usage: 2 } as const;
