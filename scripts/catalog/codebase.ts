// A group of preprocessed translation units with symbol look-ups: the unit
// set of one module (plus helper units from lib/ or the core).

import type { Tok } from './c-lexer.js';
import { tryEval, type CValue } from './c-eval.js';
import { expandMacros, preprocess, type KeepFn, type PreprocessOptions, type TranslationUnit } from './c-preproc.js';
import { scanTopLevel, type Decl, type StructMember, type TopLevel } from './c-decls.js';

export interface Unit {
  tu: TranslationUnit;
  top: TopLevel;
}

/** flag-ish names kept unexpanded so tables remain readable */
export const KEEP_FLAG_NAMES: KeepFn = (n) =>
  /^(CMD_PARAM_\w+|[A-Z]+_ROUTE|ALL_ROUTES|STR_PARAM|INT_PARAM|USE_FUNC_PARAM|DEP_\w+|STAT_\w+|MOD_TYPE_\w+)$/.test(n);

const unitCache = new Map<string, Unit>();

/** preprocess and scan one file; `cache` keeps it for reuse (helper units) */
export function loadUnit(file: string, opts: PreprocessOptions, cache = false): Unit {
  const key = `${file}\0${opts.includeDirs.join(':')}`;
  const hit = unitCache.get(key);
  if (hit) return hit;
  const tu = preprocess(file, opts);
  const u = { tu, top: scanTopLevel(tu.toks) };
  if (cache) unitCache.set(key, u);
  return u;
}

export class CodeBase {
  constructor(
    public readonly units: Unit[],
    public readonly helpers: Unit[] = [],
  ) {}

  private all(prefer?: Unit): Unit[] {
    const list = [...this.units, ...this.helpers];
    return prefer ? [prefer, ...list.filter((u) => u !== prefer)] : list;
  }

  /** a variable declaration, preferring definitions with an initializer */
  findDecl(name: string, prefer?: Unit, typeHint?: RegExp): { decl: Decl; unit: Unit } | undefined {
    let fallback: { decl: Decl; unit: Unit } | undefined;
    for (const unit of this.all(prefer)) {
      for (const decl of unit.top.decls) {
        if (decl.name !== name) continue;
        if (typeHint && !typeHint.test(decl.typeToks.map((t) => t.value).join(' '))) continue;
        if (decl.init) return { decl, unit };
        if (!decl.isExtern && !fallback) fallback = { decl, unit };
      }
    }
    return fallback;
  }

  findFunc(name: string, prefer?: Unit): { body: Tok[]; unit: Unit } | undefined {
    for (const unit of this.all(prefer)) {
      const body = unit.top.funcs.get(name);
      if (body) return { body, unit };
    }
    return undefined;
  }

  /** members of a struct, by tag or typedef name */
  findStruct(name: string): StructMember[] | undefined {
    for (const unit of this.all()) {
      const s = unit.top.structs.get(name);
      if (s) return s;
    }
    for (const unit of this.all()) {
      const tag = unit.top.typedefs.get(name);
      if (tag && tag !== name) return this.findStruct(tag);
    }
    return undefined;
  }

  enumValue(name: string, prefer?: Unit): bigint | undefined {
    for (const unit of this.all(prefer)) {
      const v = unit.top.enums.get(name);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  /** fully expand and evaluate an expression in a unit's macro context */
  evaluate(toks: readonly Tok[], unit: Unit): CValue | undefined {
    const expanded = expandMacros(toks, unit.tu.macros);
    return tryEval(expanded, { resolveId: (n) => this.enumValue(n, unit) });
  }

  /** numeric value of a macro (or enum constant) by name */
  constValue(name: string, unit: Unit): bigint | undefined {
    const v = this.evaluate([{ kind: 'id', value: name, line: 0, file: '' }], unit);
    return typeof v === 'bigint' ? v : undefined;
  }
}
