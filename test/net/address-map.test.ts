// `--map` stays on this host (issue 14), and failed UDP sends are logged at
// L_ERR with their destination, as OpenSIPS's proto_udp_send logs them.
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { parseMap } from '../../src/net/address-map.js';
import { UDP_RECV_BUFFER, UdpTransport } from '../../src/net/udp.js';
import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/io.js';
import { BLOG_DIR } from '../helpers/cfg.js';
import { settle } from '../helpers/wait.js';

const IFACES = {
  eth0: [
    {
      address: '10.9.8.7',
      netmask: '255.0.0.0',
      family: 'IPv4' as const,
      mac: '00:00:00:00:00:00',
      internal: false,
      cidr: '10.9.8.7/8',
    },
  ],
};

test("--map accepts loopback (127/8, ::1) and this host's interface addresses, nothing else", () => {
  const ok = parseMap(
    ['172.16.4.111=127.0.4.111', '172.16.4.114=127.0.4.114:5070', '10.0.0.1=[::1]', '10.0.0.2=10.9.8.7'],
    IFACES,
  );
  assert.ok(ok instanceof Map, String(ok));
  assert.deepEqual(ok.get('172.16.4.114'), { ip: '127.0.4.114', port: 5070 });
  assert.match(parseMap(['127.0.0.9=192.0.2.20'], IFACES) as string, /192\.0\.2\.20 is not an address of this host/);
  assert.match(parseMap(['127.0.0.9=127.evil.example'], IFACES) as string, /must be an IP address/);
  assert.match(parseMap(['127.0.0.9=0.0.0.0'], IFACES) as string, /not an address of this host/);
  assert.match(parseMap(['127.0.0.9=127.0.0.10:70000'], IFACES) as string, /out of range/);
});

test('run refuses a --map to another machine (exit 2, one line)', async () => {
  const err: string[] = [];
  const io: Io = { out: () => undefined, err: (s) => err.push(s), color: false, cwd: process.cwd() };
  const code = await main(['run', BLOG_DIR + 'blog-registrar.cfg', '--map', '172.16.4.111=192.0.2.20'], io);
  assert.equal(code, 2);
  assert.match(
    err.join('\n'),
    /opensips-ts: --map 172\.16\.4\.111=192\.0\.2\.20: 192\.0\.2\.20 is not an address of this host/,
  );
});

test('failed UDP sends are logged at L_ERR with the destination: a datagram too big, a bad port, no socket', async () => {
  const logs: { level: number; fn: string; text: string }[] = [];
  const udp = new UdpTransport((level, fn, text) => logs.push({ level, fn, text }));
  const local = { proto: 'udp', ip: '127.0.70.6', port: 5060 };
  await udp.listen(
    local,
    () => undefined,
    () => undefined,
  );
  try {
    udp.send(local, { proto: 'udp', ip: '127.0.70.7', port: 5060 }, Buffer.alloc(70_000));
    udp.send(local, { proto: 'udp', ip: '127.0.70.7', port: 0 }, Buffer.from('x'));
    udp.send(
      { proto: 'udp', ip: '127.0.70.8', port: 5060 },
      { proto: 'udp', ip: '127.0.70.7', port: 5060 },
      Buffer.from('x'),
    );
    await settle(() => logs.length >= 3, 20_000);
    assert.ok(
      logs.every((l) => l.level === -1),
      JSON.stringify(logs),
    );
    assert.ok(
      logs.some(
        (l) =>
          l.fn === 'proto_udp_send' &&
          /^sendto\(sock,70000,udp:127\.0\.70\.6:5060\): EMSGSIZE\(90\) \[127\.0\.70\.7:5060\]$/.test(l.text),
      ),
      JSON.stringify(logs),
    );
    assert.ok(
      logs.some((l) => l.fn === 'proto_udp_send' && /\[127\.0\.70\.7:0\]$/.test(l.text)),
      JSON.stringify(logs),
    );
    assert.ok(
      logs.some((l) => /no UDP socket udp:127\.0\.70\.8:5060 .* to 127\.0\.70\.7:5060/.test(l.text)),
      JSON.stringify(logs),
    );
  } finally {
    await udp.close();
  }
});

test('the UDP receive buffer: maxbuffer / -b asks for it (Linux doubles what is asked, up to rmem_max)', async () => {
  const sizes: number[] = [];
  for (const asked of [undefined, 128 * 1024]) {
    const udp = new UdpTransport(() => undefined, asked);
    const local = { proto: 'udp', ip: '127.0.70.9', port: 5060 };
    await udp.listen(
      local,
      () => undefined,
      () => undefined,
    );
    try {
      const sock = (udp as unknown as { sockets: Map<string, { socket: { getRecvBufferSize(): number } }> }).sockets;
      sizes.push(sock.get('127.0.70.9:5060')!.socket.getRecvBufferSize());
    } finally {
      await udp.close();
    }
  }
  // Without CAP_NET_ADMIN's SO_RCVBUFFORCE the kernel caps the size asked for at net.core.rmem_max.
  const rmemMax = Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8'));
  assert.equal(sizes[0], 2 * Math.min(UDP_RECV_BUFFER, rmemMax), 'the default, doubled by the kernel');
  assert.equal(sizes[1], 2 * 128 * 1024);
});
