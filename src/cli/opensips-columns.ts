// The columns OpenSIPS 3.3 prints in `parse error in FILE:LINE:C1-C2`. They
// are not character positions: cfg.lex's count() advances the column for
// the characters of each token it sees, and
//  - the plain characters inside a string are added to the string without
//    count() (only the quotes and escape sequences such as `\n` advance it),
//  - a pseudo-variable ended by a space, `;`, `,`, `)` or an operator is
//    counted with that character, which is then pushed back and counted again
//    as a token of its own,
//  - a newline resets the column to 1 wherever it is.
// The line is not a plain line count either: cfg_pp.c puts a line marker
// before every line and the lexer takes the line number from it, but a marker
// that falls inside a string or a block comment is eaten with it, so a token
// after a multi-line string or comment carries the number of the last line
// that began outside one.
// Tools that place OpenSIPS's errors (the opensips-lsp plugin) read these
// numbers, so `-C` prints them the same way. C2 is the column after the token.

/** Characters that end a bare pseudo-variable (SEMICOLON, COMMA, WHITESPACE and the operators of cfg.lex). */
const PV_END = /[;, \t\r\n=:+\-/*%&|^~<>!]/;

interface Scan {
  /** cfg.lex's `column` after the last character scanned. */
  column: number;
  /** cfg.lex's `line`: the last line whose marker was read outside a string or comment. */
  line: number;
  /** The real line of the character scanned next. */
  physical: number;
}

/** A newline: always column 1; the line marker of the next line is read only outside strings and comments. */
function newline(s: Scan, outside: boolean): void {
  s.column = 1;
  s.physical++;
  if (outside) s.line = s.physical;
}

/** Advances over a double-quoted string from its opening quote; returns the offset after it. */
function string1(text: string, i: number, s: Scan, stopAt: number): number {
  s.column++; // the opening quote
  for (let j = i + 1; j < text.length && j < stopAt; j++) {
    const c = text[j]!;
    if (c === '"') {
      s.column++;
      return j + 1;
    }
    if (c === '\n') newline(s, false);
    else if (c === '\\') {
      const m = /^\\(?:[nrat"\\]|x[0-9a-fA-F]{1,2}|[0-7]{2,3}|\n)/.exec(text.slice(j, j + 4));
      if (m) {
        if (m[0].endsWith('\n')) newline(s, false);
        else s.column += m[0].length;
        j += m[0].length - 1;
      }
    }
  }
  return stopAt;
}

function string2(text: string, i: number, s: Scan, stopAt: number): number {
  s.column++;
  for (let j = i + 1; j < text.length && j < stopAt; j++) {
    const c = text[j]!;
    if (c === "'") {
      s.column++;
      return j + 1;
    }
    if (c === '\n') newline(s, false);
  }
  return stopAt;
}

/** A pseudo-variable from its `$`; counts it as SCRIPTVARS does (with its terminator, pushed back after). */
function scriptVar(text: string, i: number, s: Scan): number {
  let depth = 0;
  let j = i + 1;
  for (; j < text.length; j++) {
    const c = text[j]!;
    if (c === '(') depth++;
    else if (c === ')') {
      if (depth === 1) {
        s.column += j + 1 - i;
        return j + 1;
      }
      if (depth === 0) break;
      depth--;
    } else if (depth === 0 && PV_END.test(c)) break;
  }
  // count() runs over the terminator too; it is then pushed back and read again as its own token.
  s.column += Math.min(j + 1, text.length) - i;
  if (text[j] === '\n') s.column = 1;
  return j;
}

function blockComment(text: string, i: number, s: Scan): number {
  let nest = 0;
  for (let j = i; j < text.length; j++) {
    if (text.startsWith('/*', j)) {
      nest++;
      s.column += 2;
      j++;
    } else if (text.startsWith('*/', j)) {
      nest--;
      s.column += 2;
      j++;
      if (nest === 0) return j + 1;
    } else if (text[j] === '\n') newline(s, false);
    else s.column++;
  }
  return text.length;
}

/** Scans from the start of the text to `stop`, one lexer step at a time. */
function scan(text: string, stop: number, s: Scan): number {
  let i = 0;
  while (i < stop) {
    const c = text[i]!;
    if (c === '"') i = string1(text, i, s, Infinity);
    else if (c === "'") i = string2(text, i, s, Infinity);
    else if (c === '$') i = scriptVar(text, i, s);
    else if (c === '#') {
      const nl = text.indexOf('\n', i);
      if (nl < 0) return text.length;
      newline(s, true);
      i = nl + 1;
    } else if (text.startsWith('/*', i)) i = blockComment(text, i, s);
    else {
      if (c === '\n') newline(s, true);
      else s.column++;
      i++;
    }
  }
  return i;
}

export interface OpensipsPosition {
  line: number;
  start: number;
  end: number;
}

/** OpenSIPS's `LINE:C1-C2` for the token that starts at `offset` and ends at `endOffset`. */
export function opensipsPosition(text: string, offset: number, endOffset: number): OpensipsPosition {
  const s: Scan = { column: 1, line: 1, physical: 1 };
  const at = scan(text, offset, s);
  return { line: s.line, ...tokenColumns(text, offset, endOffset, s, at) };
}

function tokenColumns(
  text: string,
  offset: number,
  endOffset: number,
  s: Scan,
  at: number,
): { start: number; end: number } {
  if (at !== offset) return { start: s.column, end: s.column + 1 }; // inside a construct: the position reached
  const c = text[offset];
  if (c === '"' || c === "'") {
    // A string token is returned at its closing quote: count() runs there last.
    const before: Scan = { ...s };
    const end = c === '"' ? string1(text, offset, before, endOffset) : string2(text, offset, before, endOffset);
    return end === endOffset
      ? { start: before.column - 1, end: before.column }
      : { start: s.column, end: before.column };
  }
  const start = s.column;
  if (c === '$') scriptVar(text, offset, s);
  else for (const ch of text.slice(offset, Math.max(endOffset, offset + 1))) s.column = ch === '\n' ? 1 : s.column + 1;
  return { start, end: s.column };
}
