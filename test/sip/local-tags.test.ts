// sl's and tm's to-tags, made as OpenSIPS's tags.h makes them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { crcittHex, LocalTags, SL_TAG_KIND, TM_TAG_KIND } from '../../src/sip/local-tags.js';
import { parseSipMessage } from '../../src/sip/index.js';
import type { SipMessage } from '../../src/sip/message.js';

function msg(via: string, method = 'INVITE'): SipMessage {
  const p = parseSipMessage(
    Buffer.from(
      `${method} sip:a@127.0.0.1 SIP/2.0\r\nVia: ${via}\r\nFrom: <sip:b@127.0.0.2>;tag=1\r\nTo: <sip:a@127.0.0.1>\r\nCall-ID: c\r\nCSeq: 1 ${method}\r\nContent-Length: 0\r\n\r\n`,
    ),
  );
  assert.ok(!('error' in p) || p.error === undefined);
  return (p as { msg: SipMessage }).msg;
}

test('the fixed part is CRC-16/X-25 (the CCITT table OpenSIPS uses), printed low nibble first', () => {
  // The published check value of CRC-16/X-25 over "123456789" is 0x906E.
  assert.equal(crcittHex(['123456789']), 'e609');
  assert.equal(crcittHex(['1234', '56789']), 'e609', 'the parts are one stream');
  const sl = new LocalTags(SL_TAG_KIND, { ip: '127.0.0.1', port: 5060 });
  const tm = new LocalTags(TM_TAG_KIND, { ip: '127.0.0.1', port: 5060 });
  assert.equal(sl.prefix, crcittHex(['OpenSIPS-stateless', '127.0.0.1', '5060']) + '.');
  assert.equal(tm.prefix, crcittHex(['OpenSIPS-TM/tags', '127.0.0.1', '5060']) + '-');
  assert.notEqual(
    new LocalTags(SL_TAG_KIND, { ip: '127.0.0.2', port: 5060 }).prefix,
    sl.prefix,
    'the first socket is part of it',
  );
});

test('the variable part is the MD5 of the top Via host, port as written and branch: retransmissions get the same tag', () => {
  const tags = new LocalTags(SL_TAG_KIND, { ip: '127.0.0.1', port: 5060 });
  const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
  const a = tags.tagFor(msg('SIP/2.0/UDP 127.0.0.9:05060;branch=z9hG4bK-1;rport'))!;
  assert.equal(a, tags.prefix + md5('127.0.0.905060z9hG4bK-1'));
  assert.equal(
    tags.tagFor(msg('SIP/2.0/UDP 127.0.0.9:05060;rport;branch=z9hG4bK-1')),
    a,
    'other parameters do not count',
  );
  assert.notEqual(tags.tagFor(msg('SIP/2.0/UDP 127.0.0.9:05060;branch=z9hG4bK-2')), a);
  assert.equal(
    tags.tagFor(msg('SIP/2.0/UDP [::1];branch=z9hG4bK-3')),
    tags.prefix + md5('[::1]z9hG4bK-3'),
    'no port: nothing for it; IPv6 with brackets',
  );
  assert.equal(
    tags.tagFor(msg('SIP/2.0/UDP 127.0.0.9')),
    tags.prefix + md5('127.0.0.9'),
    'no branch: host and port only',
  );
});

test("isOwn: an ACK with the INVITE's Via and the tag of our reply is recognised; others are not", () => {
  const tags = new LocalTags(SL_TAG_KIND, { ip: '127.0.0.1', port: 5060 });
  const tag = tags.tagFor(msg('SIP/2.0/UDP 127.0.0.9:5060;branch=z9hG4bK-7'))!;
  assert.equal(tags.isOwn(tag, msg('SIP/2.0/UDP 127.0.0.9:5060;branch=z9hG4bK-7', 'ACK')), true);
  assert.equal(
    tags.isOwn(tag, msg('SIP/2.0/UDP 127.0.0.9:5060;branch=z9hG4bK-8', 'ACK')),
    false,
    'another transaction',
  );
  assert.equal(tags.isOwn('abc', msg('SIP/2.0/UDP 127.0.0.9:5060;branch=z9hG4bK-7', 'ACK')), false);
  assert.equal(
    new LocalTags(TM_TAG_KIND, { ip: '127.0.0.1', port: 5060 }).isOwn(
      tag,
      msg('SIP/2.0/UDP 127.0.0.9:5060;branch=z9hG4bK-7', 'ACK'),
    ),
    false,
    "tm's tags are not sl's",
  );
});
