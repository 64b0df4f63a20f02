// uac_auth: the picked branch's challenge answered in failure_route with the
// `credential` list (or the AVPs), the header as 3.3 writes it, the R-URI of
// that branch, CSeq + 1 downstream and the original CSeq on relayed replies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { coreHash } from '../../src/modules/common/core-hash.js';
import { request, serverFor } from '../helpers/server.js';

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

const cfg = (extra = '', auth = 'uac_auth()') => `socket=udp:127.0.0.1:5060
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "sipmsgops.so"
loadmodule "uac_auth.so"
loadmodule "uac.so"
modparam("rr", "append_fromtag", 1)
modparam("uac_auth", "credential", "trunk:sip.example.net:s3cr:et")
modparam("uac_auth", "credential", "other:other.example.net:pw")
${extra}
route {
\tif (has_totag()) { if (loose_route()) t_relay(); exit; }
\trecord_route();
\tt_on_failure("auth");
\t$du = "sip:127.0.0.20:5060";
\tt_relay();
}
failure_route[auth] {
\tif (t_check_status("40[17]")) {
\t\t$var(rc) = ${auth};
\t\txlog("L_NOTICE", "uac_auth $var(rc)\\n");
\t\tif ($var(rc) == 1) { t_on_failure("auth"); t_relay(); }
\t}
}
`;

function challenge(h: ReturnType<typeof serverFor>, id: string, status: string, header: string, cseq = 1): string {
  const fwd = h.sent.filter((s) => s.text.startsWith('INVITE') && s.text.includes(`Call-ID: ${id}\r\n`)).pop()!;
  const via = /\r\nVia: ([^\r]+)\r\n/.exec(fwd.text)![1]!;
  return (
    `SIP/2.0 ${status}\r\nVia: ${via}\r\nVia: SIP/2.0/UDP 127.0.0.11:5060;branch=z9hG4bK-${id}\r\nFrom: <sip:1002@127.0.0.11>;tag=a${id}\r\nTo: <sip:1001@127.0.0.1>;tag=up\r\n` +
    `Call-ID: ${id}\r\nCSeq: ${cseq} INVITE\r\n${header ? header + '\r\n' : ''}Content-Length: 0\r\n\r\n`
  );
}

const notices = (logs: string[]): string[] =>
  logs.map((l) => l.replace(/^.*?\] /, '').trim()).filter((l) => l.startsWith('uac_auth'));

test("a 407 answered: Proxy-Authorization with qop auth (cnonce = core_hash of the nonce), CSeq 2 downstream, the 200 relayed with CSeq 1; ;aci=1 shifts the caller's in-dialog requests too", () => {
  const h = serverFor(cfg());
  h.receive(request('INVITE', 'u1'), '127.0.0.11');
  h.receive(
    challenge(
      h,
      'u1',
      '407 Proxy Authentication Required',
      'Proxy-Authenticate: Digest realm="sip.example.net", nonce="abc123", opaque="op", qop="auth,auth-int"',
    ),
    '127.0.0.20',
  );
  const second = h.sent.filter((s) => s.text.startsWith('INVITE')).pop()!.text;
  const cnonce = String(coreHash('abc123'));
  const ha1 = md5('trunk:sip.example.net:s3cr:et');
  const ha2 = md5('INVITE:sip:1001@127.0.0.1');
  const response = md5(`${ha1}:abc123:00000001:${cnonce}:auth:${ha2}`);
  assert.match(
    second,
    new RegExp(
      `\\r\\nProxy-Authorization: Digest username="trunk", realm="sip\\.example\\.net", nonce="abc123", uri="sip:1001@127\\.0\\.0\\.1", opaque="op", qop=auth, nc=00000001, cnonce="${cnonce}", response="${response}", algorithm=MD5\\r\\n`,
    ),
  );
  assert.match(second, /\r\nCSeq: 2 INVITE\r\n/);
  h.receive(challenge(h, 'u1', '200 OK', 'Contact: <sip:1001@127.0.0.20>', 2), '127.0.0.20');
  const relayed = h.sent.filter((s) => s.text.startsWith('SIP/2.0 200')).pop()!.text;
  assert.match(relayed, /\r\nCSeq: 1 INVITE\r\n/);
  assert.deepEqual(notices(h.logs), ['uac_auth 1']);
  // The Record-Route the callee saw, and echoed, carries ;aci=1: the caller's BYE (CSeq 2) goes down as 3.
  const rr = /\r\nRecord-Route: <([^>]+)>/.exec(second)![1]!;
  assert.match(rr, /;aci=1$/);
  const bye = (from: string, to: string, cseq: number) =>
    `BYE sip:1001@127.0.0.20 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.11:5060;branch=z9hG4bK-bye${cseq}\r\nRoute: <${rr}>\r\n` +
    `From: ${from}\r\nTo: ${to}\r\nCall-ID: u1\r\nCSeq: ${cseq} BYE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n`;
  h.receive(bye('<sip:1002@127.0.0.11>;tag=au1', '<sip:1001@127.0.0.1>;tag=up', 2), '127.0.0.11');
  const down = h.sent.filter((x) => x.text.startsWith('BYE')).pop()!.text;
  assert.match(down, /\r\nCSeq: 3 BYE\r\n/);
  const downVia = /\r\nVia: ([^\r]+)\r\n/.exec(down)![1]!;
  h.receive(
    `SIP/2.0 200 OK\r\nVia: ${downVia}\r\nVia: SIP/2.0/UDP 127.0.0.11:5060;branch=z9hG4bK-bye2\r\nFrom: <sip:1002@127.0.0.11>;tag=au1\r\nTo: <sip:1001@127.0.0.1>;tag=up\r\nCall-ID: u1\r\nCSeq: 3 BYE\r\nContent-Length: 0\r\n\r\n`,
    '127.0.0.20',
  );
  assert.match(
    h.sent.filter((x) => x.text.startsWith('SIP/2.0 200')).pop()!.text,
    /\r\nCSeq: 2 BYE\r\n/,
    'the caller gets its own CSeq back',
  );
  h.receive(bye('<sip:1001@127.0.0.1>;tag=up', '<sip:1002@127.0.0.11>;tag=au1', 7), '127.0.0.20');
  assert.match(
    h.sent.filter((x) => x.text.startsWith('BYE')).pop()!.text,
    /\r\nCSeq: 7 BYE\r\n/,
    "the callee's requests are left alone",
  );
});

test('a 401 without qop: Authorization with the legacy response; an HA1 given as 0x...', () => {
  const ha1 = md5('trunk:sip.example.net:pw1');
  const h = serverFor(cfg(`modparam("uac_auth", "credential", "trunk:sip.example.net:0x${ha1}")`));
  h.receive(request('INVITE', 'u2'), '127.0.0.11');
  h.receive(
    challenge(
      h,
      'u2',
      '401 Unauthorized',
      'WWW-Authenticate: Digest realm="sip.example.net", nonce="n2", algorithm=MD5',
    ),
    '127.0.0.20',
  );
  const second = h.sent.filter((s) => s.text.startsWith('INVITE')).pop()!.text;
  const response = md5(`${ha1}:n2:${md5('INVITE:sip:1001@127.0.0.1')}`);
  assert.match(
    second,
    new RegExp(
      `\\r\\nAuthorization: Digest username="trunk", realm="sip\\.example\\.net", nonce="n2", uri="sip:1001@127\\.0\\.0\\.1", response="${response}", algorithm=MD5\\r\\n`,
    ),
  );
});

test('-1: no credential for the realm, an algorithm outside the list (and, as 3.3, no algorithm= with a list), a 486, a local 408', () => {
  const unknown = serverFor(cfg());
  unknown.receive(request('INVITE', 'u3'), '127.0.0.11');
  unknown.receive(
    challenge(
      unknown,
      'u3',
      '407 Proxy Authentication Required',
      'Proxy-Authenticate: Digest realm="nowhere.example.net", nonce="x"',
    ),
    '127.0.0.20',
  );
  assert.deepEqual(notices(unknown.logs), ['uac_auth -1']);
  const listed = serverFor(cfg('', 'uac_auth("SHA-256")'));
  listed.receive(request('INVITE', 'u4'), '127.0.0.11');
  listed.receive(
    challenge(
      listed,
      'u4',
      '407 Proxy Authentication Required',
      'Proxy-Authenticate: Digest realm="sip.example.net", nonce="x"',
    ),
    '127.0.0.20',
  );
  assert.deepEqual(notices(listed.logs), ['uac_auth -1']);
  const sha = serverFor(cfg('', 'uac_auth("SHA-256")'));
  sha.receive(request('INVITE', 'u5'), '127.0.0.11');
  sha.receive(
    challenge(
      sha,
      'u5',
      '407 Proxy Authentication Required',
      'Proxy-Authenticate: Digest realm="sip.example.net", nonce="x", algorithm=SHA-256',
    ),
    '127.0.0.20',
  );
  assert.deepEqual(notices(sha.logs), ['uac_auth 1']);
  const busy = serverFor(cfg('modparam("tm", "fr_timeout", 2)', 'uac_auth()').replace('t_check_status("40[17]")', '1'));
  busy.receive(request('INVITE', 'u6'), '127.0.0.11');
  busy.receive(challenge(busy, 'u6', '486 Busy Here', ''), '127.0.0.20');
  busy.receive(request('INVITE', 'u7'), '127.0.0.11');
  busy.clock.advance(3000);
  assert.deepEqual(notices(busy.logs), ['uac_auth -1', 'uac_auth -1']);
});
