// auth + auth_db: digest arithmetic against the RFC 2617 and RFC 7616
// examples; www_challenge's 401; www_authorize's return codes (no
// credentials, stale/used nonce, unknown user, wrong password, authorized)
// against a SQLite subscriber table; consume_credentials.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectedResponse, hashHex } from '../../src/modules/auth/digest.js';
import { serverFor } from '../helpers/server.js';

test('digest responses: the RFC 2617 MD5 example and the RFC 7616 SHA-256 example', () => {
  assert.equal(expectedResponse({ alg: 'MD5', password: { user: 'Mufasa', realm: 'testrealm@host.com', secret: 'Circle Of Life' }, method: 'GET', uri: '/dir/index.html',
    nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093', cnonce: '0a4f113b', nc: '00000001', qop: 'auth' }), '6629fae49393a05397450978507c4ef1');
  assert.equal(expectedResponse({ alg: 'SHA-256', password: { user: 'Mufasa', realm: 'http-auth@example.org', secret: 'Circle of Life' }, method: 'GET', uri: '/dir/index.html',
    nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v', cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ', nc: '00000001', qop: 'auth' }), '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
});

function subscribers(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'auth-')), 'subscriber.db');
  const db = new Database(path);
  db.exec('CREATE TABLE subscriber (username TEXT, domain TEXT, password TEXT, ha1 TEXT)');
  db.prepare('INSERT INTO subscriber VALUES (?, ?, ?, ?)').run('1001', '127.0.0.1', 'secret', hashHex('MD5', '1001:127.0.0.1:secret'));
  db.close();
  return path;
}

const cfg = (db: string, extra = ''): string => `socket=udp:127.0.0.1:5060
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "signaling.so"
loadmodule "db_sqlite.so"
loadmodule "auth.so"
loadmodule "auth_db.so"
modparam("auth_db", "db_url", "sqlite://${db}")
${extra}
route {
\t$var(rc) = www_authorize("", "subscriber");
\txlog("L_NOTICE", "authorize $var(rc)\\n");
\tif ($var(rc) < 0) {
\t\twww_challenge("", "auth");
\t\texit;
\t}
\tconsume_credentials();
\t$du = "sip:127.0.0.20:5060";\n\tt_relay();
}
`;

const register = (cseq: number, auth = ''): string => `REGISTER sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.11:5060;branch=z9hG4bK-a${cseq}\r\nFrom: <sip:1001@127.0.0.1>;tag=f\r\nTo: <sip:1001@127.0.0.1>\r\n`
  + `Call-ID: auth-1\r\nCSeq: ${cseq} REGISTER\r\nContact: <sip:1001@127.0.0.11:5060>\r\n${auth}Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n`;

function answer(challenge: string, opts: { user?: string; password?: string; nc?: string } = {}): string {
  const nonce = /nonce="([^"]+)"/.exec(challenge)![1]!;
  const user = opts.user ?? '1001';
  const nc = opts.nc ?? '00000001';
  const response = expectedResponse({ alg: 'MD5', password: { user, realm: '127.0.0.1', secret: opts.password ?? 'secret' }, method: 'REGISTER', uri: 'sip:127.0.0.1', nonce, cnonce: 'c0ffee', nc, qop: 'auth' });
  return `Authorization: Digest username="${user}", realm="127.0.0.1", nonce="${nonce}", uri="sip:127.0.0.1", response="${response}", qop=auth, nc=${nc}, cnonce="c0ffee", algorithm=MD5\r\n`;
}

test('www_challenge answers 401 with a Digest challenge (realm from the To host, qop, no algorithm) and ends the script', () => {
  const h = serverFor(cfg(subscribers()));
  h.receive(register(1), '127.0.0.11');
  const r = h.sent.at(-1)!.text;
  assert.match(r, /^SIP\/2\.0 401 Unauthorized\r\n/);
  assert.match(r, /\r\nWWW-Authenticate: Digest realm="127\.0\.0\.1", nonce="[\w-]+", qop="auth"\r\n/);
  assert.match(h.logs.join(''), /authorize -4\n/, 'no credentials: -4');
});

test('www_authorize return codes: 1 with the right password (plain, calculate_ha1, or the stored HA1); -2 wrong password; -1 unknown user; -3 a nonce used twice', () => {
  for (const extra of ['modparam("auth_db", "calculate_ha1", 1)\nmodparam("auth_db", "password_column", "password")', '']) {
    const h = serverFor(cfg(subscribers(), extra));
    const challengeFor = (cseq: number): string => { h.receive(register(cseq), '127.0.0.11'); return h.sent.at(-1)!.text; };
    const c1 = challengeFor(1);
    h.receive(register(2, answer(c1)), '127.0.0.11');
    const relayed = h.sent.at(-1)!;
    assert.equal(relayed.to, '127.0.0.20:5060', 'authorized: relayed');
    assert.doesNotMatch(relayed.text, /Authorization:/, 'consume_credentials took the credentials off');
    h.receive(register(3, answer(c1, { nc: '00000002' })), '127.0.0.11');
    assert.match(h.sent.at(-1)!.text, /stale=true/, 'a second use of the nonce is stale, and the new challenge says so');
    h.receive(register(4, answer(challengeFor(5), { password: 'wrong' })), '127.0.0.11');
    h.receive(register(6, answer(challengeFor(7), { user: '1009' })), '127.0.0.11');
    const codes = [...h.logs.join('').matchAll(/authorize (-?\d+)/g)].map((m) => Number(m[1]));
    assert.deepEqual(codes, [-4, 1, -3, -4, -2, -4, -1], extra || 'stored HA1');
  }
});
