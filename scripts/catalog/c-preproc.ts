// A forgiving C preprocessor: follows quoted #includes, honours
// #if/#ifdef/#elif/#else/#endif against a set of predefined macros, records
// #defines, and offers a macro expander for later, lazy use on the pieces of
// code we care about (the export tables). It never fails hard: missing
// includes and odd directives are recorded and skipped.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { lexC, tokText, type Tok } from './c-lexer.js';
import { EvalError, evalExpr } from './c-eval.js';

export interface Macro {
  name: string;
  /** null for object-like macros */
  params: string[] | null;
  variadic: boolean;
  body: Tok[];
}

export type MacroTable = Map<string, Macro>;

/** A token produced by macro expansion carries the names it came through. */
type XTok = Tok & { hide?: ReadonlySet<string> };

const lexCache = new Map<string, Tok[]>();
const defineCache = new WeakMap<Tok, Macro>();

export function lexFile(path: string): Tok[] {
  let toks = lexCache.get(path);
  if (!toks) {
    toks = lexC(readFileSync(path, 'latin1'), path);
    lexCache.set(path, toks);
  }
  return toks;
}

export function parseDefine(text: string, file = '<define>'): Macro | undefined {
  // text is "define NAME..." without '#'
  const m = /^define\s+([A-Za-z_$][\w$]*)(\()?/.exec(text);
  if (!m) return undefined;
  const name = m[1]!;
  let rest = text.slice(m[0].length);
  let params: string[] | null = null;
  let variadic = false;
  if (m[2]) {
    const close = rest.indexOf(')');
    if (close < 0) return undefined;
    params = [];
    for (let p of rest.slice(0, close).split(',')) {
      p = p.trim();
      if (!p) continue;
      if (p === '...') {
        variadic = true;
        params.push('__VA_ARGS__');
        continue;
      }
      if (p.endsWith('...')) {
        variadic = true;
        params.push(p.slice(0, -3).trim());
        continue;
      }
      params.push(p);
    }
    rest = rest.slice(close + 1);
  }
  const body = lexC(rest, file, false);
  return { name, params, variadic, body };
}

export interface PreprocessOptions {
  /** directories searched for "quoted" includes after the includer's own dir */
  includeDirs: string[];
  /** macros assumed defined (e.g. from the build's DEFS) */
  predefined: Record<string, string>;
  /** only follow includes that resolve under this directory */
  sandbox: string;
  maxDepth?: number;
}

export interface TranslationUnit {
  file: string;
  toks: Tok[];
  /** last definition seen for every macro name (ignores #undef, for lazy expansion) */
  macros: MacroTable;
  included: string[];
  missingIncludes: string[];
}

export function preprocess(file: string, opts: PreprocessOptions): TranslationUnit {
  const live: MacroTable = new Map();
  const last: MacroTable = new Map();
  for (const [k, v] of Object.entries(opts.predefined)) {
    const m = parseDefine(`define ${k} ${v}`);
    if (m) {
      live.set(k, m);
      last.set(k, m);
    }
  }
  const out: Tok[] = [];
  const included: string[] = [];
  const missing = new Set<string>();
  const maxDepth = opts.maxDepth ?? 40;

  const resolveInclude = (name: string, from: string): string | undefined => {
    for (const dir of [dirname(from), ...opts.includeDirs]) {
      const p = resolve(dir, name);
      if (!p.startsWith(opts.sandbox)) continue;
      if (existsSync(p) && statSync(p).isFile()) return p;
    }
    return undefined;
  };

  const evalCond = (expr: string, at: string): boolean => {
    // replace defined(X) / defined X before expansion
    const toks = lexC(expr, at);
    const pre: Tok[] = [];
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i]!;
      if (t.kind === 'id' && t.value === 'defined') {
        let name: Tok | undefined;
        if (toks[i + 1]?.value === '(') {
          name = toks[i + 2];
          i += 3;
        } else {
          name = toks[i + 1];
          i += 1;
        }
        pre.push({ kind: 'num', value: name && live.has(name.value) ? '1' : '0', line: t.line, file: t.file });
        continue;
      }
      pre.push(t);
    }
    try {
      return evalExpr(expandMacros(pre, live), { unknownIsZero: true }) !== 0n;
    } catch (e) {
      if (e instanceof EvalError) return false;
      throw e;
    }
  };

  const run = (path: string, depth: number): void => {
    included.push(path);
    // stack of [active, anyBranchTaken, parentActive]
    const stack: Array<{ active: boolean; taken: boolean; parent: boolean }> = [];
    const active = (): boolean => stack.every((s) => s.active);
    for (const t of lexFile(path)) {
      if (t.kind !== 'pp') {
        if (active()) out.push(t);
        continue;
      }
      const m = /^(\w+)\s*([\s\S]*)$/.exec(t.value);
      if (!m) continue; // null directive '#'
      const [, dir, arg = ''] = m;
      switch (dir) {
        case 'if':
        case 'ifdef':
        case 'ifndef': {
          const parent = active();
          let cond = false;
          if (parent) {
            if (dir === 'ifdef') cond = live.has(arg.trim().split(/\s/)[0] ?? '');
            else if (dir === 'ifndef') cond = !live.has(arg.trim().split(/\s/)[0] ?? '');
            else cond = evalCond(arg, path);
          }
          stack.push({ active: parent && cond, taken: cond, parent });
          break;
        }
        case 'elif': {
          const top = stack[stack.length - 1];
          if (!top) break;
          const cond = top.parent && !top.taken && evalCond(arg, path);
          top.active = cond;
          top.taken ||= cond;
          break;
        }
        case 'else': {
          const top = stack[stack.length - 1];
          if (!top) break;
          top.active = top.parent && !top.taken;
          top.taken = true;
          break;
        }
        case 'endif':
          stack.pop();
          break;
        default: {
          if (!active()) break;
          if (dir === 'define') {
            let mac = defineCache.get(t);
            if (!mac) {
              mac = parseDefine(t.value, path);
              if (mac) defineCache.set(t, mac);
            }
            if (mac) {
              live.set(mac.name, mac);
              last.set(mac.name, mac);
            }
          } else if (dir === 'undef') {
            live.delete(arg.trim());
          } else if (dir === 'include') {
            const q = /^"([^"]+)"/.exec(arg.trim());
            if (!q) break; // <system> header or computed include
            const target = resolveInclude(q[1]!, path);
            if (!target) {
              missing.add(q[1]!);
              break;
            }
            if (depth < maxDepth) run(target, depth + 1);
          }
        }
      }
    }
  };

  run(resolve(file), 0);
  return { file: resolve(file), toks: out, macros: last, included, missingIncludes: [...missing] };
}

// ---------------------------------------------------------------- expansion

function stringize(arg: readonly Tok[], at: Tok): Tok {
  return { kind: 'str', value: tokText(arg), line: at.line, file: at.file };
}

function paste(a: Tok, b: Tok): Tok[] {
  const text =
    (a.kind === 'str' ? JSON.stringify(a.value) : a.value) + (b.kind === 'str' ? JSON.stringify(b.value) : b.value);
  return lexC(text, a.file, false).map((t) => ({ ...t, line: a.line }));
}

/** split macro call arguments; toks[start] must be '(' ; returns args and index after ')' */
function collectArgs(toks: readonly XTok[], start: number): { args: XTok[][]; end: number } | undefined {
  const args: XTok[][] = [[]];
  let depth = 0;
  for (let j = start; j < toks.length; j++) {
    const t = toks[j]!;
    if (t.kind === 'punct' && (t.value === '(' || t.value === '[' || t.value === '{')) {
      depth++;
      if (depth === 1 && t.value === '(') continue;
    } else if (t.kind === 'punct' && (t.value === ')' || t.value === ']' || t.value === '}')) {
      depth--;
      if (depth === 0) return { args, end: j + 1 };
    } else if (depth === 1 && t.kind === 'punct' && t.value === ',') {
      args.push([]);
      continue;
    }
    args[args.length - 1]!.push(t);
  }
  return undefined;
}

function substitute(mac: Macro, args: XTok[][], macros: MacroTable, at: Tok, keep?: KeepFn): XTok[] {
  const params = mac.params ?? [];
  // fold variadic extras into the last parameter
  if (mac.variadic && args.length > params.length) {
    const fixed = args.slice(0, params.length - 1);
    const rest: XTok[] = [];
    args.slice(params.length - 1).forEach((a, k) => {
      if (k > 0) rest.push({ kind: 'punct', value: ',', line: at.line, file: at.file });
      rest.push(...a);
    });
    args = [...fixed, rest];
  }
  if (params.length === 0 && args.length === 1 && args[0]!.length === 0) args = [];
  const argOf = (name: string): XTok[] | undefined => {
    const k = params.indexOf(name);
    return k < 0 ? undefined : (args[k] ?? []);
  };
  const body = mac.body;
  const out: XTok[] = [];
  for (let i = 0; i < body.length; i++) {
    const t = body[i]!;
    if (t.kind === 'punct' && t.value === '#' && body[i + 1]?.kind === 'id') {
      const a = argOf(body[i + 1]!.value);
      if (a) {
        out.push(stringize(a, at));
        i++;
        continue;
      }
    }
    if (t.kind === 'punct' && t.value === '##') {
      const rhsTok = body[i + 1];
      if (!rhsTok) continue;
      i++;
      const rhs = rhsTok.kind === 'id' ? (argOf(rhsTok.value) ?? [rhsTok]) : [rhsTok];
      const lhs = out.pop();
      // GNU ", ## __VA_ARGS__" with empty args drops the comma
      if (lhs && lhs.value === ',' && rhs.length === 0) continue;
      if (!lhs) {
        out.push(...rhs);
        continue;
      }
      if (rhs.length === 0) {
        out.push(lhs);
        continue;
      }
      out.push(...paste(lhs, rhs[0]!), ...rhs.slice(1));
      continue;
    }
    if (t.kind === 'id') {
      const a = argOf(t.value);
      if (a) {
        const nextIsPaste = body[i + 1]?.value === '##';
        out.push(...(nextIsPaste ? a : expandMacros(a, macros, keep)));
        continue;
      }
    }
    out.push(t);
  }
  return out;
}

/** names for which expansion is suppressed (to keep flag names readable) */
export type KeepFn = (name: string) => boolean;

/** Fully macro-expand a token list (rescanning, with per-token hide sets). */
export function expandMacros(input: readonly Tok[], macros: MacroTable, keep?: KeepFn, limit = 200000): Tok[] {
  const toks: XTok[] = [...input];
  const out: Tok[] = [];
  let i = 0;
  let budget = limit;
  while (i < toks.length) {
    const t = toks[i]!;
    const mac = t.kind === 'id' ? macros.get(t.value) : undefined;
    if (!mac || t.hide?.has(t.value) || keep?.(t.value) || --budget < 0) {
      out.push(t);
      i++;
      continue;
    }
    let replacement: XTok[];
    let end: number;
    if (mac.params === null) {
      replacement = mac.body.map((b) => ({ ...b }));
      end = i + 1;
    } else {
      if (toks[i + 1]?.value !== '(') {
        out.push(t);
        i++;
        continue;
      }
      const call = collectArgs(toks, i + 1);
      if (!call) {
        out.push(t);
        i++;
        continue;
      }
      replacement = substitute(mac, call.args, macros, t, keep);
      end = call.end;
    }
    const hide = new Set(t.hide ?? []);
    hide.add(mac.name);
    const marked = replacement.map((r) => ({
      ...r,
      line: t.line,
      file: t.file,
      hide: new Set([...(r.hide ?? []), ...hide]),
    }));
    toks.splice(i, end - i, ...marked);
  }
  return out.map(({ hide: _h, ...rest }: XTok) => rest);
}
