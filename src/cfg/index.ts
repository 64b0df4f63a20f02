// The cfg layer: CST -> typed AST with spans, includes, the Script model.
export type * from './ast.js';
export * from './diagnostic.js';
export { parseCfgText, parseStatementsText, type Comment, type ParsedText } from './parse.js';
export { loadCfg, type LoadedCfg, type LoadOptions } from './load.js';
export { buildScript, moduleName, MAIN_ROUTE, type Script, type LoadedModule } from './script.js';
export { parsePVarSpec, parsePVarToken, parseFormat } from './pvar.js';
export { printCfg } from './print.js';
