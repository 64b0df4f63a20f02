// Constant-expression evaluator for already macro-expanded C tokens.
// Integers are computed with BigInt (C semantics for shifts/bit ops are close
// enough for flag words); adjacent string literals concatenate.

import type { Tok } from './c-lexer.js';

export class EvalError extends Error {}

export type CValue = bigint | string;

export interface EvalOptions {
  /** value of a bare identifier (enum constant...); undefined = unknown */
  resolveId?: (name: string) => bigint | undefined;
  /** #if semantics: unknown identifiers evaluate to 0 */
  unknownIsZero?: boolean;
}

const TYPE_WORDS = new Set([
  'int',
  'unsigned',
  'signed',
  'long',
  'short',
  'char',
  'void',
  'const',
  'volatile',
  'float',
  'double',
  'str',
  'size_t',
  'struct',
  'enum',
  'union',
  'bool',
  '_Bool',
]);
const SIZEOF: Record<string, number> = {
  char: 1,
  short: 2,
  int: 4,
  unsigned: 4,
  long: 8,
  float: 4,
  double: 8,
  str: 16,
  size_t: 8,
};

function isTypeWord(t: Tok | undefined): boolean {
  return !!t && t.kind === 'id' && (TYPE_WORDS.has(t.value) || /_t$/.test(t.value));
}

/** parse a C integer literal (with U/L suffixes), or a char literal */
export function parseIntLiteral(t: Tok): bigint {
  if (t.kind === 'char') return BigInt(t.value.length ? t.value.charCodeAt(0) : 0);
  const m = /^(0[xX][0-9a-fA-F]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)[uUlL]*$/.exec(t.value);
  if (!m) throw new EvalError(`not an integer literal: ${t.value}`);
  const body = m[1]!;
  if (/^0[0-7]+$/.test(body)) return BigInt('0o' + body.slice(1));
  return BigInt(body);
}

const BINARY_PREC: Record<string, number> = {
  '||': 1,
  '&&': 2,
  '|': 3,
  '^': 4,
  '&': 5,
  '==': 6,
  '!=': 6,
  '<': 7,
  '>': 7,
  '<=': 7,
  '>=': 7,
  '<<': 8,
  '>>': 8,
  '+': 9,
  '-': 9,
  '*': 10,
  '/': 10,
  '%': 10,
};

class Parser {
  private i = 0;
  constructor(
    private readonly toks: readonly Tok[],
    private readonly opts: EvalOptions,
  ) {}

  private peek(o = 0): Tok | undefined {
    return this.toks[this.i + o];
  }
  private next(): Tok {
    const t = this.toks[this.i++];
    if (!t) throw new EvalError('unexpected end of expression');
    return t;
  }
  private expect(v: string): void {
    const t = this.next();
    if (t.value !== v || t.kind !== 'punct') throw new EvalError(`expected '${v}', got '${t.value}'`);
  }

  parseAll(): CValue {
    const v = this.ternary();
    if (this.i < this.toks.length) throw new EvalError(`trailing tokens at '${this.toks[this.i]!.value}'`);
    return v;
  }

  private ternary(): CValue {
    const c = this.binary(1);
    if (this.peek()?.value === '?') {
      this.next();
      const a = this.ternary();
      this.expect(':');
      const b = this.ternary();
      return toInt(c) !== 0n ? a : b;
    }
    return c;
  }

  private binary(minPrec: number): CValue {
    let left = this.unary();
    for (;;) {
      const t = this.peek();
      const prec = t && t.kind === 'punct' ? BINARY_PREC[t.value] : undefined;
      if (prec === undefined || prec < minPrec) return left;
      this.next();
      const right = this.binary(prec + 1);
      left = applyBinary(t!.value, left, right);
    }
  }

  /** '(' type-words [*...] ')' ahead? returns index after ')' or -1 */
  private castEnd(): number {
    if (this.peek()?.value !== '(') return -1;
    let j = this.i + 1;
    let sawType = false;
    while (j < this.toks.length) {
      const t = this.toks[j]!;
      if (t.kind === 'id' && (isTypeWord(t) || sawType)) {
        sawType = true;
        j++;
        continue;
      }
      if (t.value === '*' && sawType) {
        j++;
        continue;
      }
      break;
    }
    if (!sawType || this.toks[j]?.value !== ')') return -1;
    return j + 1;
  }

  private unary(): CValue {
    const t = this.peek();
    if (!t) throw new EvalError('unexpected end of expression');
    if (t.kind === 'punct') {
      switch (t.value) {
        case '-':
          this.next();
          return -toInt(this.unary());
        case '+':
          this.next();
          return toInt(this.unary());
        case '!':
          this.next();
          return toInt(this.unary()) === 0n ? 1n : 0n;
        case '~':
          this.next();
          return ~toInt(this.unary());
        case '(': {
          const end = this.castEnd();
          if (end > 0 && this.toks[end] !== undefined) {
            this.i = end;
            return this.unary();
          }
          this.next();
          const v = this.ternary();
          this.expect(')');
          return v;
        }
      }
    }
    if (t.kind === 'id' && t.value === 'sizeof') return this.sizeOf();
    return this.primary();
  }

  private sizeOf(): CValue {
    this.next();
    const paren = this.peek()?.value === '(';
    if (paren) this.next();
    const t = this.next();
    let size: number | undefined;
    if (t.kind === 'str') size = Buffer.byteLength(t.value, 'latin1') + 1;
    else if (t.kind === 'id') {
      let words = [t.value];
      while (this.peek()?.kind === 'id') words.push(this.next().value);
      let ptr = false;
      while (this.peek()?.value === '*') {
        this.next();
        ptr = true;
      }
      words = words.filter((w) => w !== 'const' && w !== 'unsigned' && w !== 'signed');
      size = ptr ? 8 : SIZEOF[words[words.length - 1] ?? 'int'];
    }
    if (paren) this.expect(')');
    if (size === undefined) throw new EvalError('sizeof of unknown type');
    return BigInt(size);
  }

  private primary(): CValue {
    const t = this.next();
    if (t.kind === 'num' || t.kind === 'char') return parseIntLiteral(t);
    if (t.kind === 'str') {
      let s = t.value;
      while (this.peek()?.kind === 'str') s += this.next().value;
      return s;
    }
    if (t.kind === 'id') {
      const v = this.opts.resolveId?.(t.value);
      if (v !== undefined) return v;
      if (this.opts.unknownIsZero) {
        // an unknown function-like macro in #if: skip its argument list
        if (this.peek()?.value === '(') this.skipParens();
        return 0n;
      }
      throw new EvalError(`unresolved identifier ${t.value}`);
    }
    throw new EvalError(`unexpected token '${t.value}'`);
  }

  private skipParens(): void {
    let depth = 0;
    do {
      const t = this.next();
      if (t.value === '(') depth++;
      else if (t.value === ')') depth--;
    } while (depth > 0);
  }
}

function toInt(v: CValue): bigint {
  if (typeof v === 'string') throw new EvalError('string used as a number');
  return v;
}

function applyBinary(op: string, a: CValue, b: CValue): CValue {
  const x = toInt(a);
  const y = toInt(b);
  switch (op) {
    case '||':
      return x !== 0n || y !== 0n ? 1n : 0n;
    case '&&':
      return x !== 0n && y !== 0n ? 1n : 0n;
    case '|':
      return x | y;
    case '^':
      return x ^ y;
    case '&':
      return x & y;
    case '==':
      return x === y ? 1n : 0n;
    case '!=':
      return x !== y ? 1n : 0n;
    case '<':
      return x < y ? 1n : 0n;
    case '>':
      return x > y ? 1n : 0n;
    case '<=':
      return x <= y ? 1n : 0n;
    case '>=':
      return x >= y ? 1n : 0n;
    case '<<':
      return x << y;
    case '>>':
      return x >> y;
    case '+':
      return x + y;
    case '-':
      return x - y;
    case '*':
      return x * y;
    case '/':
      if (y === 0n) throw new EvalError('division by zero');
      return x / y;
    case '%':
      if (y === 0n) throw new EvalError('division by zero');
      return x % y;
  }
  throw new EvalError(`unknown operator ${op}`);
}

export function evalExpr(toks: readonly Tok[], opts: EvalOptions = {}): CValue {
  if (toks.length === 0) throw new EvalError('empty expression');
  return new Parser(toks, opts).parseAll();
}

/** evaluate, returning undefined instead of throwing */
export function tryEval(toks: readonly Tok[], opts: EvalOptions = {}): CValue | undefined {
  try {
    return evalExpr(toks, opts);
  } catch (e) {
    if (e instanceof EvalError) return undefined;
    throw e;
  }
}
