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
  const warningsOnly = LINT_DIR + 'retcode-after-log.cfg'; // two warnings, no error
  assert.equal(run('lint', warningsOnly).code, 0);
  assert.equal(run('lint', warningsOnly, '--max-warnings', '1').code, 3);
  assert.equal(run('lint', warningsOnly, '--max-warnings', '2').code, 0);
  assert.equal(run('lint', LINT_DIR + 'argument-count.cfg').code, 1);
  assert.equal(run('lint', BLOG_DIR + 'blog-registrar.cfg', '--format', 'xml').code, 2);
});

test('--format json is one document with positions and rules', () => {
  const r = run('lint', LINT_DIR + 'route-type.cfg', '--format', 'json');
  const doc = JSON.parse(r.out);
  const d = doc.diagnostics.find((x: { rule: string }) => x.rule === 'route-type');
  assert.deepEqual([d.line, d.column, d.severity], [8, 2, 'error']);
  assert.equal(doc.summary.errors, 2); // route-type, and missing-transport: no proto_udp
});

test('lint: what OpenSIPS 3.3 refuses is an error in every profile, exit 1, the message saying `run` tolerates it', () => {
  for (const file of ['route-undefined.cfg', 'missing-loadmodule.cfg', 'socket-undeclared.cfg']) {
    for (const profile of [[], ['--strict']]) {
      const r = run('lint', LINT_DIR + file, ...profile);
      assert.equal(r.code, 1, `${file} ${profile.join(' ')}`);
      assert.match(r.out, /error: /);
    }
  }
  assert.match(
    run('lint', LINT_DIR + 'route-undefined.cfg').out,
    /refuses to start.*`run` and `check` tolerate it in the default profile/,
  );
  assert.doesNotMatch(run('lint', LINT_DIR + 'route-undefined.cfg', '--strict').out, /tolerate it/);
  assert.match(run('lint', LINT_DIR + 'socket-undeclared.cfg').out, /`run` tolerates it in the default profile/);
  assert.equal(run('lint', BLOG_DIR + 'blog-registrar.cfg').code, 1);
  // check keeps the profile's verdict: the default profile runs the blog's config
  assert.equal(run('check', BLOG_DIR + 'blog-registrar.cfg').code, 0);
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

test('lint --list-rules prints the registry, one rule a line, exit 0', () => {
  const r = run('lint', '--list-rules');
  assert.equal(r.code, 0);
  assert.match(r.out, /^route-undefined +start-up +error +`route\(name\)` calls a route that is not defined\.$/m);
  assert.match(r.out, /^socket-undeclared +lint +error /m);
});
