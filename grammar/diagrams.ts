// Railroad diagrams of the cfg grammar, generated from the parser itself.
import { createSyntaxDiagramsCode } from 'chevrotain';
import { cfgParser } from './parser.js';

/** The page for grammar/diagrams.html; it loads the installed chevrotain (after `npm ci`), not a CDN, so it works offline. */
export function diagramsHtml(): string {
  return createSyntaxDiagramsCode(cfgParser().getSerializedGastProductions()).replace(
    /https:\/\/unpkg\.com\/chevrotain@[^/]+\/diagrams\//g,
    '../node_modules/chevrotain/diagrams/',
  );
}
