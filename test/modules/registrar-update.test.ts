// What a refresh of a matched binding rewrites, as OpenSIPS 3.3's usrloc
// mem_update_ucontact() with lib/reg pack_ci(): the stored contact URI and
// +sip.instance stay; received, path, attr and methods follow the new REGISTER
// (or go away); Call-ID, CSeq, User-Agent, socket, q, flags follow it too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sipEngine } from '../helpers/engine.js';
import { register } from '../helpers/sip.js';
import { usrlocOf } from '../../src/modules/usrloc/api.js';

const CFG = (flags = '', extra = '') => `socket=udp:127.0.0.1:5060
loadmodule "usrloc.so"
loadmodule "signaling.so"
loadmodule "sl.so"
loadmodule "registrar.so"
modparam("registrar", "received_avp", "$avp(rcv)")
modparam("registrar", "attr_avp", "$avp(attr)")
modparam("registrar", "min_expires", 1)
${extra}
route {
	if ($hdr(X-Rcv) != NULL) $avp(rcv) = $hdr(X-Rcv);
	if ($hdr(X-Attr) != NULL) $avp(attr) = $hdr(X-Attr);
	save("location"${flags ? `, "${flags}"` : ''});
}`;

const contactHeader = (r: { sent: { text: string }[] }): string | undefined =>
  /\r\nContact: ([^\r]*)\r\n/.exec(r.sent[0]?.text ?? '')?.[1];
const bindings = (e: ReturnType<typeof sipEngine>) => usrlocOf(e.rt).domain('location').get('1001')?.bindings ?? [];

test('a refresh matched by RFC 3261 URI comparison keeps the stored URI (mid_registrar mode 1 then mode 2 upstream)', () => {
  const e = sipEngine(CFG());
  // The mode-1 proxy registered its ctid contact...
  e.send(register({ contacts: ['<sip:1001@127.0.4.111:5361;ctid=4711>'], expires: 80, callId: 'mode1' }));
  e.advance(20);
  // ...the restarted mode-2 proxy registers the bare AoR contact, another Call-ID: ctid is present on one side only, so they match.
  const r = e.send(register({ contacts: ['<sip:1001@127.0.4.111:5361>'], expires: 18, callId: 'mode2' }));
  assert.equal(contactHeader(r), '<sip:1001@127.0.4.111:5361;ctid=4711>;expires=18');
  const [b, more] = bindings(e);
  assert.equal(more, undefined, 'one binding');
  assert.deepEqual([b!.uri, b!.callid, b!.cseq], ['sip:1001@127.0.4.111:5361;ctid=4711', 'mode2', 1]);
});

test('with M<param> matching the refresh takes the new URI (pack_ci hands usrloc the contact then)', () => {
  const e = sipEngine(CFG('Mline'));
  e.send(register({ contacts: ['<sip:1001@127.0.0.1:5062;line=a1>'], expires: 60 }));
  const r = e.send(register({ contacts: ['<sip:1001@127.0.0.1:5070;line=a1>'], expires: 60, cseq: 2 }));
  assert.equal(contactHeader(r), '<sip:1001@127.0.0.1:5070;line=a1>;expires=60');
  assert.equal(bindings(e).length, 1);
});

test('the other fields of a refreshed binding: instance kept; received, path, attr, methods replaced or cleared; UA, Call-ID, CSeq, q replaced', () => {
  const e = sipEngine(CFG('p0'));
  e.send(
    register({
      contacts: ['<sip:1001@127.0.0.1:5062>;+sip.instance="<urn:uuid:first>";methods="INVITE";q=0.5'],
      expires: 60,
      extra: ['User-Agent: Phone/1', 'Path: <sip:edge.example.com;lr>', 'X-Rcv: sip:127.0.0.9:40000', 'X-Attr: gold'],
    }),
  );
  const [before] = bindings(e);
  assert.deepEqual(
    [before!.instance, before!.methods, before!.received, before!.path, before!.attr, before!.q, before!.userAgent],
    ['<urn:uuid:first>', 1, 'sip:127.0.0.9:40000', '<sip:edge.example.com;lr>', 'gold', 500, 'Phone/1'],
  );
  e.advance(5);
  e.send(
    register({
      contacts: ['<sip:1001@127.0.0.1:5062>;+sip.instance="<urn:uuid:second>"'],
      expires: 60,
      cseq: 2,
      callId: 'call-2',
    }),
  );
  const [after, more] = bindings(e);
  assert.equal(more, undefined);
  assert.equal(after!.instance, '<urn:uuid:first>', 'mem_update_ucontact never rewrites the instance');
  assert.deepEqual(
    [after!.received, after!.path, after!.attr, after!.methods],
    [undefined, undefined, undefined, undefined],
    'not in the refresh: gone (methods: all)',
  );
  assert.deepEqual([after!.q, after!.userAgent, after!.callid, after!.cseq], [-1, 'n/a', 'call-2', 2]);
});
