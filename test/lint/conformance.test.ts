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

for (const file of readdirSync(DIR)
  .filter((f) => f.endsWith('.cfg'))
  .sort()) {
  test(`lint conformance: ${file}`, () => {
    const text = readFileSync(DIR + file, 'utf8');
    const expected = [...text.matchAll(/^# expect: (\w+) ([\w-]+) (\d+)$/gm)]
      .map((m) => `${m[1]} ${m[2]} ${m[3]}`)
      .sort();
    assert.ok(expected.length, 'the case declares what it expects');
    const strict = /^# profile: strict$/m.test(text);
    const declaredRules = new Set(expected.map((e) => e.split(' ')[1]));
    const got = lintCfg(DIR + file, { profile: { strict } })
      .diagnostics.filter((d) => declaredRules.has(d.rule) || !AMBIENT.has(d.rule))
      .map((d) => `${d.severity} ${d.rule} ${d.span.line}`)
      .sort();
    assert.deepEqual(got, expected);
  });
}

test('a problem inside an included file is reported at its own line, with the include chain', async () => {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'osts-inc-'));
  writeFileSync(
    join(dir, 'main.cfg'),
    'socket=udp:127.0.0.1:5060\nloadmodule "sl.so"\nroute {\n\tinclude_file "body.cfg"\n}\n',
  );
  writeFileSync(join(dir, 'body.cfg'), '# the request route body\n\tsl_send_reply(404);\n');
  const d = lintCfg(join(dir, 'main.cfg'), { profile: { strict: false } }).diagnostics.find(
    (x) => x.rule === 'argument-count',
  )!;
  assert.deepEqual([d.span.file, d.span.line], [join(dir, 'body.cfg'), 2]);
  assert.deepEqual(
    d.includeChain!.map((s) => [s.file, s.line]),
    [[join(dir, 'main.cfg'), 4]],
  );
});
