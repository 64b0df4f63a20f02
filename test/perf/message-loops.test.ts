// Every per-message loop grows linearly with what the message carries (issue
// 14): Via lists, Route sets, Record-Route, SDP streams and $avp lists each
// timed at N and 4N items; a quadratic step shows as ~16x.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverFor } from '../helpers/server.js';
import { fmtGrowth, growth } from '../helpers/linear.js';

const MAX_RATIO = 8;
const REPEAT = 10;

function assertLinear(what: string, make: (n: number) => () => void, small: number): void {
  const g = growth(make, small);
  console.log(fmtGrowth(what, small, g));
  assert.ok(g.ratio < MAX_RATIO, `${what}: 4x the items cost x${g.ratio.toFixed(1)} CPU`);
}

const lines = (n: number, f: (i: number) => string): string =>
  Array.from({ length: n }, (_, i) => f(i) + '\r\n').join('');

function invite(id: string, extra: string, body = ''): string {
  return (
    `INVITE sip:1001@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.11:5060;branch=z9hG4bK-${id}\r\n${extra}From: <sip:1002@127.0.0.11>;tag=a\r\nTo: <sip:1001@127.0.0.1>\r\n` +
    `Call-ID: ${id}\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n${body ? 'Content-Type: application/sdp\r\n' : ''}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

const MODS =
  'socket=udp:127.0.0.1:5060\nloadmodule "signaling.so"\nloadmodule "sl.so"\nloadmodule "tm.so"\nloadmodule "rr.so"\nloadmodule "sipmsgops.so"\nloadmodule "nathelper.so"\n';

/** One harness per size; the timed function handles one message, as the server does on receipt. */
function perMessage(cfg: string, msg: (n: number) => string) {
  return (n: number) => {
    const h = serverFor(cfg);
    const text = msg(n);
    // Each timing handles the message REPEAT times: one handling alone is too short to time steadily.
    return () => {
      for (let i = 0; i < REPEAT; i++) h.receive(text, '127.0.0.11');
      assert.ok(h.sent.length > 0, 'the message was answered or relayed');
    };
  };
}

test('Via list: a request with N Vias relayed statelessly, its reply forwarded back', () => {
  const vias = (n: number) => lines(n, (i) => `Via: SIP/2.0/UDP 10.0.${i >> 8}.${i & 255}:5060;branch=z9hG4bK-v${i}`);
  assertLinear(
    'request Vias',
    perMessage(`${MODS}route { forward("127.0.0.12:5060"); }`, (n) => invite(`v${n}`, vias(n))),
    300,
  );
  const reply = (n: number) =>
    `SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-x\r\n${vias(n)}From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: r${n}\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n`;
  assertLinear('reply Vias', perMessage(`${MODS}route { exit; }\nonreply_route { }`, reply), 300);
});

test('Route set: loose_route() over N Route headers', () => {
  const routes = (n: number) =>
    `Route: <sip:127.0.0.1:5060;lr>\r\n` + lines(n, (i) => `Route: <sip:10.1.${i >> 8}.${i & 255}:5060;lr>`);
  const cfg = `${MODS}route { if (loose_route()) { forward(); exit; } sl_send_reply(404, "No"); }`;
  assertLinear(
    'Route set',
    perMessage(cfg, (n) =>
      invite(`r${n}`, routes(n)).replace('To: <sip:1001@127.0.0.1>', 'To: <sip:1001@127.0.0.1>;tag=t'),
    ),
    400,
  );
});

test('Record-Route: record_route() and forward() on a request with N Record-Routes', () => {
  const rrs = (n: number) => lines(n, (i) => `Record-Route: <sip:10.2.${i >> 8}.${i & 255}:5060;lr>`);
  const cfg = `${MODS}route { record_route(); forward("127.0.0.12:5060"); }`;
  assertLinear(
    'Record-Route',
    perMessage(cfg, (n) => invite(`rr${n}`, rrs(n))),
    300,
  );
});

test('SDP streams: fix_nated_sdp() and the codec functions on N m= lines', () => {
  const sdp = (n: number) =>
    'v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n' +
    lines(
      n,
      (i) =>
        `m=audio ${20000 + 2 * i} RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000`,
    );
  const cfg = `${MODS}route { fix_nated_sdp("3"); codec_delete("PCMA"); forward("127.0.0.12:5060"); }`;
  assertLinear(
    'SDP streams',
    perMessage(cfg, (n) => invite(`s${n}`, '', sdp(n))),
    100,
  );
});

test('$avp list: N values added, then each read back by index', () => {
  const cfg = (n: number) => `${MODS}route {
  $var(i) = 0;
  while ($var(i) < ${n}) { $avp(x) = $var(i); $var(i) = $var(i) + 1; }
  $var(sum) = 0;
  $var(i) = 0;
  while ($var(i) < 50) { $var(sum) = $var(sum) + $(avp(x)[$var(i)]); $var(i) = $var(i) + 1; }
  sl_send_reply(200, "OK");
}`;
  assertLinear('$avp list', (n) => perMessage(cfg(n), () => invite('avp', ''))(n), 2000);
});
