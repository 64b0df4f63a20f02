// Every scenario of conformance/blog/ (one per row of blog-observations.md) runs
// on the seed configs verbatim, and each of its checks must pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { checkExpectations, expectationTimes } from '../../src/scenario/expect.js';
import { loadScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/scenario/runner.js';
import { summarize } from '../../src/scenario/summary.js';
import { BLOG_DIR } from '../helpers/cfg.js';

const files = readdirSync(BLOG_DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

test('conformance/blog holds a scenario per blog observation', () => {
  for (const row of [
    'r-rfc1',
    'r-lookup-gap',
    'm0-mirror',
    'm1-much-larger',
    'm1-moderately-larger',
    'm1-below',
    'm2-much-larger',
    'm2-slightly-above',
    'm2-below',
    'm2-two-devices',
    'm2-stale-upstream',
    'm2-stale-upstream-3.3.10',
    'm1-star-quirk',
    'm1-ul-rm',
    'switch-m1-to-m2',
    'm0-outgoing-ignored',
    'm1-near',
    'm1-two-phones',
    'm1-contact-params',
    'm2-contact-params',
    'm1-upstream-caps',
    'm2-upstream-caps',
    'switch-m2-to-m1',
  ]) {
    assert.ok(files.includes(`${row}.yaml`), row);
  }
});

for (const f of files) {
  test(`scenario ${f}: every check passes`, async () => {
    const s = loadScenario(BLOG_DIR + f);
    assert.ok(!('errors' in s), JSON.stringify(s));
    if ('errors' in s) return;
    assert.ok(s.expect.length >= 4, 'a blog scenario asserts its legs');
    assert.match(s.proxy.cfg, /conformance\/blog\/blog-(mid-)?registrar\.cfg$/, 'runs a seed cfg verbatim');
    const trace = await runScenario(s, expectationTimes(s.expect));
    assert.ok(!('diagnostics' in trace), 'the scenario starts');
    if ('diagnostics' in trace) return;
    const results = checkExpectations(
      trace,
      trace.deliveries.map((d) => summarize(d, s.startMs)),
    );
    const failed = results.filter((r) => !r.ok).map((r) => `line ${r.expectation.line}: ${r.detail}`);
    assert.deepEqual(failed, []);
  });
}

test('RESTART: `P RESTART module.param=value` overrides; anything else is a positioned error', () => {
  const text = (line: string): string =>
    `cfg: blog-mid-registrar.cfg\nupstream: { name: UP, socket: "udp:172.16.4.114:5060" }\nuas: {}\ntimeline:\n  - ${line}\n`;
  const ok = loadScenario(
    `${BLOG_DIR}x.yaml`,
    text('t=60 P RESTART mid_registrar.mode=2 mid_registrar.outgoing_expires=180'),
  );
  assert.ok(!('errors' in ok));
  if ('errors' in ok) return;
  const a = ok.steps[0]!.action;
  assert.equal(a.kind, 'restart');
  if (a.kind === 'restart')
    assert.deepEqual(
      [...a.modparams.get('mid_registrar')!],
      [
        ['mode', 2],
        ['outgoing_expires', 180],
      ],
    );
  const bad = loadScenario(`${BLOG_DIR}x.yaml`, text('t=60 P RESTART mode=2'));
  assert.ok(
    'errors' in bad && bad.errors[0]!.line === 5 && /module\.param=value/.test(bad.errors[0]!.message),
    JSON.stringify(bad),
  );
});
