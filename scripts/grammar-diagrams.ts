// Writes grammar/diagrams.html: railroad diagrams generated from the parser itself
// (`npm run grammar:diagrams`), so they never drift from the grammar.
import { writeFileSync } from 'node:fs';
import { createSyntaxDiagramsCode } from 'chevrotain';
import { cfgParser } from '../grammar/index.js';

const out = new URL('../grammar/diagrams.html', import.meta.url);
// Point at the installed chevrotain (after `npm ci`) rather than a CDN, so the page works offline.
const html = createSyntaxDiagramsCode(cfgParser().getSerializedGastProductions())
  .replace(/https:\/\/unpkg\.com\/chevrotain@[^/]+\/diagrams\//g, '../node_modules/chevrotain/diagrams/');
writeFileSync(out, html);
console.log(`wrote ${out.pathname.split('/').slice(-2).join('/')}`);
