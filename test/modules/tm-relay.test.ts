// t_relay's proxy argument ("[proto:]host[:port]") is where every branch goes,
// over $du and the R-URI alike, as OpenSIPS's add_uac takes the proxy first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sipEngine } from '../helpers/engine.js';
import { request } from '../helpers/server.js';

test('t_relay(0, "udp:ip:port") sends there even when $du is set; the R-URI is left as it is', () => {
  const e = sipEngine(
    'socket=udp:127.0.0.1:5060\nsocket=tcp:127.0.0.1:5060\nloadmodule "tm.so"\nloadmodule "sl.so"\nroute {\n\t$du = "sip:127.0.0.20:5070";\n\tt_relay(0, $hdr(X-Proxy));\n}\n',
  );
  const send = (proxy: string, id: string) =>
    e
      .send(Buffer.from(request('INVITE', id).replace('Max-Forwards: 70', `X-Proxy: ${proxy}\r\nMax-Forwards: 70`)))
      .sent.find((m) => m.kind === 'request')!;
  const udp = send('udp:127.0.0.30:5080', 'p1');
  assert.deepEqual([udp.to.proto, udp.to.ip, udp.to.port], ['udp', '127.0.0.30', 5080]);
  assert.match(udp.text, /^INVITE sip:1001@127\.0\.0\.1 SIP\/2\.0\r\n/);
  const tcp = send('tcp:127.0.0.31', 'p2');
  assert.deepEqual([tcp.to.proto, tcp.to.ip, tcp.to.port, tcp.from.proto], ['tcp', '127.0.0.31', 5060, 'tcp']);
});
