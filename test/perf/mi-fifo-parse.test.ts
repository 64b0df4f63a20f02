// The mi_fifo command parser (issue 14): a command is read in one pass to the
// brace that closes its JSON object, then parsed once. It used to try
// JSON.parse at every '}', which is quadratic in a large command (a params
// object with thousands of entries). Timed at N and 4N entries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextCommand } from '../../src/net/fifo-mi.js';
import { fmtGrowth, growth } from '../helpers/linear.js';

const MAX_RATIO = 8;

/** A command whose params hold `n` small objects, each with a '}' in a string and one outside it. */
function command(n: number): string {
  const params = Array.from({ length: n }, (_, i) => ({ v: `x}${i}` }));
  return `:reply:${JSON.stringify({ jsonrpc: '2.0', method: 'ul_dump', params, id: 1 })}\n`;
}

test('mi_fifo: a command with N and 4N params entries costs linear CPU and parses whole', () => {
  const one = nextCommand(command(3));
  assert.ok(one && one !== 'bad');
  assert.deepEqual((one.request as { params: unknown }).params, [{ v: 'x}0' }, { v: 'x}1' }, { v: 'x}2' }]);
  assert.equal(one.rest, '\n');
  // 2,000 -> 8,000 entries: at 5,000 -> 20,000 the garbage collector alone took the ratio to x6-7 under load
  // (limit 8); the quadratic parser this guards against is x16 at any size.
  const small = 2_000;
  const g = growth((n) => {
    const text = command(n);
    return () => {
      const r = nextCommand(text);
      assert.ok(r && r !== 'bad');
    };
  }, small);
  console.log(fmtGrowth('mi_fifo command', small, g));
  assert.ok(g.ratio < MAX_RATIO, `4x the entries cost x${g.ratio.toFixed(1)} CPU`);
});

test('mi_fifo: a body that is not a JSON object, or not valid JSON, is refused instead of waiting forever', () => {
  assert.equal(nextCommand(':r:[1,2]'), 'bad');
  assert.equal(nextCommand(':r:{"a": tru}'), 'bad');
  assert.equal(nextCommand(':r:{"a": "}'), undefined, 'an open string: more to come');
  assert.equal(nextCommand(':r:  '), undefined);
});
