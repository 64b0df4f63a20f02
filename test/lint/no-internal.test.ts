// An `internal` diagnostic is a bug of opensips-ts (issue 18): no cfg of the
// corpus or of conformance/ may produce one, and `check` never lets one
// decide a verdict.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { checkCfg } from '../../src/lint/check.js';
import { CORPUS_DIR } from '../helpers/cfg.js';

function cfgsUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? cfgsUnder(p) : n.endsWith('.cfg') ? [p] : [];
  });
}

const files = [...cfgsUnder('conformance'), ...cfgsUnder(CORPUS_DIR)];

test('no cfg of conformance/ or of the corpus gets an internal diagnostic from check, in either profile', () => {
  assert.ok(files.length > 50, `${files.length} cfgs`);
  const found: string[] = [];
  for (const f of files) {
    for (const strict of [true, false]) {
      for (const d of checkCfg(f, { profile: { strict } }).diagnostics)
        if (d.rule === 'internal') found.push(`${f}:${d.span.line}: ${d.message}`);
    }
  }
  assert.deepEqual(found, []);
});
