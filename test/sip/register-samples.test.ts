// The captured REGISTERs: what a registrar reads from each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkRequest,
  isSipError,
  parseSipMessage,
  type Contact,
  type SipError,
  type SipMessage,
  type SipUri,
} from '../../src/sip/index.js';
import { registerSample, registerSamples } from './helpers/data.js';
import { touchEverything } from './helpers/touch.js';

function ok<T>(value: T): Exclude<T, SipError | undefined> {
  assert.ok(value !== undefined && !isSipError(value), `expected a value, got ${JSON.stringify(value)}`);
  return value as Exclude<T, SipError | undefined>;
}

function reg(prefix: string): SipMessage {
  const r = parseSipMessage(registerSample(prefix));
  assert.ok(r.msg, `${prefix}: ${r.error}`);
  return r.msg;
}

function contacts(m: SipMessage): readonly Contact[] {
  return ok(m.contacts()).contacts;
}

function uriOf(c: Contact): SipUri {
  return ok(c.parsedUri);
}

test('all samples parse, pass checkRequest, and serialize byte for byte', () => {
  const samples = registerSamples();
  assert.equal(samples.length, 21);
  for (const s of samples) {
    const r = parseSipMessage(s.bytes);
    assert.ok(r.msg, `${s.file}: ${r.error}`);
    assert.equal(r.msg.method, 'REGISTER');
    assert.equal(checkRequest(r.msg), undefined, s.file);
    assert.ok(r.msg.serialize().equals(s.bytes), s.file);
    touchEverything(r.msg);
    const to = ok(r.msg.to);
    assert.ok(!isSipError(to.parsedUri), `${s.file}: AoR`);
    for (const c of contacts(r.msg)) assert.ok(!isSipError(c.parsedUri), `${s.file}: ${c.uri}`);
  }
});

test('JsSIP 0.3 writes the Contact without <>: its parameters belong to the header', () => {
  const [c] = contacts(reg('r01_'));
  assert.equal(c!.uri, 'sip:prc95o2r@127.0.0.1');
  assert.equal(c!.params.transport, 'ws');
  assert.equal(c!.instance, 'urn:uuid:edd9323c-3bd5-4ac8-b3dc-664925c984e8');
  assert.equal(c!.regId, 1);
  assert.equal(c!.expires, 600);
});

test('JsSIP 3 over WSS with auth: instance, reg-id, expires, transport', () => {
  const m = reg('r03_');
  const [c] = contacts(m);
  assert.equal(uriOf(c!).params.transport, 'ws');
  assert.equal(c!.params['+sip.ice'], '');
  assert.equal(c!.instance, '<urn:uuid:2be93214-4445-4132-bfb5-eb1b413bc909>');
  assert.equal(c!.regId, 1);
  assert.equal(c!.expires, 600);
  assert.equal(m.expires, 600);
  assert.equal(m.topVia!.transport, 'WSS');
  assert.equal(ok(m.from).displayName, 'Igor');
  const [auth] = ok(m.credentials());
  assert.equal(auth!.params.username, 'web1');
  assert.equal(auth!.params.qop, 'auth-int');
});

test('through an edge proxy: two Vias, Path with a received URI parameter', () => {
  const m = reg('r04_');
  const vias = ok(m.vias());
  assert.equal(vias.length, 2);
  assert.deepEqual([vias[1]!.transport, vias[1]!.rport, vias[1]!.received], ['WSS', '58860', '127.0.0.1']);
  const [path] = ok(m.paths());
  const pathUri = ok(path!.parsedUri);
  assert.equal(pathUri.params.lr, '');
  assert.equal(pathUri.params.received, 'sip:127.0.0.1:58860%3Btransport%3Dws');
  assert.equal(uriOf(contacts(m)[0]!).params.alias, 'WEBRTC_IP~58860~6');
  assert.deepEqual(m.supported(), ['path', 'gruu', 'outbound', 'path']);
});

test('two Path hops and three Vias', () => {
  const m = reg('d05_');
  assert.equal(ok(m.vias()).length, 3);
  assert.deepEqual(
    ok(m.paths()).map((p) => p.uri),
    ['sip:127.0.0.1;lr', 'sip:127.0.0.1;lr;received=sip:127.0.0.1:58860%3Btransport%3Dws'],
  );
});

test('TCP clients: received/rport in the Via, contact without a user, Route', () => {
  const restcomm = reg('r06_');
  assert.deepEqual(
    [restcomm.topVia!.transport, restcomm.topVia!.port, restcomm.topVia!.received, restcomm.topVia!.rport],
    ['TCP', 49793, '127.0.0.1', '49876'],
  );
  const [c] = contacts(restcomm);
  assert.equal(uriOf(c!).user, '');
  assert.equal(uriOf(c!).params.transport, 'tcp');
  assert.equal(c!.expires, 100);
  const baresip = reg('r08_');
  assert.equal(baresip.topVia!.rport, '');
  assert.equal(contacts(baresip)[0]!.expires, 3815);
  assert.equal(ok(baresip.routes())[0]!.uri, 'sip:127.0.0.1:5090;transport=tcp;lr');
});

test('UDP clients: value-less rport, instance, rinstance, quoted methods', () => {
  const baresip = reg('r09_');
  assert.equal(baresip.topVia!.rport, '');
  assert.equal(contacts(baresip)[0]!.expires, 60);
  assert.equal(contacts(baresip)[0]!.instance, '<urn:uuid:69a4004b-6915-6615-3b25-417d79231b39>');
  const polycom = reg('r10_');
  assert.equal(
    contacts(polycom)[0]!.methods,
    'INVITE,ACK,BYE,CANCEL,OPTIONS,INFO,MESSAGE,SUBSCRIBE,NOTIFY,PRACK,UPDATE,REFER',
  );
  assert.equal(polycom.allow(), undefined);
  assert.equal(polycom.expires, 3600);
  assert.equal(ok(polycom.credentials())[0]!.params.opaque, '4804ccfd48df7fecce5b185da0e7175d');
  const zoiper = reg('r11_');
  assert.equal(uriOf(contacts(zoiper)[0]!).params.rinstance, 'd42207a765c0626b');
  assert.equal(uriOf(contacts(zoiper)[0]!).params.transport, 'UDP');
  assert.equal(contacts(zoiper)[0]!.expires, undefined, 'expiry comes from the Expires header');
  assert.equal(zoiper.expires, 3600);
  assert.deepEqual(zoiper.headers('allow-events'), ['presence']);
});

test('no space between display name and <, double space before a value', () => {
  const zoiper = reg('r12_');
  assert.equal(ok(zoiper.to).displayName, '1002');
  assert.equal(ok(zoiper.to).uri, 'sip:1002@127.0.0.1:5060;transport=UDP');
  assert.equal(zoiper.supported().length, 8);
  const bria = reg('r13_');
  assert.equal(bria.contentLength, 0);
  assert.equal(
    bria.topVia!.branch,
    'z9h94bKPjqlaaT-qxoK2GrLXDJwVkQBpQehxCcLpl',
    'not an RFC 3261 branch, kept as sent',
  );
  assert.equal(uriOf(contacts(bria)[0]!).params.ob, '');
  assert.equal(contacts(bria)[0]!.displayName, '7025551212');
});

test('Linphone push parameters and a UTF-8 User-Agent', () => {
  const m = reg('r14_');
  const [c] = contacts(m);
  const u = uriOf(c!);
  assert.equal(u.params['pn-provider'], 'apns');
  assert.match(u.params['pn-prid']!, /^1538EB1B.*:remote&D4BFC088.*:voip$/);
  assert.equal(u.params['pn-param'], 'ABCD1234.org.linphone.phone.remote&voip');
  assert.equal(u.params.transport, 'udp');
  assert.equal(c!.params['+org.linphone.specs'], '"lime"');
  assert.equal(m.userAgent, "LinphoneiOS/4.3.1 (IŞIK iPhone'u) LinphoneSDK/4.4.0");
  assert.deepEqual(m.headers('accept'), ['application/sdp', 'text/plain', 'application/vnd.gsma.rcs-ft-http+xml']);
});

test('plain contacts: no expires anywhere, wss transport', () => {
  const yealink = reg('r15_');
  assert.equal(contacts(yealink)[0]!.expires, undefined);
  assert.equal(yealink.expires, undefined);
  assert.equal(uriOf(contacts(reg('r16_'))[0]!).params.transport, 'wss');
});

test('de-registrations: Contact *, expires=0 parameter, Expires: 0 header', () => {
  const star = reg('d01_');
  assert.deepEqual(star.contacts(), { star: true, contacts: [] });
  assert.equal(star.expires, 0);
  assert.equal(contacts(reg('d02_'))[0]!.expires, 0);
  assert.equal(reg('d03_').expires, 0);
});

test('two Contact headers, q and per-contact expires', () => {
  const cs = contacts(reg('d04_'));
  assert.equal(cs.length, 2);
  assert.deepEqual(
    cs.map((c) => [c.expires, c.q, uriOf(c).params.transport]),
    [
      [600, undefined, 'udp'],
      [300, 0.5, 'tcp'],
    ],
  );
  assert.equal(cs[0]!.displayName, 'XXX@XXX.com');
});
