import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { cstTypesSource } from '../../grammar/cst-dts.js';
import type * as C from '../../grammar/cst-types.js';

test('grammar/cst-types.ts is what `npm run grammar:cst` generates from the parser', () => {
  const committed = readFileSync(new URL('../../grammar/cst-types.ts', import.meta.url), 'utf8');
  assert.equal(committed, cstTypesSource(), 'grammar/cst-types.ts is stale: run `npm run grammar:cst`');
});

// Compile-time: a label the grammar does not have is a type error (tsc runs before the tests).
type ChildKey<N> = keyof (N extends { children: infer K } ? K : never);
const label: ChildKey<C.FuncCallCstNode> = 'funcParam';
// @ts-expect-error snumber has no BoolWord child (build-ast.ts read one until the CST was typed)
const missing: ChildKey<C.SnumberCstNode> = 'BoolWord';

test("the generated types name the parser's labels", () => {
  assert.equal(label, 'funcParam');
  assert.equal(missing, 'BoolWord');
  assert.match(cstTypesSource(), /export interface FuncCallCstNode extends CstNode \{\n  name: "funcCall";/);
});
