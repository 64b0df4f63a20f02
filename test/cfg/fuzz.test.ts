// Random bad input yields diagnostics, never an exception: thousands of
// mutated configs (truncations, deletions, duplications, binary junk).
// Mutants that still parse cleanly must also survive a round trip through fmt.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { parseCfgText } from '../../src/cfg/parse.js';
import { printCfg } from '../../src/cfg/print.js';
import { validateItems } from '../../src/cfg/validate.js';
import { buildScript } from '../../src/cfg/script.js';
import { BLOG_DIR, CORPUS_DIR, stripSpans } from '../helpers/cfg.js';
import { mulberry32 } from '../../src/base/random.js';

/** A small deterministic PRNG (mulberry32) so that a failure can be replayed. */
const rng = mulberry32;

const JUNK = [
  '(',
  ')',
  '{',
  '}',
  '[',
  ']',
  ';',
  ',',
  '"',
  "'",
  '$',
  '$(',
  '/*',
  '*/',
  '#',
  '\\\n',
  '...',
  '\0',
  '\xff',
  'route',
  'if',
  'else',
  'switch',
  'case 1:',
  '==',
  '=~',
  '&&',
  ':=',
  'NULL',
  '0x',
  '1.2.3.4',
  '::',
  'é',
  '\uFFFD',
];

function mutate(text: string, r: () => number): string {
  const at = Math.floor(r() * text.length);
  switch (Math.floor(r() * 6)) {
    case 0:
      return text.slice(0, at);
    case 1:
      return text.slice(0, at) + text.slice(at + 1 + Math.floor(r() * 40));
    case 2:
      return text.slice(0, at) + JUNK[Math.floor(r() * JUNK.length)] + text.slice(at);
    case 3: {
      const len = Math.floor(r() * 60);
      return text.slice(0, at) + text.slice(at, at + len) + text.slice(at);
    }
    case 4:
      return (
        text.slice(0, at) +
        Array.from({ length: 1 + Math.floor(r() * 16) }, () => String.fromCharCode(Math.floor(r() * 256))).join('') +
        text.slice(at)
      );
    default: {
      const b = Math.floor(r() * text.length);
      return text.slice(0, Math.min(at, b)) + text.slice(Math.max(at, b));
    }
  }
}

const seeds = [
  ...readdirSync(CORPUS_DIR)
    .filter((f) => f.endsWith('.cfg'))
    .map((f) => readFileSync(CORPUS_DIR + f, 'utf8')),
  readFileSync(BLOG_DIR + 'blog-registrar.cfg', 'utf8'),
  readFileSync(BLOG_DIR + 'blog-mid-registrar.cfg', 'utf8'),
];

test('3000 mutated configs: diagnostics with valid positions, never an exception', () => {
  const r = rng(20261125);
  let withErrors = 0;
  let roundTrips = 0;
  for (let i = 0; i < 3000; i++) {
    let text = seeds[i % seeds.length]!.slice(0, 6000);
    const rounds = 1 + Math.floor(r() * 3);
    for (let k = 0; k < rounds; k++) text = mutate(text, r);
    const parsed = parseCfgText(text, 'fuzz.cfg', { strict: false });
    const all = [
      ...parsed.diagnostics,
      ...validateItems(parsed.result.items, { strict: false }),
      ...buildScript(parsed.result.items).diagnostics,
    ];
    for (const d of all) {
      assert.ok(
        d.span.line >= 1 && d.span.col >= 1 && d.span.offset >= 0 && d.span.offset <= text.length,
        `bad span in case ${i}: ${JSON.stringify(d.span)}`,
      );
      assert.equal(d.rule === 'internal', false, `internal error in case ${i}: ${d.message}`);
    }
    if (parsed.diagnostics.some((d) => d.severity === 'error')) {
      withErrors++;
      continue;
    }
    const printed = printCfg(parsed.result, parsed.comments);
    const again = parseCfgText(printed, 'fuzz.cfg', { strict: false });
    assert.ok(
      isDeepStrictEqual(stripSpans(again.result), stripSpans(parsed.result)),
      `case ${i} does not round-trip:\n${text}`,
    );
    roundTrips++;
  }
  assert.ok(withErrors > 1000, `most mutants are broken (${withErrors})`);
  assert.ok(roundTrips > 100, `some mutants still parse and round-trip (${roundTrips})`);
});
