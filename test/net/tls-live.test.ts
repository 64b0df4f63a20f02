// TLS live (proto_tls + tls_mgm): a node:tls client registers and calls
// through `run`, the call is relayed over TLS to a node:tls UAS; the
// certificates are made at test time with openssl. Loopback 127.0.60.x only.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import tls from 'node:tls';
import { startLive } from '../../src/cli/run.js';
import { makeCerts, OPENSSL, opensslSkip, type TestCerts } from '../helpers/certs.js';
import { StreamClient, sipReply, sipRequest } from '../helpers/stream-client.js';
import { SIPP, sippSkip, startUas } from '../helpers/sipp.js';

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

function cfg(c: TestCerts, extra = ''): string {
  return `log_level=1
socket=udp:127.0.60.10:5060
socket=tls:127.0.60.10:5061
loadmodule "proto_udp.so"
loadmodule "proto_tls.so"
loadmodule "tls_mgm.so"
loadmodule "sl.so"
loadmodule "tm.so"
loadmodule "usrloc.so"
loadmodule "signaling.so"
loadmodule "sipmsgops.so"
loadmodule "rr.so"
loadmodule "registrar.so"
modparam("proto_tls", "tls_handshake_timeout", 5000)
modparam("tls_mgm", "server_domain", "srv")
modparam("tls_mgm", "match_ip_address", "[srv]127.0.60.10:5061")
modparam("tls_mgm", "certificate", "[srv]${c.serverCert}")
modparam("tls_mgm", "private_key", "[srv]${c.serverKey}")
modparam("tls_mgm", "ca_list", "[srv]${c.ca}")
modparam("tls_mgm", "tls_method", "[srv]TLSv1_2-")
modparam("tls_mgm", "client_domain", "cli")
modparam("tls_mgm", "certificate", "[cli]${c.serverCert}")
modparam("tls_mgm", "private_key", "[cli]${c.serverKey}")
modparam("tls_mgm", "ca_list", "[cli]${c.ca}")
${extra}
route {
  if (has_totag()) { loose_route(); t_relay(); exit; }
  if ($rU == "udpcallee") { $du = "sip:127.0.60.22:5070"; t_relay(); exit; }
  if ($rm == "OPTIONS") { sl_send_reply(200, "OK $socket_in(proto) $tls_version $tls_peer_verified $tls_peer_subject_cn $tls_peer_san_email"); exit; }
  if ($rm == "REGISTER") { save("location"); exit; }
  if (!lookup("location")) { sl_send_reply(404, "Not Found"); exit; }
  t_relay();
}
`;
}

function writeCfg(text: string): string {
  const file = `${mkdtempSync(`${tmpdir()}/opensips-ts-tls-`)}/tls.cfg`;
  writeFileSync(file, text);
  return file;
}

async function tlsClient(c: TestCerts, host: string, port: number, withCert = true): Promise<StreamClient> {
  const sock = tls.connect({
    host,
    port,
    ca: readFileSync(c.ca),
    servername: 'proxy.test',
    localAddress: '127.0.60.30',
    ...(withCert ? { cert: readFileSync(c.clientCert), key: readFileSync(c.clientKey) } : {}),
  } as tls.ConnectionOptions);
  const client = new StreamClient(sock);
  await new Promise<void>((resolve, reject) => {
    sock.once('secureConnect', () => resolve());
    sock.once('error', reject);
  });
  return client;
}

test(
  'TLS: OPTIONS answered over the same connection; $socket_in(proto) is tls, $tls_* describe the connection and the client certificate',
  { skip: opensslSkip(), timeout: 30_000 },
  async () => {
    assert.ok(OPENSSL, 'CI=true: openssl must be installed (apt-get install -y openssl)');
    const live = await startLive(writeCfg(cfg(certs)), { maps: [], strict: false }, io);
    try {
      assert.equal(typeof live, 'object', 'the server starts');
      const ua = await tlsClient(certs, '127.0.60.10', 5061);
      const local = (ua.sock as tls.TLSSocket).localPort;
      ua.send(sipRequest('OPTIONS', 'sip:ping@127.0.60.10:5061;transport=tls', `TLS 127.0.60.30:${local}`, 'opt1'));
      const r = await ua.waitFor(/^SIP\/2.0 200/);
      assert.match(r, /^SIP\/2.0 200 OK tls TLSv1\.[23] 1 alice\.test alice@alice\.test\r\n/);
      assert.match(r, new RegExp(`Via: SIP/2.0/TLS 127.0.60.30:${local};branch=z9hG4bK-opt1`));
      ua.sock.destroy();
    } finally {
      if (typeof live === 'object') await live.stop();
    }
  },
);

test(
  'TLS: REGISTER -> 200, then an INVITE is relayed over TLS (Via SIP/2.0/TLS) to the registered TLS UAS; 180 and 200 come back',
  { skip: opensslSkip(), timeout: 30_000 },
  async () => {
    assert.ok(OPENSSL);
    // The callee: a TLS server with the CA-signed certificate, on 127.0.60.20:5063.
    const uasMessages: StreamClient[] = [];
    const uas = tls.createServer(
      {
        cert: readFileSync(certs.serverCert),
        key: readFileSync(certs.serverKey),
        ca: readFileSync(certs.ca),
        requestCert: true,
        rejectUnauthorized: true,
      },
      (s) => {
        const c = new StreamClient(s);
        uasMessages.push(c);
        void c.waitFor(/^INVITE /).then(
          (inv) => {
            c.send(sipReply(inv, '180 Ringing'));
            c.send(sipReply(inv, '200 OK'));
          },
          () => undefined,
        );
      },
    );
    await new Promise<void>((r) => uas.listen(5063, '127.0.60.20', () => r()));
    const live = await startLive(writeCfg(cfg(certs)), { maps: [], strict: false }, io);
    try {
      assert.equal(typeof live, 'object', 'the server starts');
      const ua = await tlsClient(certs, '127.0.60.10', 5061);
      const local = (ua.sock as tls.TLSSocket).localPort;
      ua.send(
        sipRequest(
          'REGISTER',
          'sip:alice.test',
          `TLS 127.0.60.30:${local}`,
          'reg1',
          'Contact: <sip:bob@127.0.60.20:5063;transport=tls>;expires=300\r\n',
        )
          .replace('To: <sip:alice.test>', 'To: <sip:bob@alice.test>')
          .replace('From: <sip:alice@alice.test>', 'From: <sip:bob@alice.test>'),
      );
      const ok = await ua.waitFor(/^SIP\/2.0 200/);
      assert.match(ok, /Contact: <sip:bob@127\.0\.60\.20:5063;transport=tls>;expires=300/);
      ua.send(
        sipRequest(
          'INVITE',
          'sip:bob@alice.test',
          `TLS 127.0.60.30:${local}`,
          'inv1',
          'Contact: <sip:alice@127.0.60.30;transport=tls>\r\n',
        ),
      );
      await ua.waitFor(/^SIP\/2.0 180/);
      const final = await ua.waitFor(/^SIP\/2.0 200 OK[\s\S]*CSeq: 1 INVITE/);
      assert.match(final, /Call-ID: inv1/);
      assert.equal(uasMessages.length, 1, 'one TLS connection from the proxy to the UAS');
      const inv = await uasMessages[0]!.waitFor(/^INVITE /);
      assert.match(
        inv,
        /^INVITE sip:bob@127\.0\.60\.20:5063;transport=tls SIP\/2.0\r\nVia: SIP\/2.0\/TLS 127\.0\.60\.10:5061;branch=/,
      );
      ua.sock.destroy();
    } finally {
      if (typeof live === 'object') await live.stop();
      for (const c of uasMessages) c.sock.destroy();
      await new Promise<void>((r) => uas.close(() => r()));
    }
  },
);

test(
  'TLS: require_cert (the default) refuses a client without a certificate; require_cert 0 accepts it, $tls_peer_verified 0',
  { skip: opensslSkip(), timeout: 30_000 },
  async () => {
    assert.ok(OPENSSL);
    let live = await startLive(writeCfg(cfg(certs)), { maps: [], strict: false }, { ...io, err: () => undefined });
    try {
      const ua = await tlsClient(certs, '127.0.60.10', 5061, false).catch(() => undefined);
      if (ua) {
        ua.send(sipRequest('OPTIONS', 'sip:ping@127.0.60.10:5061;transport=tls', 'TLS 127.0.60.30:5061', 'opt2'));
        await assert.rejects(ua.waitFor(/^SIP\/2.0/, 5000), /closed/);
      }
    } finally {
      if (typeof live === 'object') await live.stop();
    }
    live = await startLive(
      writeCfg(cfg(certs, 'modparam("tls_mgm", "require_cert", "[srv]0")')),
      { maps: [], strict: false },
      io,
    );
    try {
      const ua = await tlsClient(certs, '127.0.60.10', 5061, false);
      ua.send(sipRequest('OPTIONS', 'sip:ping@127.0.60.10:5061;transport=tls', 'TLS 127.0.60.30:5061', 'opt3'));
      assert.match(await ua.waitFor(/^SIP\/2.0 200/), /^SIP\/2.0 200 OK tls TLSv1\.[23] 0 <null> <null>\r\n/);
      ua.sock.destroy();
    } finally {
      if (typeof live === 'object') await live.stop();
    }
  },
);

test(
  'TLS: a domain whose certificate file is missing stops `run` with an error naming the file',
  { skip: opensslSkip(), timeout: 30_000 },
  async () => {
    assert.ok(OPENSSL);
    const errs: string[] = [];
    const text = cfg(certs)
      .replace(`[srv]${certs.serverCert}`, `[srv]${certs.dir}/no-such-cert.pem`)
      .replace('socket=tls:127.0.60.10:5061', 'socket=wss:127.0.60.10:5443');
    const code = await startLive(
      writeCfg(text.replace('loadmodule "proto_tls.so"', 'loadmodule "proto_tls.so"\nloadmodule "proto_wss.so"')),
      { maps: [], strict: false },
      { ...io, err: (s) => errs.push(s) },
    );
    assert.equal(code, 1);
    assert.match(errs.join('\n'), /TLS domain 'srv': cannot read the certificate file .*no-such-cert\.pem: ENOENT/);
  },
);

test(
  'TLS to UDP: a call from a node:tls UA to a SIPp UAS on UDP through the proxy (INVITE, 180, 200, ACK, BYE, 200)',
  { skip: opensslSkip() || sippSkip(), timeout: 60_000 },
  async () => {
    assert.ok(OPENSSL && SIPP, 'CI=true: openssl and sipp (sip-tester) must be installed');
    const live = await startLive(writeCfg(cfg(certs)), { maps: [], strict: false }, io);
    let ua: StreamClient | undefined;
    try {
      assert.equal(typeof live, 'object', 'the server starts');
      const uas = (await startUas({ scenario: 'uas-invite.xml', ip: '127.0.60.22', port: 5070, transport: 'u1' })).done;
      ua = await tlsClient(certs, '127.0.60.10', 5061);
      const local = (ua.sock as tls.TLSSocket).localPort;
      const sdp =
        'v=0\r\no=a 1 1 IN IP4 127.0.60.30\r\ns=-\r\nc=IN IP4 127.0.60.30\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\n';
      ua.send(
        sipRequest(
          'INVITE',
          'sip:udpcallee@127.0.60.10',
          `TLS 127.0.60.30:${local}`,
          'tls2udp',
          `Contact: <sip:alice@127.0.60.30:${local};transport=tls>\r\nContent-Type: application/sdp\r\n`,
          sdp,
        ),
      );
      await ua.waitFor(/^SIP\/2.0 180/);
      const ok = await ua.waitFor(/^SIP\/2.0 200 OK[\s\S]*CSeq: 1 INVITE/);
      const to = /\r\nTo: ([^\r]+)/.exec(ok)![1]!;
      const contact = /\r\nContact: <?([^>\r;]+)/.exec(ok)![1]!;
      const inDialog = (method: string, cseq: number): string =>
        `${method} ${contact} SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.60.30:${local};branch=z9hG4bK-${method}-t2u\r\n` +
        `From: <sip:alice@alice.test>;tag=ftls2udp\r\nTo: ${to}\r\nCall-ID: tls2udp\r\nCSeq: ${cseq} ${method}\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n`;
      ua.send(inDialog('ACK', 1));
      await new Promise((r) => setTimeout(r, 300));
      ua.send(inDialog('BYE', 2));
      await ua.waitFor(/^SIP\/2.0 200 OK[\s\S]*CSeq: 2 BYE/);
      const result = await uas;
      assert.equal(result.code, 0, `SIPp UAS: ${result.out.slice(-1500)}`);
    } finally {
      ua?.sock.destroy();
      if (typeof live === 'object') await live.stop();
    }
  },
);
