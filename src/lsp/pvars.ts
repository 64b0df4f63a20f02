// Pseudo-variables as they appear in the text, strings included (a format
// string expands them as the script does): `$ru`, `$var(n)`, `$(avp(x)[1])`.
// The AST keeps spans only for pseudo-variables outside strings, so
// references to `$var`/`$avp` names and hover inside strings read the text.
import type { Comment } from '../cfg/parse.js';

export interface PvarUse {
  /** Class: `var`, `avp`, `ru`... */
  name: string;
  /** The inner name of `$var(x)`, if any. */
  inner?: string;
  /** Offset of the `$`, and just past the use. */
  start: number;
  end: number;
  /** Offsets of the inner name. */
  innerStart?: number;
  innerEnd?: number;
  /** Written here: `$var(x) = ...` (an assignment target at the start of a statement). */
  write: boolean;
}

const PVAR = /\$(\(?)([A-Za-z_][A-Za-z0-9_]*)(?:\(([^()\s]*)\))?/g;

/** Blanks the comments out of `text` (same length, so offsets stay). */
export function maskComments(text: string, comments: readonly Comment[]): string {
  if (!comments.length) return text;
  const chars = text.split('');
  for (const c of comments)
    for (let i = c.span.offset; i < c.span.endOffset && i < chars.length; i++) if (chars[i] !== '\n') chars[i] = ' ';
  return chars.join('');
}

export function scanPvars(masked: string): PvarUse[] {
  const out: PvarUse[] = [];
  for (const m of masked.matchAll(PVAR)) {
    const start = m.index;
    const end = start + m[0].length;
    const use: PvarUse = { name: m[2]!, start, end, write: /^\s*=(?!=)/.test(masked.slice(end, end + 8)) };
    if (m[3] !== undefined) {
      use.inner = m[3];
      use.innerStart = start + 1 + m[1]!.length + m[2]!.length + 1;
      use.innerEnd = use.innerStart + m[3].length;
    }
    out.push(use);
  }
  return out;
}

/** The use under `offset`, if any. */
export function pvarAt(uses: readonly PvarUse[], offset: number): PvarUse | undefined {
  return uses.find((u) => u.start <= offset && offset <= u.end);
}
