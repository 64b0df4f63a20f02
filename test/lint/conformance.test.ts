// conformance/lint/*.cfg: deliberately broken configs, each declaring the
// diagnostics lint must report with `# expect: SEVERITY RULE LINE` lines
// (and `# profile: strict` when the case is about the strict profile).
// The transport, missing-module and placeholder warnings every small cfg
// would get are not listed unless the case is about them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { lintCfg } from '../../src/lint/lint.js';

const DIR = new URL('../../conformance/lint/', import.meta.url).pathname;
const AMBIENT = new Set(['missing-transport', 'missing-loadmodule', 'missing-dependency']);

for (const file of readdirSync(DIR).filter((f) => f.endsWith('.cfg')).sort()) {
  test(`lint conformance: ${file}`, () => {
    const text = readFileSync(DIR + file, 'utf8');
    const expected = [...text.matchAll(/^# expect: (\w+) ([\w-]+) (\d+)$/gm)].map((m) => `${m[1]} ${m[2]} ${m[3]}`).sort();
    assert.ok(expected.length, 'the case declares what it expects');
    const strict = /^# profile: strict$/m.test(text);
    const declaredRules = new Set(expected.map((e) => e.split(' ')[1]));
    const got = lintCfg(DIR + file, { profile: { strict } }).diagnostics
      .filter((d) => declaredRules.has(d.rule) || !AMBIENT.has(d.rule))
      .map((d) => `${d.severity} ${d.rule} ${d.span.line}`).sort();
    assert.deepEqual(got, expected);
  });
}
