// The diagnostic registry (src/cfg/rules.ts): every rule is documented and has
// a golden case under conformance/lint/ unless lint cannot report it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { RULES, RULE_IDS, listRules } from '../../src/lint/codes.js';

const DIR = new URL('../../conformance/lint/', import.meta.url).pathname;
const cases = readdirSync(DIR)
  .filter((f) => f.endsWith('.cfg'))
  .map((f) => readFileSync(DIR + f, 'utf8'));
const expected = new Set(cases.flatMap((t) => [...t.matchAll(/^# expect: \w+ ([\w-]+) \d+$/gm)].map((m) => m[1])));

test('every rule lint can report has a golden case under conformance/lint/', () => {
  const missing = RULE_IDS.filter((id) => !('noLintCase' in RULES[id]) && !expected.has(id));
  assert.deepEqual(missing, []);
});

test('a rule without a golden case says why, and really has none', () => {
  for (const id of RULE_IDS.filter((i) => 'noLintCase' in RULES[i]))
    assert.ok(!expected.has(id), `${id} has a case: drop its noLintCase`);
});

test('golden cases only expect registered rules', () => {
  for (const id of expected) assert.ok(Object.hasOwn(RULES, id), `${id} is not in the registry`);
});

test('descriptions are one line ending with a period, distinct from the id; help says more', () => {
  for (const id of RULE_IDS) {
    const r = RULES[id];
    assert.match(r.description, /^[^\n]+\.$/, id);
    assert.notEqual(r.description.toLowerCase(), id);
    assert.ok(r.help.length > 10 && !r.help.includes('\n'), id);
    assert.match(r.help, /[.)]$/, id);
  }
});

test('lint --list-rules lists every rule with its phase and severity', () => {
  const lines = listRules().split('\n');
  assert.equal(lines.length, RULE_IDS.length);
  assert.match(
    lines.find((l) => l.startsWith('route-undefined '))!,
    /^route-undefined +start-up +error +`route\(name\)` calls a route that is not defined\.$/,
  );
  assert.match(
    lines.find((l) => l.startsWith('syntax '))!,
    /^syntax +parse +error /,
  );
  assert.match(
    lines.find((l) => l.startsWith('flag-never-set '))!,
    /^flag-never-set +lint +warning /,
  );
});
