// Socket hosts as OpenSIPS 3.3 reads them, live: `*` and an interface name
// become one socket per address, and each reply leaves from the address the
// request came to. The interface list is injected (a `lo` carrying
// 127.0.60.1 and 127.0.60.2), so the test needs no change to the host; one
// case uses the host's real interfaces (127.0.0.1 on lo).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { startLive, type LiveServer } from '../../src/cli/run.js';
import { expandSockets, systemResolver, type HostResolver } from '../../src/net/interfaces.js';

const FAKE: HostResolver = {
  interfaces: () => ({
    lo: [
      {
        address: '127.0.60.1',
        netmask: '255.0.0.0',
        family: 'IPv4',
        mac: '00:00:00:00:00:00',
        internal: true,
        cidr: '127.0.60.1/8',
      },
      {
        address: '127.0.60.2',
        netmask: '255.0.0.0',
        family: 'IPv4',
        mac: '00:00:00:00:00:00',
        internal: true,
        cidr: '127.0.60.2/8',
      },
    ],
    eth9: [
      {
        address: 'fe80::1',
        netmask: 'ffff:ffff:ffff:ffff::',
        family: 'IPv6',
        mac: '02:00:00:00:00:01',
        internal: false,
        cidr: 'fe80::1/64',
        scopeid: 4,
      },
    ],
  }),
  resolve: async (name) => (name === 'sip.example.test' ? '127.0.60.3' : undefined),
};

function cfgFile(body: string): string {
  const file = `${mkdtempSync(`${tmpdir()}/opensips-ts-sockets-`)}/s.cfg`;
  writeFileSync(file, body);
  return file;
}

const io = {
  out: () => undefined,
  err: (s: string) => {
    process.stderr.write(`${s}\n`);
  },
  color: false,
  cwd: process.cwd(),
};

/** Sends an OPTIONS to ip:port from 127.0.60.9 and resolves with the reply's text and the address it came from. */
function ask(ip: string, port: number, id: string): Promise<{ text: string; from: string }> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket('udp4');
    const timer = setTimeout(() => {
      sock.close();
      reject(new Error(`no reply from ${ip}:${port}`));
    }, 20_000);
    sock.on('message', (data, rinfo) => {
      clearTimeout(timer);
      sock.close();
      resolve({ text: data.toString(), from: `${rinfo.address}:${rinfo.port}` });
    });
    sock.bind(0, '127.0.60.9', () => {
      const local = sock.address().port;
      sock.send(
        `OPTIONS sip:ping@${ip}:${port} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.60.9:${local};branch=z9hG4bK-${id}\r\nFrom: <sip:t@127.0.60.9>;tag=${id}\r\nTo: <sip:ping@${ip}>\r\n` +
          `Call-ID: ${id}\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n`,
        port,
        ip,
      );
    });
  });
}

const CFG = `log_level=1
socket=udp:*:5999
socket=udp:lo:5998
socket=udp:sip.example.test:5997
loadmodule "proto_udp.so"
loadmodule "sl.so"
route { sl_send_reply(200, "OK from $socket_in(ip):$socket_in(port)"); exit; }
`;

test('expandSockets: `*` is every interface address (scoped IPv6 left out), an interface its addresses, a hostname its address', async () => {
  const got = await expandSockets(
    [
      { proto: 'udp', ip: '*', port: 5060 },
      { proto: 'tcp', ip: 'lo', port: 5060 },
      { proto: 'udp', ip: 'sip.example.test', port: 5062, advertisedIp: '203.0.113.1' },
      { proto: 'udp', ip: '127.0.60.1', port: 5060 },
      { proto: 'udp', ip: 'eth7', port: 5060 },
      { proto: 'udp', ip: 'nowhere.invalid', port: 5060 },
    ],
    FAKE,
  );
  assert.deepEqual(
    got.sockets.map((s) => `${s.proto}:${s.ip}:${s.port}${s.advertisedIp ? ` as ${s.advertisedIp}` : ''}`),
    [
      'udp:127.0.60.1:5060',
      'udp:127.0.60.2:5060',
      'tcp:127.0.60.1:5060',
      'tcp:127.0.60.2:5060',
      'udp:127.0.60.3:5062 as 203.0.113.1',
    ],
  );
  assert.deepEqual(
    got.errors.map((e) => e.error),
    ['cannot resolve eth7', 'cannot resolve nowhere.invalid'],
  );
});

test('socket=udp:*:5999 and udp:lo:5998 answer on each address of lo, each reply from the address the request came to', async () => {
  const live = await startLive(cfgFile(CFG), { maps: [], strict: false, resolver: FAKE }, io);
  assert.equal(typeof live, 'object', 'the server starts');
  try {
    for (const [ip, port] of [
      ['127.0.60.1', 5999],
      ['127.0.60.2', 5999],
      ['127.0.60.1', 5998],
      ['127.0.60.2', 5998],
      ['127.0.60.3', 5997],
    ] as const) {
      const r = await ask(ip, port, `s-${ip}-${port}`);
      assert.equal(r.from, `${ip}:${port}`, 'the reply leaves from the receiving address');
      assert.match(
        r.text,
        new RegExp(`^SIP/2.0 200 OK from ${ip.replace(/\./g, '\\.')}:${port}\\r\\n`),
        '$socket_in is the receiving socket',
      );
    }
  } finally {
    await (live as LiveServer).stop();
  }
});

test("socket=udp:*:5999 on the host's own interfaces answers on 127.0.0.1 from 127.0.0.1", async () => {
  const live = await startLive(
    cfgFile(CFG.replace(/^socket=udp:(lo|sip).*\n/gm, '')),
    { maps: [], strict: false, resolver: systemResolver },
    io,
  );
  assert.equal(typeof live, 'object', 'the server starts');
  try {
    const r = await ask('127.0.0.1', 5999, 'real-star');
    assert.equal(r.from, '127.0.0.1:5999');
    assert.match(r.text, /^SIP\/2.0 200 OK from 127\.0\.0\.1:5999\r\n/);
  } finally {
    await (live as LiveServer).stop();
  }
});

test('a socket host that is neither an address, an interface nor a resolvable name: a start-up error naming it', async () => {
  const errs: string[] = [];
  const code = await startLive(
    cfgFile('socket=udp:nowhere.invalid:5999\nloadmodule "proto_udp.so"\nroute { exit; }\n'),
    { maps: [], strict: false, resolver: FAKE },
    { ...io, err: (s) => errs.push(s) },
  );
  assert.equal(code, 1);
  assert.match(errs.join('\n'), /cannot resolve nowhere\.invalid/);
});
