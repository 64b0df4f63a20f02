// Edits are recorded and applied by serialize(); untouched bytes go out as received.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSipError, parseSipMessage } from '../../src/sip/index.js';
import { corpusMessages } from './helpers/corpus.js';
import { parsed, REGISTER, sip } from './helpers/msg.js';

test('an untouched message serializes byte for byte (every valid RFC 4475 message and REGISTER sample)', () => {
  const messages = corpusMessages();
  assert.ok(messages.length >= 48);
  for (const m of messages) {
    assert.equal(m.hasEdits(), false);
    assert.ok(m.serialize().equals(m.bytes));
  }
});

test('setRuri rewrites the request line only', () => {
  const m = parsed(REGISTER);
  m.setRuri('sip:bob@192.0.2.10:5060;transport=udp');
  assert.equal(m.ruri, 'sip:bob@192.0.2.10:5060;transport=udp');
  assert.equal(m.originalRuri, 'sip:registrar.example.com');
  const out = m.serialize().toString();
  assert.equal(
    out,
    REGISTER.replace(
      'REGISTER sip:registrar.example.com SIP/2.0',
      'REGISTER sip:bob@192.0.2.10:5060;transport=udp SIP/2.0',
    ),
  );
});

test('addHeader appends after the last header or prepends before the first', () => {
  const m = parsed(REGISTER);
  m.addHeader('X-Last', 'one');
  m.addHeader('X-Last', 'two');
  m.addHeader('Record-Route', '<sip:proxy.example.com;lr>', 'prepend');
  const out = m.serialize().toString();
  assert.ok(
    out.startsWith('REGISTER sip:registrar.example.com SIP/2.0\r\nRecord-Route: <sip:proxy.example.com;lr>\r\nVia: '),
  );
  assert.ok(out.endsWith('Content-Length: 0\r\nX-Last: one\r\nX-Last: two\r\n\r\n'));
});

test('removeHeader takes every field of that name, compact or long', () => {
  const text = sip(
    'OPTIONS sip:a@example.com SIP/2.0',
    'Via: SIP/2.0/UDP h;branch=z9hG4bK1',
    'v: SIP/2.0/UDP g;branch=z9hG4bK0',
    'X-A: 1',
    'X-B: 2',
    'x-a: 3',
    'To: <sip:a@example.com>',
    'From: <sip:b@example.com>;tag=1',
    'Call-ID: rm',
    'CSeq: 1 OPTIONS',
    'l: 0',
    '',
    '',
  );
  const m = parsed(text);
  assert.equal(m.removeHeader('X-A'), 2);
  assert.equal(m.removeHeader('X-A'), 0, 'already removed');
  assert.equal(m.removeHeader('via'), 2);
  const out = m.serialize().toString();
  assert.ok(!out.includes('X-A') && !out.includes('x-a: 3') && !out.includes('Via') && !out.includes('v: '));
  assert.ok(out.includes('X-B: 2\r\nTo: '));
  assert.equal(
    m.header('x-a'),
    '1',
    'the accessors read what was received (as OpenSIPS does before msg_apply_changes)',
  );
  const applied = m.applyEdits();
  assert.match(applied.error ?? '', /no Via/, 'reparsing sees the edits');
});

test('replaceHeader replaces the nth field', () => {
  const m = parsed(REGISTER.replace('Max-Forwards: 70', 'Max-Forwards: 70\r\nX-T: a\r\nX-T: b'));
  assert.equal(m.replaceHeader('x-t', 'B', 1), true);
  assert.equal(m.replaceHeader('x-t', 'C', 2), false);
  assert.equal(m.replaceHeader('max-forwards', '69'), true);
  const out = m.serialize().toString();
  assert.ok(out.includes('Max-Forwards: 69\r\nX-T: a\r\nX-T: B\r\nTo: '));
});

test('setBody counts bytes into Content-Length and sets Content-Type', () => {
  const m = parsed(REGISTER);
  m.setBody('ünïcödé', 'text/plain;charset=utf-8');
  const again = parsed(m.serialize());
  assert.equal(again.contentLength, Buffer.byteLength('ünïcödé'));
  assert.equal(again.bodyText, 'ünïcödé');
  assert.equal(again.header('content-type'), 'text/plain;charset=utf-8');
  const sdp = parsed(
    sip(
      'INVITE sip:b@example.com SIP/2.0',
      'Via: SIP/2.0/UDP h;branch=z9hG4bK1',
      'To: <sip:b@example.com>',
      'From: <sip:a@example.com>;tag=1',
      'Call-ID: b',
      'CSeq: 1 INVITE',
      'Content-Type: application/sdp',
      'l: 4',
      '',
      'v=0\n',
    ),
  );
  const body = 'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n';
  sdp.setBody(body);
  const out = sdp.serialize().toString();
  assert.ok(
    out.includes(`Content-Type: application/sdp\r\nl: ${body.length}\r\n\r\nv=0`),
    'the Content-Length field keeps its (compact) name',
  );
});

test('stream serialization adds a missing Content-Length', () => {
  const m = parsed(REGISTER.replace('Content-Length: 0\r\n', ''));
  assert.ok(!m.serialize().toString().includes('Content-Length'), 'not for UDP, as OpenSIPS');
  assert.ok(m.serialize({ stream: true }).toString().endsWith('Content-Length: 0\r\n\r\n'));
});

test('clone has its own edits', () => {
  const m = parsed(REGISTER);
  m.addHeader('X-Original', '1');
  const copy = m.clone();
  copy.setRuri('sip:elsewhere.example.com');
  copy.addHeader('X-Copy', '1');
  assert.equal(m.ruri, 'sip:registrar.example.com');
  assert.ok(!m.serialize().toString().includes('X-Copy'));
  assert.ok(copy.serialize().toString().includes('X-Original: 1\r\nX-Copy: 1'));
  const copyContacts = copy.contacts();
  assert.ok(!isSipError(copyContacts) && copyContacts.contacts.length === 1);
});

test('edits on a bare-LF message keep the received lines', () => {
  const lf = REGISTER.replace(/\r\n/g, '\n');
  const m = parsed(lf);
  m.addHeader('X-New', 'v');
  const out = m.serialize().toString();
  assert.equal(out, lf.replace('Content-Length: 0\n', 'Content-Length: 0\nX-New: v\r\n'));
  assert.ok(parseSipMessage(out).msg);
});
