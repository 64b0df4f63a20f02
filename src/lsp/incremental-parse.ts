// Parsing as the user types: a keystroke changes one route block, so only
// that block is parsed again. The text is lexed whole (tokens carry absolute
// positions), cut at the top-level route blocks, and each piece is parsed
// from its own tokens or taken from the cache of the previous parses (keyed
// by its text) with its spans moved to where it now is. Anything unusual
// (a lexing error, an unclosed comment, a syntax error in a piece) falls
// back to the whole-file parse, so the result is always the one `lint` gets.
import type { IToken } from 'chevrotain';
import { cfgLexer, cfgParser, tokens as T } from '../../grammar/index.js';
import type { CfgFile, Span, TopItem } from '../cfg/ast.js';
import { AstBuilder } from '../cfg/build-ast.js';
import type { Diagnostic, Profile } from '../cfg/diagnostic.js';
import { commentDepthOk, parseCfgText, type Comment, type ParsedText } from '../cfg/parse.js';

const ROUTE_KEYWORDS = new Set(T.ROUTE_KINDS.map((t) => t.name));

interface Piece {
  items: TopItem[];
  diagnostics: Diagnostic[];
  /** Where the piece's spans say it starts. */
  offset: number;
  line: number;
  /** It holds an include_file: the loader expands it in place, so each use gets its own copy. */
  includes: boolean;
}

/** The token ranges of the top-level pieces: what precedes the first route block, then each route block onwards. */
function cut(tokens: readonly IToken[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (depth === 0 && i > start && ROUTE_KEYWORDS.has(t.tokenType.name) && tokens[i - 1]!.tokenType === T.RBrace) {
      out.push([start, i]);
      start = i;
    }
    if (t.tokenType === T.LBrace) depth++;
    else if (t.tokenType === T.RBrace) depth = Math.max(0, depth - 1);
  }
  if (start < tokens.length) out.push([start, tokens.length]);
  return out;
}

function isSpan(v: object): v is Span {
  return 'offset' in v && 'endOffset' in v && 'line' in v && 'file' in v;
}

/**
 * Moves every span of a piece by (dOffset, dLine), in place: a piece that moved (text was typed above it) is shared
 * with the previous parse's result, which is stale by then. A span object reached twice moves once.
 */
function shift(v: unknown, dOffset: number, dLine: number, seen: Set<object>): void {
  if (v === null || typeof v !== 'object' || seen.has(v)) return;
  seen.add(v);
  if (Array.isArray(v)) {
    for (const x of v) shift(x, dOffset, dLine, seen);
    return;
  }
  if (isSpan(v)) {
    v.offset += dOffset;
    v.endOffset += dOffset;
    v.line += dLine;
    v.endLine += dLine;
    return;
  }
  for (const x of Object.values(v)) shift(x, dOffset, dLine, seen);
}

/** A deep copy with every span moved by (dOffset, dLine): the columns of a piece do not change when it moves. */
function moved<T>(v: T, dOffset: number, dLine: number): T {
  if (Array.isArray(v)) return v.map((x) => moved(x, dOffset, dLine)) as T;
  if (v === null || typeof v !== 'object') return v;
  if (isSpan(v))
    return {
      ...v,
      offset: v.offset + dOffset,
      endOffset: v.endOffset + dOffset,
      line: v.line + dLine,
      endLine: v.endLine + dLine,
    } as T;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = moved(x, dOffset, dLine);
  return out as T;
}

export class IncrementalCfgParser {
  /** Per file (a cfg and its includes share one parser), the pieces of its last parse by key. */
  private readonly cache = new Map<string, Map<string, Piece>>();
  /** Pieces parsed or reused by the last parse (to measure the cache). */
  lastStats = { pieces: 0, parsed: 0, whole: false };

  parse(text: string, file: string, profile: Profile): ParsedText<CfgFile> {
    const lexed = cfgLexer.tokenize(text);
    const comments = ((lexed.groups.comments ?? []) as IToken[]).map((t) => t.image);
    if (lexed.errors.length || comments.some((c) => c.startsWith('/*') && !commentDepthOk(c)))
      return this.whole(text, file, profile);
    const cache = this.cache.get(file) ?? new Map<string, Piece>();
    const next = new Map<string, Piece>();
    const items: TopItem[] = [];
    const diagnostics: Diagnostic[] = [];
    let parsed = 0;
    const ranges = cut(lexed.tokens);
    for (const [from, to] of ranges) {
      const first = lexed.tokens[from]!;
      const last = lexed.tokens[to - 1]!;
      const key = `${profile.strict ? 's' : 'd'}|${first.startColumn}|${text.slice(first.startOffset, (last.endOffset ?? last.startOffset) + 1)}`;
      let piece = cache.get(key) ?? next.get(key);
      if (!piece) {
        piece = this.parsePiece(lexed.tokens.slice(from, to), file, profile);
        if (!piece) return this.whole(text, file, profile);
        parsed++;
      }
      next.set(key, piece);
      const dOffset = first.startOffset - piece.offset;
      const dLine = (first.startLine ?? 1) - piece.line;
      if (piece.includes) {
        items.push(...moved(piece.items, dOffset, dLine));
        diagnostics.push(...moved(piece.diagnostics, dOffset, dLine));
        continue;
      }
      if (dOffset || dLine) {
        const seen = new Set<object>();
        shift(piece.items, dOffset, dLine, seen);
        shift(piece.diagnostics, dOffset, dLine, seen);
        piece.offset += dOffset;
        piece.line += dLine;
      }
      items.push(...piece.items);
      diagnostics.push(...piece.diagnostics);
    }
    this.cache.set(file, next);
    this.lastStats = { pieces: ranges.length, parsed, whole: false };
    const builder = new AstBuilder(file, profile);
    const commentList: Comment[] = ((lexed.groups.comments ?? []) as IToken[]).map((t) => ({
      text: t.image,
      span: builder.tokenSpan(t),
    }));
    return { result: { kind: 'CfgFile', file, items }, diagnostics, comments: commentList };
  }

  /** One piece from its tokens; undefined when it has a syntax error (the whole-file parse reports those). */
  private parsePiece(tokens: IToken[], file: string, profile: Profile): Piece | undefined {
    const parser = cfgParser(false);
    parser.input = tokens;
    const cst = parser.cfg();
    if (parser.errors.length) return undefined;
    const builder = new AstBuilder(file, profile);
    let cfg: CfgFile;
    try {
      cfg = builder.cfg(cst as never);
    } catch {
      return undefined;
    }
    const t = tokens[0]!;
    return {
      items: cfg.items,
      diagnostics: builder.diagnostics,
      offset: t.startOffset,
      line: t.startLine ?? 1,
      includes: tokens.some((x) => x.tokenType === T.IncludeFile),
    };
  }

  private whole(text: string, file: string, profile: Profile): ParsedText<CfgFile> {
    this.cache.delete(file);
    this.lastStats = { pieces: 1, parsed: 1, whole: true };
    return parseCfgText(text, file, profile);
  }
}
