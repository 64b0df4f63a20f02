// The grammar layer: the only place that knows the cfg syntax.
export * as tokens from './tokens.js';
export { cfgLexer, allTokens } from './tokens.js';
export { CfgParser, cfgParser } from './parser.js';
