// The cfg a command works on: a file, or standard input when FILE is `-`.
// Read once, up front, so a missing or unreadable file is one line and exit 2
// (never a stack trace, never diagnostics about an empty cfg).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Io } from './io.js';

/** The name a cfg read from standard input carries in diagnostics. */
export const STDIN_NAME = '<stdin>';

export interface CfgInput {
  /** The name to pass on (the file as given, or `<stdin>`). */
  file: string;
  /** Absolute path the loader sees. */
  abs: string;
  text: string;
  /** For the loader: the top file from memory, includes from disk. */
  readFile: (path: string) => string;
}

function errCode(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? (err as Error).message;
}

/** Reads FILE (or stdin for `-`); on failure prints `opensips-ts: cannot read FILE: CODE` and returns undefined. */
export function readCfgInput(file: string, io: Io): CfgInput | undefined {
  const name = file === '-' ? STDIN_NAME : file;
  const abs = resolve(io.cwd, name);
  let text: string;
  try {
    text = file === '-' ? (io.stdin ?? (() => readFileSync(0, 'utf8')))() : readFileSync(abs, 'utf8');
  } catch (err) {
    io.err(`opensips-ts: cannot read ${file === '-' ? 'standard input' : file}: ${errCode(err)}`);
    return undefined;
  }
  return { file: name, abs, text, readFile: (p) => (p === abs ? text : readFileSync(p, 'utf8')) };
}
