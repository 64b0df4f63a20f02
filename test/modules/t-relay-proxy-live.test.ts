// t_relay's proxy argument on the wire (issue 16): t_relay(0, "udp:ip:port")
// sends to that address whatever the Request-URI says, and so does the lone
// t_relay("udp:ip:port") that 3.3 refuses at start-up (lint reports it; run
// takes the string as the proxy instead of silently relaying to the R-URI).
// Live sockets on 127.0.112.x.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLive, type LiveServer } from '../../src/cli/run.js';

const SERVER = '127.0.112.1';
const CLIENT = '127.0.112.2';
const PROXY = '127.0.112.3';

function message(id: string, port: number): string {
  return (
    `MESSAGE sip:${id}@127.0.112.77:5099 SIP/2.0\r\nVia: SIP/2.0/UDP ${CLIENT}:${port};branch=z9hG4bK-${id}\r\n` +
    `From: <sip:a@${CLIENT}>;tag=1\r\nTo: <sip:${id}@127.0.112.77>\r\nCall-ID: ${id}\r\nCSeq: 1 MESSAGE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n`
  );
}

const bound = async (ip: string, port = 0): Promise<dgram.Socket> => {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(port, ip, () => r()));
  return s;
};

test('t_relay with a proxy argument sends to the proxy, not to the Request-URI', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ots-trelay-'));
  const cfg = join(dir, 'relay.cfg');
  writeFileSync(
    cfg,
    `socket=udp:${SERVER}:5060\nloadmodule "proto_udp.so"\nloadmodule "sl.so"\nloadmodule "tm.so"\n` +
      `route {\n\tif ($rU == "two") t_relay(0, "udp:${PROXY}:5070");\n\telse t_relay("udp:${PROXY}:5070");\n}\n`,
  );
  const errs: string[] = [];
  const live = await startLive(
    cfg,
    { maps: [], strict: false },
    { out: () => undefined, err: (s) => errs.push(s), color: false, cwd: dir },
  );
  assert.notEqual(typeof live, 'number', errs.join('\n'));
  const server = live as LiveServer;
  const proxy = await bound(PROXY, 5070);
  const wrong = await bound('127.0.112.77', 5099);
  const client = await bound(CLIENT);
  const atProxy: string[] = [];
  const atRuri: string[] = [];
  proxy.on('message', (d) => atProxy.push(d.toString()));
  wrong.on('message', (d) => atRuri.push(d.toString()));
  try {
    for (const id of ['one', 'two']) client.send(message(id, client.address().port), 5060, SERVER);
    const deadline = Date.now() + 20_000;
    while (atProxy.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(atProxy.map((m) => /Call-ID: (\w+)/.exec(m)![1]).sort(), ['one', 'two']);
    assert.ok(
      atProxy.every((m) => /^MESSAGE sip:\w+@127\.0\.112\.77:5099 SIP\/2\.0\r\n/.test(m)),
      'the R-URI is kept',
    );
    assert.deepEqual(atRuri, [], 'nothing goes to the Request-URI');
  } finally {
    for (const s of [proxy, wrong, client]) s.close();
    await server.stop();
  }
});
