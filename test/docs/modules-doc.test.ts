import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { modulesDoc } from '../../src/cli/modules-doc.js';

test('docs/modules.md is what `npm run docs:modules` writes from the export tables', () => {
  const committed = readFileSync(new URL('../../docs/modules.md', import.meta.url), 'utf8');
  assert.equal(committed, modulesDoc(), 'docs/modules.md is stale: run `npm run docs:modules`');
});

test('docs/modules.md lists registrar as native with save()', () => {
  const text = modulesDoc();
  assert.match(text, /\| \[registrar\]\(#registrar\) \| \d+ \/ \d+ \|/);
  assert.match(text, /\| `save` \| [^|]+ \| [^|]+ \| yes \|/);
});
