// `npm run grammar:cst`: writes grammar/cst-types.ts from the parser, so the CST types never drift from the grammar.
import { writeFileSync } from 'node:fs';
import { cstTypesSource } from '../grammar/cst-dts.js';

writeFileSync(new URL('../grammar/cst-types.ts', import.meta.url), cstTypesSource());
console.log('wrote grammar/cst-types.ts');
