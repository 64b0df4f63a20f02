// rr: record_route with add_rr_param before and after it, record_route_preset
// (single and double), a second attempt refused; on an in-dialog request
// loose_route keeps the params of our Route for check_route_param,
// $rr_params and is_direction.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sipEngine } from '../helpers/engine.js';
import { request } from '../helpers/server.js';

const cfg = (body: string): string =>
  `socket=udp:127.0.0.1:5060\nloadmodule "tm.so"\nloadmodule "sl.so"\nloadmodule "rr.so"\nroute {\n${body}\n\t$du = "sip:127.0.0.20:5060";\n\tt_relay();\n}\n`;
const recordRoutes = (text: string): string[] => [...text.matchAll(/\r\nRecord-Route: ([^\r]+)/g)].map((m) => m[1]!);

test("record_route: ;lr;ftag then its own and add_rr_param's params, whether add_rr_param comes before or after", () => {
  const before = sipEngine(cfg('\tadd_rr_param(";nat=yes");\n\trecord_route(";x=1");')).send(
    Buffer.from(request('INVITE', 'r1')),
  );
  assert.deepEqual(recordRoutes(before.sent.find((m) => m.kind === 'request')!.text), [
    '<sip:127.0.0.1;lr;ftag=ar1;x=1;nat=yes>',
  ]);
  const after = sipEngine(cfg('\trecord_route();\n\tadd_rr_param(";nat=yes");')).send(
    Buffer.from(request('INVITE', 'r2')),
  );
  assert.deepEqual(recordRoutes(after.sent.find((m) => m.kind === 'request')!.text), [
    '<sip:127.0.0.1;lr;ftag=ar2;nat=yes>',
  ]);
});

test('record_route_preset: ;ftag before ;lr; two addresses make two headers; a second record-route attempt returns -1', () => {
  const e = sipEngine(
    cfg('\trecord_route_preset("127.0.0.2:5070", "127.0.0.1:5060");\n\t$var(again) = record_route();'),
  );
  const r = e.send(Buffer.from(request('INVITE', 'p1')));
  // Both lumps anchor at the first header: the first call's header comes first.
  assert.deepEqual(recordRoutes(r.sent.find((m) => m.kind === 'request')!.text), [
    '<sip:127.0.0.2:5070;ftag=ap1;lr>',
    '<sip:127.0.0.1:5060;ftag=ap1;lr>',
  ]);
  assert.equal(r.vars.get('again'), -1);
  assert.match(e.logs.join(''), /ERROR:rr:w_record_route: Double attempt to record-route/);
});

test('in dialog: check_route_param, $rr_params and is_direction read the Route loose_route took', () => {
  const e = sipEngine(
    `socket=udp:127.0.0.1:5060\nloadmodule "sl.so"\nloadmodule "rr.so"\nroute {\n\tloose_route();\n\t$var(nat) = check_route_param("nat=yes");\n\t$var(other) = check_route_param("nat=no");\n\t$var(p) = $rr_params;\n\t$var(down) = is_direction("downstream");\n\t$var(up) = is_direction("upstream");\n}\n`,
  );
  const inDialog = (fromTag: string): Map<string, unknown> =>
    e.send(
      Buffer.from(
        request('BYE', 'd1')
          .replace('To: <sip:1001@127.0.0.1>', 'To: <sip:1001@127.0.0.1>;tag=callee')
          .replace(/From: <sip:1002@127\.0\.0\.11>;tag=\w+/, `From: <sip:1002@127.0.0.11>;tag=${fromTag}`)
          .replace('Max-Forwards: 70', 'Route: <sip:127.0.0.1:5060;lr;ftag=caller;nat=yes>\r\nMax-Forwards: 70'),
      ),
    ).vars;
  const caller = inDialog('caller');
  assert.deepEqual(
    ['nat', 'other', 'p', 'down', 'up'].map((k) => caller.get(k)),
    [1, -1, ';lr;ftag=caller;nat=yes', 1, -1],
  );
  const callee = inDialog('callee');
  assert.deepEqual(
    ['down', 'up'].map((k) => callee.get(k)),
    [-1, 1],
    "the callee's BYE goes upstream",
  );
});

const twoSockets = (mod: string, body: string): string =>
  `socket=udp:127.0.0.1:5060\nsocket=tcp:127.0.0.1:5060\nloadmodule "tm.so"\nloadmodule "sl.so"\nloadmodule "rr.so"\n${mod}route {\n${body}\n}\n`;

test('double Record-Route: a request leaving over another transport gets two headers (send socket on top, r2=on); the same socket gets one', () => {
  const e = sipEngine(
    twoSockets(
      '',
      '\trecord_route(";x=1");\n\tadd_rr_param(";p=2");\n\t$du = "sip:127.0.0.20:5070;transport=" + $hdr(X-T);\n\tt_relay();',
    ),
  );
  const call = (t: string, id: string): string[] =>
    recordRoutes(
      e
        .send(Buffer.from(request('INVITE', id).replace('Max-Forwards: 70', `X-T: ${t}\r\nMax-Forwards: 70`)))
        .sent.find((m) => m.kind === 'request')!.text,
    );
  assert.deepEqual(call('tcp', 'd1'), [
    '<sip:127.0.0.1;transport=tcp;r2=on;lr;ftag=ad1;x=1;p=2>',
    '<sip:127.0.0.1;r2=on;lr;ftag=ad1;x=1;p=2>',
  ]);
  assert.deepEqual(call('udp', 'd2'), ['<sip:127.0.0.1;lr;ftag=ad2;x=1;p=2>']);
});

test('enable_double_rr 0: one Record-Route naming the send socket, no r2; record_route_preset with two addresses refused', () => {
  const e = sipEngine(
    twoSockets(
      'modparam("rr", "enable_double_rr", 0)\n',
      '\tif ($hdr(X-P) == "2") { $var(p) = record_route_preset("127.0.0.1", "127.0.0.1;transport=tcp"); exit; }\n\trecord_route();\n\tadd_rr_param(";p=2");\n\t$du = "sip:127.0.0.20:5070;transport=tcp";\n\tt_relay();',
    ),
  );
  const r = e.send(Buffer.from(request('INVITE', 'o1')));
  assert.deepEqual(recordRoutes(r.sent.find((m) => m.kind === 'request')!.text), [
    '<sip:127.0.0.1;transport=tcp;lr;ftag=ao1;p=2>',
  ]);
  const p = e.send(Buffer.from(request('INVITE', 'o2').replace('Max-Forwards: 70', 'X-P: 2\r\nMax-Forwards: 70')));
  assert.equal(p.vars.get('p'), -1);
  assert.match(e.logs.join(''), /Attempt to double record-route while 'enable_double_rr' param is disabled/);
});

test('loose_route on a double Route: both of ours come off, the request leaves from the socket the second names ($socket_out), params of the first', () => {
  const e = sipEngine(
    twoSockets(
      '',
      '\t$var(lr) = loose_route();\n\t$var(out) = $socket_out;\n\t$var(p) = $rr_params;\n\t$var(x) = check_route_param("x=1");\n\tt_relay();',
    ),
  );
  const inDialog = (routes: string, ruri: string): ReturnType<typeof e.send> =>
    e.send(
      Buffer.from(
        request('BYE', 'l1', ruri)
          .replace('To: <sip:1001@127.0.0.1>', 'To: <sip:1001@127.0.0.1>;tag=callee')
          .replace('Max-Forwards: 70', `Route: ${routes}\r\nMax-Forwards: 70`),
      ),
    );
  const r = inDialog(
    '<sip:127.0.0.1;r2=on;lr;ftag=al1;x=1>, <sip:127.0.0.1;transport=tcp;r2=on;lr;ftag=al1;x=1>',
    'sip:callee@127.0.0.30:5080;transport=tcp',
  );
  assert.deepEqual(
    ['lr', 'out', 'p', 'x'].map((k) => r.vars.get(k)),
    [1, 'tcp:127.0.0.1:5060', ';r2=on;lr;ftag=al1;x=1', 1],
  );
  const out = r.sent.find((m) => m.kind === 'request')!;
  assert.equal(out.from.proto, 'tcp');
  assert.doesNotMatch(out.text, /\r\nRoute:/);
  // One Route of ours (no r2): the receiving socket is forced, another transport uses the same address.
  const one = inDialog('<sip:127.0.0.1;lr;ftag=al1>, <sip:127.0.0.40;lr>', 'sip:callee@127.0.0.30:5080');
  assert.deepEqual(
    ['lr', 'out'].map((k) => one.vars.get(k)),
    [1, 'udp:127.0.0.1:5060'],
  );
  const next = one.sent.find((m) => m.kind === 'request')!;
  assert.equal(next.to.ip, '127.0.0.40');
  assert.match(next.text, /\r\nRoute: <sip:127\.0\.0\.40;lr>\r\n/);
});
