// registrar save()/lookup() against registrar-semantics.md, through the engine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sipEngine } from '../helpers/engine.js';
import { register } from '../helpers/sip.js';
import { usrlocOf } from '../../src/modules/usrloc/api.js';

const CFG = (params = '', flags = '') => `socket=udp:127.0.0.1:5060
loadmodule "usrloc.so"
loadmodule "signaling.so"
loadmodule "sl.so"
loadmodule "registrar.so"
${params}
route {
	save("location"${flags ? `, "${flags}"` : ''});
	$var(rc) = $retcode;
}`;

/** The socket and modules most cases here load. */
const MODULES = `socket=udp:127.0.0.1:5060
loadmodule "usrloc.so"
loadmodule "signaling.so"
loadmodule "sl.so"
loadmodule "registrar.so"
loadmodule "sipmsgops.so"
`;

const reply = (r: { sent: { text: string }[] }): string => r.sent[0]?.text ?? '';
const contactHeader = (r: { sent: { text: string }[] }): string | undefined =>
  /\r\nContact: ([^\r]*)\r\n/.exec(reply(r))?.[1];
const bindings = (e: ReturnType<typeof sipEngine>, aor = '1001') =>
  usrlocOf(e.rt).domain('location').get(aor)?.bindings ?? [];

test('save() answers 200 OK listing the binding with its remaining expiry; returns 1', () => {
  const e = sipEngine(CFG());
  const r = e.send(register({ expires: 600 }));
  assert.equal(r.vars.get('rc'), 1);
  assert.match(reply(r), /^SIP\/2\.0 200 OK\r\n/);
  assert.equal(contactHeader(r), '<sip:1001@127.0.0.1:5062>;expires=600');
  assert.match(
    reply(r),
    /\r\nTo: <sip:1001@127\.0\.0\.1>;tag=[0-9a-f]{4}\.[0-9a-f]{32}\r\n/,
    "no transaction: sl's tag",
  );
});

test('expiry: contact param, then Expires header, then default_expires; non-zero values clamped to min/max (no 423)', () => {
  const e = sipEngine(
    CFG('modparam("registrar", "default_expires", 1800)\nmodparam("registrar", "max_expires", 7000)'),
  );
  assert.equal(
    contactHeader(e.send(register({ contacts: ['<sip:a@127.0.0.1>;expires=90'], expires: 600 }))),
    '<sip:a@127.0.0.1>;expires=90',
  );
  assert.match(
    contactHeader(e.send(register({ contacts: ['<sip:b@127.0.0.1>'], cseq: 2 })))!,
    /<sip:b@127\.0\.0\.1>;expires=1800/,
  );
  assert.match(
    contactHeader(e.send(register({ contacts: ['<sip:c@127.0.0.1>'], expires: 30, cseq: 3 })))!,
    /<sip:c@127\.0\.0\.1>;expires=60/,
    'raised to min_expires 60',
  );
  assert.match(
    contactHeader(e.send(register({ contacts: ['<sip:d@127.0.0.1>'], expires: 9000, cseq: 4 })))!,
    /<sip:d@127\.0\.0\.1>;expires=7000/,
    'lowered to max_expires',
  );
});

test('a second contact is added; the 200 OK lists every valid binding, q-ordered', () => {
  const e = sipEngine(CFG());
  e.send(register({ contacts: ['<sip:1001@127.0.0.1:5062>;q=0.5'], expires: 600 }));
  e.advance(10);
  const r = e.send(register({ contacts: ['<sip:1001@127.0.0.1:5064>;q=1'], expires: 300, cseq: 2 }));
  assert.equal(
    contactHeader(r),
    '<sip:1001@127.0.0.1:5064>;q=1;expires=300, <sip:1001@127.0.0.1:5062>;q=0.5;expires=590',
  );
});

test('refresh with a higher CSeq updates; a lower CSeq is rejected 400; the same CSeq within cseq_delay is a retransmission', () => {
  const e = sipEngine(CFG());
  e.send(register({ expires: 600, cseq: 5 }));
  e.advance(5);
  const retrans = e.send(register({ expires: 600, cseq: 5 }));
  assert.match(reply(retrans), /^SIP\/2\.0 200 OK/);
  assert.equal(contactHeader(retrans), '<sip:1001@127.0.0.1:5062>;expires=595', 'binding untouched');
  const lower = e.send(register({ expires: 600, cseq: 4 }));
  assert.match(reply(lower), /^SIP\/2\.0 400 Bad Request\r\n/);
  assert.match(reply(lower), /\r\nP-Registrar-Error: Invalid CSeq number\r\n/);
  assert.equal(lower.vars.get('rc'), -2);
  e.advance(30);
  const stale = e.send(register({ expires: 600, cseq: 5 }));
  assert.match(reply(stale), /^SIP\/2\.0 400 /, 'same CSeq after cseq_delay');
  const refresh = e.send(register({ expires: 900, cseq: 6 }));
  assert.equal(contactHeader(refresh), '<sip:1001@127.0.0.1:5062>;expires=900');
});

test('expires 0 removes a binding; Contact: * with Expires: 0 removes the AoR; * with non-zero Expires is 400', () => {
  const e = sipEngine(CFG());
  e.send(register({ contacts: ['<sip:1001@127.0.0.1:5062>', '<sip:1001@127.0.0.1:5064>'], expires: 600 }));
  const one = e.send(register({ contacts: ['<sip:1001@127.0.0.1:5062>;expires=0'], cseq: 2 }));
  assert.equal(contactHeader(one), '<sip:1001@127.0.0.1:5064>;expires=600');
  const badStar = e.send(register({ contacts: ['*'], expires: 10, cseq: 3 }));
  assert.match(reply(badStar), /P-Registrar-Error: \* used in contact and expires is not zero/);
  const star = e.send(register({ contacts: ['*'], expires: 0, cseq: 4 }));
  assert.match(reply(star), /^SIP\/2\.0 200 OK/);
  assert.equal(contactHeader(star), undefined);
  assert.deepEqual(bindings(e), []);
});

test('max_contacts: 503 without f; with "rfc1" the newest contact replaces the old and no reply is sent', () => {
  const e = sipEngine(CFG('modparam("registrar", "max_contacts", 1)'));
  e.send(register({ expires: 600 }));
  const over = e.send(register({ contacts: ['<sip:1001@127.0.0.1:5064>'], expires: 600, cseq: 2 }));
  assert.match(reply(over), /^SIP\/2\.0 503 Service Unavailable\r\n/);
  assert.match(reply(over), /P-Registrar-Error: Too many registered contacts/);
  const f = sipEngine(CFG('', 'rfc1'));
  f.send(register({ expires: 600 }));
  const replaced = f.send(register({ contacts: ['<sip:1001@127.0.0.1:5064>'], expires: 600, cseq: 2 }));
  assert.deepEqual(replaced.sent, [], 'flag r: no reply');
  assert.equal(replaced.vars.get('rc'), 1);
  assert.deepEqual(
    bindings(f).map((b) => b.uri),
    ['sip:1001@127.0.0.1:5064'],
  );
});

test('no Contact: a query answers the current bindings', () => {
  const e = sipEngine(CFG());
  e.send(register({ expires: 600 }));
  const q = e.send(register({ contacts: [], cseq: 2 }));
  assert.equal(contactHeader(q), '<sip:1001@127.0.0.1:5062>;expires=600');
});

test('received from received_avp (fix_nated_register), branch flags, socket, User-Agent and methods are stored', () => {
  const e = sipEngine(`socket=udp:127.0.0.1:5060
loadmodule "usrloc.so"
loadmodule "signaling.so"
loadmodule "sl.so"
loadmodule "registrar.so"
loadmodule "nathelper.so"
modparam("registrar|nathelper", "received_avp", "$avp(rcv)")
route { setbflag("DST_WS"); fix_nated_register(); save("location"); }`);
  const r = e.send(register({ expires: 600, extra: ['User-Agent: Zoiper', 'Allow: INVITE, BYE'] }), {
    ip: '127.0.0.9',
    port: 40000,
    proto: 'udp',
  });
  assert.equal(contactHeader(r), '<sip:1001@127.0.0.1:5062>;expires=600;received="sip:127.0.0.9:40000"');
  const [b] = bindings(e);
  assert.deepEqual(
    [b!.received, e.rt.flags.namesOf('branch', b!.cflags), b!.socket, b!.userAgent, b!.methods],
    ['sip:127.0.0.9:40000', 'DST_WS', 'udp:127.0.0.1:5060', 'Zoiper', 9],
  );
  assert.equal(r.sent[0]!.to.ip, '127.0.0.9', 'the reply goes to the source (rport)');
});

test('lookup(): R-URI to the contact, $du to its received, branch flags back; -1 for unknown AoRs; -2 when the method is filtered', () => {
  const e = sipEngine(
    `${MODULES}route {
	if (is_method("REGISTER")) { setbflag("NAT"); $avp(rcv) = "sip:127.0.0.9:40000"; save("location"); exit; }
	lookup("location", "m");
	$var(rc) = $retcode; $var(ru) = $ru; $var(du) = $du;
	if (isbflagset("NAT")) $var(nat) = 1;
}
modparam("registrar", "received_avp", "$avp(rcv)")`
      .replace(/\nmodparam.*$/, '')
      .replace(
        'loadmodule "registrar.so"',
        'loadmodule "registrar.so"\nmodparam("registrar", "received_avp", "$avp(rcv)")',
      ),
  );
  e.send(register({ expires: 600, extra: ['Allow: INVITE, ACK, BYE'] }));
  const invite = (to: string, method = 'INVITE') =>
    Buffer.from(
      `${method} sip:${to}@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK-i\r\nFrom: <sip:x@127.0.0.1>;tag=1\r\nTo: <sip:${to}@127.0.0.1>\r\nCall-ID: i1\r\nCSeq: 1 ${method}\r\nContent-Length: 0\r\n\r\n`,
    );
  const hit = e.send(invite('1001'));
  assert.deepEqual(
    ['rc', 'ru', 'du', 'nat'].map((k) => hit.vars.get(k)),
    [1, 'sip:1001@127.0.0.1:5062', 'sip:127.0.0.9:40000', 1],
  );
  assert.equal(e.send(invite('9999')).vars.get('rc'), -1);
  assert.equal(e.send(invite('1001', 'MESSAGE')).vars.get('rc'), -2);
});

test('tcp_persistent_flag: a REGISTER over TCP with the flag set before save() keeps its connection for the longest TCP expiry + 10 s', () => {
  const cfg = (setFlagFirst: boolean) => `socket=tcp:127.0.0.1:5060
loadmodule "usrloc.so"
loadmodule "signaling.so"
loadmodule "sl.so"
loadmodule "registrar.so"
modparam("registrar", "tcp_persistent_flag", "TCP_PERSIST")
route { ${setFlagFirst ? 'setflag("TCP_PERSIST"); save("location");' : 'save("location"); setflag("TCP_PERSIST");'} }`;
  for (const first of [true, false]) {
    const e = sipEngine(cfg(first));
    const calls: [string, number][] = [];
    e.rt.services.set('net:tcp', {
      extendLifetime: (p: { ip: string; port: number }, until: number) => calls.push([`${p.ip}:${p.port}`, until]),
    });
    e.send(
      register({
        contacts: ['<sip:1001@127.0.0.1:40000;transport=tcp>'],
        expires: 300,
        via: 'SIP/2.0/TCP 127.0.0.1:40000;branch=z9hG4bK-t',
      }),
      { ip: '127.0.0.1', port: 40000, proto: 'tcp' },
    );
    if (first) assert.deepEqual(calls, [['127.0.0.1:40000', e.clock.now() + 310_000]]);
    else assert.deepEqual(calls, [], 'the blog sets the flag after save(): no effect');
  }
});

test('Path: stored with p1, copied into the 200 when the UA supports path; p2 without support is 420; lookup sends to the Path', () => {
  const e = sipEngine(CFG('', 'p1'));
  const withPath = e.send(register({ expires: 600, extra: ['Path: <sip:127.0.0.7:5060;lr>', 'Supported: path'] }));
  assert.match(reply(withPath), /\r\nPath: <sip:127\.0\.0\.7:5060;lr>\r\n/);
  assert.equal(bindings(e)[0]!.path, '<sip:127.0.0.7:5060;lr>');
  const strict = sipEngine(CFG('', 'p2'));
  const r = strict.send(register({ expires: 600, extra: ['Path: <sip:127.0.0.7:5060;lr>'] }));
  assert.match(reply(r), /^SIP\/2\.0 420 Bad Extension\r\n/);
  assert.match(reply(r), /\r\nUnsupported: path\r\n/);
});

test('is_contact_registered and remove', () => {
  const e = sipEngine(`${MODULES}route {
	if (is_method("REGISTER")) { save("location"); exit; }
	is_contact_registered("location", "sip:1001@x", "sip:1001@127.0.0.1:5062"); $var(a) = $retcode;
	is_contact_registered("location", "sip:1001@x", "sip:other@127.0.0.1"); $var(b) = $retcode;
	is_contact_registered("location", "sip:1001@x", , "call-1"); $var(c) = $retcode;
	remove("location", "sip:1001@x", "sip:1001@127.0.0.1:5062"); $var(d) = $retcode;
	is_registered("location", "sip:1001@x"); $var(e) = $retcode;
}`);
  e.send(register({ expires: 600 }));
  const r = e.send(
    Buffer.from(
      'OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK-o\r\nFrom: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:x@127.0.0.1>\r\nCall-ID: o1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n',
    ),
  );
  assert.deepEqual(
    ['a', 'b', 'c', 'd', 'e'].map((k) => r.vars.get(k)),
    [1, -1, 1, 1, -1],
  );
});

test('is_ip_registered: 1 when a contact (its received URI first) has one of the IPs of the variable or AVP', () => {
  const e = sipEngine(`${MODULES}modparam("registrar", "received_avp", "$avp(rcv)")
route {
	if (is_method("REGISTER")) { $avp(rcv) = "sip:127.0.0.99:40000"; save("location"); exit; }
	$var(ip) = "127.0.0.99"; is_ip_registered("location", "sip:1001@x", $var(ip)); $var(a) = $retcode;
	$var(ip) = "127.0.0.1"; is_ip_registered("location", "sip:1001@x", $var(ip)); $var(b) = $retcode;
	$avp(ips) = "10.9.9.9"; $avp(ips) = "127.0.0.99"; is_ip_registered("location", "sip:1001@x", $avp(ips)); $var(c) = $retcode;
	is_ip_registered("location", "sip:nobody@x", $avp(ips)); $var(d) = $retcode;
}`);
  e.send(register({ expires: 600 }));
  const r = e.send(
    Buffer.from(
      'OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK-o\r\nFrom: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:x@127.0.0.1>\r\nCall-ID: o1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n',
    ),
  );
  assert.deepEqual(
    ['a', 'b', 'c', 'd'].map((k) => r.vars.get(k)),
    [1, -1, 1, -1],
  );
});

test('remove_ip_port: contacts whose next hop (received, else the contact) is ip:port go, for one AoR or all; 1 either way', () => {
  const e = sipEngine(
    `${MODULES}route {\n\tif ($rm == "REGISTER") { save("location"); exit; }\n\t$var(a) = remove_ip_port("127.0.0.9", 5070, "location", "sip:1001@127.0.0.1");\n\t$var(b) = remove_ip_port("127.0.0.8", 5060, "location");\n}\n`,
  );
  e.send(register({ contacts: ['<sip:1001@127.0.0.9:5070>', '<sip:1001@127.0.0.8>'] }));
  e.send(register({ user: '1002', callId: 'c2', contacts: ['<sip:1002@127.0.0.8>', '<sip:1002@127.0.0.9:5070>'] }));
  const r = e.send(
    Buffer.from(
      'OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK-o\r\nFrom: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:x@127.0.0.1>\r\nCall-ID: o1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n',
    ),
  );
  assert.deepEqual([r.vars.get('a'), r.vars.get('b')], [1, 1]);
  assert.deepEqual(
    bindings(e).map((b) => b.uri),
    [],
  );
  assert.deepEqual(
    bindings(e, '1002').map((b) => b.uri),
    ['sip:1002@127.0.0.9:5070'],
    'the AoR-scoped removal left 1002 alone',
  );
});

test('add_sock_hdr(name): the receiving socket as proto:ip:port, appended to the request', () => {
  const e = sipEngine(
    `${MODULES}loadmodule "tm.so"\nroute {\n\t$var(a) = add_sock_hdr("Sock-Info");\n\t$du = "sip:127.0.0.20:5060";\n\tt_relay();\n}\n`,
  );
  const r = e.send(register());
  assert.equal(r.vars.get('a'), 1);
  assert.match(r.sent.find((m) => m.kind === 'request')!.text, /\r\nSock-Info: udp:127\.0\.0\.1:5060\r\n/);
});
