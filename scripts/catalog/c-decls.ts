// Top-level C declarations from a preprocessed token stream: variable
// declarations (with initializers), function definitions (bodies), struct
// member lists and enum constants; plus a parser for brace initializers.

import type { Tok } from './c-lexer.js';
import { tryEval } from './c-eval.js';

export interface Decl {
  name: string;
  /** type specifier tokens (e.g. `static cmd_export_t`) */
  typeToks: Tok[];
  /** the declarator part (`*name[]` ...) without the initializer */
  declarator: Tok[];
  init: Tok[] | null;
  isExtern: boolean;
}

export interface StructMember {
  name: string;
  /** base type name (last type word), '*' appended for pointers */
  type: string;
}

export interface TopLevel {
  decls: Decl[];
  funcs: Map<string, Tok[]>;
  structs: Map<string, StructMember[]>;
  /** typedef name -> struct tag (for `typedef struct tag name;`) */
  typedefs: Map<string, string>;
  enums: Map<string, bigint>;
}

const QUALIFIERS = new Set([
  'static',
  'extern',
  'const',
  'volatile',
  'struct',
  'union',
  'enum',
  'unsigned',
  'signed',
  'register',
  'inline',
  '__inline',
]);

/** the base type word of type tokens: `static const struct foo` -> foo */
export function baseTypeName(typeToks: readonly Tok[]): string | undefined {
  const words = typeToks.filter((t) => t.kind === 'id' && !QUALIFIERS.has(t.value));
  return words[words.length - 1]?.value;
}

const OPEN = new Set(['(', '[', '{']);
const CLOSE = new Set([')', ']', '}']);

function isP(t: Tok | undefined, v: string): boolean {
  return !!t && t.kind === 'punct' && t.value === v;
}

/** index of the token matching the opener at `start` */
export function matchClose(toks: readonly Tok[], start: number): number {
  let depth = 0;
  for (let j = start; j < toks.length; j++) {
    const t = toks[j]!;
    if (t.kind !== 'punct') continue;
    if (OPEN.has(t.value)) depth++;
    else if (CLOSE.has(t.value) && --depth === 0) return j;
  }
  return toks.length - 1;
}

/** split on top-level occurrences of a punctuator */
export function splitTop(toks: readonly Tok[], sep: string): Tok[][] {
  const parts: Tok[][] = [[]];
  let depth = 0;
  for (const t of toks) {
    if (t.kind === 'punct' && OPEN.has(t.value)) depth++;
    else if (t.kind === 'punct' && CLOSE.has(t.value)) depth--;
    if (depth === 0 && t.kind === 'punct' && t.value === sep) {
      parts.push([]);
      continue;
    }
    parts[parts.length - 1]!.push(t);
  }
  return parts;
}

function topIndex(toks: readonly Tok[], v: string): number {
  let depth = 0;
  for (let j = 0; j < toks.length; j++) {
    const t = toks[j]!;
    if (t.kind === 'punct' && OPEN.has(t.value)) depth++;
    else if (t.kind === 'punct' && CLOSE.has(t.value)) depth--;
    else if (depth === 0 && t.kind === 'punct' && t.value === v) return j;
  }
  return -1;
}

/** name declared by a declarator such as `*foo[3]` or `(*foo)(int)` */
function declaredName(decl: readonly Tok[]): string | undefined {
  let depth = 0;
  let name: string | undefined;
  for (let j = 0; j < decl.length; j++) {
    const t = decl[j]!;
    if (t.kind === 'punct' && OPEN.has(t.value)) {
      if (t.value === '(' && depth === 0 && isP(decl[j + 1], '*')) {
        const inner = decl.slice(j + 1, matchClose(decl, j)).filter((x) => x.kind === 'id');
        if (inner.length) return inner[inner.length - 1]!.value;
      }
      depth++;
      continue;
    }
    if (t.kind === 'punct' && CLOSE.has(t.value)) {
      depth--;
      continue;
    }
    if (depth !== 0 || t.kind !== 'id' || /^(__attribute__|struct|enum|union)$/.test(t.value)) continue;
    if (/^(struct|enum|union)$/.test(decl[j - 1]?.value ?? '')) continue; // a tag, not a name
    name = t.value;
  }
  return name;
}

function parseEnumBody(body: readonly Tok[], enums: Map<string, bigint>): void {
  let next = 0n;
  for (const part of splitTop(body, ',')) {
    const name = part[0];
    if (!name || name.kind !== 'id') continue;
    if (isP(part[1], '=')) {
      const v = tryEval(part.slice(2), { resolveId: (n) => enums.get(n) });
      if (typeof v === 'bigint') next = v;
    }
    enums.set(name.value, next);
    next += 1n;
  }
}

function structMembers(body: readonly Tok[]): StructMember[] {
  const members: StructMember[] = [];
  for (const stmt of splitTop(body, ';')) {
    if (!stmt.length) continue;
    const parts = splitTop(stmt, ',');
    let type = '';
    parts.forEach((d, idx) => {
      const clean = d.filter((t) => !(t.kind === 'punct' && t.value === ':'));
      const name = declaredName(clean);
      if (!name) return;
      const at = clean.findIndex((t) => t.kind === 'id' && t.value === name);
      if (idx === 0) type = baseTypeName(clean.slice(0, at).filter((t) => t.value !== '*')) ?? '';
      const ptr = clean.slice(0, at).some((t) => t.value === '*');
      members.push({ name, type: ptr ? `${type}*` : type });
    });
  }
  return members;
}

/** Walk the top level of a translation unit. */
export function scanTopLevel(toks: readonly Tok[]): TopLevel {
  const res: TopLevel = { decls: [], funcs: new Map(), structs: new Map(), typedefs: new Map(), enums: new Map() };
  let stmt: Tok[] = [];
  let i = 0;
  const flush = (): void => {
    if (stmt.length) handleStatement(stmt, res);
    stmt = [];
  };
  while (i < toks.length) {
    const t = toks[i]!;
    if (isP(t, ';')) {
      flush();
      i++;
      continue;
    }
    if (t.kind === 'punct' && OPEN.has(t.value)) {
      const end = matchClose(toks, i);
      const group = toks.slice(i, end + 1);
      if (t.value === '{' && looksLikeFunction(stmt)) {
        const name = functionName(stmt);
        if (name) res.funcs.set(name, group.slice(1, -1));
        stmt = [];
        i = end + 1;
        continue;
      }
      stmt.push(...group);
      i = end + 1;
      continue;
    }
    stmt.push(t);
    i++;
  }
  flush();
  return res;
}

function looksLikeFunction(stmt: readonly Tok[]): boolean {
  if (topIndex(stmt, '=') >= 0) return false;
  const last = stmt[stmt.length - 1];
  if (!last) return false;
  // `type name(args) {` possibly followed by attribute macros
  return (
    stmt.some((t, k) => isP(t, '(') && k > 0 && stmt[k - 1]!.kind === 'id') && (isP(last, ')') || last.kind === 'id')
  );
}

function functionName(stmt: readonly Tok[]): string | undefined {
  for (let k = 1; k < stmt.length; k++) {
    if (isP(stmt[k], '(') && stmt[k - 1]!.kind === 'id') {
      const prev = stmt[k - 1]!.value;
      if (prev !== '__attribute__') return prev;
    }
  }
  return undefined;
}

function handleStatement(stmt: Tok[], res: TopLevel): void {
  // enum / struct bodies anywhere in the statement
  for (let k = 0; k < stmt.length; k++) {
    const t = stmt[k]!;
    if (t.kind !== 'id' || (t.value !== 'enum' && t.value !== 'struct')) continue;
    let j = k + 1;
    const tag = stmt[j]?.kind === 'id' ? stmt[j++]!.value : undefined;
    if (!isP(stmt[j], '{')) continue;
    const end = matchClose(stmt, j);
    const body = stmt.slice(j + 1, end);
    if (t.value === 'enum') {
      parseEnumBody(body, res.enums);
      k = end;
    } else {
      const members = structMembers(body);
      if (tag) res.structs.set(tag, members);
      // typedef struct {...} name;
      if (stmt[0]?.value === 'typedef') {
        const alias = stmt
          .slice(end + 1)
          .filter((x) => x.kind === 'id')
          .pop();
        if (alias) res.structs.set(alias.value, members);
      }
      k = j; // keep scanning inside: nested enums
    }
  }
  if (stmt[0]?.value === 'typedef') {
    // typedef struct tag alias;
    if (
      (stmt[1]?.value === 'struct' || stmt[1]?.value === 'union') &&
      stmt[2]?.kind === 'id' &&
      stmt[3]?.kind === 'id'
    ) {
      res.typedefs.set(stmt[3].value, stmt[2].value);
    }
    return;
  }
  const parts = splitTop(stmt, ',');
  let typeToks: Tok[] = [];
  parts.forEach((part, idx) => {
    const eq = topIndex(part, '=');
    const left = eq >= 0 ? part.slice(0, eq) : part;
    const name = declaredName(left);
    if (!name) return;
    if (idx === 0) {
      // type = everything before the declared name's first pointer/ident
      const at = left.findIndex((t) => t.kind === 'id' && t.value === name);
      let cut = at;
      while (cut > 0 && isP(left[cut - 1], '*')) cut--;
      typeToks = left.slice(0, Math.max(cut, 0));
    }
    const declarator = idx === 0 ? left.slice(typeToks.length) : left;
    if (declarator.some((t) => isP(t, '(')) && eq < 0) return; // prototype
    res.decls.push({
      name,
      typeToks,
      declarator,
      init: eq >= 0 ? part.slice(eq + 1) : null,
      isExtern: typeToks.some((t) => t.value === 'extern'),
    });
  });
}

// --------------------------------------------------------- initializer tree

export type InitNode =
  { kind: 'list'; items: InitNode[]; designator?: string } | { kind: 'expr'; toks: Tok[]; designator?: string };

/** Parse an initializer (`{...}` or expression) into a tree. */
export function parseInit(toks: readonly Tok[]): InitNode {
  let body = [...toks];
  let designator: string | undefined;
  // designated initializer: .field = value
  if (isP(body[0], '.') && body[1]?.kind === 'id' && isP(body[2], '=')) {
    designator = body[1].value;
    body = body.slice(3);
  }
  // compound literal / cast before a brace list: (type){...}
  if (isP(body[0], '(')) {
    const close = matchClose(body, 0);
    if (isP(body[close + 1], '{') && matchClose(body, close + 1) === body.length - 1) body = body.slice(close + 1);
  }
  if (isP(body[0], '{') && matchClose(body, 0) === body.length - 1) {
    const inner = body.slice(1, -1);
    const parts = splitTop(inner, ',');
    if (parts.length && parts[parts.length - 1]!.length === 0) parts.pop(); // trailing comma
    const node: InitNode = { kind: 'list', items: parts.map(parseInit) };
    if (designator) node.designator = designator;
    return node;
  }
  const node: InitNode = { kind: 'expr', toks: body };
  if (designator) node.designator = designator;
  return node;
}

/** string value of a node: string literal(s), or first element of a list */
export function nodeString(n: InitNode | undefined): string | null | undefined {
  if (!n) return undefined;
  if (n.kind === 'list') return nodeString(n.items[0]);
  const v = tryEval(n.toks);
  if (typeof v === 'string') return v;
  if (v === 0n) return null;
  return undefined;
}

/** true when an element is a NULL / 0 / empty placeholder */
export function isZero(n: InitNode | undefined): boolean {
  if (!n) return true;
  if (n.kind === 'list') return n.items.length === 0 || n.items.every(isZero);
  if (n.toks.length === 0) return true;
  return tryEval(n.toks) === 0n;
}
