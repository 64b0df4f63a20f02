// Custom token matchers for the parts of the OpenSIPS 3.3 lexer (cfg.lex)
// that a regular expression cannot express: nested block comments and the
// SCRIPTVARS state that reads a pseudo-variable up to its end.

/** `/* ... *\/`, nestable; an unterminated one runs to the end of input. */
export function matchBlockComment(text: string, offset: number): RegExpExecArray | null {
  if (text.charCodeAt(offset) !== 0x2f || text.charCodeAt(offset + 1) !== 0x2a) return null;
  let depth = 0;
  let i = offset;
  while (i < text.length) {
    if (text.startsWith('/*', i)) {
      depth++;
      i += 2;
      continue;
    }
    if (text.startsWith('*/', i)) {
      depth--;
      i += 2;
      if (depth === 0) return execResult(text.slice(offset, i));
      continue;
    }
    i++;
  }
  return execResult(text.slice(offset)); // unterminated: the parser layer reports it
}

// Operators that end a pseudo-variable outside parentheses (cfg.lex SCRIPTVARS:
// SEMICOLON, COMMA, ASSIGNOP, ARITHOP, BITOP, LOGOP). Words count too: flex
// prefers the longer `and`/`or`/`not` match over the single-character rule.
const PV_TERMINATORS = [
  ':=',
  '+=',
  '-=',
  '/=',
  '*=',
  '%=',
  '&=',
  '|=',
  '^=',
  '==',
  '!=',
  '=~',
  '!~',
  '>=',
  '<=',
  '<<',
  '>>',
  '&&',
  '||',
  'and',
  'or',
  'not',
  ';',
  ',',
  '=',
  '+',
  '-',
  '/',
  '*',
  '%',
  '&',
  '|',
  '^',
  '~',
  '>',
  '<',
  '!',
];

function terminatorAt(text: string, i: number): boolean {
  for (const t of PV_TERMINATORS) if (text.startsWith(t, i)) return true;
  return false;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

/**
 * A pseudo-variable token as 3.3 reads it: from `$`, parentheses nest, and
 * outside them the token ends at white space, an operator or an unmatched `)`.
 * One extension: a `[index]` glued to a closing `)` (`$avp(x)[2]`) is kept in
 * the token so that the cfg layer can explain that 3.3 wants `$(avp(x)[2])`.
 */
export function matchPseudoVariable(text: string, offset: number): RegExpExecArray | null {
  if (text.charCodeAt(offset) !== 0x24) return null;
  let depth = 0;
  let i = offset + 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x28) {
      depth++;
      i++;
      continue;
    }
    if (c === 0x29) {
      if (depth === 0) break;
      if (depth === 1) {
        i++;
        i = gluedIndexEnd(text, i);
        break;
      }
      depth--;
      i++;
      continue;
    }
    if (depth === 0 && (isSpace(c) || terminatorAt(text, i))) break;
    i++;
  }
  if (i === offset + 1) return execResult('$'); // a lone `$`: the cfg layer reports it
  return execResult(text.slice(offset, i));
}

function gluedIndexEnd(text: string, i: number): number {
  if (text.charCodeAt(i) !== 0x5b) return i;
  const close = text.indexOf(']', i);
  if (close < 0) return i;
  const inner = text.slice(i + 1, close);
  return /^[-\w*$().]*$/.test(inner) ? close + 1 : i;
}

function execResult(image: string): RegExpExecArray {
  const r = [image] as unknown as RegExpExecArray;
  return r;
}
