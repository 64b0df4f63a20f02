// OpenSIPS's own 3.3 cfgs, labelled with real OpenSIPS 3.3.10's verdict, and
// the blog's two configs verbatim.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { loadCfg } from '../../src/cfg/load.js';
import { checkCfg } from '../../src/lint/check.js';
import { parseCfgText } from '../../src/cfg/parse.js';
import { printCfg } from '../../src/cfg/print.js';
import { BLOG_DIR, CORPUS_DIR, SEED_DIR, stripSpans } from '../helpers/cfg.js';

interface Label {
  file: string;
  verdict: string;
  line: string;
  col: string;
  message: string;
}
const labels: Label[] = readFileSync(CORPUS_DIR + 'LABELS.tsv', 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((l) => {
    const [file = '', verdict = '', line = '', col = '', message = ''] = l.split('\t');
    return { file, verdict, line, col, message };
  });

const isSyntaxLabel = (l: Label): boolean => /yyerror: parse error .*: syntax error$/.test(l.message);

test('the corpus has labels for every shipped cfg', () => {
  const files = readdirSync(CORPUS_DIR)
    .filter((f) => f.endsWith('.cfg'))
    .sort();
  assert.deepEqual(labels.map((l) => l.file).sort(), files);
});

for (const l of labels.filter((x) => x.verdict !== 'undetermined')) {
  test(`check --strict agrees with OpenSIPS 3.3.10 on ${l.file.replace('OpenSIPS+opensips@3.3__', '')}${isSyntaxLabel(l) ? ' (syntax)' : l.verdict === 'rejects' ? ' (modules, via the catalog)' : ''}`, () => {
    const r = checkCfg(CORPUS_DIR + l.file, { profile: { strict: true } });
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    if (l.verdict === 'accepts') {
      assert.deepEqual(
        errors.map((e) => `${e.span.line}:${e.span.col} ${e.message}`),
        [],
      );
    } else {
      assert.ok(errors.length > 0, 'OpenSIPS rejects it');
      assert.equal(String(errors[0]!.span.line), l.line, `first error: ${errors[0]!.message}`);
    }
  });
}

const roundTripFiles = [
  ...readdirSync(CORPUS_DIR)
    .filter((f) => f.endsWith('.cfg'))
    .map((f) => CORPUS_DIR + f),
  BLOG_DIR + 'blog-registrar.cfg',
  BLOG_DIR + 'blog-mid-registrar.cfg',
];

for (const file of roundTripFiles) {
  const text = readFileSync(file, 'utf8');
  const first = parseCfgText(text, 'f.cfg', { strict: false });
  if (first.diagnostics.some((d) => d.rule === 'syntax')) continue;
  test(`fmt round-trips ${file.split('/').pop()!.replace('OpenSIPS+opensips@3.3__', '')}`, () => {
    const printed = printCfg(first.result, first.comments);
    const second = parseCfgText(printed, 'f.cfg', { strict: false });
    assert.deepEqual(
      second.diagnostics.filter((d) => d.rule === 'syntax'),
      [],
    );
    assert.ok(isDeepStrictEqual(stripSpans(second.result), stripSpans(first.result)), 'same AST after fmt');
    assert.equal(printCfg(second.result, second.comments), printed, 'fmt is idempotent');
  });
}

test('every corpus file that 3.3 accepts parses and round-trips (none skipped above)', () => {
  for (const l of labels.filter((x) => x.verdict === 'accepts')) {
    const r = parseCfgText(readFileSync(CORPUS_DIR + l.file, 'utf8'), l.file, { strict: true });
    assert.deepEqual(r.diagnostics, [], l.file);
  }
});

test('the blog configs in conformance/blog are the seed configs, byte for byte', () => {
  for (const f of ['blog-registrar.cfg', 'blog-mid-registrar.cfg'])
    assert.equal(readFileSync(BLOG_DIR + f, 'utf8'), readFileSync(SEED_DIR + f, 'utf8'));
});

test('the blog configs check clean in the default profile, with the `...` warning shown', () => {
  for (const [f, line] of [
    ['blog-registrar.cfg', 13],
    ['blog-mid-registrar.cfg', 15],
  ] as const) {
    const r = loadCfg(BLOG_DIR + f, { profile: { strict: false } });
    assert.deepEqual(
      r.diagnostics.map((d) => [d.rule, d.severity, d.span.line]),
      [['placeholder', 'warning', line]],
      f,
    );
  }
});

test('under --strict the blog configs fail only for what 3.3 itself rejects in the syntax: the `...` line', () => {
  for (const [f, line] of [
    ['blog-registrar.cfg', 13],
    ['blog-mid-registrar.cfg', 15],
  ] as const) {
    const r = loadCfg(BLOG_DIR + f, { profile: { strict: true } });
    assert.deepEqual(
      r.diagnostics.map((d) => [d.rule, d.severity, d.span.line]),
      [['placeholder', 'error', line]],
      f,
    );
  }
});
