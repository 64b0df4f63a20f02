// Writes docs/lint-rules.md from the diagnostic registry, so the page cannot
// drift from the code. `npm run docs:rules` rewrites it;
// test/docs/rules-doc.test.ts fails when it is stale.
import { writeFileSync } from 'node:fs';
import { rulesDoc } from '../src/lint/rules-doc.js';

const target = new URL('../docs/lint-rules.md', import.meta.url).pathname;
writeFileSync(target, rulesDoc());
console.log(`wrote ${target}`);
