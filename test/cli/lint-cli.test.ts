import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/io.js';
import { BLOG_DIR } from '../helpers/cfg.js';

const LINT_DIR = new URL('../../conformance/lint/', import.meta.url).pathname;

function run(...args: string[]): { code: number; out: string; err: string } {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (s) => out.push(s), err: (s) => err.push(s), color: false, cwd: process.cwd() };
  return { code: main(args, io) as number, out: out.join('\n'), err: err.join('\n') };
}

test('lint exit codes: 0 with warnings only, 1 with errors, 3 with --max-warnings exceeded', () => {
  assert.equal(run('lint', BLOG_DIR + 'blog-registrar.cfg').code, 0);
  assert.equal(run('lint', BLOG_DIR + 'blog-registrar.cfg', '--max-warnings', '0').code, 3);
  assert.equal(run('lint', BLOG_DIR + 'blog-registrar.cfg', '--max-warnings', '9').code, 0);
  assert.equal(run('lint', LINT_DIR + 'argument-count.cfg').code, 1);
  assert.equal(run('lint', BLOG_DIR + 'blog-registrar.cfg', '--format', 'xml').code, 2);
});

test('--format json is one document with positions and rules', () => {
  const r = run('lint', LINT_DIR + 'route-type.cfg', '--format', 'json');
  const doc = JSON.parse(r.out);
  const d = doc.diagnostics.find((x: { rule: string }) => x.rule === 'route-type');
  assert.deepEqual([d.line, d.column, d.severity], [8, 2, 'error']);
  assert.equal(doc.summary.errors, 1);
});

test('--format sarif is SARIF 2.1.0 with rules, levels and regions', () => {
  const r = run('lint', BLOG_DIR + 'blog-mid-registrar.cfg', '--format', 'sarif');
  const doc = JSON.parse(r.out);
  assert.equal(doc.version, '2.1.0');
  const run0 = doc.runs[0];
  assert.equal(run0.tool.driver.name, 'opensips-ts');
  for (const res of run0.results) {
    assert.equal(run0.tool.driver.rules[res.ruleIndex].id, res.ruleId);
    assert.ok(['error', 'warning', 'note'].includes(res.level));
    const region = res.locations[0].physicalLocation.region;
    assert.ok(region.startLine >= 1 && region.startColumn >= 1 && region.endColumn > region.startColumn);
  }
  assert.ok(run0.results.some((x: { ruleId: string }) => x.ruleId === 'placeholder'));
});
