import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatUri, isSipError, parseUri, parseUriWithPath, urisEqual, type SipUri } from '../../src/sip/index.js';

function uri(text: string): SipUri {
  const u = parseUri(text);
  if (isSipError(u)) throw new Error(`${text}: ${u.error}`);
  return u;
}

test('the parts of a SIP URI are kept as written', () => {
  const u = uri('sip:Alice:secret@[2001:DB8::1]:5061;transport=TCP;lr;maddr=10.0.0.1?Subject=hi%20there&X=1');
  assert.equal(u.scheme, 'sip');
  assert.equal(u.user, 'Alice');
  assert.equal(u.password, 'secret');
  assert.equal(u.host, '[2001:DB8::1]');
  assert.equal(u.hostType, 'IPv6');
  assert.equal(u.port, 5061);
  assert.equal(u.portText, '5061');
  assert.deepEqual({ ...u.params }, { transport: 'TCP', lr: '', maddr: '10.0.0.1' });
  assert.equal(u.paramsText, 'transport=TCP;lr;maddr=10.0.0.1');
  assert.deepEqual(u.headers, [
    ['Subject', 'hi%20there'],
    ['X', '1'],
  ]);
  assert.equal(u.headersText, 'Subject=hi%20there&X=1');
});

test('scheme and parameter names are lower-cased, nothing else', () => {
  const u = uri('SIPS:Bob@Example.COM;Transport=TLS');
  assert.equal(u.scheme, 'sips');
  assert.equal(u.host, 'Example.COM');
  assert.equal(u.params.transport, 'TLS');
});

test('a value-less parameter has the value "", an absent one is undefined', () => {
  const u = uri('sip:h;lr;ob;rport');
  assert.equal(u.params.lr, '');
  assert.equal(u.params.rport, '');
  assert.equal(u.params.transport, undefined);
  assert.equal(u.user, '');
});

test('escapes stay escaped; the user part may hold ; ? / (RFC 4475 §3.1.1.9, §3.1.1.2)', () => {
  assert.equal(uri('sip:user;par=u%40example.net@example.com').user, 'user;par=u%40example.net');
  const weird = uri(
    "sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com",
  );
  assert.equal(weird.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
  assert.equal(weird.password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
  assert.equal(uri('sip:%00@host5.example.com').user, '%00');
});

test('tel: URIs keep the number in user', () => {
  const u = uri('tel:+1-201-555-0123;phone-context=example.com');
  assert.equal(u.scheme, 'tel');
  assert.equal(u.user, '+1-201-555-0123');
  assert.equal(u.host, '');
  assert.equal(u.params['phone-context'], 'example.com');
});

test('malformed and unsupported URIs are errors, never exceptions', () => {
  for (const bad of [
    '',
    'sip:',
    'sip:@h',
    'sip:a@',
    'sip:a@h:99999',
    'sip:a@h:12x',
    'sip:a@[::1',
    'sip:a b@h',
    'sip:a@h;',
    'sip:%zz@h',
    '<sip:a@b>',
    'sip:a@h?x',
  ]) {
    const r = parseUri(bad);
    assert.ok(isSipError(r), `${JSON.stringify(bad)} should be rejected`);
  }
  const unknown = parseUri('nobodyKnowsThisScheme:totallyopaquecontent');
  assert.ok(isSipError(unknown) && unknown.error.startsWith('unsupported URI scheme'));
  assert.ok(isSipError(parseUri('http://www.example.com')));
});

test('the fast path takes the common forms; jssip decides the rest', () => {
  assert.equal(parseUriWithPath('sip:alice@example.com;transport=tcp').path, 'fast');
  // an empty port is in jssip's grammar (port = *DIGIT), not in our fast path
  const emptyPort = parseUriWithPath('sip:alice@example.com:');
  assert.equal(emptyPort.path, 'grammar');
  assert.ok(!isSipError(emptyPort.uri) && emptyPort.uri.port === undefined);
});

test('formatUri writes parts back', () => {
  assert.equal(
    formatUri({ user: 'alice', host: 'example.com', port: 5070, params: { transport: 'tcp', lr: '' } }),
    'sip:alice@example.com:5070;transport=tcp;lr',
  );
  assert.equal(formatUri(uri('sips:bob:pw@[::1]:5061;ob?X=1')), 'sips:bob:pw@[::1]:5061;ob?X=1');
  assert.equal(formatUri({ scheme: 'tel', user: '+4930123', host: '' }), 'tel:+4930123');
});

test('URI comparison: RFC 3261 §19.1.4 equal pairs', () => {
  assert.ok(urisEqual('sip:%61lice@atlanta.com;transport=TCP', 'sip:alice@AtLanTa.CoM;Transport=tcp'));
  assert.ok(urisEqual('sip:carol@chicago.com', 'sip:carol@chicago.com;newparam=5'));
  assert.ok(urisEqual('sip:carol@chicago.com;security=on', 'sip:carol@chicago.com;newparam=5'));
  assert.ok(
    urisEqual(
      'sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com',
      'sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com',
    ),
  );
});

test('URI comparison: RFC 3261 §19.1.4 different pairs', () => {
  assert.ok(!urisEqual('sip:bob@biloxi.com', 'sip:bob@biloxi.com:5060'), 'explicit default port differs');
  assert.ok(!urisEqual('sip:bob@biloxi.com', 'sip:bob@biloxi.com;transport=udp'));
  assert.ok(!urisEqual('sip:bob@biloxi.com', 'sip:bob@biloxi.com:6000;transport=tcp'));
  assert.ok(!urisEqual('sip:carol@chicago.com', 'sip:carol@chicago.com?Subject=next%20meeting'));
  assert.ok(!urisEqual('sip:bob@phone21.boxesbybob.com', 'sip:bob@192.0.2.4'));
  assert.ok(!urisEqual('sip:carol@chicago.com;security=on', 'sip:carol@chicago.com;security=off'));
  assert.ok(!urisEqual('sip:ALICE@atlanta.com', 'sip:alice@atlanta.com;x=1'), 'user part is case-sensitive');
  assert.ok(!urisEqual('sip:alice@atlanta.com', 'sips:alice@atlanta.com'));
});

test("URI comparison follows OpenSIPS's compare_uris where it departs from the RFC", () => {
  // same length and equal ignoring case: matched before any parsing, user case included
  assert.ok(urisEqual('SIP:ALICE@AtLanTa.CoM;Transport=udp', 'sip:alice@AtLanTa.CoM;Transport=UDP'));
  // headers are compared as text, not as a set
  assert.ok(
    !urisEqual(
      'sip:alice@atlanta.com?subject=project%20x&priority=urgent',
      'sip:alice@atlanta.com?priority=urgent&subject=project%20x',
    ),
  );
  // a value-less lr equals no lr; a valued transport must be on both sides
  assert.ok(urisEqual('sip:p.example.com;lr', 'sip:p.example.com'));
  // gr and pn-* are parsed by OpenSIPS and then never compared
  assert.ok(urisEqual('sip:a@h;gr=x', 'sip:a@h;gr=y'));
  assert.ok(urisEqual('sip:a@h;pn-prid=1;x=1', 'sip:a@h;pn-prid=2;x=1'));
  // unparsable URIs never match
  assert.ok(!urisEqual('sip:a@h:99999', 'sip:a@h:99999 '));
});

test('registrar contact matching examples', () => {
  const stored = 'sip:alice@192.0.2.10:5060;transport=udp;rinstance=abc';
  assert.ok(urisEqual(stored, 'sip:alice@192.0.2.10:5060;rinstance=abc;transport=UDP'));
  assert.ok(!urisEqual(stored, 'sip:alice@192.0.2.10:5062;transport=udp;rinstance=abc'));
  assert.ok(!urisEqual(stored, 'sip:alice@192.0.2.10:5060;transport=udp;rinstance=def'));
  assert.ok(urisEqual(stored, 'sip:alice@192.0.2.10:5060;transport=udp'), 'a parameter only on one side is ignored');
});
