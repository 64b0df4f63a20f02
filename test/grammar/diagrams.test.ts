import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { diagramsHtml } from '../../grammar/diagrams.js';

test('grammar/diagrams.html is generated from the current parser (npm run grammar:diagrams)', () => {
  const html = readFileSync(new URL('../../grammar/diagrams.html', import.meta.url), 'utf8');
  assert.ok(html === diagramsHtml(), 'diagrams.html is stale: run npm run grammar:diagrams');
  assert.match(html, /"name": "switchCmd"/);
});
