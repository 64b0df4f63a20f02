// The layers of docs/architecture.md (design.md) hold: every relative import
// in src/ (static, `export ... from`, and `import('...')` in types or code)
// goes from a folder to one on its left in
//   base <- grammar <- cfg <- sip <- net <- db <- script <- modules <- core <- lint <- lsp, scenario, dryrun <- cli
// and a module reaches another module only through its index.ts or api.ts
// (as OpenSIPS's load_*_api), modules/common/ being the shared library
// (OpenSIPS's lib/) every module may use. The allow-lists below are empty
// (issue 13 emptied them): fix an edge rather than list it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const SRC = join(ROOT, 'src');

/** Rank of each top folder of src/ (equal ranks may not import each other). */
const RANK: Record<string, number> = {
  base: 0,
  grammar: 1,
  // catalog/ is the signature catalog the cfg layer resolves names against, and version.ts a constant: both sit at cfg's level.
  cfg: 2,
  catalog: 2,
  'version.ts': 2,
  sip: 3,
  net: 4,
  db: 5,
  script: 6,
  modules: 7,
  core: 8,
  lint: 9,
  lsp: 10,
  scenario: 10,
  dryrun: 10,
  cli: 11,
  'index.ts': 12,
};

/** Folder edges that break the order today: `from -> to` (files), why. */
const ALLOWED_LAYER_EDGES: Record<string, string> = {};

/** Deep imports between modules (not through index.ts/api.ts): `from -> to` (files), why. */
const ALLOWED_DEEP_IMPORTS: Record<string, string> = {};

function* tsFiles(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* tsFiles(p);
    else if (e.name.endsWith('.ts')) yield p;
  }
}

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)'(\.{1,2}\/[^']+)'/gm;

interface Edge {
  from: string;
  to: string;
}

function edges(): Edge[] {
  const out: Edge[] = [];
  for (const file of tsFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(IMPORT)) {
      const target = resolve(dirname(file), m[1]!).replace(/\.js$/, '.ts');
      out.push({ from: relative(ROOT, file), to: relative(ROOT, target) });
    }
  }
  return out;
}

/** The layer folder of a path under src/ (or grammar/ at the root). */
function layerOf(path: string): string {
  const parts = path.split('/');
  if (parts[0] === 'grammar') return 'grammar';
  return parts[1]!;
}

/** modules/NAME for a file of a module folder; undefined for modules/*.ts and common/. */
function moduleOf(path: string): string | undefined {
  const parts = path.split('/');
  if (parts[1] !== 'modules' || parts.length < 4 || parts[2] === 'common') return undefined;
  return parts[2];
}

test("every import goes to a layer on the left (design.md's order)", () => {
  const bad: string[] = [];
  for (const e of edges()) {
    const a = layerOf(e.from);
    const b = layerOf(e.to);
    if (a === b) continue;
    const ra = RANK[a];
    const rb = RANK[b];
    assert.ok(ra !== undefined, `${e.from}: folder ${a} has no place in the layer order`);
    assert.ok(rb !== undefined, `${e.to}: folder ${b} has no place in the layer order`);
    if (rb < ra) continue;
    const key = `${e.from} -> ${e.to}`;
    if (!(key in ALLOWED_LAYER_EDGES)) bad.push(key);
  }
  assert.deepEqual(
    bad,
    [],
    'imports against the layer order (fix them, or list them in ALLOWED_LAYER_EDGES with the reason)',
  );
});

test('a module uses another one only through its index.ts or api.ts', () => {
  const bad: string[] = [];
  for (const e of edges()) {
    if (!e.from.startsWith('src/modules/')) continue; // outside modules/, the layer check above applies
    const a = moduleOf(e.from);
    const b = moduleOf(e.to);
    if (b === undefined || a === b) continue;
    if (/\/(index|api)\.ts$/.test(e.to) && e.to.split('/').length === 4) continue;
    const key = `${e.from} -> ${e.to}`;
    if (!(key in ALLOWED_DEEP_IMPORTS)) bad.push(key);
  }
  assert.deepEqual(
    bad,
    [],
    "deep imports between modules (import the other module's index.ts/api.ts, or list them in ALLOWED_DEEP_IMPORTS)",
  );
});

test('the allow-lists name only edges that still exist', () => {
  const now = new Set(edges().map((e) => `${e.from} -> ${e.to}`));
  const stale = [...Object.keys(ALLOWED_LAYER_EDGES), ...Object.keys(ALLOWED_DEEP_IMPORTS)].filter((k) => !now.has(k));
  assert.deepEqual(stale, [], 'remove these from the allow-lists: they are fixed');
});
