import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frameStreamMessage, parseSipMessage } from '../../src/sip/index.js';
import { REGISTER, sip } from './helpers/msg.js';

const WITH_BODY = sip(
  'MESSAGE sip:b@example.com SIP/2.0',
  'Via: SIP/2.0/TCP h;branch=z9hG4bK1',
  'To: <sip:b@example.com>',
  'From: <sip:a@example.com>;tag=1',
  'Call-ID: s',
  'CSeq: 1 MESSAGE',
  'l: 5',
  '',
  'hello',
);

test('messages are cut off a stream by Content-Length', () => {
  const stream = Buffer.from(REGISTER + WITH_BODY + 'INVITE sip:');
  const first = frameStreamMessage(stream);
  assert.deepEqual(first, { kind: 'message', length: Buffer.byteLength(REGISTER) });
  const rest = stream.subarray(Buffer.byteLength(REGISTER));
  const second = frameStreamMessage(rest);
  assert.deepEqual(second, { kind: 'message', length: Buffer.byteLength(WITH_BODY) });
  const m = parseSipMessage(rest.subarray(0, Buffer.byteLength(WITH_BODY)), { datagram: false });
  assert.equal(m.msg?.bodyText, 'hello');
  assert.deepEqual(frameStreamMessage(rest.subarray(Buffer.byteLength(WITH_BODY))), { kind: 'incomplete' });
});

test('a body still arriving is incomplete', () => {
  assert.deepEqual(frameStreamMessage(Buffer.from(WITH_BODY.slice(0, -2))), {
    kind: 'incomplete',
    total: Buffer.byteLength(WITH_BODY),
  });
  assert.deepEqual(frameStreamMessage(Buffer.from(WITH_BODY.slice(0, 40))), { kind: 'incomplete' });
});

test('CRLF keep-alives between messages (RFC 5626)', () => {
  assert.deepEqual(frameStreamMessage(Buffer.from('\r\n\r\n' + REGISTER)), { kind: 'keepalive', length: 4 });
  assert.deepEqual(frameStreamMessage(Buffer.from('\r\n')), { kind: 'keepalive', length: 2 });
});

test('a stream that cannot be resynchronised is an error', () => {
  assert.match(frameStreamMessage(Buffer.from(REGISTER.replace('Content-Length: 0\r\n', ''))).kind, /error/);
  assert.match(
    frameStreamMessage(Buffer.from(REGISTER.replace('Content-Length: 0', 'Content-Length: x'))).kind,
    /error/,
  );
  assert.deepEqual(frameStreamMessage(Buffer.alloc(70000, 65), 65536), { kind: 'error', error: 'headers too long' });
});
