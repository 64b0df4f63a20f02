// The catalog extractor on small invented C inputs (no OpenSIPS tree needed).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { lexC } from '../../scripts/catalog/c-lexer.js';
import { evalExpr } from '../../scripts/catalog/c-eval.js';
import { expandMacros, parseDefine, type MacroTable } from '../../scripts/catalog/c-preproc.js';
import { parseInit, scanTopLevel } from '../../scripts/catalog/c-decls.js';
import { extractGlobals, extractKeywordCommands } from '../../scripts/catalog/cfg-grammar.js';
import { extractCatalog, formatJson } from '../../scripts/extract-catalog.js';

const fixture = (p: string): string => fileURLToPath(new URL(`./fixtures/${p}`, import.meta.url));

function macros(...defs: string[]): MacroTable {
  const t: MacroTable = new Map();
  for (const d of defs) {
    const m = parseDefine(`define ${d}`);
    if (m) t.set(m.name, m);
  }
  return t;
}

test('lexer: comments, strings, directives with continuations', () => {
  const toks = lexC('#define A(x) \\\n  (x + 1) /* c */\nint a = A(2); // tail\nchar *s = "q\\"t";\n');
  assert.equal(toks[0]!.kind, 'pp');
  assert.match(toks[0]!.value, /^define A\(x\)\s+\(x \+ 1\)$/);
  assert.deepEqual(
    toks.slice(1, 5).map((t) => t.value),
    ['int', 'a', '=', 'A'],
  );
  assert.equal(toks.find((t) => t.kind === 'str')?.value, 'q"t');
});

test('macro expansion: function-like, stringize, paste, variadic, no self-recursion', () => {
  const m = macros(
    'TWICE(x) ((x) * 2)',
    'NAME(a, b) a ## b',
    'STR(x) #x',
    'LIST(...) { __VA_ARGS__ }',
    'SELF SELF + 1',
  );
  const text = (src: string): string =>
    expandMacros(lexC(src), m)
      .map((t) => (t.kind === 'str' ? JSON.stringify(t.value) : t.value))
      .join(' ');
  assert.equal(text('TWICE(3)'), '( ( 3 ) * 2 )');
  assert.equal(text('NAME(foo, bar)'), 'foobar');
  assert.equal(text('STR(hello)'), '"hello"');
  assert.equal(text('LIST(1, 2)'), '{ 1 , 2 }');
  assert.equal(text('SELF'), 'SELF + 1');
});

test('constant expressions', () => {
  const ev = (s: string): unknown => evalExpr(lexC(s));
  assert.equal(ev('(1<<3)|2'), 10n);
  assert.equal(ev('sizeof("abc") - 1'), 3n);
  assert.equal(ev('(unsigned int)0x10 + 010'), 24n);
  assert.equal(ev('"ab" "cd"'), 'abcd');
  assert.equal(ev('-1'), -1n);
  assert.equal(ev('1 ? 5 : 6'), 5n);
});

test('top-level scan: declarations, functions, enums, struct members', () => {
  const top = scanTopLevel(
    lexC(`
    enum e { E0, E5 = 5, E6 };
    struct s { int a; char *b, c; };
    static int f(int x) { return x = 3; }
    static int v[] = { 1, 2 }, w = 4;
  `),
  );
  assert.equal(top.enums.get('E6'), 6n);
  assert.deepEqual(
    top.structs.get('s')?.map((m) => `${m.name}:${m.type}`),
    ['a:int', 'b:char*', 'c:char'],
  );
  assert.ok(top.funcs.has('f'));
  assert.deepEqual(
    top.decls.map((d) => d.name),
    ['v', 'w'],
  );
  const init = parseInit(top.decls[0]!.init!);
  assert.equal(init.kind, 'list');
  assert.equal(init.kind === 'list' && init.items.length, 2);
});

test('grammar facts from cfg.lex / cfg.y', async () => {
  const { readFileSync } = await import('node:fs');
  const lex = readFileSync(fixture('mini-tree/cfg.lex'), 'latin1');
  const y = readFileSync(fixture('mini-tree/cfg.y'), 'latin1');
  const globals = extractGlobals(lex, y);
  const g = new Map(globals.map((x) => [x.name, x]));
  assert.deepEqual([...g.keys()], ['bind_to', 'children_count', 'name_value', 'verbose', 'workers']);
  assert.deepEqual(g.get('workers')?.aliases, ['children_count']);
  assert.deepEqual(g.get('workers')?.valueKinds, ['number', 'number-with-scaling-profile']);
  assert.deepEqual(g.get('name_value')?.valueKinds, ['string', 'id']);
  assert.equal(g.get('verbose')?.boolean, true);
  assert.equal(g.get('bind_to')?.deprecated, true);
  assert.deepEqual(extractKeywordCommands(lex, y), [
    { names: ['loud'], token: 'LOUD', forms: [['LPAREN', 'STRING', 'RPAREN'], []] },
  ]);
});

test('whole extraction on the fixture tree', () => {
  const cat = extractCatalog(fixture('mini-tree'), {
    ref: 'fixture',
    legacy: [{ version: '0.9', dir: fixture('mini-legacy') }],
  });
  assert.deepEqual(cat.extraction.failed, ['modules/broken']);
  assert.equal(cat.modules.length, 1);
  const w = cat.modules[0]!;
  assert.equal(w.name, 'widget');
  assert.deepEqual(w.problems, []);

  // functions: #if 0 entry skipped, local route macro resolved, sorted by name
  assert.deepEqual(
    w.functions.map((f) => f.name),
    ['widget_any', 'widget_match', 'widget_set'],
  );
  const set = w.functions.find((f) => f.name === 'widget_set')!;
  assert.deepEqual(set.routes, ['request', 'failure']);
  assert.deepEqual([set.minArgs, set.maxArgs], [1, 3]);
  assert.deepEqual(
    set.params.map((p) => p.kinds[0]),
    ['str', 'int', 'var'],
  );
  assert.equal(set.params[0]!.fixup, 'fix_name');
  assert.equal(set.params[2]!.noExpand, true);
  assert.equal(w.functions.find((f) => f.name === 'widget_any')!.routes.length, 9);
  assert.deepEqual(
    w.asyncFunctions.map((f) => f.name),
    ['widget_poll', 'widget_wait'],
  );

  // modparam defaults through macros, enums, arrays, struct members, str_init
  const d = Object.fromEntries(w.params.map((p) => [p.name, [p.default, p.defaultFrom]]));
  assert.deepEqual(d, {
    cfg_label: ['main', 'initializer'],
    cfg_port: [5060, 'initializer'],
    db_url: [null, 'null'],
    hook: [null, 'function'],
    label: ['gadget-x', 'initializer'],
    limit_b: [20, 'initializer'],
    mode: [6, 'initializer'],
    retries: [0, 'implicit-zero'],
    table: ['widgets', 'initializer'],
    timeout: [60, 'initializer'],
  });
  assert.deepEqual(w.params.find((p) => p.name === 'hook')?.types, ['int', 'str']);

  assert.deepEqual(
    w.deps.modules.map((x) => [x.module, x.onMissing]),
    [
      ['tm', 'abort'],
      ['dialog', 'silent'],
    ],
  );
  assert.deepEqual(w.deps.params, [
    {
      param: 'db_url',
      resolver: 'widget_deps_for_url',
      possible: [{ module: null, modType: 'sqldb', onMissing: 'warn', flags: ['DEP_WARN'] }],
    },
  ]);
  assert.deepEqual(
    w.pvs.map((p) => [p.name, p.writable, p.takesName]),
    [
      ['widget_attr', true, true],
      ['widget_count', false, false],
    ],
  );
  assert.deepEqual(w.transformations, [{ class: 'widget', methods: ['size', 'upper'], methodsComplete: true }]);
  assert.deepEqual(w.mi, [{ name: 'widget_list', recipes: [[], ['filter']] }]);
  assert.deepEqual(
    w.stats.map((s) => s.name),
    ['widgets_made'],
  ); // STATISTICS is a default define

  // core bits present in the fixture; missing core files are reported, not fatal
  assert.deepEqual(
    cat.core.functions.map((f) => f.name),
    ['mark'],
  );
  assert.ok(cat.core.problems.some((p) => p.includes('pvar.c')));
  assert.deepEqual(cat.core.removedGlobals, [{ name: 'fork', acceptedIn: ['0.9'] }]);
  assert.equal(cat.source.ref, 'fixture');

  // JSON output is stable and parseable
  assert.deepEqual(JSON.parse(formatJson(cat)), JSON.parse(JSON.stringify(cat)));
});
