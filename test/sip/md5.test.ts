import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { md5Hex } from '../../src/sip/md5.js';

const reference = (s: string): string => createHash('md5').update(s, 'utf8').digest('hex');

test('md5Hex: RFC 1321 test suite', () => {
  assert.equal(md5Hex(''), 'd41d8cd98f00b204e9800998ecf8427e');
  assert.equal(md5Hex('abc'), '900150983cd24fb0d6963f7d28e17f72');
  assert.equal(md5Hex('message digest'), 'f96b697d7cb7938d525a2f31aaf161d0');
  assert.equal(
    md5Hex('12345678901234567890123456789012345678901234567890123456789012345678901234567890'),
    '57edf4a22be3c955ac49da2e2107b67a',
  );
});

test('md5Hex agrees with node:crypto on every length around the block and padding edges', () => {
  let seed = 7;
  const rnd = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed;
  };
  for (let len = 0; len <= 200; len++) {
    for (let k = 0; k < 5; k++) {
      let s = '';
      for (let i = 0; i < len; i++) s += String.fromCharCode(rnd() % 0x80);
      assert.equal(md5Hex(s), reference(s), `length ${len}`);
    }
  }
});

test('md5Hex of several parts is the MD5 of their concatenation, across block edges', () => {
  const long = 'x'.repeat(70);
  for (const parts of [
    ['127.0.0.1', '5060', 'z9hG4bK776asdhds'],
    ['', ''],
    [long, 'a', long],
    ['a'.repeat(55), 'b'],
    ['a'.repeat(56)],
  ]) {
    assert.equal(md5Hex(...parts), reference(parts.join('')), parts.join('|'));
  }
  assert.equal(md5Hex('host\u00e9', '5060'), reference('host\u00e95060'));
});

test('md5Hex hashes non-ASCII text as UTF-8, as node:crypto does', () => {
  for (const s of ['host\u00e9', 'z9hG4bK\u4e2d\u6587', '\u00ff']) assert.equal(md5Hex(s), reference(s));
});
