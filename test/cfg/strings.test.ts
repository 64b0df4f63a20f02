import { test } from 'node:test';
import assert from 'node:assert/strict';
import { quoteDouble, stringTokenValue, unescapeDoubleQuoted } from '../../src/cfg/strings.js';

test('double-quoted escapes as cfg.lex reads them', () => {
  assert.equal(unescapeDoubleQuoted('a\\nb\\tc\\"d\\\\e'), 'a\nb\tc"d\\e');
  assert.equal(unescapeDoubleQuoted('\\x41\\101'), 'AA');
  assert.equal(unescapeDoubleQuoted('\\1 \\q'), '\\1 \\q', 'one octal digit and unknown escapes stay literal');
  assert.equal(unescapeDoubleQuoted('a\\\nb'), 'ab', 'an escaped newline is swallowed');
});

test("single quotes keep everything literally", () => {
  assert.equal(stringTokenValue("'a\\nb'"), 'a\\nb');
  assert.equal(stringTokenValue('"a\\nb"'), 'a\nb');
});

test('quoteDouble round-trips through the unescaper', () => {
  for (const v of ['plain', 'with "quotes"', 'back\\slash', 'new\nline\ttab']) assert.equal(stringTokenValue(quoteDouble(v)), v);
});
