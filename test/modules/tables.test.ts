// Every native module's export table is well-formed: names unique, and each MI
// command and statistic one that OpenSIPS 3.3's module exports (the catalog),
// with the same parameter recipes and the same kind of statistic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findModule } from '../../src/catalog/index.js';
import { coreMi } from '../../src/core/mi-core.js';
import { NATIVE_MODULES } from '../../src/modules/index.js';
import { isStatFamily } from '../../src/modules/types.js';

const tables = Object.entries(NATIVE_MODULES);

const dupes = (names: string[]): string[] => names.filter((n, i) => names.indexOf(n) !== i);

test('each table is registered under its own name, of a module OpenSIPS 3.3 has', () => {
  for (const [key, t] of tables) {
    assert.equal(t.name, key);
    assert.ok(findModule(key), `${key} is an OpenSIPS 3.3 module`);
  }
});

test("MI command names are unique across the modules and the core, and each is OpenSIPS's, with its recipes", () => {
  const core = coreMi('t').commands;
  const all = tables.flatMap(([, t]) => (t.mi ?? []).map((c) => c.name));
  assert.deepEqual(dupes(all), []);
  for (const [name, t] of tables) {
    const catalog = findModule(name)!.mi;
    for (const cmd of t.mi ?? []) {
      assert.ok(!core.has(cmd.name), `${name}'s ${cmd.name} would shadow a core command`);
      const known = catalog.find((c) => c.name === cmd.name);
      assert.ok(known, `${name} exports ${cmd.name} in OpenSIPS 3.3`);
      assert.ok(cmd.recipes.length > 0, `${cmd.name} has at least one recipe`);
      for (const r of cmd.recipes) {
        assert.equal(new Set(r).size, r.length, `${cmd.name}: a recipe names each parameter once`);
        assert.ok(
          known.recipes.some((k) => k.length === r.length && k.every((p, i) => p === r[i])),
          `${name} ${cmd.name}(${r.join(', ')}) is one of OpenSIPS's recipes`,
        );
      }
    }
  }
});

test("statistics: unique per module; a fixed one is OpenSIPS's, a counter exactly when OpenSIPS resets it", () => {
  for (const [name, t] of tables) {
    const stats = t.stats ?? [];
    assert.deepEqual(dupes(stats.map((s) => s.name)), [], name);
    const catalog = findModule(name)!.stats;
    for (const s of stats) {
      if (isStatFamily(s)) {
        assert.match(s.name, /<\w+>/, `${name}: a family's name shows its pattern`);
        continue;
      }
      const known = catalog.find((c) => c.name === s.name);
      assert.ok(known, `${name}:${s.name} is an OpenSIPS 3.3 statistic`);
      assert.equal(s.computed === true, known.flags.includes('STAT_IS_FUNC'), `${name}:${s.name} computed`);
      assert.equal(
        s.reset === undefined,
        known.flags.includes('STAT_NO_RESET') || known.flags.includes('STAT_IS_FUNC'),
        `${name}:${s.name} reset`,
      );
    }
  }
});

test('timers: unique names per module, each with its period described', () => {
  for (const [name, t] of tables) {
    const timers = t.timers ?? [];
    assert.deepEqual(dupes(timers.map((x) => x.name)), [], name);
    for (const x of timers) assert.ok(x.name && x.period, `${name}: ${x.name}`);
  }
});
