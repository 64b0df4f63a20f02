// Read the script grammar facts out of cfg.lex / cfg.y: which keywords map to
// which tokens, the global `name = value` parameters with the value forms the
// grammar accepts, and the keyword-driven commands (xlog, drop, return ...).

import type { GlobalParam, GlobalValueKind, KeywordCommand } from '../../src/catalog/types.js';

/** lex definitions whose pattern is a plain alternation of literals */
export function lexLiteralDefs(lex: string): Map<string, string[]> {
  const defs = new Map<string, string[]>();
  const head = lex.split(/^%%/m)[0] ?? '';
  const noCode = head.replace(/^%\{[\s\S]*?^%\}/gm, '').replace(/\/\*[\s\S]*?\*\//g, '');
  for (const line of noCode.split('\n')) {
    const m = /^([A-Za-z_][\w]*)\s+(\S.*)$/.exec(line.trimEnd());
    if (!m) continue;
    const alts: string[] = [];
    let ok = true;
    for (const alt of m[2]!.trim().split('|')) {
      const q = /^"([^"\\]*)"$/.exec(alt) ?? /^([A-Za-z0-9_-]+)$/.exec(alt);
      if (!q) {
        ok = false;
        break;
      }
      alts.push(q[1]!);
    }
    if (ok && alts.length) defs.set(m[1]!, alts);
  }
  return defs;
}

/** `<INITIAL>{DEF} ... return TOKEN;` rules: definition name -> token */
export function lexRuleTokens(lex: string): Map<string, string> {
  const rules = lex.split(/^%%/m)[1] ?? '';
  const out = new Map<string, string>();
  const re = /^<INITIAL>\{(\w+)\}([\s\S]*?)(?=^<|^%%|(?![\s\S]))/gm;
  for (const m of rules.matchAll(re)) {
    const ret = /return\s+(\w+)\s*;/.exec(m[2]!);
    if (ret && !out.has(m[1]!)) out.set(m[1]!, ret[1]!);
  }
  return out;
}

export interface Alternative {
  symbols: string[];
  /** the C action code, for hints (deprecated, boolean) */
  action: string;
}

/** skip a C block starting at '{', honouring strings, chars and comments */
function skipAction(src: string, start: number): number {
  let depth = 0;
  for (let i = start; i < src.length; i++) {
    const c = src[i]!;
    if (c === '"' || c === "'") {
      for (i++; i < src.length && src[i] !== c; i++) if (src[i] === '\\') i++;
      continue;
    }
    if (c === '/' && src[i + 1] === '*') {
      i = src.indexOf('*/', i + 2) + 1;
      if (i <= 0) return src.length;
      continue;
    }
    if (c === '/' && src[i + 1] === '/') {
      i = src.indexOf('\n', i);
      if (i < 0) return src.length;
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i + 1;
  }
  return src.length;
}

/** alternatives of one yacc rule */
export function yaccRule(y: string, rule: string): Alternative[] {
  const parts = y.split(/^%%/m);
  const rules = parts[1] ?? y;
  const start = new RegExp(`^${rule}\\s*:`, 'm').exec(rules);
  if (!start) return [];
  const alts: Alternative[] = [{ symbols: [], action: '' }];
  let i = start.index + start[0].length;
  while (i < rules.length) {
    const c = rules[i]!;
    const cur = alts[alts.length - 1]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '/' && rules[i + 1] === '*') {
      i = rules.indexOf('*/', i + 2) + 2;
      continue;
    }
    if (c === '{') {
      const e = skipAction(rules, i);
      cur.action += rules.slice(i, e);
      i = e;
      continue;
    }
    if (c === '|') {
      alts.push({ symbols: [], action: '' });
      i++;
      continue;
    }
    if (c === ';') break;
    const w = /^(%?[\w.]+|'[^']*')/.exec(rules.slice(i, i + 200));
    if (!w) {
      i++;
      continue;
    }
    cur.symbols.push(w[1]!);
    i += w[1]!.length;
  }
  return alts;
}

function kindOf(form: string[]): GlobalValueKind {
  const key = form.join(' ');
  const table: Record<string, GlobalValueKind> = {
    NUMBER: 'number',
    snumber: 'signed-number',
    STRING: 'string',
    ID: 'id',
    listen_id: 'host',
    socket_def: 'socket',
    id_lst: 'alias-list',
    auto_scale_profile_def: 'auto-scaling-profile',
    'NUMBER USE_AUTO_SCALING_PROFILE ID': 'number-with-scaling-profile',
    'STRING COLON multi_string': 'mem-group',
    'ID COLON LBRACE blst_elem_list RBRACE': 'blacklist',
  };
  return table[key] ?? 'complex';
}

function tokenNames(lex: string): Map<string, string[]> {
  const defs = lexLiteralDefs(lex);
  const names = new Map<string, string[]>();
  for (const [def, token] of lexRuleTokens(lex)) {
    const lits = defs.get(def);
    if (!lits) continue;
    names.set(token, [...(names.get(token) ?? []), ...lits]);
  }
  return names;
}

/** global parameters: every `TOKEN EQUAL value` alternative of assign_stm */
export function extractGlobals(lex: string, y: string): GlobalParam[] {
  const names = tokenNames(lex);
  const byToken = new Map<string, { forms: string[][]; bool: boolean; deprecated: boolean }>();
  for (const alt of yaccRule(y, 'assign_stm')) {
    const [tok, second, ...rest] = alt.symbols;
    if (!tok || tok === 'error' || !names.has(tok)) continue;
    const e = byToken.get(tok) ?? { forms: [], bool: false, deprecated: false };
    byToken.set(tok, e);
    const value = second === 'EQUAL' ? rest : [second ?? '', ...rest];
    if (value.includes('error')) {
      if (/boolean/i.test(alt.action)) e.bool = true;
      continue;
    }
    if (second !== 'EQUAL') continue;
    e.forms.push(value);
    if (/deprecated/i.test(alt.action)) e.deprecated = true;
  }
  const out: GlobalParam[] = [];
  for (const [token, e] of byToken) {
    if (!e.forms.length) continue;
    const spellings = names.get(token) ?? [];
    const kinds = [...new Set(e.forms.map(kindOf))];
    for (const name of spellings) {
      out.push({
        name,
        token,
        aliases: spellings.filter((s) => s !== name),
        valueKinds: kinds,
        boolean: e.bool,
        forms: e.forms,
        deprecated: e.deprecated,
      });
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** commands the grammar itself recognises by keyword (not via cmd_export_t) */
export function extractKeywordCommands(lex: string, y: string): KeywordCommand[] {
  const names = tokenNames(lex);
  const byToken = new Map<string, string[][]>();
  for (const alt of yaccRule(y, 'cmd')) {
    const [tok, ...rest] = alt.symbols;
    if (!tok || tok === 'ID' || rest.includes('error') || !names.has(tok)) continue;
    byToken.set(tok, [...(byToken.get(tok) ?? []), rest]);
  }
  return [...byToken]
    .map(([token, forms]) => ({ names: names.get(token) ?? [], token, forms }))
    .sort((a, b) => a.token.localeCompare(b.token));
}
