// ShardedMap behaves as one Map (usrloc's AoR table is one): the same answers
// as a plain Map to any sequence of set/delete/get/has, the same size, the same
// entries when iterated (shard by shard, so compared as sets).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ShardedMap } from '../../src/base/sharded-map.js';

const slot = (k: string): number => (k.length * 7 + (k.charCodeAt(0) || 0)) & 7;

test('ShardedMap answers as a Map to any sequence of operations', () => {
  const op = fc.oneof(
    {
      arbitrary: fc.record({
        kind: fc.constant('set' as const),
        key: fc.string({ maxLength: 4 }),
        value: fc.integer(),
      }),
      weight: 10,
    },
    { arbitrary: fc.record({ kind: fc.constant('delete' as const), key: fc.string({ maxLength: 4 }) }), weight: 6 },
    { arbitrary: fc.record({ kind: fc.constant('clear' as const) }), weight: 1 },
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
      const ref = new Map<string, number>();
      const m = new ShardedMap<number>(slot, 8);
      for (const o of ops) {
        if (o.kind === 'set') {
          ref.set(o.key, o.value);
          m.set(o.key, o.value);
        } else if (o.kind === 'delete') assert.equal(m.delete(o.key), ref.delete(o.key));
        else {
          ref.clear();
          m.clear();
        }
        assert.equal(m.size, ref.size);
      }
      for (const [k, v] of ref) {
        assert.equal(m.get(k), v);
        assert.ok(m.has(k));
      }
      const sorted = (it: Iterable<[string, number]>) => [...it].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      assert.deepEqual(sorted(m), sorted(ref));
      assert.deepEqual([...m.keys()].sort(), [...ref.keys()].sort());
      assert.deepEqual(
        [...m.values()].sort((a, b) => a - b),
        [...ref.values()].sort((a, b) => a - b),
      );
    }),
    { numRuns: 300, seed: 4242 },
  );
});

test('deleting the entry being visited while iterating visits every other entry once (usrloc expiry does this)', () => {
  const m = new ShardedMap<number>(slot, 8);
  for (let i = 0; i < 1000; i++) m.set(`k${i}`, i);
  const seen: number[] = [];
  for (const [k, v] of m) {
    seen.push(v);
    if (v % 2) m.delete(k);
  }
  assert.equal(seen.length, 1000);
  assert.equal(new Set(seen).size, 1000);
  assert.equal(m.size, 500);
});
