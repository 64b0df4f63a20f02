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
    '<sip:127.0.0.1:5060;lr;ftag=ar1;x=1;nat=yes>',
  ]);
  const after = sipEngine(cfg('\trecord_route();\n\tadd_rr_param(";nat=yes");')).send(
    Buffer.from(request('INVITE', 'r2')),
  );
  assert.deepEqual(recordRoutes(after.sent.find((m) => m.kind === 'request')!.text), [
    '<sip:127.0.0.1:5060;lr;ftag=ar2;nat=yes>',
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
