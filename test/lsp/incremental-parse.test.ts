// The language server's incremental parser must give exactly what the
// whole-file parse gives (items, spans, diagnostics, comments), edit after
// edit, and parse again only the route block an edit touched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseCfgText } from '../../src/cfg/parse.js';
import { IncrementalCfgParser } from '../../src/lsp/incremental-parse.js';
import { fuzzParams } from '../fuzz/runs.js';
import { CORPUS_DIR } from '../helpers/cfg.js';

// OpenSIPS 3.3's own default cfg.
const SEED = readFileSync(join(CORPUS_DIR, 'OpenSIPS+opensips@3.3__etc__opensips.cfg'), 'utf8');
const FILE = '/cfg/opensips.cfg';

function same(p: IncrementalCfgParser, text: string, strict = false): void {
  const want = parseCfgText(text, FILE, { strict });
  const got = p.parse(text, FILE, { strict });
  assert.deepEqual(got.result, want.result);
  assert.deepEqual(got.diagnostics, want.diagnostics);
  assert.deepEqual(got.comments, want.comments);
}

test('a keystroke inside one route block parses that block only, with every later span moved', () => {
  const p = new IncrementalCfgParser();
  same(p, SEED);
  const at = SEED.indexOf('{', SEED.indexOf('route[relay]')) + 1;
  const edited = SEED.slice(0, at) + '\n\txlog("typed\\n");\n' + SEED.slice(at);
  same(p, edited);
  assert.equal(p.lastStats.whole, false);
  assert.equal(p.lastStats.parsed, 1, `pieces ${p.lastStats.pieces}`);
  assert.ok(p.lastStats.pieces > 3);
});

test('a syntax error falls back to the whole-file parse (same diagnostics as lint)', () => {
  const p = new IncrementalCfgParser();
  same(p, SEED);
  const broken = SEED.replace('route[relay] {', 'route[relay] {\n\tt_rel\n');
  same(p, broken);
  assert.equal(p.lastStats.whole, true);
  same(p, SEED);
});

test('random edit sequences give the whole-file parse at every step', () => {
  const lines = SEED.split('\n');
  const edit = fc.record({
    line: fc.nat(lines.length - 1),
    kind: fc.constantFrom('insert-char', 'delete-line', 'duplicate-line', 'insert-stmt', 'insert-route'),
    ch: fc.constantFrom('x', ' ', '"', '{', '}', ';', '\n', '$', '#'),
  });
  fc.assert(
    fc.property(fc.array(edit, { minLength: 1, maxLength: 8 }), fc.boolean(), (edits, strict) => {
      const p = new IncrementalCfgParser();
      let cur = [...lines];
      same(p, cur.join('\n'), strict);
      for (const e of edits) {
        const i = Math.min(e.line, cur.length - 1);
        const l = cur[i]!;
        if (e.kind === 'insert-char') cur[i] = l.slice(0, l.length >> 1) + e.ch + l.slice(l.length >> 1);
        else if (e.kind === 'delete-line') cur.splice(i, 1);
        else if (e.kind === 'duplicate-line') cur.splice(i, 0, l);
        else if (e.kind === 'insert-stmt') cur.splice(i, 0, '\txlog("L_INFO", "edit $ru\\n");');
        else cur.splice(i, 0, 'route[added_' + i + '] {', '\texit;', '}');
        cur = cur.join('\n').split('\n');
        same(p, cur.join('\n'), strict);
      }
    }),
    fuzzParams(60),
  );
});
