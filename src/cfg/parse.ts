// One source text -> AST + diagnostics. Never throws on any input.
import type { IToken } from 'chevrotain';
import { cfgLexer, cfgParser } from '../../grammar/index.js';
import type { CfgFile, Span, Statement } from './ast.js';
import { AstBuilder } from './build-ast.js';
import type { Diagnostic, Profile } from './diagnostic.js';
import { friendlyError } from './syntax-errors.js';

export interface Comment {
  text: string;
  span: Span;
}

export interface ParsedText<T> {
  result: T;
  diagnostics: Diagnostic[];
  comments: Comment[];
}

type Entry = 'cfg' | 'actions';

function lineColAt(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++)
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  return { line, col: offset - lineStart + 1 };
}

function pointSpan(file: string, text: string, offset: number, length = 1): Span {
  const { line, col } = lineColAt(text, offset);
  return { file, line, col, offset, endLine: line, endCol: col + length, endOffset: offset + length };
}

/** A block comment closes every `/*` it opens (they nest in OpenSIPS). */
export function commentDepthOk(image: string): boolean {
  let depth = 0;
  for (let i = 0; i < image.length - 1; i++) {
    if (image.startsWith('/*', i)) {
      depth++;
      i++;
    } else if (image.startsWith('*/', i)) {
      depth--;
      i++;
    }
  }
  return depth === 0;
}

function run<T>(
  text: string,
  file: string,
  profile: Profile,
  entry: Entry,
  build: (b: AstBuilder, cst: never) => T,
): ParsedText<T> {
  const diagnostics: Diagnostic[] = [];
  const lexed = cfgLexer.tokenize(text);
  for (const e of lexed.errors) {
    const ch = text.slice(e.offset, e.offset + e.length);
    const shown =
      ch.length === 1 && ch.charCodeAt(0) >= 32 && ch.charCodeAt(0) < 127
        ? `\`${ch}\``
        : JSON.stringify(ch.slice(0, 12));
    diagnostics.push({
      rule: 'syntax',
      severity: 'error',
      message: `unexpected character ${shown}`,
      span: pointSpan(file, text, e.offset, e.length),
    });
  }
  const builder = new AstBuilder(file, profile);
  const comments: Comment[] = ((lexed.groups.comments ?? []) as IToken[]).map((t) => ({
    text: t.image,
    span: builder.tokenSpan(t),
  }));
  for (const c of comments) {
    if (c.text.startsWith('/*') && !commentDepthOk(c.text)) {
      diagnostics.push({
        rule: 'syntax',
        severity: 'error',
        message: 'this `/*` comment is never closed',
        span: { ...c.span, endLine: c.span.line, endCol: c.span.col + 2, endOffset: c.span.offset + 2 },
        hint: 'add `*/`; block comments nest in OpenSIPS, so each `/*` needs its own `*/`',
      });
    }
  }
  let parser = cfgParser(false);
  parser.input = lexed.tokens;
  let cst = entry === 'cfg' ? parser.cfg() : parser.actions();
  if (parser.errors.length) {
    parser = cfgParser(true);
    parser.input = lexed.tokens;
    cst = entry === 'cfg' ? parser.cfg() : parser.actions();
  }
  for (const e of parser.errors) {
    const f = friendlyError(e, lexed.tokens);
    const at =
      f.token && !isNaN(f.token.startOffset) ? builder.tokenSpan(f.token) : pointSpan(file, text, text.length, 0);
    diagnostics.push({
      rule: 'syntax',
      severity: 'error',
      message: f.message,
      span: at,
      ...(f.hint ? { hint: f.hint } : {}),
    });
  }
  let result: T;
  try {
    result = build(builder, cst as never);
  } catch (err) {
    // The builder tolerates partial trees; this is a last line of defence, never a crash.
    diagnostics.push({
      rule: 'internal',
      severity: 'error',
      message: `internal error while reading the syntax tree: ${(err as Error).message}`,
      span: pointSpan(file, text, 0, 0),
    });
    result = build(new AstBuilder(file, profile), { children: {} } as never);
  }
  diagnostics.push(...builder.diagnostics);
  return { result, diagnostics, comments };
}

/** A whole cfg file. */
export function parseCfgText(text: string, file: string, profile: Profile): ParsedText<CfgFile> {
  return run(text, file, profile, 'cfg', (b, cst) => b.cfg(cst));
}

/** A file included from inside a route block: a list of statements. */
export function parseStatementsText(text: string, file: string, profile: Profile): ParsedText<Statement[]> {
  return run(text, file, profile, 'actions', (b, cst) => b.actions(cst));
}
