// One analysis of an open cfg: the whole lint (the same code as `opensips-ts
// lint`), the expanded items and an index of what they name. Included files
// are read from the editor's open buffers first, then from disk.
import { existsSync, readFileSync } from 'node:fs';
import type * as A from '../cfg/ast.js';
import type { Diagnostic } from '../cfg/diagnostic.js';
import type { Comment } from '../cfg/parse.js';
import { lintCfg } from '../lint/lint.js';
import type { IncrementalCfgParser } from './incremental-parse.js';
import { maskComments, scanPvars, type PvarUse } from './pvars.js';
import { buildIndex, type SymbolIndex } from './symbols.js';
import { LineIndex } from './text.js';

export interface Analysis {
  path: string;
  text: string;
  lines: LineIndex;
  /** Every diagnostic, for this file and the files it includes. */
  diagnostics: Diagnostic[];
  sources: Map<string, string>;
  comments: Map<string, Comment[]>;
  items: A.TopItem[];
  index: SymbolIndex;
  /** Pseudo-variables of this file's text, strings included. */
  pvars: PvarUse[];
  /** Wall time of the analysis. */
  elapsedMs: number;
}

export interface AnalyzeOptions {
  strict: boolean;
  /** Text of the files open in the editor, by path. */
  openText: (path: string) => string | undefined;
  /** The document's incremental parser (kept between analyses). */
  parser?: IncrementalCfgParser;
  cwd?: string;
}

export function analyze(path: string, text: string, opts: AnalyzeOptions): Analysis {
  const t0 = performance.now();
  const readFile = (p: string): string => (p === path ? text : (opts.openText(p) ?? readFileSync(p, 'utf8')));
  const fileExists = (p: string): boolean => p === path || opts.openText(p) !== undefined || existsSync(p);
  const parseCfg = opts.parser && opts.parser.parse.bind(opts.parser);
  const r = lintCfg(path, {
    profile: { strict: opts.strict },
    readFile,
    fileExists,
    cwd: opts.cwd,
    ...(parseCfg ? { parseCfg } : {}),
  });
  const comments = r.loaded.comments;
  return {
    path,
    text,
    lines: new LineIndex(text),
    diagnostics: r.diagnostics,
    sources: r.sources,
    comments,
    items: r.loaded.items,
    index: buildIndex(r.loaded.items),
    pvars: scanPvars(maskComments(text, comments.get(path) ?? [])),
    elapsedMs: performance.now() - t0,
  };
}
