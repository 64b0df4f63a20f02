// Property tests of the cfg parser (issue 14): the blog's configs mutated by
// fast-check (deletions, insertions of syntax characters, truncations, bytes)
// give diagnostics, never an exception, and the original still parses clean.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parseCfgText } from '../../src/cfg/parse.js';
import { validateItems } from '../../src/cfg/validate.js';
import { buildScript } from '../../src/cfg/script.js';
import { BLOG_DIR } from '../helpers/cfg.js';
import { fuzzParams } from './runs.js';

const SEEDS = ['blog-registrar.cfg', 'blog-mid-registrar.cfg'].map((f) => readFileSync(BLOG_DIR + f, 'utf8'));
const JUNK = [
  '(',
  ')',
  '{',
  '}',
  ';',
  ',',
  '"',
  "'",
  '$',
  '$(',
  '/*',
  '*/',
  '#',
  '\\',
  '\n',
  '\0',
  '\xff',
  'route',
  'if',
  'else',
  '==',
  '=~',
  '&&',
  '$avp(',
  '{s.',
  'é',
  '\uFFFD',
  '0x',
  '::',
];

const edit = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 40 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.oneof(fc.constantFrom(...JUNK), fc.string({ maxLength: 8 })),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 200 }) }),
);

function apply(text: string, edits: (typeof edit extends fc.Arbitrary<infer T> ? T : never)[]): string {
  let t = text;
  for (const e of edits) {
    const at = e.at % (t.length + 1);
    if (e.kind === 'delete') t = t.slice(0, at) + t.slice(at + e.len);
    else if (e.kind === 'insert') t = t.slice(0, at) + e.text + t.slice(at);
    else if (e.kind === 'truncate') t = t.slice(0, at);
    else t = t.slice(0, at) + t.slice(at, at + e.len) + t.slice(at);
  }
  return t;
}

test('mutated cfgs give diagnostics, never an exception (parse, validate, build)', () => {
  const mutant = fc
    .tuple(fc.integer({ min: 0, max: SEEDS.length - 1 }), fc.array(edit, { minLength: 1, maxLength: 5 }))
    .map(([i, e]) => apply(SEEDS[i]!, e));
  fc.assert(
    fc.property(mutant, fc.boolean(), (text, strict) => {
      const parsed = parseCfgText(text, '/t/fuzz.cfg', { strict });
      validateItems(parsed.result.items, { strict });
      buildScript(parsed.result.items);
      for (const d of parsed.diagnostics) assert.ok(d.span && d.rule, JSON.stringify(d));
    }),
    fuzzParams(200),
  );
  for (const s of SEEDS)
    assert.equal(
      parseCfgText(s, '/t/seed.cfg', { strict: false }).diagnostics.filter((d) => d.severity === 'error').length,
      0,
    );
});
