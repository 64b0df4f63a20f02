// tls_mgm's MI commands and script-chosen client domains, live: tls_list
// (3.3's shape), tls_reload (certificate files re-read, open connections
// kept, a broken file refused with nothing changed), client_tls_domain_avp and
// client_sip_domain_avp picking the client domain of an outgoing TLS
// connection; is_peer_verified(). Certificates made at test time. Loopback
// 127.0.43.x only (is_peer_verified: 127.0.45.x).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { X509Certificate } from 'node:crypto';
import dgram from 'node:dgram';
import tls from 'node:tls';
import { startLive } from '../../src/cli/run.js';
import { coreMi } from '../../src/core/mi-core.js';
import { makeCerts, OPENSSL, opensslSkip, type TestCerts } from '../helpers/certs.js';
import { StreamClient, sipReply, sipRequest } from '../helpers/stream-client.js';

let certs: TestCerts;
let other: TestCerts;
before(() => {
  if (OPENSSL) {
    certs = makeCerts();
    other = makeCerts();
  }
});

const io = {
  out: () => undefined,
  err: (s: string) => {
    process.stderr.write(`${s}\n`);
  },
  color: false,
  cwd: process.cwd(),
};

function writeCfg(text: string): string {
  const file = `${mkdtempSync(`${tmpdir()}/opensips-ts-tlsmgm-`)}/tls.cfg`;
  writeFileSync(file, text);
  return file;
}

type Live = Exclude<Awaited<ReturnType<typeof startLive>>, number>;

function mi(live: Live, method: string): Record<string, unknown> {
  return coreMi('test').handle({ jsonrpc: '2.0', method, id: 1 }, live.server.rt)!;
}

async function tlsClient(host: string, port: number): Promise<StreamClient> {
  const sock = tls.connect({
    host,
    port,
    localAddress: '127.0.43.30',
    rejectUnauthorized: false,
  } as tls.ConnectionOptions);
  const client = new StreamClient(sock);
  await new Promise<void>((resolve, reject) => {
    sock.once('secureConnect', () => resolve());
    sock.once('error', reject);
  });
  return client;
}

test(
  'tls_list: every domain as 3.3 lists it (client domains first, filters, METHOD, VERIFY_CERT, REQ_CLI_CERT, files)',
  { skip: opensslSkip(), timeout: 30_000 },
  async () => {
    assert.ok(OPENSSL, 'CI=true: openssl must be installed (apt-get install -y openssl)');
    const live = await startLive(
      writeCfg(`log_level=1
socket=tls:127.0.43.10:5061
loadmodule "proto_tls.so"
loadmodule "tls_mgm.so"
loadmodule "sl.so"
modparam("tls_mgm", "server_domain", "srv")
modparam("tls_mgm", "match_ip_address", "[srv]127.0.43.10:5061")
modparam("tls_mgm", "match_sip_domain", "[srv]proxy.test, *.proxy.test")
modparam("tls_mgm", "certificate", "[srv]${certs.serverCert}")
modparam("tls_mgm", "private_key", "[srv]${certs.serverKey}")
modparam("tls_mgm", "ca_list", "[srv]${certs.ca}")
modparam("tls_mgm", "tls_method", "[srv]TLSv1_2-")
modparam("tls_mgm", "require_cert", "[srv]0")
modparam("tls_mgm", "client_domain", "cli")
modparam("tls_mgm", "certificate", "[cli]${certs.clientCert}")
modparam("tls_mgm", "private_key", "[cli]${certs.clientKey}")
modparam("tls_mgm", "ciphers_list", "[cli]HIGH")
route { sl_send_reply(200, "OK"); }
`),
      { maps: [], strict: false },
      io,
    );
    assert.equal(typeof live, 'object', 'the server starts');
    try {
      const r = mi(live as Live, 'tls_list');
      assert.deepEqual(r.result, {
        Domains: [
          {
            name: 'cli',
            type: 'TLS_DOMAIN_CLI',
            'IP ADDRESS FILTERS': ['*'],
            'SIP DOMAIN FILTERS': ['*'],
            METHOD: 'SSLv23',
            VERIFY_CERT: true,
            REQ_CLI_CERT: false,
            CRL_CHECKALL: false,
            CERT_FILE: certs.clientCert,
            CRL_DIR: '',
            CA_FILE: '',
            CA_DIR: '/etc/pki/CA/',
            PKEY_FILE: certs.clientKey,
            CIPHER_LIST: 'HIGH',
            DH_PARAMS_FILE: '',
            EC_CURVE: '',
          },
          {
            name: 'srv',
            type: 'TLS_DOMAIN_SRV',
            'IP ADDRESS FILTERS': ['127.0.43.10:5061'],
            'SIP DOMAIN FILTERS': ['*.proxy.test', 'proxy.test'],
            METHOD: 'TLSv1_2-TLSv1_3',
            VERIFY_CERT: true,
            REQ_CLI_CERT: false,
            CRL_CHECKALL: false,
            CERT_FILE: certs.serverCert,
            CRL_DIR: '',
            CA_FILE: certs.ca,
            CA_DIR: '/etc/pki/CA/',
            PKEY_FILE: certs.serverKey,
            CIPHER_LIST: '',
            DH_PARAMS_FILE: '',
            EC_CURVE: '',
          },
        ],
      });
    } finally {
      if (typeof live === 'object') await live.stop();
    }
  },
);

test(
  'tls_reload re-reads the certificate files: new connections get the new certificate, an open one keeps working; a broken file is refused (500) and nothing changes',
  { skip: opensslSkip(), timeout: 30_000 },
  async () => {
    assert.ok(OPENSSL);
    // The server's files live in a directory of their own, replaced under it between the two handshakes.
    const dir = mkdtempSync(`${tmpdir()}/opensips-ts-tlsreload-`);
    copyFileSync(certs.serverCert, `${dir}/cert.pem`);
    copyFileSync(certs.serverKey, `${dir}/key.pem`);
    const errors: string[] = [];
    const live = await startLive(
      writeCfg(`log_level=1
socket=tls:127.0.43.11:5061
loadmodule "proto_tls.so"
loadmodule "tls_mgm.so"
loadmodule "sl.so"
modparam("tls_mgm", "server_domain", "srv")
modparam("tls_mgm", "certificate", "[srv]${dir}/cert.pem")
modparam("tls_mgm", "private_key", "[srv]${dir}/key.pem")
modparam("tls_mgm", "verify_cert", "[srv]0")
modparam("tls_mgm", "require_cert", "[srv]0")
route { sl_send_reply(200, "OK"); }
`),
      { maps: [], strict: false },
      { ...io, err: (s: string) => errors.push(s) },
    );
    assert.equal(typeof live, 'object', `the server starts: ${errors.join('; ')}`);
    const fingerprint = (c: StreamClient): string => (c.sock as tls.TLSSocket).getPeerCertificate().fingerprint256;
    const ask = async (c: StreamClient, id: string): Promise<void> => {
      const port = (c.sock as tls.TLSSocket).localPort;
      c.send(sipRequest('OPTIONS', 'sip:ping@127.0.43.11:5061;transport=tls', `TLS 127.0.43.30:${port}`, id));
      await c.waitFor(new RegExp(`^SIP/2.0 200 OK[\\s\\S]*Call-ID: ${id}`));
    };
    const clients: StreamClient[] = [];
    try {
      const first = await tlsClient('127.0.43.11', 5061);
      clients.push(first);
      await ask(first, 'r1');
      const oldPrint = fingerprint(first);
      copyFileSync(other.serverCert, `${dir}/cert.pem`);
      copyFileSync(other.serverKey, `${dir}/key.pem`);
      assert.deepEqual(mi(live as Live, 'tls_reload').result, 'OK');
      const second = await tlsClient('127.0.43.11', 5061);
      clients.push(second);
      await ask(second, 'r2');
      assert.notEqual(fingerprint(second), oldPrint, 'a new connection gets the re-read certificate');
      assert.equal(fingerprint(second), fingerprintOf(other.serverCert));
      await ask(first, 'r3');
      assert.equal(first.closed, false, 'the connection opened before the reload is still up');
      // A private key that does not exist: the reload fails naming it, and the domain keeps the files it had.
      rmSync(`${dir}/key.pem`);
      const bad = mi(live as Live, 'tls_reload');
      assert.deepEqual((bad.error as { code: number; message: string }).code, 500);
      assert.equal((bad.error as { message: string }).message, 'Failed to reload');
      assert.match(String((bad.error as { data?: string }).data), /key\.pem/);
      const third = await tlsClient('127.0.43.11', 5061);
      clients.push(third);
      await ask(third, 'r4');
      assert.equal(fingerprint(third), fingerprintOf(other.serverCert));
    } finally {
      for (const c of clients) c.sock.destroy();
      if (typeof live === 'object') await live.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

/** The SHA-256 fingerprint of a PEM certificate, as getPeerCertificate() writes it. */
function fingerprintOf(pem: string): string {
  return new X509Certificate(readFileSync(pem)).fingerprint256;
}

test(
  'client_tls_domain_avp picks the client domain of a new TLS connection by name; client_sip_domain_avp by match_sip_domain; an unknown name sends nothing',
  { skip: opensslSkip(), timeout: 30_000 },
  async () => {
    assert.ok(OPENSSL);
    // Three TLS UASes on 127.0.43.20 (a port per case: an open connection would be reused whatever the AVPs say);
    // each records the client certificate the proxy presented.
    const seen = new Map<number, string>();
    const streams: StreamClient[] = [];
    const servers = [5063, 5064, 5065, 5066].map((port) => {
      const s = tls.createServer(
        {
          cert: readFileSync(certs.serverCert),
          key: readFileSync(certs.serverKey),
          ca: readFileSync(certs.ca),
          requestCert: true,
          rejectUnauthorized: false,
        },
        (sock) => {
          const c = new StreamClient(sock);
          streams.push(c);
          void c.waitFor(/^OPTIONS /).then(
            (req) => {
              seen.set(port, String(sock.getPeerCertificate().subject?.CN));
              c.send(sipReply(req, '200 OK'));
            },
            () => undefined,
          );
        },
      );
      return { port, s };
    });
    for (const { port, s } of servers) await new Promise<void>((r) => s.listen(port, '127.0.43.20', () => r()));
    const live = await startLive(
      writeCfg(`log_level=2
socket=udp:127.0.43.12:5060
socket=tls:127.0.43.12:5061
loadmodule "proto_udp.so"
loadmodule "proto_tls.so"
loadmodule "tls_mgm.so"
loadmodule "sl.so"
loadmodule "tm.so"
modparam("tls_mgm", "client_tls_domain_avp", "tls_dom")
modparam("tls_mgm", "client_sip_domain_avp", "$avp(sip_dom)")
modparam("tls_mgm", "server_domain", "srv")
modparam("tls_mgm", "certificate", "[srv]${certs.serverCert}")
modparam("tls_mgm", "private_key", "[srv]${certs.serverKey}")
modparam("tls_mgm", "require_cert", "[srv]0")
modparam("tls_mgm", "verify_cert", "[srv]0")
modparam("tls_mgm", "client_domain", "alice")
modparam("tls_mgm", "certificate", "[alice]${certs.clientCert}")
modparam("tls_mgm", "private_key", "[alice]${certs.clientKey}")
modparam("tls_mgm", "ca_list", "[alice]${certs.ca}")
modparam("tls_mgm", "client_domain", "proxy")
modparam("tls_mgm", "certificate", "[proxy]${certs.serverCert}")
modparam("tls_mgm", "private_key", "[proxy]${certs.serverKey}")
modparam("tls_mgm", "ca_list", "[proxy]${certs.ca}")
modparam("tls_mgm", "match_sip_domain", "[proxy]carrier.test")
route {
  if ($rU == "byname") { $avp(tls_dom) = "proxy"; $du = "sip:127.0.43.20:5063;transport=tls"; }
  else if ($rU == "bysip") { $avp(sip_dom) = "carrier.test"; $du = "sip:127.0.43.20:5064;transport=tls"; }
  else if ($rU == "unknown") { $avp(tls_dom) = "nosuch"; $du = "sip:127.0.43.20:5065;transport=tls"; }
  else { $du = "sip:127.0.43.20:5066;transport=tls"; }
  t_relay();
}
`),
      { maps: [], strict: false },
      io,
    );
    assert.equal(typeof live, 'object', 'the server starts');
    const udp = dgram.createSocket('udp4');
    await new Promise<void>((r) => udp.bind(0, '127.0.43.30', () => r()));
    try {
      const send = (user: string): void => {
        const text = sipRequest('OPTIONS', `sip:${user}@127.0.43.12`, `UDP 127.0.43.30:${udp.address().port}`, user);
        udp.send(text, 5060, '127.0.43.12');
      };
      for (const u of ['byname', 'bysip', 'unknown', 'plain']) send(u);
      const deadline = Date.now() + 10_000;
      while ((!seen.has(5063) || !seen.has(5064) || !seen.has(5066)) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      assert.equal(seen.get(5063), 'proxy.test', 'client_tls_domain_avp "proxy": that domain certificate');
      assert.equal(seen.get(5064), 'proxy.test', 'client_sip_domain_avp carrier.test: the domain matching it');
      assert.equal(seen.get(5066), 'alice.test', 'no AVP: the domain matching any SIP domain');
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(seen.has(5065), false, 'a domain name no client domain has: no connection');
    } finally {
      udp.close();
      if (typeof live === 'object') await live.stop();
      for (const c of streams) c.sock.destroy();
      for (const { s } of servers) await new Promise<void>((r) => s.close(() => r()));
    }
  },
);

test(
  'db_url: a server domain of the tls_mgm table (PEM in the row) serves TLS; tls_list shows it without file names; tls_reload reads the table again, open connections kept',
  { skip: opensslSkip(), timeout: 30_000 },
  async () => {
    assert.ok(OPENSSL);
    const { createTables, DbError, openDb } = await import('../../src/db/index.js');
    const url = `sqlite://${mkdtempSync(`${tmpdir()}/opensips-ts-tlsdb-`)}/tls.db`;
    const db = openDb(url, undefined, { create: true });
    assert.ok(!(db instanceof DbError));
    assert.ok(!(createTables(db, ['tls_mgm']) instanceof DbError));
    const row = (c: TestCerts) => ({
      domain: 'dbsrv',
      type: 2,
      match_ip_address: '127.0.43.13:5061',
      verify_cert: 0,
      require_cert: 0,
      certificate: readFileSync(c.serverCert),
      private_key: readFileSync(c.serverKey),
    });
    assert.ok(!(db.insert('tls_mgm', row(certs)) instanceof DbError));
    const live = await startLive(
      writeCfg(`log_level=1
socket=tls:127.0.43.13:5061
loadmodule "db_sqlite.so"
loadmodule "proto_tls.so"
loadmodule "tls_mgm.so"
loadmodule "sl.so"
modparam("tls_mgm", "db_url", "${url}")
modparam("tls_mgm", "client_domain", "cli")
modparam("tls_mgm", "certificate", "[cli]${certs.clientCert}")
modparam("tls_mgm", "private_key", "[cli]${certs.clientKey}")
route { sl_send_reply(200, "OK"); }
`),
      { maps: [], strict: false },
      io,
    );
    assert.equal(typeof live, 'object', 'the server starts');
    const clients: StreamClient[] = [];
    const fingerprint = (c: StreamClient): string => (c.sock as tls.TLSSocket).getPeerCertificate().fingerprint256;
    const ask = async (c: StreamClient, id: string): Promise<void> => {
      const port = (c.sock as tls.TLSSocket).localPort;
      c.send(sipRequest('OPTIONS', 'sip:ping@127.0.43.13:5061;transport=tls', `TLS 127.0.43.30:${port}`, id));
      await c.waitFor(new RegExp(`^SIP/2.0 200 OK[\\s\\S]*Call-ID: ${id}`));
    };
    try {
      const list = mi(live as Live, 'tls_list').result as { Domains: Record<string, unknown>[] };
      assert.deepEqual(
        list.Domains.map((d) => [d.name, d.type, d['IP ADDRESS FILTERS'], 'CERT_FILE' in d, d.VERIFY_CERT]),
        [
          ['cli', 'TLS_DOMAIN_CLI', ['*'], true, true],
          ['dbsrv', 'TLS_DOMAIN_SRV', ['127.0.43.13:5061'], false, false],
        ],
      );
      const first = await tlsClient('127.0.43.13', 5061);
      clients.push(first);
      await ask(first, 'd1');
      assert.equal(fingerprint(first), fingerprintOf(certs.serverCert));
      assert.ok(!(db.update('tls_mgm', { keys: ['domain'], vals: ['dbsrv'] }, row(other)) instanceof DbError));
      assert.deepEqual(mi(live as Live, 'tls_reload').result, 'OK');
      const second = await tlsClient('127.0.43.13', 5061);
      clients.push(second);
      await ask(second, 'd2');
      assert.equal(fingerprint(second), fingerprintOf(other.serverCert), 'the row read again');
      await ask(first, 'd3');
      // A row whose key is not PEM: the reload fails, the domain keeps what it had.
      assert.ok(
        !(db.update('tls_mgm', { keys: ['domain'], vals: ['dbsrv'] }, { private_key: 'not a key' }) instanceof DbError),
      );
      const bad = mi(live as Live, 'tls_reload');
      assert.equal((bad.error as { code: number }).code, 500);
      const third = await tlsClient('127.0.43.13', 5061);
      clients.push(third);
      await ask(third, 'd4');
      assert.equal(fingerprint(third), fingerprintOf(other.serverCert));
    } finally {
      for (const c of clients) c.sock.destroy();
      if (typeof live === 'object') await live.stop();
      db.close();
    }
  },
);

test(
  'client_tls_domain_avp picks the client domain of a new WSS connection too',
  { skip: opensslSkip(), timeout: 30_000 },
  async () => {
    assert.ok(OPENSSL);
    const { WebSocketServer } = await import('ws');
    const https = await import('node:https');
    const seen = new Map<number, string>();
    const servers = [8444, 8445].map((port) => {
      const s = https.createServer({
        cert: readFileSync(certs.serverCert),
        key: readFileSync(certs.serverKey),
        ca: readFileSync(certs.ca),
        requestCert: true,
        rejectUnauthorized: false,
      });
      const wss = new WebSocketServer({ server: s, handleProtocols: () => 'sip' });
      wss.on('connection', (ws, req) => {
        const cn = String((req.socket as tls.TLSSocket).getPeerCertificate().subject?.CN);
        ws.on('message', (d) => {
          const text = d.toString();
          if (/^OPTIONS /.test(text)) {
            seen.set(port, cn);
            ws.send(sipReply(text, '200 OK'));
          }
        });
      });
      return { port, s, wss };
    });
    for (const { port, s } of servers) await new Promise<void>((r) => s.listen(port, '127.0.43.21', () => r()));
    const live = await startLive(
      writeCfg(`log_level=1
socket=udp:127.0.43.14:5060
socket=wss:127.0.43.14:8443
loadmodule "proto_udp.so"
loadmodule "proto_wss.so"
loadmodule "tls_mgm.so"
loadmodule "sl.so"
loadmodule "tm.so"
modparam("tls_mgm", "client_tls_domain_avp", "$avp(tls_dom)")
modparam("tls_mgm", "server_domain", "srv")
modparam("tls_mgm", "certificate", "[srv]${certs.serverCert}")
modparam("tls_mgm", "private_key", "[srv]${certs.serverKey}")
modparam("tls_mgm", "require_cert", "[srv]0")
modparam("tls_mgm", "verify_cert", "[srv]0")
modparam("tls_mgm", "client_domain", "alice")
modparam("tls_mgm", "certificate", "[alice]${certs.clientCert}")
modparam("tls_mgm", "private_key", "[alice]${certs.clientKey}")
modparam("tls_mgm", "ca_list", "[alice]${certs.ca}")
modparam("tls_mgm", "client_domain", "proxy")
modparam("tls_mgm", "certificate", "[proxy]${certs.serverCert}")
modparam("tls_mgm", "private_key", "[proxy]${certs.serverKey}")
modparam("tls_mgm", "ca_list", "[proxy]${certs.ca}")
modparam("tls_mgm", "match_ip_address", "[proxy]192.0.2.1")
route {
  if ($rU == "byname") { $avp(tls_dom) = "proxy"; $du = "sip:127.0.43.21:8444;transport=wss"; }
  else { $du = "sip:127.0.43.21:8445;transport=wss"; }
  t_relay();
}
`),
      { maps: [], strict: false },
      io,
    );
    assert.equal(typeof live, 'object', 'the server starts');
    const udp = dgram.createSocket('udp4');
    await new Promise<void>((r) => udp.bind(0, '127.0.43.30', () => r()));
    try {
      for (const u of ['byname', 'plain'])
        udp.send(
          sipRequest('OPTIONS', `sip:${u}@127.0.43.14`, `UDP 127.0.43.30:${udp.address().port}`, `w${u}`),
          5060,
          '127.0.43.14',
        );
      const deadline = Date.now() + 15_000;
      while (seen.size < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.equal(seen.get(8444), 'proxy.test', 'by name: the domain whose address filter does not match');
      assert.equal(seen.get(8445), 'alice.test', 'no AVP: the domain matching the address');
    } finally {
      udp.close();
      if (typeof live === 'object') await live.stop();
      for (const { s, wss } of servers) {
        for (const c of wss.clients) c.terminate();
        await new Promise<void>((r) => s.close(() => r()));
      }
    }
  },
);

test(
  'is_peer_verified: 1 over TLS with a client certificate the CA signed; -1 without a client certificate, and -1 over UDP',
  { skip: opensslSkip(), timeout: 30_000 },
  async () => {
    assert.ok(OPENSSL);
    const errors: string[] = [];
    const live = await startLive(
      writeCfg(`log_level=1
socket=udp:127.0.45.10:5060
socket=tls:127.0.45.10:5061
loadmodule "proto_udp.so"
loadmodule "proto_tls.so"
loadmodule "tls_mgm.so"
loadmodule "sl.so"
modparam("tls_mgm", "server_domain", "srv")
modparam("tls_mgm", "match_ip_address", "[srv]127.0.45.10:5061")
modparam("tls_mgm", "certificate", "[srv]${certs.serverCert}")
modparam("tls_mgm", "private_key", "[srv]${certs.serverKey}")
modparam("tls_mgm", "ca_list", "[srv]${certs.ca}")
modparam("tls_mgm", "verify_cert", "[srv]1")
modparam("tls_mgm", "require_cert", "[srv]0")
route {
\t$var(v) = is_peer_verified();
\tsl_send_reply(200, "verified $var(v)");
}
`),
      { maps: [], strict: false },
      { ...io, err: (s: string) => errors.push(s) },
    );
    assert.equal(typeof live, 'object', `the server starts: ${errors.join('; ')}`);
    const clients: StreamClient[] = [];
    const udp = dgram.createSocket('udp4');
    try {
      const ask = async (withCert: boolean, id: string): Promise<string> => {
        const sock = tls.connect({
          host: '127.0.45.10',
          port: 5061,
          localAddress: '127.0.45.30',
          rejectUnauthorized: false,
          ...(withCert ? { cert: readFileSync(certs.clientCert), key: readFileSync(certs.clientKey) } : {}),
        } as tls.ConnectionOptions);
        const c = new StreamClient(sock);
        clients.push(c);
        await new Promise<void>((resolve, reject) => {
          sock.once('secureConnect', () => resolve());
          sock.once('error', reject);
        });
        c.send(
          sipRequest('OPTIONS', 'sip:ping@127.0.45.10:5061;transport=tls', `TLS 127.0.45.30:${sock.localPort}`, id),
        );
        return c.waitFor(new RegExp(`^SIP/2.0 200[\\s\\S]*Call-ID: ${id}`));
      };
      assert.match(await ask(true, 'v1'), /^SIP\/2\.0 200 verified 1\r\n/);
      assert.match(await ask(false, 'v2'), /^SIP\/2\.0 200 verified -1\r\n/);
      await new Promise<void>((r) => udp.bind(0, '127.0.45.30', () => r()));
      const reply = new Promise<string>((r) => udp.once('message', (m) => r(m.toString())));
      udp.send(
        sipRequest('OPTIONS', 'sip:ping@127.0.45.10', `UDP 127.0.45.30:${udp.address().port}`, 'v3'),
        5060,
        '127.0.45.10',
      );
      assert.match(await reply, /^SIP\/2\.0 200 verified -1\r\n/);
    } finally {
      udp.close();
      for (const c of clients) c.sock.destroy();
      if (typeof live === 'object') await live.stop();
    }
  },
);
