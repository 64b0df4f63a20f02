// A small C tokenizer: enough of C to read initializer tables, #defines and
// top-level declarations. Comments are dropped, line continuations are
// spliced, and each preprocessor directive becomes one 'pp' token whose
// value is the directive text without the leading '#'.

export type TokKind = 'id' | 'num' | 'str' | 'char' | 'punct' | 'pp';

export interface Tok {
  kind: TokKind;
  /** for 'str' and 'char': the decoded content; otherwise the source text */
  value: string;
  line: number;
  file: string;
}

const PUNCT3 = ['...', '<<=', '>>='];
const PUNCT2 = [
  '->',
  '++',
  '--',
  '<<',
  '>>',
  '<=',
  '>=',
  '==',
  '!=',
  '&&',
  '||',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '&=',
  '|=',
  '^=',
  '##',
];

const ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
  e: '\x1b',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '?': '?',
  '0': '\0',
};

function isIdStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c === '$';
}
function isIdChar(c: string): boolean {
  return isIdStart(c) || (c >= '0' && c <= '9');
}
function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

/** Decode the body of a C string/char literal (without quotes). */
export function decodeEscapes(body: string): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\' || i + 1 >= body.length) {
      out += c;
      continue;
    }
    const n = body[++i]!;
    if (n === 'x') {
      let hex = '';
      while (i + 1 < body.length && /[0-9a-fA-F]/.test(body[i + 1]!) && hex.length < 2) hex += body[++i];
      out += String.fromCharCode(parseInt(hex || '0', 16));
    } else if (n >= '0' && n <= '7') {
      let oct = n;
      while (i + 1 < body.length && /[0-7]/.test(body[i + 1]!) && oct.length < 3) oct += body[++i];
      out += String.fromCharCode(parseInt(oct, 8));
    } else {
      out += ESCAPES[n] ?? n;
    }
  }
  return out;
}

/** Remove backslash-newline pairs while keeping a line map. */
function splice(src: string): { text: string; lineOf: number[] } {
  let text = '';
  const lineOf: number[] = [];
  let line = 1;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\\' && (src[i + 1] === '\n' || (src[i + 1] === '\r' && src[i + 2] === '\n'))) {
      i += src[i + 1] === '\r' ? 2 : 1;
      line++;
      continue;
    }
    text += c;
    lineOf.push(line);
    if (c === '\n') line++;
  }
  return { text, lineOf };
}

/** `directives: false` lexes '#' as punctuation (macro bodies) */
export function lexC(source: string, file = '<input>', directives = true): Tok[] {
  const { text, lineOf } = splice(source);
  const toks: Tok[] = [];
  let i = 0;
  let atLineStart = true;
  const lineAt = (p: number): number => lineOf[Math.min(p, lineOf.length - 1)] ?? 1;
  const push = (kind: TokKind, value: string, at: number): void => {
    toks.push({ kind, value, line: lineAt(at), file });
  };

  /** skip a comment starting at p; returns new position, or -1 if none */
  const skipComment = (p: number): number => {
    if (text[p] === '/' && text[p + 1] === '*') {
      const end = text.indexOf('*/', p + 2);
      return end < 0 ? text.length : end + 2;
    }
    if (text[p] === '/' && text[p + 1] === '/') {
      const end = text.indexOf('\n', p);
      return end < 0 ? text.length : end;
    }
    return -1;
  };

  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n') {
      atLineStart = true;
      i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
      i++;
      continue;
    }
    const afterComment = skipComment(i);
    if (afterComment >= 0) {
      i = afterComment;
      continue;
    }

    if (c === '#' && atLineStart && directives) {
      // directive: up to end of line, dropping comments, keeping strings intact
      const start = i;
      let body = '';
      i++;
      while (i < text.length && text[i] !== '\n') {
        const ac = skipComment(i);
        if (ac >= 0) {
          body += ' ';
          i = ac;
          continue;
        }
        const ch = text[i]!;
        if (ch === '"' || ch === "'") {
          let j = i + 1;
          while (j < text.length && text[j] !== ch && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
          body += text.slice(i, j + 1);
          i = j + 1;
          continue;
        }
        body += ch;
        i++;
      }
      push('pp', body.trim(), start);
      continue;
    }
    atLineStart = false;

    if (isIdStart(c)) {
      let j = i + 1;
      while (j < text.length && isIdChar(text[j]!)) j++;
      const word = text.slice(i, j);
      // string/char prefixes: L"..", u8"..", u"..", U".."
      if ((word === 'L' || word === 'u8' || word === 'u' || word === 'U') && (text[j] === '"' || text[j] === "'")) {
        i = j;
        continue;
      }
      push('id', word, i);
      i = j;
      continue;
    }
    if (isDigit(c) || (c === '.' && isDigit(text[i + 1] ?? ''))) {
      let j = i + 1;
      while (j < text.length) {
        const d = text[j]!;
        if (isIdChar(d) || d === '.') {
          j++;
          continue;
        }
        if ((d === '+' || d === '-') && /[eEpP]/.test(text[j - 1]!)) {
          j++;
          continue;
        }
        break;
      }
      push('num', text.slice(i, j), i);
      i = j;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < text.length && text[j] !== c) {
        if (text[j] === '\n') break; // unterminated: stop at end of line
        j += text[j] === '\\' ? 2 : 1;
      }
      push(c === '"' ? 'str' : 'char', decodeEscapes(text.slice(i + 1, j)), i);
      i = j + 1;
      continue;
    }
    const three = text.slice(i, i + 3);
    if (PUNCT3.includes(three)) {
      push('punct', three, i);
      i += 3;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (PUNCT2.includes(two)) {
      push('punct', two, i);
      i += 2;
      continue;
    }
    push('punct', c, i);
    i++;
  }
  return toks;
}

/** Render tokens back to compact C-ish text (for raw expressions in the catalog). */
export function tokText(toks: readonly Tok[]): string {
  let out = '';
  let prev: Tok | undefined;
  for (const t of toks) {
    const v = t.kind === 'str' ? JSON.stringify(t.value) : t.kind === 'char' ? `'${t.value}'` : t.value;
    const wordy = (x: Tok | undefined): boolean => !!x && (x.kind === 'id' || x.kind === 'num');
    if (prev && wordy(prev) && wordy(t)) out += ' ';
    else if (prev && (t.value === '|' || prev.value === '|' || prev.value === ','))
      out += prev.value === ',' ? ' ' : '';
    out += v;
    prev = t;
  }
  return out;
}
