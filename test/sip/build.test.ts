// Replies built the way OpenSIPS's sl/tm do, requests we originate, and the
// received/rport rules for the top Via.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildAck,
  buildCancel,
  buildReply,
  buildRequest,
  isSipError,
  removeTopVia,
  newBranch,
  parseSipMessage,
  randomTag,
  replyDestination,
  viaReceived,
  viaReplyTarget,
} from '../../src/sip/index.js';
import { registerSample } from './helpers/data.js';
import { parsed, REGISTER, sip } from './helpers/msg.js';

const BARESIP = registerSample('r09_'); // Via: SIP/2.0/UDP 127.0.0.1:59169;branch=...;rport

test('a 200 OK to a REGISTER, header by header', () => {
  const req = parsed(BARESIP);
  const reply = buildReply(req, 200, 'OK', {
    toTag: 'abc123',
    source: { ip: '127.0.0.1', port: 59169 },
    headers: [['Contact', '<sip:1002-0x8157a0@127.0.0.1:59169>;expires=60']],
    server: 'OpenSIPS (3.3.10 (x86_64/linux))',
  });
  assert.equal(
    reply.toString(),
    sip(
      'SIP/2.0 200 OK',
      'Via: SIP/2.0/UDP 127.0.0.1:59169;received=127.0.0.1;branch=z9hG4bK5af141bb26e901eb;rport=59169',
      'To: <sip:1002@127.0.0.1:1890>;tag=abc123',
      'From: <sip:1002@127.0.0.1:1890>;tag=18be67844ae13d6c',
      'Call-ID: 69525f9016496df1',
      'CSeq: 11478 REGISTER',
      'Contact: <sip:1002-0x8157a0@127.0.0.1:59169>;expires=60',
      'Server: OpenSIPS (3.3.10 (x86_64/linux))',
      'Content-Length: 0',
      '',
      '',
    ),
  );
  const back = parsed(reply);
  assert.equal(back.status, 200);
  assert.equal(back.method, 'REGISTER');
});

test('To tag: added from 180 up (or when asked), never replaced', () => {
  const req = parsed(REGISTER);
  const trying = parsed(buildReply(req, 100, 'Trying'));
  const t = trying.to;
  assert.ok(t && !isSipError(t) && t.tag === undefined);
  const ringing = parsed(buildReply(req, 180, 'Ringing'));
  const r = ringing.to;
  assert.ok(r && !isSipError(r) && /^[0-9a-f]{16}$/.test(r.tag ?? ''), 'a generated tag');
  const forced = parsed(buildReply(req, 100, 'Trying', { addToTag: true, toTag: 'x1' }));
  assert.equal(forced.header('to'), 'Bob <sip:bob@example.com>;tag=x1');
  const tagged = parsed(REGISTER.replace('To: Bob <sip:bob@example.com>', 'To: Bob <sip:bob@example.com>;tag=keep'));
  assert.equal(
    parsed(buildReply(tagged, 486, 'Busy Here', { toTag: 'new' })).header('to'),
    'Bob <sip:bob@example.com>;tag=keep',
  );
});

test('every Via is copied; Record-Route only for 180-299', () => {
  const req = parsed(
    sip(
      'INVITE sip:bob@example.com SIP/2.0',
      'Via: SIP/2.0/UDP proxy.example.com;branch=z9hG4bK2',
      'Record-Route: <sip:proxy.example.com;lr>',
      'Via: SIP/2.0/UDP 192.0.2.1:5062;branch=z9hG4bK1',
      'To: <sip:bob@example.com>',
      'From: <sip:a@example.com>;tag=1',
      'Call-ID: rr',
      'CSeq: 1 INVITE',
      'Content-Length: 0',
      '',
      '',
    ),
  );
  const ok = parsed(buildReply(req, 200, 'OK', { toTag: 't' }));
  assert.deepEqual(ok.headers('via'), [
    'SIP/2.0/UDP proxy.example.com;branch=z9hG4bK2',
    'SIP/2.0/UDP 192.0.2.1:5062;branch=z9hG4bK1',
  ]);
  assert.equal(ok.header('record-route'), '<sip:proxy.example.com;lr>');
  const busy = parsed(buildReply(req, 486, 'Busy Here', { toTag: 't' }));
  assert.equal(busy.header('record-route'), undefined);
  assert.equal(busy.headers('via').length, 2);
});

test('a body goes with its Content-Type and a byte Content-Length', () => {
  const reply = parsed(buildReply(parsed(REGISTER), 200, 'OK', { body: { contentType: 'text/plain', data: 'é' } }));
  assert.equal(reply.header('content-type'), 'text/plain');
  assert.equal(reply.contentLength, 2);
  assert.equal(reply.bodyText, 'é');
});

test('a 400 from the partial message of an unparsable request', () => {
  const r = parseSipMessage(REGISTER.replace('Content-Length: 0', 'Content-Length: x'));
  assert.ok(r.error && r.partial);
  const reply = parsed(
    buildReply(r.partial, 400, 'Bad Request', { headers: [['Warning', '399 proxy "bad Content-Length"']] }),
  );
  assert.equal(reply.status, 400);
  assert.equal(reply.callId, '843817637684230@998sdasdh09');
});

test('viaReceived: nothing to do when the Via has the source address and no rport', () => {
  const req = parsed(REGISTER.replace(';rport', ''));
  assert.equal(viaReceived(req, { ip: '192.0.2.10', port: 5060 }), undefined);
});

test('viaReceived: received after host:port when the addresses differ (RFC 3261 §18.2.1)', () => {
  const req = parsed(REGISTER.replace(';rport', ''));
  assert.equal(
    viaReceived(req, { ip: '203.0.113.7', port: 40000 }),
    'SIP/2.0/UDP 192.0.2.10:5060;received=203.0.113.7;branch=z9hG4bK776asdhds',
  );
});

test('viaReceived: a value-less rport gets the source port, and received is always added then (RFC 3581)', () => {
  const req = parsed(REGISTER);
  assert.equal(
    viaReceived(req, { ip: '192.0.2.10', port: 5060 }),
    'SIP/2.0/UDP 192.0.2.10:5060;received=192.0.2.10;branch=z9hG4bK776asdhds;rport=5060',
  );
  assert.equal(
    viaReceived(req, { ip: '203.0.113.7', port: 40000 }),
    'SIP/2.0/UDP 192.0.2.10:5060;received=203.0.113.7;branch=z9hG4bK776asdhds;rport=40000',
  );
});

test('viaReceived: force_rport, rport with a value, host names, IPv6', () => {
  const plain = parsed(REGISTER.replace(';rport', ''));
  assert.equal(
    viaReceived(plain, { ip: '192.0.2.10', port: 5999 }, { forceRport: true }),
    'SIP/2.0/UDP 192.0.2.10:5060;received=192.0.2.10;rport=5999;branch=z9hG4bK776asdhds',
  );
  const valued = parsed(REGISTER.replace(';rport', ';rport=1234'));
  assert.equal(
    viaReceived(valued, { ip: '192.0.2.10', port: 5999 }),
    'SIP/2.0/UDP 192.0.2.10:5060;received=192.0.2.10;branch=z9hG4bK776asdhds;rport=5999',
    'OpenSIPS overwrites any rport value',
  );
  const named = parsed(REGISTER.replace('192.0.2.10:5060;branch', 'ua.example.com;branch').replace(';rport', ''));
  assert.equal(
    viaReceived(named, { ip: '192.0.2.10', port: 5060 }),
    'SIP/2.0/UDP ua.example.com;received=192.0.2.10;branch=z9hG4bK776asdhds',
    'host names are not resolved',
  );
  const v6 = parsed(REGISTER.replace('192.0.2.10:5060;branch', '[2001:db8::1]:5060;branch').replace(';rport', ''));
  assert.equal(
    viaReceived(v6, { ip: '2001:db8:0:0::1', port: 5060 }),
    undefined,
    'the same IPv6 address written differently',
  );
  assert.equal(
    viaReceived(v6, { ip: '2001:db8::2', port: 5060 }),
    'SIP/2.0/UDP [2001:db8::1]:5060;received=2001:db8::2;branch=z9hG4bK776asdhds',
  );
});

test('viaReceived: an existing received is duplicated in replies, overwritten when forwarding (as OpenSIPS)', () => {
  const req = parsed(REGISTER.replace(';rport', ';received=198.51.100.1'));
  const src = { ip: '203.0.113.7', port: 40000 };
  assert.equal(
    viaReceived(req, src),
    'SIP/2.0/UDP 192.0.2.10:5060;received=203.0.113.7;branch=z9hG4bK776asdhds;received=198.51.100.1',
  );
  assert.equal(
    viaReceived(req, src, { mode: 'forward' }),
    'SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;received=203.0.113.7',
  );
  const forced = parsed(REGISTER.replace(';rport', ''));
  assert.equal(
    viaReceived(forced, src, { mode: 'forward', forceRport: true }),
    'SIP/2.0/UDP 192.0.2.10:5060;rport=40000;received=203.0.113.7;branch=z9hG4bK776asdhds',
  );
});

test('viaReceived only touches the first via of the first Via header', () => {
  const req = parsed(
    REGISTER.replace(
      'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport',
      'Via: SIP/2.0/UDP 192.0.2.10:5060;rport;branch=z9hG4bK1, SIP/2.0/UDP 10.0.0.1;rport;branch=z9hG4bK0',
    ),
  );
  assert.equal(
    viaReceived(req, { ip: '203.0.113.7', port: 1 }),
    'SIP/2.0/UDP 192.0.2.10:5060;received=203.0.113.7;rport=1;branch=z9hG4bK1, SIP/2.0/UDP 10.0.0.1;rport;branch=z9hG4bK0',
  );
});

test('reply destination: source IP; source port with rport, else the Via port or 5060', () => {
  const src = { ip: '203.0.113.7', port: 40000 };
  assert.deepEqual(replyDestination(parsed(REGISTER), src), { host: '203.0.113.7', port: 40000 });
  assert.deepEqual(replyDestination(parsed(REGISTER.replace(';rport', '')), src), { host: '203.0.113.7', port: 5060 });
  assert.deepEqual(
    replyDestination(
      parsed(REGISTER.replace('192.0.2.10:5060;branch', '192.0.2.10;branch').replace(';rport', '')),
      src,
    ),
    { host: '203.0.113.7', port: 5060 },
  );
  assert.deepEqual(
    replyDestination(parsed(REGISTER.replace(':5060;branch', ':5070;branch').replace(';rport', '')), src),
    { host: '203.0.113.7', port: 5070 },
  );
  assert.deepEqual(replyDestination(parsed(REGISTER.replace(';rport', '')), src, { forceRport: true }), {
    host: '203.0.113.7',
    port: 40000,
  });
});

test('relayed replies go to maddr, received or host, at rport or the Via port', () => {
  const vias = parsed(
    REGISTER.replace(
      'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport',
      'Via: SIP/2.0/UDP 192.0.2.10:5070;branch=z9hG4bK1;rport=40001;received=203.0.113.7\r\nVia: SIP/2.0/TLS ua.example.com;branch=z9hG4bK2',
    ),
  ).vias();
  assert.ok(!isSipError(vias));
  assert.deepEqual(viaReplyTarget(vias[0]!), { host: '203.0.113.7', port: 40001 });
  assert.deepEqual(viaReplyTarget(vias[1]!), { host: 'ua.example.com', port: 5061 });
});

test('buildRequest: a De-REGISTER that parses back', () => {
  const tag = randomTag();
  const branch = newBranch();
  assert.match(branch, /^z9hG4bK[0-9a-f]{16}$/);
  const bytes = buildRequest({
    method: 'REGISTER',
    ruri: 'sip:registrar.example.com',
    headers: [
      ['Via', `SIP/2.0/UDP 192.0.2.1:5060;branch=${branch}`],
      ['From', `<sip:bob@example.com>;tag=${tag}`],
      ['To', '<sip:bob@example.com>'],
      ['Call-ID', 'dereg-1@192.0.2.1'],
      ['CSeq', '2 REGISTER'],
      ['Contact', '*'],
      ['Expires', '0'],
    ],
  });
  const m = parsed(bytes);
  assert.equal(m.method, 'REGISTER');
  assert.equal(m.maxForwards, 70);
  assert.deepEqual(m.contacts(), { star: true, contacts: [] });
  assert.equal(m.expires, 0);
  assert.equal(m.contentLength, 0);
  assert.ok(bytes.toString().endsWith('Content-Length: 0\r\n\r\n'));
});

test('buildRequest with a body', () => {
  const m = parsed(
    buildRequest({
      method: 'MESSAGE',
      ruri: 'sip:bob@example.com',
      maxForwards: null,
      headers: [
        ['Via', 'SIP/2.0/UDP h;branch=z9hG4bK1'],
        ['From', '<sip:a@example.com>;tag=1'],
        ['To', '<sip:bob@example.com>'],
        ['Call-ID', 'm'],
        ['CSeq', '1 MESSAGE'],
      ],
      body: { contentType: 'text/plain', data: 'héllo' },
    }),
  );
  assert.equal(m.maxForwards, undefined);
  assert.equal(m.header('content-type'), 'text/plain');
  assert.equal(m.bodyText, 'héllo');
  assert.equal(m.contentLength, 6);
});

const INVITE_OUT = Buffer.from(
  sip(
    'INVITE sip:bob@127.0.0.2 SIP/2.0',
    'Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKout1',
    'Via: SIP/2.0/UDP 127.0.0.11:5060;branch=z9hG4bKin1',
    'From: <sip:alice@127.0.0.11>;tag=a1',
    'To: <sip:bob@127.0.0.2>',
    'Call-ID: c1',
    'CSeq: 7 INVITE',
    'Max-Forwards: 69',
    'Content-Length: 0',
    '',
    '',
  ),
);

test("the ACK of a negative reply (RFC 3261 §17.1.1.3): the INVITE's R-URI, top Via, From, Call-ID, CSeq number; the reply's To", () => {
  const reply = parsed(
    sip(
      'SIP/2.0 486 Busy Here',
      'Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKout1',
      'From: <sip:alice@127.0.0.11>;tag=a1',
      'To: <sip:bob@127.0.0.2>;tag=b9',
      'Call-ID: c1',
      'CSeq: 7 INVITE',
      'Content-Length: 0',
      '',
      '',
    ),
  );
  assert.equal(
    buildAck(INVITE_OUT, reply, ['X-Extra: 1'])!.toString(),
    sip(
      'ACK sip:bob@127.0.0.2 SIP/2.0',
      'Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKout1',
      'From: <sip:alice@127.0.0.11>;tag=a1',
      'To: <sip:bob@127.0.0.2>;tag=b9',
      'Call-ID: c1',
      'CSeq: 7 ACK',
      'Max-Forwards: 70',
      'X-Extra: 1',
      'Content-Length: 0',
      '',
      '',
    ),
  );
});

test("a CANCEL (RFC 3261 §9.1) keeps the INVITE's branch and To", () => {
  assert.equal(
    buildCancel(INVITE_OUT)!.toString(),
    sip(
      'CANCEL sip:bob@127.0.0.2 SIP/2.0',
      'Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKout1',
      'From: <sip:alice@127.0.0.11>;tag=a1',
      'To: <sip:bob@127.0.0.2>',
      'Call-ID: c1',
      'CSeq: 7 CANCEL',
      'Max-Forwards: 70',
      'Content-Length: 0',
      '',
      '',
    ),
  );
  assert.equal(buildCancel(Buffer.from('garbage')), undefined);
});

test('removeTopVia takes our Via off, also out of a comma-separated line', () => {
  const one = parsed(
    sip(
      'SIP/2.0 200 OK',
      'Via: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKa, SIP/2.0/UDP 127.0.0.11;branch=z9hG4bKb',
      'Call-ID: x',
      'CSeq: 1 OPTIONS',
      'Content-Length: 0',
      '',
      '',
    ),
  );
  removeTopVia(one);
  assert.match(one.serialize().toString(), /\r\nVia: SIP\/2\.0\/UDP 127\.0\.0\.11;branch=z9hG4bKb\r\n/);
  assert.doesNotMatch(one.serialize().toString(), /z9hG4bKa/);
});
