import { test } from 'node:test';
import assert from 'node:assert/strict';
import { quoteDouble, stringTokenValue, unescapeDoubleQuoted } from '../../src/cfg/strings.js';

test('double-quoted escapes as cfg.lex reads them', () => {
  assert.equal(unescapeDoubleQuoted('a\\nb\\tc\\"d\\\\e'), 'a\nb\tc"d\\e');
  assert.equal(unescapeDoubleQuoted('\\x41\\101'), 'AA');
  assert.equal(unescapeDoubleQuoted('\\1 \\q'), '\\1 \\q', 'one octal digit and unknown escapes stay literal');
  assert.equal(unescapeDoubleQuoted('a\\\nb'), 'ab', 'an escaped newline is swallowed');
});

test('single quotes keep everything literally', () => {
  assert.equal(stringTokenValue("'a\\nb'"), 'a\\nb');
  assert.equal(stringTokenValue('"a\\nb"'), 'a\nb');
});

test('quoteDouble round-trips through the unescaper', () => {
  for (const v of ['plain', 'with "quotes"', 'back\\slash', 'new\nline\ttab'])
    assert.equal(stringTokenValue(quoteDouble(v)), v);
});

test("single-quoted strings wherever 3.3's lexer takes a string (cfg.lex STRING2)", async () => {
  const { parseCfgText } = await import('../../src/cfg/parse.js');
  const text =
    "modparam('tm', 'fr_timeout', 5)\nroute {\n  if ($var(x) !~ 'alg') exit;\n  $var(y) = 'say \"hi\" \\\\ no escapes';\n  $var(z) = 'two\nlines';\n  xlog('done\\n');\n}\n";
  const r = parseCfgText(text, 'sq.cfg', { strict: true });
  assert.deepEqual(
    r.diagnostics.map((d) => d.message),
    [],
  );
  const route = r.result.items.find((i) => i.kind === 'Route');
  assert.ok(route && route.kind === 'Route');
  const values = route.body.flatMap((s) => (s.kind === 'Assign' && s.value.kind === 'String' ? [s.value.value] : []));
  assert.deepEqual(values, ['say "hi" \\\\ no escapes', 'two\nlines']);
});
