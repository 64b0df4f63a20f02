import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFormat, parsePVarSpec, parsePVarToken, printPVarSpec } from '../../src/cfg/pvar.js';

test('plain, named, bracketed, indexed and transformed pseudo-variables', () => {
  assert.deepEqual(parsePVarSpec('$ru').spec, { name: 'ru', transforms: [], bracketed: false });
  assert.deepEqual(parsePVarSpec('$socket_in(proto)').spec, {
    name: 'socket_in',
    inner: 'proto',
    transforms: [],
    bracketed: false,
  });
  assert.deepEqual(parsePVarSpec('$(avp(x)[2])').spec, {
    name: 'avp',
    inner: 'x',
    index: '2',
    transforms: [],
    bracketed: true,
  });
  const tr = parsePVarSpec('$(hdr(Contact){nameaddr.uri}{uri.host})').spec!;
  assert.deepEqual(
    tr.transforms.map((t) => t.name),
    ['nameaddr.uri', 'uri.host'],
  );
  const sub = parsePVarSpec('$(var(a){s.substr,1,$var(n)})').spec!;
  assert.equal(sub.transforms[0]!.name, 's.substr');
  assert.deepEqual(sub.transforms[0]!.args, [['1'], [{ name: 'var', inner: 'n', transforms: [], bracketed: false }]]);
  assert.deepEqual(parsePVarSpec('$$').spec, { name: '$', transforms: [], bracketed: false });
  assert.equal(parsePVarSpec('$ruri.user').spec!.name, 'ruri.user');
});

test('bad specs are errors, not exceptions', () => {
  assert.match(parsePVarSpec('$(ru').error!, /expected `\)`/);
  assert.match(parsePVarSpec('$avp()').error!, /empty name/);
  assert.match(parsePVarSpec('$').error!, /name expected/);
  assert.match(parsePVarToken('$ru}').error!, /unexpected `}`/);
});

test('an index outside $( ) is read but marked loose', () => {
  const r = parsePVarToken('$avp(x)[2]');
  assert.equal(r.error, undefined);
  assert.equal(r.spec!.looseIndex, true);
  assert.equal(r.spec!.index, '2');
});

test('format strings split into text and pseudo-variables, as pv_parse_format', () => {
  const { parts, errors } = parseFormat('[$cfg_line][$ci]---main-1-:$rm|$tu|$socket_in(port)|$socket_in(proto)\n');
  assert.deepEqual(errors, []);
  assert.deepEqual(
    parts.map((p) => (typeof p === 'string' ? p : `<${p.name}${p.inner ? `(${p.inner})` : ''}>`)),
    [
      '[',
      '<cfg_line>',
      '][',
      '<ci>',
      ']---main-1-:',
      '<rm>',
      '|',
      '<tu>',
      '|',
      '<socket_in(port)>',
      '|',
      '<socket_in(proto)>',
      '\n',
    ],
  );
  // An index after `$avp(x)` is literal text inside a format, as in 3.3.
  assert.deepEqual(
    parseFormat('$avp(x)[1]').parts.map((p) => (typeof p === 'string' ? p : p.name)),
    ['avp', '[1]'],
  );
});

test('a spec prints back to the same spec', () => {
  for (const t of ['$ru', '$avp(x)', '$(avp(x)[*])', '$(ru{uri.user})', '$(var(a){s.substr,1,2}{s.len})', '$$']) {
    assert.equal(printPVarSpec(parsePVarSpec(t).spec!), t);
  }
});
