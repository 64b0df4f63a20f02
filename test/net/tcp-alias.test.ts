// force_tcp_alias's effect in the TCP transport: a request to the alias
// address goes over the connection the peer opened, not a new one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { TcpTransport } from '../../src/net/tcp.js';
import type { SocketInfo } from '../../src/net/types.js';
import { waitFor } from '../helpers/wait.js';

test('addAlias: data for ip:aliasPort is written to the existing connection; false for an unknown peer', async () => {
  const tcp = new TcpTransport(
    () => 60_000,
    () => undefined,
  );
  const local: SocketInfo = { proto: 'tcp', ip: '127.0.0.1', port: 0 };
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  server.close();
  local.port = port;
  const inbound: string[] = [];
  await tcp.listen(
    local,
    (m) => inbound.push(`${m.src.ip}:${m.src.port}`),
    () => undefined,
  );
  const client = net.connect({ host: '127.0.0.1', port });
  await new Promise<void>((r) => client.once('connect', () => r()));
  client.write(
    'OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bK-a\r\nContent-Length: 0\r\n\r\n',
  );
  await waitFor(() => inbound.length > 0, 'the OPTIONS to arrive');
  assert.equal(inbound.length, 1);
  const peer = { proto: 'tcp', ip: '127.0.0.1', port: client.localPort! };
  assert.equal(tcp.addAlias(peer, '127.0.0.1', 5999), true);
  assert.equal(tcp.addAlias({ proto: 'tcp', ip: '127.0.0.1', port: 1 }, '127.0.0.1', 6000), false);
  const got = new Promise<string>((r) => client.once('data', (d) => r(d.toString())));
  tcp.send(local, { proto: 'tcp', ip: '127.0.0.1', port: 5999 }, Buffer.from('hello over the alias'));
  assert.equal(await got, 'hello over the alias');
  client.destroy();
  await tcp.close();
});
