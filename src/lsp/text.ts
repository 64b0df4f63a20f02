// Positions between our spans (1-based line and column, UTF-16 offsets: a JS
// string index) and LSP's (0-based line and UTF-16 character).
import type { Position, Range } from 'vscode-languageserver';
import type { Span } from '../cfg/ast.js';

/** Offsets of the line starts of one text, for position <-> offset in O(log n). */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }

  offsetAt(p: Position): number {
    const line = Math.min(Math.max(p.line, 0), this.starts.length - 1);
    const end = line + 1 < this.starts.length ? this.starts[line + 1] - 1 : this.text.length;
    return Math.min(this.starts[line] + Math.max(p.character, 0), end);
  }

  positionAt(offset: number): Position {
    const o = Math.min(Math.max(offset, 0), this.text.length);
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: o - this.starts[lo] };
  }

  lineText(line: number): string {
    const start = this.starts[line] ?? this.text.length;
    const end = line + 1 < this.starts.length ? this.starts[line + 1] - 1 : this.text.length;
    return this.text.slice(start, end).replace(/\r$/, '');
  }
}

/** A span as an LSP range: from its offsets when the text is known, else from its line/column. */
export function spanRange(span: Span, index?: LineIndex): Range {
  if (index) return { start: index.positionAt(span.offset), end: index.positionAt(span.endOffset) };
  return {
    start: { line: span.line - 1, character: span.col - 1 },
    end: { line: span.endLine - 1, character: span.endCol - 1 },
  };
}

export function contains(span: Span, offset: number): boolean {
  return span.offset <= offset && offset <= span.endOffset;
}
