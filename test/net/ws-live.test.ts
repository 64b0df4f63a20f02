// SIP over WebSocket live (RFC 7118; proto_ws, proto_wss): the handshake
// checks, a WebRTC-style client (the `ws` package) registering over WS and
// WSS, and an INVITE sent over UDP reaching it through lookup + t_relay over
// its own connection; the call completes (ACK, BYE). Loopback 127.0.60.x only.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { WebSocket } from 'ws';
import { startLive, type LiveServer } from '../../src/cli/run.js';
import { makeCerts, OPENSSL, opensslSkip, type TestCerts } from '../helpers/certs.js';
import { sipReply, sipRequest } from '../helpers/stream-client.js';

let certs: TestCerts;
before(() => {
  if (OPENSSL) certs = makeCerts();
});

const io = {
  out: () => undefined,
  err: (s: string) => {
    process.stderr.write(`${s}\n`);
  },
  color: false,
  cwd: process.cwd(),
};

function cfgFile(c: TestCerts): string {
  const file = `${mkdtempSync(`${tmpdir()}/opensips-ts-ws-`)}/ws.cfg`;
  writeFileSync(
    file,
    `log_level=1
socket=udp:127.0.60.40:5060
socket=ws:127.0.60.40:8080
socket=wss:127.0.60.40:8443
loadmodule "proto_udp.so"
loadmodule "proto_ws.so"
loadmodule "proto_wss.so"
loadmodule "tls_mgm.so"
loadmodule "sl.so"
loadmodule "tm.so"
loadmodule "rr.so"
loadmodule "signaling.so"
loadmodule "sipmsgops.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "nathelper.so"
modparam("proto_wss", "wss_tls_handshake_timeout", 5000)
modparam("nathelper", "received_avp", "$avp(rcv)")
modparam("registrar", "received_avp", "$avp(rcv)")
modparam("tls_mgm", "server_domain", "web")
modparam("tls_mgm", "certificate", "[web]${c.serverCert}")
modparam("tls_mgm", "private_key", "[web]${c.serverKey}")
modparam("tls_mgm", "verify_cert", "[web]0")
modparam("tls_mgm", "require_cert", "[web]0")
route {
  if (has_totag()) {
    if (loose_route()) { t_relay(); exit; }
    if ($rm == "ACK") { if (t_check_trans()) t_relay(); exit; }
    sl_send_reply(404, "Not here"); exit;
  }
  if ($rm == "REGISTER") {
    if ($socket_in(proto) == "ws" || $socket_in(proto) == "wss") fix_nated_register();
    save("location"); exit;
  }
  if (!lookup("location")) { sl_send_reply(404, "Not Found"); exit; }
  record_route();
  t_on_reply("fix");
  t_relay();
}
onreply_route[fix] { if ($socket_in(proto) == "ws" || $socket_in(proto) == "wss") fix_nated_contact(); }
`,
  );
  return file;
}

/** A WebSocket UA: sends SIP text frames, collects the frames it gets. */
class WsUa {
  readonly got: string[] = [];
  private waiters: (() => void)[] = [];
  constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => {
      this.got.push(d.toString());
      for (const w of this.waiters.splice(0)) w();
    });
  }
  async waitFor(re: RegExp, ms = 20_000): Promise<string> {
    const end = Date.now() + ms;
    for (;;) {
      const hit = this.got.find((m) => re.test(m));
      if (hit) return hit;
      if (Date.now() >= end) throw new Error(`no WS frame matching ${re}; got:\n${this.got.join('\n---\n')}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, end - Date.now());
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }
}

function connect(
  url: string,
  protocol: string | undefined,
  extra: Record<string, unknown> = {},
): Promise<WebSocket | number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocol ? [protocol] : [], {
      localAddress: '127.0.60.50',
      headers: { Origin: 'https://app.test' },
      ...extra,
    });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

/** A UDP caller on 127.0.60.41 that collects what it receives. */
async function udpCaller(): Promise<{
  sock: dgram.Socket;
  got: string[];
  port: number;
  waitFor(re: RegExp): Promise<string>;
}> {
  const sock = dgram.createSocket('udp4');
  const got: string[] = [];
  sock.on('message', (d) => got.push(d.toString()));
  await new Promise<void>((r) => sock.bind(0, '127.0.60.41', () => r()));
  return {
    sock,
    got,
    port: sock.address().port,
    waitFor: async (re) => {
      for (let i = 0; i < 1000; i++) {
        const hit = got.find((m) => re.test(m));
        if (hit) return hit;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`no UDP message matching ${re}; got:\n${got.join('\n---\n')}`);
    },
  };
}

test(
  'WebSocket handshake: without the sip subprotocol 400; without Origin 400 (require_origin); with both, 101 and subprotocol sip',
  { skip: opensslSkip(), timeout: 30_000 },
  async () => {
    assert.ok(OPENSSL);
    const live = await startLive(cfgFile(certs), { maps: [], strict: false }, { ...io, err: () => undefined });
    try {
      assert.equal(typeof live, 'object', 'the server starts');
      assert.equal(await connect('ws://127.0.60.40:8080/', undefined), 400);
      assert.equal(await connect('ws://127.0.60.40:8080/', 'chat'), 400);
      assert.equal(await connect('ws://127.0.60.40:8080/', 'sip', { headers: {} }), 400);
      const ws = await connect('ws://127.0.60.40:8080/', 'sip');
      assert.ok(ws instanceof WebSocket);
      assert.equal(ws.protocol, 'sip');
      ws.terminate();
    } finally {
      if (typeof live === 'object') await live.stop();
    }
  },
);

for (const [proto, url] of [
  ['ws', 'ws://127.0.60.40:8080/'],
  ['wss', 'wss://127.0.60.40:8443/'],
] as const) {
  test(
    `${proto.toUpperCase()}: a WebSocket UA registers (Via SIP/2.0/${proto.toUpperCase()}), an INVITE sent over UDP reaches it over its connection, the call completes`,
    { skip: opensslSkip(), timeout: 30_000 },
    async () => {
      assert.ok(OPENSSL);
      const live = await startLive(cfgFile(certs), { maps: [], strict: false }, io);
      const caller = await udpCaller();
      let ua: WsUa | undefined;
      try {
        assert.equal(typeof live, 'object', 'the server starts');
        const ws = await connect(
          url,
          'sip',
          proto === 'wss' ? { ca: readFileSync(certs.ca), servername: 'proxy.test' } : {},
        );
        assert.ok(ws instanceof WebSocket, `handshake: ${String(ws)}`);
        ua = new WsUa(ws);
        const V = proto.toUpperCase();
        ws.send(
          sipRequest(
            'REGISTER',
            'sip:127.0.60.40',
            `${V} df7jal23ls0d.invalid`,
            `reg-${proto}`,
            `Contact: <sip:bob@df7jal23ls0d.invalid;transport=${proto}>;expires=600\r\n`,
          ).replace(/(From|To): <[^>]+>/g, '$1: <sip:bob@127.0.60.40>'),
        );
        const ok = await ua.waitFor(/^SIP\/2.0 200/);
        assert.match(
          ok,
          new RegExp(
            `Via: SIP/2.0/${V} df7jal23ls0d\\.invalid;received=127\\.0\\.60\\.50;branch=z9hG4bK-reg-${proto}\r\n`,
          ),
        );
        assert.match(
          ok,
          new RegExp(`;received="sip:127\\.0\\.60\\.50:\\d+;transport=${proto}"`),
          "fix_nated_register keeps the connection's address",
        );

        const inv = sipRequest(
          'INVITE',
          'sip:bob@127.0.60.40',
          `UDP 127.0.60.41:${caller.port}`,
          `call-${proto}`,
          `Contact: <sip:alice@127.0.60.41:${caller.port}>\r\n`,
        );
        caller.sock.send(inv, 5060, '127.0.60.40');
        const got = await ua.waitFor(/^INVITE /);
        assert.match(got, new RegExp(`^INVITE sip:bob@df7jal23ls0d\\.invalid;transport=${proto} SIP/2.0\\r\\n`));
        assert.match(
          got,
          new RegExp(
            `\\r\\nVia: SIP/2.0/${V} 127\\.0\\.60\\.40:${proto === 'ws' ? 8080 : 8443};branch=[^\\r]+\\r\\nVia: SIP/2.0/UDP 127\\.0\\.60\\.41:`,
          ),
          'our Via on top names the WebSocket socket',
        );
        ws.send(sipReply(got, '180 Ringing'));
        ws.send(sipReply(got, '200 OK', `Contact: <sip:bob@df7jal23ls0d.invalid;transport=${proto}>\r\n`));
        const final = await caller.waitFor(/^SIP\/2.0 200 OK/);
        // fix_nated_contact made the callee's Contact its connection's address, Record-Route keeps the proxy in the path.
        const contact = /Contact: <([^>]+)>/.exec(final)![1]!;
        assert.match(contact, new RegExp(`^sip:bob@127\\.0\\.60\\.50:\\d+;transport=${proto}$`));
        const rr = /Record-Route: <([^>]+)>/.exec(final)![1]!;
        const inDialog = (method: string, cseq: number): string =>
          `${method} ${contact} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.60.41:${caller.port};branch=z9hG4bK-${method}-${proto}\r\nRoute: <${rr}>\r\n` +
          `From: <sip:alice@alice.test>;tag=fcall-${proto}\r\nTo: <sip:bob@127.0.60.40>;tag=uas\r\nCall-ID: call-${proto}\r\nCSeq: ${cseq} ${method}\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n`;
        caller.sock.send(inDialog('ACK', 1), 5060, '127.0.60.40');
        await ua.waitFor(/^ACK /);
        caller.sock.send(inDialog('BYE', 2), 5060, '127.0.60.40');
        const bye = await ua.waitFor(/^BYE /);
        ws.send(sipReply(bye, '200 OK'));
        await caller.waitFor(/^SIP\/2.0 200 OK[\s\S]*CSeq: 2 BYE/);
      } finally {
        ua?.ws.terminate();
        caller.sock.close();
        if (typeof live === 'object') await (live as LiveServer).stop();
      }
    },
  );
}

test(
  'WebSocket limits: a message larger than the limit closes the connection (1009)',
  { skip: opensslSkip(), timeout: 30_000 },
  async () => {
    assert.ok(OPENSSL);
    const live = await startLive(cfgFile(certs), { maps: [], strict: false }, { ...io, err: () => undefined });
    try {
      assert.equal(typeof live, 'object', 'the server starts');
      const ws = await connect('ws://127.0.60.40:8080/', 'sip');
      assert.ok(ws instanceof WebSocket);
      const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
      // Sent as many continuation frames: the whole message is over the limit, so the server closes.
      const chunk = 'x'.repeat(16_384);
      for (let i = 0; i < 8; i++) ws.send(chunk, { fin: i === 7 });
      assert.equal(await closed, 1009);
    } finally {
      if (typeof live === 'object') await live.stop();
    }
  },
);
