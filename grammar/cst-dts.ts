// The CST types of the cfg parser, generated with Chevrotain's generateCstDts
// (`npm run grammar:cst` writes grammar/cst-types.ts; test/grammar/cst-types.test.ts
// fails when it is stale). src/cfg/build-ast.ts reads the CST through them, so a
// renamed grammar label is a compile error there instead of a silently missing child.
import { generateCstDts } from 'chevrotain';
import { cfgParser } from './parser.js';

const HEADER =
  '// Generated from grammar/parser.ts by `npm run grammar:cst` (Chevrotain generateCstDts); do not edit.\n';

export function cstTypesSource(): string {
  return HEADER + generateCstDts(cfgParser(false).getGAstProductions(), { includeVisitorInterface: false });
}
