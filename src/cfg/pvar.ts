// Reads pseudo-variable specs and format strings the way OpenSIPS 3.3's
// pv_parse_spec / pv_parse_format do: `$name`, `$name(inner)`, `$(name)`,
// `$(name(inner)[index]{tr.a}{tr.b,arg})`, `$<context>name`, `$$`.
import type { FormatPart, PVarSpec, Transformation } from './ast.js';

export interface PVarParse {
  spec?: PVarSpec;
  /** Offset just past the spec inside the text. */
  end: number;
  error?: string;
}

function isNameChar(c: string | undefined): boolean {
  return c !== undefined && /[0-9a-zA-Z_.]/.test(c);
}

/** Index of the bracket closing the one opened just before `from`, or -1. */
function closing(text: string, from: number, open: string, close: string): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    if (text[i] === close) {
      if (depth === 0) return i;
      depth--;
    } else if (text[i] === open) depth++;
  }
  return -1;
}

export function parsePVarSpec(text: string, start = 0): PVarParse {
  if (text[start] !== '$') return { end: start, error: 'a pseudo-variable starts with `$`' };
  let p = start + 1;
  const bracketed = text[p] === '(';
  if (bracketed) p++;
  if (text[p] === '$') {
    p++;
    if (bracketed) {
      if (text[p] !== ')') return { end: p, error: 'expected `)` after `$($`' };
      p++;
    }
    return { spec: { name: '$', transforms: [], bracketed }, end: p };
  }
  if (text[p] === '<') {
    const close = text.indexOf('>', p);
    if (close < 0) return { end: p, error: 'unclosed `<context>` in pseudo-variable' };
    p = close + 1;
  }
  const nameStart = p;
  while (isNameChar(text[p])) p++;
  const spec: PVarSpec = { name: text.slice(nameStart, p), transforms: [], bracketed };
  if (spec.name === '') return { end: p, error: 'pseudo-variable name expected after `$`' };

  if (text[p] === '(') {
    const close = closing(text, p + 1, '(', ')');
    if (close < 0) return { end: text.length, error: `unclosed \`(\` in \`$${spec.name}(\`` };
    spec.inner = text.slice(p + 1, close);
    if (spec.inner === '') return { end: close + 1, error: `\`$${spec.name}\` does not take an empty name` };
    p = close + 1;
    if (!bracketed) return { spec, end: p };
  } else if (!bracketed) {
    return { spec, end: p };
  }
  if (text[p] === '[') {
    const close = closing(text, p + 1, '[', ']');
    if (close < 0 || close === p + 1) return { end: p, error: `bad index in \`$(${spec.name}\`` };
    spec.index = text.slice(p + 1, close);
    p = close + 1;
  }
  while (text[p] === '{') {
    const close = closing(text, p + 1, '{', '}');
    if (close < 0) return { end: text.length, error: 'unclosed `{` in transformation' };
    spec.transforms.push(parseTransformation(text.slice(p + 1, close)));
    p = close + 1;
    while (text[p] === ' ' || text[p] === '\t') p++;
  }
  if (text[p] !== ')') return { end: p, error: `expected \`)\` to close \`$(${spec.name}\`` };
  return { spec, end: p + 1 };
}

/** `class.method,arg1,arg2` with commas split only at nesting depth 0. */
function parseTransformation(body: string): Transformation {
  const pieces: string[] = [];
  let depth = 0;
  let last = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '(' || c === '{' || c === '[') depth++;
    else if (c === ')' || c === '}' || c === ']') depth--;
    else if (c === ',' && depth === 0) {
      pieces.push(body.slice(last, i));
      last = i + 1;
    }
  }
  pieces.push(body.slice(last));
  const [name = '', ...args] = pieces;
  return { name: name.trim(), args: args.map((a) => parseFormat(a).parts) };
}

/**
 * A whole pseudo-variable token as the lexer cut it. 3.3 ignores what follows
 * a complete spec in the token; we report it, since it is always a mistake.
 */
export function parsePVarToken(text: string): PVarParse {
  const r = parsePVarSpec(text, 0);
  if (r.error || !r.spec) return r;
  if (r.end < text.length) {
    const rest = text.slice(r.end);
    if (!r.spec.bracketed && rest.startsWith('[') && rest.endsWith(']')) {
      r.spec.index = rest.slice(1, -1);
      r.spec.looseIndex = true;
      return { spec: r.spec, end: text.length };
    }
    return { ...r, error: `unexpected \`${rest}\` after \`${text.slice(0, r.end)}\`` };
  }
  return r;
}

export interface FormatParse {
  parts: FormatPart[];
  errors: { offset: number; message: string }[];
}

/** Split a format string into text and pseudo-variables (pv_parse_format). */
export function parseFormat(text: string): FormatParse {
  const parts: FormatPart[] = [];
  const errors: FormatParse['errors'] = [];
  let p = 0;
  let literal = '';
  while (p < text.length) {
    const dollar = text.indexOf('$', p);
    if (dollar < 0) {
      literal += text.slice(p);
      break;
    }
    literal += text.slice(p, dollar);
    const r = parsePVarSpec(text, dollar);
    if (r.error || !r.spec) {
      errors.push({ offset: dollar, message: r.error ?? 'bad pseudo-variable' });
      literal += '$';
      p = dollar + 1;
      continue;
    }
    if (literal) parts.push(literal);
    literal = '';
    parts.push(r.spec);
    p = r.end;
  }
  if (literal) parts.push(literal);
  return { parts, errors };
}

/** The canonical text of a spec, for printing. */
export function printPVarSpec(spec: PVarSpec): string {
  if (spec.name === '$') return spec.bracketed ? '$($)' : '$$';
  const inner = spec.inner !== undefined ? `(${spec.inner})` : '';
  const index = spec.index !== undefined ? `[${spec.index}]` : '';
  const tr = spec.transforms.map((t) => `{${[t.name, ...t.args.map(printFormat)].join(',')}}`).join('');
  if (spec.looseIndex) return `$${spec.name}${inner}${index}`;
  return spec.bracketed ? `$(${spec.name}${inner}${index}${tr})` : `$${spec.name}${inner}`;
}

export function printFormat(parts: FormatPart[]): string {
  return parts.map((p) => (typeof p === 'string' ? p : printPVarSpec(p))).join('');
}
