// Loading a cfg from disk: parse, expand include_file/import_file (relative to
// the including file, then to the working directory; a cycle is an error, not
// a hang), validate, and build the Script model.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type * as A from './ast.js';
import { byPosition, type Diagnostic, type Profile, type RuleId } from './diagnostic.js';
import { parseCfgText, parseStatementsText, type Comment, type ParsedText } from './parse.js';
import { buildScript, type Script } from './script.js';
import { validateItems } from './validate.js';

export interface LoadOptions {
  profile: Profile;
  /** Reads a file; tests replace it with an in-memory map. */
  readFile?: (path: string) => string;
  fileExists?: (path: string) => boolean;
  cwd?: string;
  /** Parses one top-level file; the language server passes its incremental parser (same results). */
  parseCfg?: (text: string, file: string, profile: Profile) => ParsedText<A.CfgFile>;
}

export interface LoadedCfg {
  script: Script;
  /** Top-level items with every include expanded in place. */
  items: A.TopItem[];
  diagnostics: Diagnostic[];
  /** Source text of every file read, for code frames. */
  sources: Map<string, string>;
  comments: Map<string, Comment[]>;
  /** For each included file, the include statements that led to it, outermost first. */
  chains: Map<string, A.Span[]>;
}

/** OpenSIPS 3.3 (cfg_pp.h CFG_MAX_INCLUDE_DEPTH): the main file and 19 nested includes. */
const MAX_INCLUDE_DEPTH = 20;

class Loader {
  readonly diagnostics: Diagnostic[] = [];
  readonly sources = new Map<string, string>();
  readonly comments = new Map<string, Comment[]>();
  /** The include statements that first led to each file. */
  readonly chains = new Map<string, A.Span[]>();
  private readonly read: (p: string) => string;
  private readonly exists: (p: string) => boolean;

  constructor(private readonly opts: LoadOptions) {
    this.read = opts.readFile ?? ((p) => readFileSync(p, 'utf8'));
    this.exists = opts.fileExists ?? existsSync;
  }

  private withChain(diags: Diagnostic[], chain: A.Span[]): Diagnostic[] {
    return chain.length ? diags.map((d) => ({ ...d, includeChain: chain })) : diags;
  }

  topFile(path: string, chain: A.Span[], stack: string[]): A.TopItem[] {
    if (!this.chains.has(path)) this.chains.set(path, chain);
    const text = this.source(path);
    if (text === undefined) return [];
    const parsed = (this.opts.parseCfg ?? parseCfgText)(text, path, this.opts.profile);
    this.comments.set(path, parsed.comments);
    this.diagnostics.push(...this.withChain(parsed.diagnostics, chain));
    const out: A.TopItem[] = [];
    for (const item of parsed.result.items) {
      if (item.kind === 'Include') {
        const target = this.resolveInclude(item, path, chain, stack);
        if (target) out.push(...this.topFile(target, [...chain, item.span], [...stack, target]));
      } else {
        if (item.kind === 'Route') item.body = this.expandStatements(item.body, path, chain, stack);
        out.push(item);
      }
    }
    return out;
  }

  private statementsFile(path: string, chain: A.Span[], stack: string[]): A.Statement[] {
    if (!this.chains.has(path)) this.chains.set(path, chain);
    const text = this.source(path);
    if (text === undefined) return [];
    const parsed = parseStatementsText(text, path, this.opts.profile);
    this.comments.set(path, parsed.comments);
    this.diagnostics.push(...this.withChain(parsed.diagnostics, chain));
    return this.expandStatements(parsed.result, path, chain, stack);
  }

  private expandStatements(list: A.Statement[], path: string, chain: A.Span[], stack: string[]): A.Statement[] {
    const out: A.Statement[] = [];
    for (const s of list) {
      if (s.kind === 'Include') {
        const target = this.resolveInclude(s, path, chain, stack);
        if (target) out.push(...this.statementsFile(target, [...chain, s.span], [...stack, target]));
        continue;
      }
      if (s.kind === 'If') {
        s.then = this.expandStatements(s.then, path, chain, stack);
        if (s.otherwise) s.otherwise = this.expandStatements(s.otherwise, path, chain, stack);
      } else if (s.kind === 'While' || s.kind === 'ForEach' || s.kind === 'Block') {
        s.body = this.expandStatements(s.body, path, chain, stack);
      } else if (s.kind === 'Switch') {
        for (const c of s.cases) c.body = this.expandStatements(c.body, path, chain, stack);
      }
      out.push(s);
    }
    return out;
  }

  private source(path: string): string | undefined {
    if (this.sources.has(path)) return this.sources.get(path);
    try {
      const text = this.read(path);
      this.sources.set(path, text);
      return text;
    } catch (err) {
      this.diagnostics.push({
        rule: 'file-unreadable',
        severity: 'error',
        message: `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
        span: { file: path, line: 1, col: 1, offset: 0, endLine: 1, endCol: 1, endOffset: 0 },
      });
      return undefined;
    }
  }

  private resolveInclude(inc: A.Include, from: string, chain: A.Span[], stack: string[]): string | undefined {
    const report = (rule: RuleId, message: string, hint?: string): undefined => {
      this.diagnostics.push({
        rule,
        severity: 'error',
        message,
        span: inc.span,
        ...(hint ? { hint } : {}),
        ...(chain.length ? { includeChain: chain } : {}),
      });
      return undefined;
    };
    const candidates = isAbsolute(inc.path)
      ? [inc.path]
      : [resolve(dirname(from), inc.path), resolve(this.opts.cwd ?? process.cwd(), inc.path)];
    const target = candidates.find((c) => this.exists(c));
    if (!target)
      return report(
        'include-not-found',
        `included file \`${inc.path}\` not found`,
        `looked in ${candidates.join(' and ')}`,
      );
    if (stack.includes(target))
      return report(
        'include-cycle',
        `\`${inc.path}\` includes itself (through ${stack.length} file(s))`,
        'remove the include that closes the loop',
      );
    if (stack.length >= MAX_INCLUDE_DEPTH)
      return report(
        'include-depth',
        `more than ${MAX_INCLUDE_DEPTH} nested cfg files: OpenSIPS 3.3 stops ("max nested cfg files reached!")`,
      );
    return target;
  }
}

export function loadCfg(path: string, opts: LoadOptions): LoadedCfg {
  const loader = new Loader(opts);
  const abs = resolve(opts.cwd ?? process.cwd(), path);
  const items = loader.topFile(abs, [], [abs]);
  const diagnostics = [...loader.diagnostics, ...validateItems(items, opts.profile)];
  const built = buildScript(items);
  diagnostics.push(...built.diagnostics);
  return {
    script: built.script,
    items,
    diagnostics: sortDiagnostics(withIncludeChains(diagnostics, loader.chains), [...loader.sources.keys()]),
    sources: loader.sources,
    comments: loader.comments,
    chains: loader.chains,
  };
}

/** A diagnostic inside an included file says how that file was reached. */
export function withIncludeChains(diags: Diagnostic[], chains: ReadonlyMap<string, A.Span[]>): Diagnostic[] {
  return diags.map((d) => {
    const chain = chains.get(d.span.file);
    return d.includeChain || !chain?.length ? d : { ...d, includeChain: chain };
  });
}

/** File order first (as read), then position. */
export function sortDiagnostics(diags: Diagnostic[], fileOrder: string[]): Diagnostic[] {
  const rank = (d: Diagnostic): number => {
    const first = d.includeChain?.[0];
    const root = first && first.file === fileOrder[0] ? first.offset : undefined;
    return root ?? (d.span.file === fileOrder[0] ? d.span.offset : Number.MAX_SAFE_INTEGER);
  };
  return [...diags].sort((a, b) => rank(a) - rank(b) || byPosition(a, b));
}
