import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSipError, parseSipMessage } from '../../src/sip/index.js';
import { parsed, REGISTER, sip } from './helpers/msg.js';

test('a request: start line, headers by any spelling, in order', () => {
  const m = parsed(REGISTER);
  assert.equal(m.isRequest, true);
  assert.equal(m.method, 'REGISTER');
  assert.equal(m.ruri, 'sip:registrar.example.com');
  assert.equal(m.version, 'SIP/2.0');
  assert.equal(m.status, 0);
  assert.equal(m.header('call-id'), '843817637684230@998sdasdh09');
  assert.equal(m.header('CALL-ID'), m.header('i'));
  assert.equal(m.header('X-Missing'), undefined);
  assert.ok(m.hasHeader('expires'));
  assert.deepEqual(m.headerNames(), [
    'Via',
    'Max-Forwards',
    'To',
    'From',
    'Call-ID',
    'CSeq',
    'Contact',
    'Expires',
    'Content-Length',
  ]);
  assert.deepEqual(m.rawHeaders()[2], { name: 'To', value: 'Bob <sip:bob@example.com>' });
});

test('structured accessors', () => {
  const m = parsed(REGISTER);
  assert.equal(m.callId, '843817637684230@998sdasdh09');
  assert.deepEqual(m.cseq, { num: 1826, method: 'REGISTER' });
  assert.equal(m.expires, 3600);
  assert.equal(m.maxForwards, 70);
  assert.equal(m.contentLength, 0);
  const to = m.to;
  assert.ok(to && !isSipError(to));
  assert.equal(to.displayName, 'Bob');
  assert.equal(to.uri, 'sip:bob@example.com');
  assert.equal(to.tag, undefined);
  const from = m.from;
  assert.ok(from && !isSipError(from));
  assert.equal(from.tag, '456248');
  const uri = from.parsedUri;
  assert.ok(!isSipError(uri) && uri.user === 'bob' && uri.host === 'example.com');
  const contacts = m.contacts();
  assert.ok(!isSipError(contacts));
  assert.equal(contacts.star, false);
  assert.equal(contacts.contacts[0]!.expires, 7200);
  const via = m.topVia!;
  assert.equal(via.transport, 'UDP');
  assert.equal(via.host, '192.0.2.10');
  assert.equal(via.port, 5060);
  assert.equal(via.branch, 'z9hG4bK776asdhds');
});

test('a value-less rport is kept as "" (jssip drops it)', () => {
  const m = parsed(REGISTER);
  assert.equal(m.topVia!.rport, '');
  assert.equal(m.topVia!.params.rport, '');
  const withValue = parsed(REGISTER.replace(';rport', ';rport=5070;received=203.0.113.9'));
  assert.equal(withValue.topVia!.rport, '5070');
  assert.equal(withValue.topVia!.received, '203.0.113.9');
});

test('compact header names', () => {
  const m = parsed(
    sip(
      'INVITE sip:bob@example.com SIP/2.0',
      'v: SIP/2.0/UDP pc33.example.com;branch=z9hG4bKnashds8',
      'f: <sip:alice@example.com>;tag=1928301774',
      't: <sip:bob@example.com>',
      'i: a84b4c76e66710',
      'm: <sip:alice@pc33.example.com>',
      'k: path, gruu',
      'e: gzip',
      'c: application/sdp',
      's: lunch',
      'o: presence',
      'r: <sip:carol@example.com>',
      'u: dialog',
      'x: 1800;refresher=uac',
      'b: <sip:dave@example.com>',
      'CSeq: 314159 INVITE',
      'l: 4',
      '',
      'v=0\n',
    ),
  );
  const expected: Record<string, string> = {
    'Call-ID': 'a84b4c76e66710',
    Contact: '<sip:alice@pc33.example.com>',
    From: '<sip:alice@example.com>;tag=1928301774',
    To: '<sip:bob@example.com>',
    Via: 'SIP/2.0/UDP pc33.example.com;branch=z9hG4bKnashds8',
    'Content-Length': '4',
    'Content-Type': 'application/sdp',
    Supported: 'path, gruu',
    'Content-Encoding': 'gzip',
    Subject: 'lunch',
    Event: 'presence',
    'Refer-To': '<sip:carol@example.com>',
    'Allow-Events': 'dialog',
    'Session-Expires': '1800;refresher=uac',
    'Referred-By': '<sip:dave@example.com>',
  };
  for (const [name, value] of Object.entries(expected)) assert.equal(m.header(name), value, name);
  assert.deepEqual(m.supported(), ['path', 'gruu']);
  assert.equal(m.bodyText, 'v=0\n');
});

test('folded (continuation) lines read as one value', () => {
  const m = parsed(
    sip(
      'OPTIONS sip:user@example.com SIP/2.0',
      'Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKkdjuw',
      'To:',
      ' sip:user@example.com',
      'From: sip:caller@example.org;tag=33242',
      'Call-ID: fold',
      'CSeq: 8',
      '  OPTIONS',
      'Accept: application/sdp, application/pkcs7-mime,',
      '        multipart/mixed, multipart/signed',
      'l: 0',
      '',
      '',
    ),
  );
  assert.equal(m.header('to'), 'sip:user@example.com');
  assert.deepEqual(m.cseq, { num: 8, method: 'OPTIONS' });
  assert.deepEqual(m.headers('accept'), [
    'application/sdp',
    'application/pkcs7-mime',
    'multipart/mixed',
    'multipart/signed',
  ]);
});

test('bare LF line ends and leading CRLFs are accepted', () => {
  const m = parsed('\r\n\r\n' + REGISTER.replace(/\r\n/g, '\n'));
  assert.equal(m.method, 'REGISTER');
  assert.equal(m.header('cseq'), '1826 REGISTER');
  assert.equal(m.body.length, 0);
});

test('list headers split at top-level commas only', () => {
  const m = parsed(
    sip(
      'REGISTER sip:example.com SIP/2.0',
      'Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/TCP b.example.com:5070;branch=z9hG4bK2',
      'Via: SIP/2.0/UDP c.example.com;branch=z9hG4bK3',
      'Contact: "Doe, John" <sip:john@a.example.com;p=x>;q="x,y";expires=60, <sip:john@b.example.com>',
      'Route: <sip:p1.example.com;lr>,<sip:p2.example.com;lr>',
      'Date: Sat, 13 Nov 2010 23:29:00 GMT',
      'To: <sip:john@example.com>',
      'From: <sip:john@example.com>;tag=1',
      'Call-ID: split',
      'CSeq: 1 REGISTER',
      '',
      '',
    ),
  );
  assert.deepEqual(
    m.headers('via').map((v) => v.split(';')[0]),
    ['SIP/2.0/UDP a.example.com', 'SIP/2.0/TCP b.example.com:5070', 'SIP/2.0/UDP c.example.com'],
  );
  assert.equal(m.headers('contact').length, 2);
  assert.equal(m.headers('contact')[0], '"Doe, John" <sip:john@a.example.com;p=x>;q="x,y";expires=60');
  assert.deepEqual(m.headers('date'), ['Sat, 13 Nov 2010 23:29:00 GMT'], 'Date is not a list');
  const vias = m.vias();
  assert.ok(!isSipError(vias));
  assert.deepEqual(
    vias.map((v) => v.branch),
    ['z9hG4bK1', 'z9hG4bK2', 'z9hG4bK3'],
  );
  const contacts = m.contacts();
  assert.ok(!isSipError(contacts));
  assert.equal(contacts.contacts[0]!.displayName, 'Doe, John');
  const routes = m.routes();
  assert.ok(!isSipError(routes));
  assert.deepEqual(
    routes.map((r) => r.uri),
    ['sip:p1.example.com;lr', 'sip:p2.example.com;lr'],
  );
});

test('Contact: * is a star, not an exception (jssip throws on it)', () => {
  const m = parsed(
    REGISTER.replace('Contact: <sip:bob@192.0.2.10:5060>;expires=7200', 'Contact: *').replace(
      'Expires: 3600',
      'Expires: 0',
    ),
  );
  assert.deepEqual(m.contacts(), { star: true, contacts: [] });
  assert.equal(m.expires, 0);
});

test('contact parameters a registrar reads', () => {
  const m = parsed(
    REGISTER.replace(
      'Contact: <sip:bob@192.0.2.10:5060>;expires=7200',
      'Contact: <sip:bob@192.0.2.10:5060;transport=tcp>;+sip.instance="<urn:uuid:00000000-0000-1000-8000-000A95A0E128>";reg-id=1;q=0.7;expires=0;methods="INVITE,BYE";received="sip:203.0.113.5:40000", <sip:bob@x.example.com>;q=2;expires=abc',
    ),
  );
  const list = m.contacts();
  assert.ok(!isSipError(list));
  const [a, b] = list.contacts;
  assert.equal(a!.uri, 'sip:bob@192.0.2.10:5060;transport=tcp');
  assert.equal(a!.instance, '<urn:uuid:00000000-0000-1000-8000-000A95A0E128>');
  assert.equal(
    a!.params['+sip.instance'],
    '"<urn:uuid:00000000-0000-1000-8000-000A95A0E128>"',
    'params keep the quotes',
  );
  assert.equal(a!.regId, 1);
  assert.equal(a!.q, 0.7);
  assert.equal(a!.expires, 0);
  assert.equal(a!.methods, 'INVITE,BYE');
  assert.equal(a!.received, 'sip:203.0.113.5:40000');
  assert.equal(b!.q, null, 'q above 1 is invalid');
  assert.equal(b!.expires, null, 'expires that is not a number');
  assert.equal(b!.instance, undefined);
});

test('Content-Length counts bytes: a UTF-8 body with multi-byte characters', () => {
  const body = 'Grüße, 世界 🌍\r\n';
  const bytes = Buffer.byteLength(body);
  assert.notEqual(bytes, body.length);
  const text = sip(
    'MESSAGE sip:bob@example.com SIP/2.0',
    'Via: SIP/2.0/UDP h.example.com;branch=z9hG4bK1',
    'To: <sip:bob@example.com>',
    'From: <sip:a@example.com>;tag=1',
    'Call-ID: utf8',
    'CSeq: 1 MESSAGE',
    'Content-Type: text/plain;charset=utf-8',
    `Content-Length: ${bytes}`,
    '',
    body,
  );
  const m = parsed(text);
  assert.equal(m.body.length, bytes);
  assert.equal(m.bodyText, body);
  const asUtf16Units = parseSipMessage(
    text.replace(`Content-Length: ${bytes}`, `Content-Length: ${body.length}`) + 'trailing',
  );
  assert.ok(asUtf16Units.msg);
  assert.notEqual(asUtf16Units.msg.bodyText, body, 'a length in UTF-16 units cuts the body short');
});

test('datagram framing by Content-Length', () => {
  const base = REGISTER.replace('Content-Length: 0\r\n\r\n', '');
  // 3.3's UDP path does not compare Content-Length with the datagram: the body is what arrived.
  assert.equal(parsed(base + 'Content-Length: 10\r\n\r\n12345').bodyText, '12345');
  assert.match(
    parseSipMessage(base + 'Content-Length: 10\r\n\r\n12345', { datagram: false }).error ?? '',
    /larger than/,
  );
  const bad = parseSipMessage(base + 'Content-Length: x\r\n\r\n12345');
  assert.ok(bad.partial, 'error_route still gets the message');
  assert.equal(bad.partial.callId, '843817637684230@998sdasdh09');
  const shorter = parsed(base + 'Content-Length: 3\r\n\r\n12345');
  assert.equal(shorter.bodyText, '123', 'trailing datagram bytes are ignored');
  const none = parsed(base + '\r\nabc');
  assert.equal(none.bodyText, 'abc', 'no Content-Length on UDP: the rest of the datagram');
  const stream = parseSipMessage(base + '\r\nabc', { datagram: false });
  assert.match(stream.error ?? '', /no Content-Length/);
  assert.match(parseSipMessage(base + 'Content-Length: -1\r\n\r\n').error ?? '', /bad Content-Length/);
  assert.equal(parsed(base + 'Content-Length: 1\r\nl: 2\r\n\r\nab').bodyText, 'a', 'the first Content-Length counts');
});

test('replies: status, reason, method from CSeq', () => {
  const m = parsed(
    sip(
      'SIP/2.0 401 Unauthorized',
      'Via: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK1;received=192.0.2.10',
      'To: <sip:bob@example.com>;tag=abc',
      'From: <sip:bob@example.com>;tag=1',
      'Call-ID: r',
      'CSeq: 2 REGISTER',
      'WWW-Authenticate: Digest realm="example.com", nonce="x"',
      'Content-Length: 0',
      '',
      '',
    ),
  );
  assert.equal(m.isRequest, false);
  assert.equal(m.status, 401);
  assert.equal(m.reason, 'Unauthorized');
  assert.equal(m.method, 'REGISTER');
  assert.equal(m.ruri, '');
  assert.equal(m.header('www-authenticate'), 'Digest realm="example.com", nonce="x"');
});

test('non-ASCII header text comes out as UTF-8', () => {
  const m = parsed(REGISTER.replace('To: Bob <sip:bob@example.com>', 'To: "Jürgen Müller" <sip:bob@example.com>'));
  const to = m.to;
  assert.ok(to && !isSipError(to));
  assert.equal(to.displayName, 'Jürgen Müller');
  assert.equal(m.header('call-id'), '843817637684230@998sdasdh09');
});

test('authorization credentials are parsed (jssip does not)', () => {
  const m = parsed(
    REGISTER.replace(
      'Expires: 3600',
      'Authorization: Digest username="bob", realm="example.com", nonce="ab,c", uri="sip:example.com", response="0123", algorithm=MD5, qop=auth, nc=00000001',
    ),
  );
  const creds = m.credentials();
  assert.ok(!isSipError(creds));
  assert.equal(creds[0]!.scheme, 'Digest');
  assert.equal(creds[0]!.params.nonce, 'ab,c');
  assert.equal(creds[0]!.params.nc, '00000001');
  assert.equal(creds[0]!.params.algorithm, 'MD5');
});

test('Path, Route, Record-Route, Allow, Supported', () => {
  const m = parsed(
    REGISTER.replace(
      'Expires: 3600',
      sip(
        'Path: <sip:p1.example.com;lr>, <sip:p2.example.com;lr;received=sip:1.2.3.4:5060%3Btransport%3Dws>',
        'Record-Route: <sip:rr.example.com;lr>',
        'Allow: INVITE, ACK,BYE',
        'Supported: path',
        'Supported: outbound',
      ),
    ),
  );
  const paths = m.paths();
  assert.ok(!isSipError(paths));
  assert.equal(paths.length, 2);
  const second = paths[1]!.parsedUri;
  assert.ok(!isSipError(second));
  assert.equal(second.params.received, 'sip:1.2.3.4:5060%3Btransport%3Dws');
  assert.deepEqual(m.allow(), ['INVITE', 'ACK', 'BYE']);
  assert.deepEqual(m.supported(), ['path', 'outbound']);
  assert.equal(parsed(REGISTER).allow(), undefined, 'no Allow header is not an empty Allow');
  const rr = m.recordRoutes();
  assert.ok(!isSipError(rr) && rr[0]!.uri === 'sip:rr.example.com;lr');
});

test('malformed structured headers are errors when read, not when parsed', () => {
  const m = parsed(
    REGISTER.replace('To: Bob <sip:bob@example.com>', 'To: "Bob <sip:bob@example.com>').replace(
      'CSeq: 1826 REGISTER',
      'CSeq: 99999999999 REGISTER',
    ),
  );
  assert.ok(isSipError(m.to));
  assert.ok(isSipError(m.cseq));
  assert.equal(m.method, 'REGISTER');
});

test('what stops a message from being parsed at all', () => {
  const cases: Array<[string, RegExp]> = [
    ['', /too short/],
    ['REGISTER sip:example.com SIP/2.0\r\nVia: SIP/2.0/UDP h', /no end of headers/],
    [REGISTER.replace('REGISTER sip', 'REGISTER  sip'), /request line/],
    [REGISTER.replace(' SIP/2.0\r\n', ' SIP/2.0 extra\r\n'), /request line/],
    [REGISTER.replace('Max-Forwards: 70', 'Max-Forwards 70'), /without a colon/],
    [REGISTER.replace('Max-Forwards: 70', 'Max Forwards: 70'), /without a colon/],
    [REGISTER.replace(/Via: [^\r]*\r\n/, ''), /no Via/],
    [REGISTER.replace(';rport', ';;'), /bad Via/],
    ['SIP/2.0 4294967301 better not break the receiver\r\nVia: SIP/2.0/UDP h\r\n\r\n', /three digits/],
  ];
  for (const [text, why] of cases)
    assert.match(parseSipMessage(text).error ?? 'parsed', why, JSON.stringify(text.slice(0, 40)));
});

test('only the first Via header must parse on receipt (as OpenSIPS); the others when asked', () => {
  const m = parsed(REGISTER.replace('Max-Forwards: 70', 'Via: SIP/2.0/UDP bad host;;\r\nMax-Forwards: 70'));
  assert.equal(m.topVia!.host, '192.0.2.10');
  assert.ok(isSipError(m.vias()));
});

test('checkRequest: a missing or repeated single header is named, the missing ones first, in header order', async () => {
  const { checkRequest } = await import('../../src/sip/index.js');
  const lines = [
    'From: <sip:a@h>;tag=1',
    'To: <sip:b@h>',
    'Call-ID: c',
    'CSeq: 1 OPTIONS',
    'Max-Forwards: 70',
    'Content-Length: 0',
  ];
  const names = ['from', 'to', 'call-id', 'cseq', 'max-forwards', 'content-length'];
  const reason = (headers: string[]) => {
    const r = parseSipMessage(
      `OPTIONS sip:h SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n${headers.join('\r\n')}\r\n\r\n`,
    );
    assert.equal(r.error, undefined);
    return checkRequest(r.msg!)?.reason;
  };
  assert.equal(reason(lines), undefined);
  for (let i = 0; i < names.length; i++) {
    const without = lines.filter((_, j) => j !== i);
    assert.equal(reason(without), i < 4 ? `Bad Request (missing ${names[i]} header)` : undefined, names[i]);
    assert.equal(reason([...lines, lines[i]!]), `Bad Request (several ${names[i]} headers)`, names[i]);
    // A missing header is reported before a repeated one, whatever their order.
    if (i < 4)
      assert.equal(reason([...without, lines[(i + 1) % 4]!]), `Bad Request (missing ${names[i]} header)`, names[i]);
  }
  assert.equal(reason([...lines, 'Max-Forwards: 70', 'To: <sip:b@h>']), 'Bad Request (several to headers)');
  assert.equal(
    reason(['f: <sip:a@h>;tag=1', ...lines.slice(1), 'from: <sip:a@h>']),
    'Bad Request (several from headers)',
  );
});
