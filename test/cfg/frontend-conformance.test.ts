// conformance/frontend/*.cfg: minimal cases of the front end's verdicts.
// Each declares `# verdict: accepted` (check --strict finds no error) or
// `# first-error: LINE:COL RULE` (the first error check --strict prints, as
// OpenSIPS 3.3 stops on it: the parse pass in file order, then start-up).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { checkCfg } from '../../src/lint/check.js';

const DIR = new URL('../../conformance/frontend/', import.meta.url).pathname;

for (const file of readdirSync(DIR)
  .filter((f) => f.endsWith('.cfg'))
  .sort()) {
  test(`front-end conformance: ${file}`, () => {
    const text = readFileSync(DIR + file, 'utf8');
    const first = /^# first-error: (\d+:\d+ [\w-]+)$/m.exec(text)?.[1];
    const accepted = /^# verdict: accepted$/m.test(text);
    assert.ok(first || accepted, 'the case declares what it expects');
    for (const strict of [true, false]) {
      const diags = checkCfg(DIR + file, { profile: { strict } }).diagnostics;
      assert.deepEqual(
        diags.filter((d) => d.rule === 'internal'),
        [],
        'no internal diagnostic',
      );
      const errors = diags.filter((d) => d.severity === 'error');
      assert.ok(
        errors.every((e) => e.span.line !== 1 || e.span.col !== 1),
        'no error at 1:1',
      );
      if (!strict) continue;
      if (accepted)
        assert.deepEqual(
          errors.map((e) => `${e.span.line}:${e.span.col} ${e.rule} ${e.message}`),
          [],
        );
      else
        assert.equal(errors[0] ? `${errors[0].span.line}:${errors[0].span.col} ${errors[0].rule}` : 'no error', first);
    }
  });
}
