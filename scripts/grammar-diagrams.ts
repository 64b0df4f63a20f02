// `npm run grammar:diagrams`: writes grammar/diagrams.html from the parser, so it never drifts from the grammar.
import { writeFileSync } from 'node:fs';
import { diagramsHtml } from '../grammar/diagrams.js';

writeFileSync(new URL('../grammar/diagrams.html', import.meta.url), diagramsHtml());
console.log('wrote grammar/diagrams.html');
