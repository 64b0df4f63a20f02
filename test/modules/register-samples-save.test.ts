// Every captured softphone REGISTER registers with save() (issue 14): the
// Linphone iOS push Contact (404 characters) included, as 3.3.10 stores it.
// lib/reg checks max_contact_len (255) and received (255) only from the
// second Contact header on; a long contact there is still refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverFor } from '../helpers/server.js';
import { registerSamples } from '../sip/helpers/data.js';
import { usrlocOf } from '../../src/modules/usrloc/api.js';

const CFG = `socket=udp:127.0.0.1:5060
loadmodule "usrloc.so"
loadmodule "signaling.so"
loadmodule "sl.so"
loadmodule "registrar.so"
route { save("location"); }`;

test('every file in register-samples/ gets 200 OK from save(), and its contacts are stored', () => {
  const samples = registerSamples();
  assert.ok(samples.length >= 21);
  for (const s of samples) {
    const h = serverFor(CFG);
    h.receive(s.bytes.toString('latin1'), '127.0.0.1', 5062);
    assert.match(
      h.sent[0]?.text ?? '(nothing sent)',
      /^SIP\/2\.0 200 OK\r\n/,
      `${s.file}: ${h.sent[0]?.text.split('\r\n').find((l) => l.startsWith('P-Registrar-Error')) ?? ''}`,
    );
  }
  const h = serverFor(CFG);
  const linphone = samples.find((s) => s.file.startsWith('r14_'))!;
  h.receive(linphone.bytes.toString('latin1'), '127.0.0.1', 5062);
  const stored = [...usrlocOf(h.server.rt).domain('location').records.values()].flatMap((r) => r.bindings);
  assert.equal(stored.length, 1);
  assert.ok(stored[0]!.uri.length > 255 && stored[0]!.uri.includes('pn-provider=apns'), stored[0]!.uri);
});

test('a contact over max_contact_len in a second Contact header: 400 Contact/received too long, as lib/reg checks it', () => {
  const long = `<sip:u@127.0.0.1:5062;x=${'a'.repeat(260)}>`;
  const msg = (contacts: string[]) =>
    `REGISTER sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.11:5060;branch=z9hG4bK-l${contacts.length}\r\nFrom: <sip:1001@127.0.0.1>;tag=a\r\n` +
    `To: <sip:1001@127.0.0.1>\r\nCall-ID: long${contacts.length}\r\nCSeq: 1 REGISTER\r\n${contacts.map((c) => `Contact: ${c}\r\n`).join('')}Content-Length: 0\r\n\r\n`;
  const first = serverFor(CFG);
  first.receive(msg([long, '<sip:v@127.0.0.1:5063>']), '127.0.0.11');
  assert.match(first.sent[0]!.text, /^SIP\/2\.0 200 OK/);
  const second = serverFor(CFG);
  second.receive(msg(['<sip:v@127.0.0.1:5063>', long]), '127.0.0.11');
  assert.match(second.sent[0]!.text, /^SIP\/2\.0 400 Bad Request\r\n[^]*P-Registrar-Error: Contact\/received too long/);
});
