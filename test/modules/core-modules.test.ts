// Return codes and wire effects of sl, signaling, tm, sipmsgops, maxfwd, nathelper.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sipEngine } from '../helpers/engine.js';

const LOAD =
  'socket=udp:127.0.0.1:5060\nsocket=tcp:127.0.0.1:5060\nloadmodule "sl.so"\nloadmodule "tm.so"\nloadmodule "signaling.so"\nloadmodule "sipmsgops.so"\nloadmodule "maxfwd.so"\nloadmodule "nathelper.so"\n';

function req(method = 'OPTIONS', extra: string[] = [], via = 'SIP/2.0/UDP 127.0.0.1:5090;branch=z9hG4bK-x'): Buffer {
  return Buffer.from(
    [
      `${method} sip:bob@127.0.0.1:5060 SIP/2.0`,
      `Via: ${via}`,
      'From: <sip:a@127.0.0.1>;tag=1',
      'To: <sip:bob@127.0.0.1>',
      'Call-ID: c1',
      `CSeq: 1 ${method}`,
      ...extra,
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  );
}

const rc = (body: string, msg = req(), pre = ''): unknown => {
  const e = sipEngine(`${LOAD}${pre}route {\n${body}\n$var(rc) = $retcode;\n}`);
  assert.deepEqual(e.diagnostics, []);
  return e.send(msg).vars.get('rc');
};

test('sl_send_reply: 1, a reply to the Via port without rport, To-tag only from 180; ACK is never answered', () => {
  const e = sipEngine(`${LOAD}route { sl_send_reply(404, "Not Here"); $var(rc) = $retcode; }`);
  const r = e.send(req(), { ip: '127.0.0.1', port: 40001, proto: 'udp' });
  assert.equal(r.vars.get('rc'), 1);
  assert.equal(r.sent.length, 1);
  assert.equal(r.sent[0]!.to.port, 5090, 'no rport: the Via port');
  assert.match(
    r.sent[0]!.text,
    /^SIP\/2\.0 404 Not Here\r\nVia: SIP\/2\.0\/UDP 127\.0\.0\.1:5090;branch=z9hG4bK-x\r\n/,
  );
  assert.match(
    r.sent[0]!.text,
    /\r\nTo: <sip:bob@127\.0\.0\.1>;tag=[0-9a-f]{4}\.[0-9a-f]{32}\r\n/,
    "sl's tag: CRC, a dot, MD5",
  );
  const e2 = sipEngine(`${LOAD}route { sl_send_reply(100, "Trying"); }`);
  assert.match(e2.send(req()).sent[0]!.text, /\r\nTo: <sip:bob@127\.0\.0\.1>\r\n/, 'no To-tag below 180');
  const ack = sipEngine(`${LOAD}route { sl_send_reply(200, "OK"); $var(rc) = $retcode; }`).send(req('ACK'));
  assert.deepEqual([ack.vars.get('rc'), ack.sent.length], [1, 0]);
});

test('rport: the reply goes to the source port, and the Via gets received/rport', () => {
  const e = sipEngine(`${LOAD}route { sl_send_reply(200, "OK"); }`);
  const r = e.send(req('OPTIONS', [], 'SIP/2.0/UDP 10.9.9.9:5090;branch=z9hG4bK-y;rport'), {
    ip: '127.0.0.7',
    port: 40002,
    proto: 'udp',
  });
  assert.deepEqual([r.sent[0]!.to.ip, r.sent[0]!.to.port], ['127.0.0.7', 40002]);
  assert.match(
    r.sent[0]!.text,
    /Via: SIP\/2\.0\/UDP 10\.9\.9\.9:5090;branch=z9hG4bK-y;rport=40002;received=127\.0\.0\.7\r\n|Via: SIP\/2\.0\/UDP 10\.9\.9\.9:5090;received=127\.0\.0\.7;branch=z9hG4bK-y;rport=40002\r\n|Via: SIP\/2\.0\/UDP 10\.9\.9\.9:5090;branch=z9hG4bK-y;received=127\.0\.0\.7;rport=40002\r\n/,
  );
});

test('sl_reply_error answers 500 "Server error occurred (1/SL)"', () => {
  const e = sipEngine(`${LOAD}route { sl_reply_error(); }`);
  assert.match(e.send(req()).sent[0]!.text, /^SIP\/2\.0 500 Server error occurred \(1\/SL\)\r\n/);
});

test('send_reply: stateless without a transaction, stateful after t_newtran', () => {
  const e = sipEngine(`${LOAD}route { send_reply(486, "Busy"); }`);
  assert.match(e.send(req()).sent[0]!.via, /stateless/);
  const s = sipEngine(`${LOAD}route { t_newtran(); send_reply(486, "Busy"); }`);
  assert.match(s.send(req()).sent[0]!.via, /stateful/);
});

test('t_newtran: 1 then -10 for a second call on the same message; INVITE gets 100 Giving it a try (auto_100trying)', () => {
  assert.equal(rc('t_newtran(); t_newtran();'), -10);
  const e = sipEngine(`${LOAD}route { t_newtran(); t_reply(404, "Not Found"); }`);
  assert.deepEqual(
    e.send(req('INVITE')).sent.map((s) => s.text.split('\r\n')[0]),
    ['SIP/2.0 100 Giving it a try', 'SIP/2.0 404 Not Found'],
  );
});

test('t_relay: 1 and a forwarded request with our Via on top; -3 when the destination cannot be parsed', () => {
  const e = sipEngine(`${LOAD}route { $du = "sip:127.0.0.1:5070"; t_relay(); $var(rc) = $retcode; }`);
  const r = e.send(req());
  assert.equal(r.vars.get('rc'), 1);
  assert.deepEqual([r.sent[0]!.to.ip, r.sent[0]!.to.port], ['127.0.0.1', 5070]);
  assert.match(
    r.sent[0]!.text,
    /^OPTIONS sip:bob@127\.0\.0\.1:5060 SIP\/2\.0\r\nVia: SIP\/2\.0\/UDP 127\.0\.0\.1:5060;branch=z9hG4bK\w+\r\nVia: SIP\/2\.0\/UDP 127\.0\.0\.1:5090;branch=z9hG4bK-x\r\n/,
  );
  assert.equal(rc('$du = "garbage"; t_relay();'), -3);
});

test('t_relay follows header edits: append_hf, remove_hf', () => {
  const e = sipEngine(
    `${LOAD}route { append_hf("X-Seen: yes\\r\\n"); remove_hf("Subject"); $du = "sip:127.0.0.1:5070"; t_relay(); }`,
  );
  const text = e.send(req('OPTIONS', ['Subject: hi'])).sent[0]!.text;
  assert.match(text, /\r\nX-Seen: yes\r\n/);
  assert.doesNotMatch(text, /Subject/);
});

test('sipmsgops: is_method (lists, unknown methods), has_totag, is_present_hf, remove_hf return codes', () => {
  assert.equal(rc('is_method("INVITE|OPTIONS");'), 1);
  assert.equal(rc('is_method("REGISTER");'), -1);
  assert.equal(rc('is_method("publish");', req('PUBLISH')), 1);
  assert.equal(rc('is_method("FOO");', req('FOO')), 1, 'unknown methods compare by name');
  assert.equal(rc('has_totag();'), -1);
  assert.equal(rc('is_present_hf("Call-ID");'), 1);
  assert.equal(rc('is_present_hf("X-None");'), -1);
  assert.equal(rc('remove_hf("X-None");'), -1);
});

test('maxfwd: 2 when absent (added), 1 when decremented, -1 at zero; is_maxfwd_lt', () => {
  assert.equal(rc('mf_process_maxfwd_header(10);'), 2);
  assert.equal(rc('mf_process_maxfwd_header(10);', req('OPTIONS', ['Max-Forwards: 5'])), 1);
  assert.equal(rc('mf_process_maxfwd_header(10);', req('OPTIONS', ['Max-Forwards: 0'])), -1);
  assert.equal(rc('is_maxfwd_lt(10);', req('OPTIONS', ['Max-Forwards: 5'])), 1);
  assert.equal(rc('is_maxfwd_lt(3);', req('OPTIONS', ['Max-Forwards: 5'])), -1);
  assert.equal(rc('is_maxfwd_lt(3);'), -2);
});

test('fix_nated_register: the received AVP gets sip:ip:port, with transport for TCP; 1 without an AVP configured', () => {
  const e = sipEngine(
    `${LOAD}modparam("nathelper", "received_avp", "$avp(rcv)")\nroute { fix_nated_register(); $var(r) = $avp(rcv); }`,
  );
  assert.equal(
    e.send(req('REGISTER'), { ip: '127.0.0.8', port: 40003, proto: 'udp' }).vars.get('r'),
    'sip:127.0.0.8:40003',
  );
  assert.equal(
    e.send(req('REGISTER'), { ip: '127.0.0.8', port: 40004, proto: 'tcp' }).vars.get('r'),
    'sip:127.0.0.8:40004;transport=tcp',
  );
  assert.equal(rc('fix_nated_register();'), 1);
});

test('textops: search and search_body return 1 on a match, -1 otherwise', () => {
  assert.equal(rc('search("^OPTIONS sip:bob");'), 1);
  assert.equal(rc('search("X-Nothing");'), -1);
  assert.equal(rc('search_body("m=audio");'), -1);
});

test('rr: record_route adds our Record-Route (with ftag); loose_route follows the route set', () => {
  const e = sipEngine(`${LOAD}loadmodule "rr.so"\nroute { record_route(); $du = "sip:127.0.0.1:5070"; t_relay(); }`);
  assert.match(e.send(req('INVITE')).sent.at(-1)!.text, /\r\nRecord-Route: <sip:127\.0\.0\.1;lr;ftag=1>\r\n/);
  const lr = sipEngine(`${LOAD}loadmodule "rr.so"\nroute { loose_route(); $var(rc) = $retcode; $var(du) = $du; }`);
  const inDialog = (routes: string[]) =>
    Buffer.from(
      [
        `BYE sip:bob@127.0.0.9:5080 SIP/2.0`,
        'Via: SIP/2.0/UDP 127.0.0.1:5090;branch=z9hG4bK-b',
        'From: <sip:a@127.0.0.1>;tag=1',
        'To: <sip:bob@127.0.0.1>;tag=2',
        'Call-ID: c1',
        'CSeq: 2 BYE',
        ...routes.map((r) => `Route: ${r}`),
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    );
  const two = lr.send(inDialog(['<sip:127.0.0.1:5060;lr>', '<sip:127.0.0.5:5060;lr>']));
  assert.deepEqual(
    [two.vars.get('rc'), two.vars.get('du')],
    [1, 'sip:127.0.0.5:5060;lr'],
    'our Route removed, the next one is the destination',
  );
  lr.rt.vars.clear();
  const own = lr.send(inDialog(['<sip:127.0.0.1:5060;lr>']));
  assert.equal(own.vars.get('rc'), 1, 'in a dialog, only our own Route: the R-URI is the next hop (rr/loose.c)');
  lr.rt.vars.clear();
  assert.equal(lr.send(inDialog([])).vars.get('rc'), -1, 'no Route at all');
});

test('t_on_branch: the branch route runs per branch, its edits reach only that branch, drop skips it', () => {
  const e = sipEngine(`${LOAD}route { t_on_branch("b"); $du = "sip:127.0.0.1:5070"; t_relay(); $var(rc) = $retcode; }
branch_route[b] { append_hf("X-Branch: $ru\\r\\n"); }`);
  const r = e.send(req('INVITE'));
  const relayed = r.sent.filter((s) => s.kind === 'request');
  assert.equal(relayed.length, 1);
  assert.match(relayed[0]!.text, /\r\nX-Branch: sip:bob@127\.0\.0\.1:5060\r\n/);
  const d = sipEngine(`${LOAD}route { t_on_branch("b"); $du = "sip:127.0.0.1:5070"; t_relay(); $var(rc) = $retcode; }
branch_route[b] { drop; }`);
  const dropped = d.send(req('INVITE'));
  assert.deepEqual(
    [dropped.sent.filter((s) => s.kind === 'request').length, dropped.vars.get('rc')],
    [0, -6],
    'every branch dropped: nothing sent, t_relay fails',
  );
});

test('nat_uac_test: each flag bit of 3.3 returns 1 when its probe sees NAT, -1 otherwise (loopback counts as private, as in ip_addr_is_1918)', () => {
  const e = sipEngine(
    `${LOAD}loadmodule "nathelper.so"\nroute { $var(r) = 0; if (nat_uac_test($var(f))) $var(r) = 1; }`,
  );
  const msg = (o: { via?: string; contact?: string; sdp?: string }) =>
    Buffer.from(
      [
        'INVITE sip:bob@127.0.0.1 SIP/2.0',
        `Via: ${o.via ?? 'SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK-n'}`,
        'From: <sip:a@127.0.0.1>;tag=1',
        'To: <sip:bob@127.0.0.1>',
        'Call-ID: n1',
        'CSeq: 1 INVITE',
        `Contact: ${o.contact ?? '<sip:a@198.51.100.7:5060>'}`,
        ...(o.sdp
          ? ['Content-Type: application/sdp', `Content-Length: ${o.sdp.length}`, '', o.sdp]
          : ['Content-Length: 0', '', '']),
      ].join('\r\n'),
    );
  const src = { ip: '198.51.100.7', port: 5060, proto: 'udp' };
  const test = (flags: number, m: Buffer, from = src) => {
    e.rt.vars.set('f', flags);
    return e.send(m, from).vars.get('r');
  };
  const clean = msg({});
  for (const f of [1, 2, 4, 8, 16, 32, 64, 127])
    assert.equal(test(f, clean), 0, `flag ${f}: a public UA with matching addresses is not NATed`);
  assert.equal(test(1, msg({ contact: '<sip:a@192.168.1.20:5060>' })), 1, '1: private Contact');
  assert.equal(test(1, msg({ contact: '<sip:a@127.0.0.1:5060>' })), 1, '1: loopback is private too');
  assert.equal(test(1, msg({ contact: '<sip:a@100.64.3.4>' })), 1, '1: RFC 6598');
  assert.equal(test(1, msg({ contact: '<sip:a@100.128.3.4>' })), 0, '1: outside 100.64/10');
  assert.equal(test(2, clean, { ...src, ip: '203.0.113.9' }), 1, '2: Via host is not the source');
  assert.equal(
    test(2, msg({ via: 'SIP/2.0/UDP pc.example.com;branch=z9hG4bK-n' })),
    1,
    '2: a Via host name differs (no DNS)',
  );
  assert.equal(
    test(2, msg({ via: 'SIP/2.0/UDP 198.51.100.7;received=198.51.100.7;branch=z9hG4bK-n' })),
    1,
    '2: a received= already there',
  );
  assert.equal(test(4, msg({ via: 'SIP/2.0/UDP 10.1.2.3:5060;branch=z9hG4bK-n' })), 1, '4: private Via');
  const sdp = (ip: string) =>
    `v=0\r\no=- 1 1 IN IP4 ${ip}\r\ns=-\r\nc=IN IP4 ${ip}\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n`;
  assert.equal(test(8, msg({ sdp: sdp('172.20.0.5') })), 1, '8: private SDP c=');
  assert.equal(test(8, msg({ sdp: sdp('0.0.0.0') })), 0, '8: null address is not NAT');
  assert.equal(test(16, clean, { ...src, port: 40000 }), 1, '16: source port is not the Via port');
  assert.equal(test(16, msg({ via: 'SIP/2.0/UDP 198.51.100.7;branch=z9hG4bK-n' })), 0, '16: no Via port means 5060');
  assert.equal(test(32, msg({ contact: '<sip:a@198.51.100.8:5060>' })), 1, '32: Contact host is not the source');
  assert.equal(test(64, msg({ contact: '<sip:a@198.51.100.7:5070>' })), 1, '64: Contact port is not the source port');
  assert.equal(
    test(64, msg({ contact: '<sips:a@198.51.100.7>' }), { ...src, port: 5061 }),
    0,
    '64: sips defaults to 5061',
  );
  assert.equal(test(1 | 64, msg({ contact: '<sip:a@198.51.100.7:5070>' })), 1, 'any selected probe is enough');
});

test('fix_nated_contact: every Contact gets the source ip:port (maddr dropped, params after the port); a second call is -1', () => {
  const e = sipEngine(
    `${LOAD}route { fix_nated_contact($var(p)); $var(a) = $retcode; fix_nated_contact(); $var(b) = $retcode; $du = "sip:127.0.0.1:5070"; t_relay(); }`,
  );
  const src = { ip: '127.0.0.8', port: 40010, proto: 'udp' };
  const contacts = [
    'Contact: "A" <sip:a@192.168.1.20:5062;transport=udp;maddr=10.0.0.1>;expires=60, <sip:b@10.1.1.1>',
    'Contact: sip:c@192.168.1.21',
  ];
  const r = e.send(req('REGISTER', contacts), src);
  assert.deepEqual([r.vars.get('a'), r.vars.get('b')], [1, -1]);
  const sent = r.sent.at(-1)!.text;
  assert.match(
    sent,
    /\r\nContact: "A" <sip:a@127\.0\.0\.8:40010;transport=udp>;expires=60, <sip:b@127\.0\.0\.8:40010>\r\n/,
  );
  assert.match(sent, /\r\nContact: sip:c@127\.0\.0\.8:40010\r\n/);
  e.rt.vars.set('p', ';nat=yes');
  const withParams = e.send(req('REGISTER', ['Contact: sip:c@192.168.1.21;expires=30']), src).sent.at(-1)!.text;
  assert.match(
    withParams,
    /\r\nContact: <sip:c@127\.0\.0\.8:40010;nat=yes>;expires=30\r\n/,
    'a bare addr-spec gaining URI params is enclosed',
  );
});

test('add_rcv_param: received="sip:src" as a header parameter, or a URI parameter with a flag > 0; composes with fix_nated_contact', () => {
  const hdr = sipEngine(`${LOAD}route { add_rcv_param(); $du = "sip:127.0.0.1:5070"; t_relay(); }`);
  const src = { ip: '127.0.0.8', port: 40011, proto: 'tcp' };
  const two = ['Contact: <sip:a@192.168.1.20:5062>;expires=60, <sip:b@192.168.1.20>'];
  assert.match(
    hdr.send(req('REGISTER', two), src).sent.at(-1)!.text,
    /\r\nContact: <sip:a@192\.168\.1\.20:5062>;expires=60;received="sip:127\.0\.0\.8:40011;transport=tcp", <sip:b@192\.168\.1\.20>;received="sip:127\.0\.0\.8:40011;transport=tcp"\r\n/,
  );
  const uri = sipEngine(
    `${LOAD}route { fix_nated_contact(); add_rcv_param(1); $du = "sip:127.0.0.1:5070"; t_relay(); }`,
  );
  assert.match(
    uri.send(req('REGISTER', ['Contact: <sip:a@192.168.1.20:5062>;expires=60']), { ...src, proto: 'udp' }).sent.at(-1)!
      .text,
    /\r\nContact: <sip:a@127\.0\.0\.8:40011;received="sip:127\.0\.0\.8:40011">;expires=60\r\n/,
  );
  assert.equal(rc('add_rcv_param();', req('REGISTER', ['Contact: <sip:a@[bad'])), -1, 'an unparsable Contact: -1');
  assert.equal(rc('add_rcv_param();', req('OPTIONS')), 1, 'no Contact: nothing to do, 1');
});

test('save() after fix_nated_contact stores (and answers with) the rewritten Contact, as OpenSIPS does', () => {
  const e = sipEngine(
    `${LOAD}loadmodule "usrloc.so"\nloadmodule "registrar.so"\nroute { fix_nated_contact(); save("location"); }`,
  );
  const r = e.send(req('REGISTER', ['Contact: <sip:a@192.168.1.20:5062>;expires=60']), {
    ip: '127.0.0.8',
    port: 40012,
    proto: 'udp',
  });
  assert.match(
    r.sent.at(-1)!.text,
    /^SIP\/2\.0 200 OK\r\n[\s\S]*\r\nContact: <sip:a@127\.0\.0\.8:40012>;expires=60\r\n/,
  );
});

test('set_advertised_address / set_advertised_port: the Via and the Record-Route of this message name them', () => {
  const e = sipEngine(
    `${LOAD}loadmodule "rr.so"\nroute {\n\t$var(a) = set_advertised_address("proxy.example.com");\n\t$var(p) = set_advertised_port("5999");\n\t$var(b) = set_advertised_port("x");\n\trecord_route();\n\t$du = "sip:127.0.0.20:5060";\n\tt_relay();\n}`,
  );
  const r = e.send(req('INVITE'));
  assert.deepEqual([r.vars.get('a'), r.vars.get('p'), r.vars.get('b')], [1, 1, -1]);
  const out = r.sent.find((m) => m.kind === 'request')!.text;
  assert.match(out, /\r\nVia: SIP\/2\.0\/UDP proxy\.example\.com:5999;branch=z9hG4bK/);
  assert.match(out, /\r\nRecord-Route: <sip:proxy\.example\.com:5999;lr;ftag=1>\r\n/);
});

test('send(dest[, headers]): the message as received (no Via of ours, no edits) to dest, the headers added at the end of the header block', () => {
  const e = sipEngine(
    `${LOAD}route {\n\tappend_hf("X-Edit: not sent\\r\\n");\n\t$var(a) = send("udp:127.0.0.30:5070", "X-Sent: yes");\n\t$var(b) = send("nonsense::");\n}`,
  );
  const original = req('OPTIONS');
  const r = e.send(original);
  assert.deepEqual([r.vars.get('a'), r.vars.get('b')], [1, -1]);
  assert.equal(r.sent.length, 1);
  assert.deepEqual([r.sent[0]!.to.ip, r.sent[0]!.to.port, r.sent[0]!.kind], ['127.0.0.30', 5070, 'request']);
  assert.equal(
    r.sent[0]!.text,
    original.toString().replace('Content-Length: 0\r\n\r\n', 'Content-Length: 0\r\nX-Sent: yes\r\n\r\n'),
  );
});

test('force_tcp_alias: 1 and nothing to do for a request over UDP (the TCP side: test/net/tcp-alias.test.ts)', () => {
  assert.equal(rc('$var(x) = 1;\nforce_tcp_alias();'), 1);
});
