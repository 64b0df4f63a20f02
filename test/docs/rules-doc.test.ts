import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { rulesDoc } from '../../src/lint/rules-doc.js';
import { RULE_IDS } from '../../src/lint/codes.js';

test('docs/lint-rules.md is what `npm run docs:rules` writes from the registry', () => {
  const committed = readFileSync(new URL('../../docs/lint-rules.md', import.meta.url), 'utf8');
  assert.equal(committed, rulesDoc(), 'docs/lint-rules.md is stale: run `npm run docs:rules`');
});

test('docs/lint-rules.md has a section (an anchor) per rule', () => {
  const text = rulesDoc();
  for (const id of RULE_IDS) assert.match(text, new RegExp(`^### ${id}$`, 'm'), id);
});
