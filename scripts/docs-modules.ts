// Writes docs/modules.md from the catalog (every OpenSIPS 3.3 module) and the
// native modules' export tables, so the page cannot drift from the code.
// `npm run docs:modules` rewrites it; test/docs/modules-doc.test.ts fails when it is stale.
import { writeFileSync } from 'node:fs';
import { modulesDoc } from '../src/cli/modules-doc.js';

const target = new URL('../docs/modules.md', import.meta.url).pathname;
writeFileSync(target, modulesDoc());
console.log(`wrote ${target}`);
