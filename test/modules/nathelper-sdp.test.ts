// fix_nated_sdp: c= (and o=) addresses replaced by the source address or the
// one given, a=oldcip/a=oldoip kept unless oldip_skip, a=direction:active and
// a=nortpproxy:yes added, null addresses left alone, Content-Length follows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sipEngine } from '../helpers/engine.js';
import { request } from '../helpers/server.js';

const SDP =
  'v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\nc=IN IP4 0.0.0.0\r\n';

function relay(call: string, extra = ''): { rc: unknown; body: string; length: string } {
  const e = sipEngine(
    `socket=udp:127.0.0.1:5060\nloadmodule "tm.so"\nloadmodule "sl.so"\nloadmodule "nathelper.so"\n${extra}\nroute {\n\t$var(rc) = ${call};\n\t$du = "sip:127.0.0.20:5060";\n\tt_relay();\n}\n`,
  );
  const invite = request('INVITE', 'sdp1').replace(
    'Content-Length: 0\r\n\r\n',
    `Content-Type: application/sdp\r\nContent-Length: ${SDP.length}\r\n\r\n${SDP}`,
  );
  const r = e.send(Buffer.from(invite), { ip: '127.0.0.11', port: 5060, proto: 'udp' });
  const out = r.sent.find((m) => m.kind === 'request')!.text;
  const [head, body] = [out.slice(0, out.indexOf('\r\n\r\n')), out.slice(out.indexOf('\r\n\r\n') + 4)];
  return { rc: r.vars.get('rc'), body, length: /\r\nContent-Length: (\d+)/.exec(head)![1]! };
}

test('flags 2 and 1: c= lines get the source address (0.0.0.0 stays), a=direction:active and a=oldcip follow, Content-Length updated', () => {
  const r = relay('fix_nated_sdp(3)');
  assert.equal(r.rc, 1);
  assert.equal(
    r.body,
    'v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 127.0.0.11\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\nc=IN IP4 0.0.0.0\r\na=direction:active\r\na=oldcip:192.0.2.10\r\n',
  );
  assert.equal(Number(r.length), Buffer.byteLength(r.body));
});

test('flags 8 and 4 with an address given and oldip_skip "o": o= rewritten without a=oldoip, a=nortpproxy:yes added; 16 rewrites null addresses', () => {
  const r = relay('fix_nated_sdp(12, "127.0.0.50")', 'modparam("nathelper", "oldip_skip", "o")');
  assert.equal(
    r.body,
    'v=0\r\no=- 1 1 IN IP4 127.0.0.50\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\nc=IN IP4 0.0.0.0\r\na=nortpproxy:yes\r\n',
  );
  const all = relay('fix_nated_sdp(18)');
  assert.match(all.body, /c=IN IP4 127\.0\.0\.11\r\nt=0 0\r\nm=audio 4000 RTP\/AVP 0\r\nc=IN IP4 127\.0\.0\.11\r\n/);
});

test('-1 without a body', () => {
  const e = sipEngine(
    'socket=udp:127.0.0.1:5060\nloadmodule "nathelper.so"\nroute {\n\t$var(rc) = fix_nated_sdp(2);\n}\n',
  );
  assert.equal(e.send(Buffer.from(request('INVITE', 'nb'))).vars.get('rc'), -1);
});
