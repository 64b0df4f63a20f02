import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeMessage, out, run } from '../helpers/engine.js';

const cond = (c: string, msg = fakeMessage()): unknown =>
  out(`if (${c}) { $var(out) = "T"; } else { $var(out) = "F"; }`, msg);

test('arithmetic: + - * / % share a level with | & ^ << >> below them', () => {
  assert.equal(out('$var(out) = 1 + 2 * 3;'), 9);
  assert.equal(out('$var(out) = 2 * 3 + 4;'), 10);
  assert.equal(out('$var(out) = 1 | 2 + 3;'), 5);
  assert.equal(out('$var(out) = 7 / 2;'), 3);
  assert.equal(out('$var(out) = -7 % 3;'), -1);
  assert.equal(out('$var(out) = 1 << 4 >> 2;'), 4);
  assert.equal(out('$var(out) = ~0;'), -1);
  assert.equal(out('$var(out) = 6 ^ 3;'), 5);
});

test('division by zero is an error: the assignment fails', () => {
  assert.equal(out('$var(out) = 1; $var(out) = 5 / 0;'), 1);
});

test('string concatenation with +, and the int-literal rule', () => {
  assert.equal(out('$var(out) = "sip:" + $rU + "@" + $rd;'), 'sip:bob@example.com');
  assert.equal(out('$var(n) = 5; $var(out) = "n=" + $var(n);'), 'n=5', 'an integer-typed PV has a string form');
  assert.equal(out('$var(out) = "x"; $var(out) = "n=" + 5;'), 'x', 'an integer literal has no string form: error');
  assert.equal(out('$var(out) = "a" + $var(unset);'), 'a', 'NULL concatenates as empty');
});

test('compound assignments: ints with ints, strings only +=', () => {
  assert.equal(out('$var(out) = 5; $var(out) += 2; $var(out) *= 3;'), 21);
  assert.equal(out('$var(out) = "a"; $var(out) += "b";'), 'ab');
  assert.equal(out('$var(out) = "a"; $var(out) -= "b";'), 'a');
  assert.equal(out('$var(out) = 1; $var(out) += "b";'), 1);
});

test('string comparison ignores case; < > compare lexically', () => {
  assert.equal(cond('$rm == "invite"'), 'T');
  assert.equal(cond('$rm != "INVITE"'), 'F');
  assert.equal(cond('$rm < "J"'), 'T');
  assert.equal(cond('$rU == "bo"'), 'F', 'different lengths');
});

test('regex match is POSIX extended, case-insensitive, unanchored', () => {
  assert.equal(cond('$ru =~ "EXAMPLE\\.com"'), 'T');
  assert.equal(cond('$rU =~ "^b[[:alpha:]]+$"'), 'T');
  assert.equal(cond('$rU !~ "^a"'), 'T');
});

test('comparing a string PV with a number is an error, treated as false', () => {
  assert.equal(cond('$rU == 1'), 'F');
  assert.equal(cond('!($rU == 1)'), 'F', '! of an error stays an error');
});

test('NULL: unset PVs compare equal to NULL; against constants == is false and != is true', () => {
  assert.equal(cond('$var(unset) == NULL'), 'T');
  assert.equal(cond('$rU == NULL'), 'F');
  assert.equal(cond('$var(unset) != "x"'), 'T');
  assert.equal(cond('$var(unset) == "x"'), 'F');
  assert.equal(cond('$var(u1) == $var(u2)'), 'T');
});

test('&& and || short-circuit and share a level', () => {
  assert.equal(cond('1 || 0 && 0'), 'F', '(1 || 0) && 0');
  assert.equal(out('if (0 && route(side)) { } $var(out) = $var(side);\n}\nroute[side] { $var(side) = "ran"; '), null);
  assert.equal(out('if (1 || route(side)) { } $var(out) = $var(side);\n}\nroute[side] { $var(side) = "ran"; '), null);
});

test('truthiness of a bare PV: NULL, empty and 0 are false', () => {
  assert.equal(cond('$var(unset)'), 'F');
  assert.equal(out('$var(z) = 0; if ($var(z)) { $var(out) = "T"; } else { $var(out) = "F"; }'), 'F');
  assert.equal(out('$var(z) = ""; if ($var(z)) { $var(out) = "T"; } else { $var(out) = "F"; }'), 'F');
  assert.equal(cond('$rU'), 'T');
});

test('[ ] evaluates an arithmetic expression as a condition', () => {
  assert.equal(cond('[1 + 1]'), 'T');
  assert.equal(cond('[1 - 1]'), 'F');
});

test('an assignment used as a condition is true when it succeeds', () => {
  assert.equal(out('if ($var(x) = 5) { $var(out) = $var(x); }'), 5);
});

test('a function returning 0 inside a condition exits: neither branch runs', () => {
  const r = run(
    'route { $var(a) = 1; if (route(z)) { $var(a) = 2; } else { $var(a) = 3; } $var(a) = 4; }\nroute[z] { return(0); }',
  );
  assert.equal(r.runtime.vars.get('a'), 1);
});

test('addresses and networks: $si == 10.0.0.0/8', () => {
  assert.equal(cond('$si == 127.0.0.0/8'), 'T');
  assert.equal(cond('$si == 10.0.0.0/8'), 'F');
  assert.equal(cond('$si != 127.0.0.1'), 'F');
});
