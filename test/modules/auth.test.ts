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
import { expectedResponse, hashHex } from '../../src/modules/common/digest.js';
import { serverFor } from '../helpers/server.js';

test('digest responses: the RFC 2617 MD5 example and the RFC 7616 SHA-256 example', () => {
  assert.equal(
    expectedResponse({
      alg: 'MD5',
      password: { user: 'Mufasa', realm: 'testrealm@host.com', secret: 'Circle Of Life' },
      method: 'GET',
      uri: '/dir/index.html',
      nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
      cnonce: '0a4f113b',
      nc: '00000001',
      qop: 'auth',
    }),
    '6629fae49393a05397450978507c4ef1',
  );
  assert.equal(
    expectedResponse({
      alg: 'SHA-256',
      password: { user: 'Mufasa', realm: 'http-auth@example.org', secret: 'Circle of Life' },
      method: 'GET',
      uri: '/dir/index.html',
      nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
      cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
      nc: '00000001',
      qop: 'auth',
    }),
    '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1',
  );
});

function subscribers(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'auth-')), 'subscriber.db');
  const db = new Database(path);
  db.exec('CREATE TABLE subscriber (username TEXT, domain TEXT, password TEXT, ha1 TEXT)');
  db.prepare('INSERT INTO subscriber VALUES (?, ?, ?, ?)').run(
    '1001',
    '127.0.0.1',
    'secret',
    hashHex('MD5', '1001:127.0.0.1:secret'),
  );
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

const register = (cseq: number, auth = ''): string =>
  `REGISTER sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.11:5060;branch=z9hG4bK-a${cseq}\r\nFrom: <sip:1001@127.0.0.1>;tag=f\r\nTo: <sip:1001@127.0.0.1>\r\n` +
  `Call-ID: auth-1\r\nCSeq: ${cseq} REGISTER\r\nContact: <sip:1001@127.0.0.11:5060>\r\n${auth}Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n`;

function answer(challenge: string, opts: { user?: string; password?: string; nc?: string } = {}): string {
  const nonce = /nonce="([^"]+)"/.exec(challenge)![1]!;
  const user = opts.user ?? '1001';
  const nc = opts.nc ?? '00000001';
  const response = expectedResponse({
    alg: 'MD5',
    password: { user, realm: '127.0.0.1', secret: opts.password ?? 'secret' },
    method: 'REGISTER',
    uri: 'sip:127.0.0.1',
    nonce,
    cnonce: 'c0ffee',
    nc,
    qop: 'auth',
  });
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
  for (const extra of [
    'modparam("auth_db", "calculate_ha1", 1)\nmodparam("auth_db", "password_column", "password")',
    '',
  ]) {
    const h = serverFor(cfg(subscribers(), extra));
    const challengeFor = (cseq: number): string => {
      h.receive(register(cseq), '127.0.0.11');
      return h.sent.at(-1)!.text;
    };
    const c1 = challengeFor(1);
    h.receive(register(2, answer(c1)), '127.0.0.11');
    const relayed = h.sent.at(-1)!;
    assert.equal(relayed.to, '127.0.0.20:5060', 'authorized: relayed');
    assert.doesNotMatch(relayed.text, /Authorization:/, 'consume_credentials took the credentials off');
    h.receive(register(3, answer(c1, { nc: '00000002' })), '127.0.0.11');
    assert.match(
      h.sent.at(-1)!.text,
      /stale=true/,
      'a second use of the nonce is stale, and the new challenge says so',
    );
    h.receive(register(4, answer(challengeFor(5), { password: 'wrong' })), '127.0.0.11');
    h.receive(register(6, answer(challengeFor(7), { user: '1009' })), '127.0.0.11');
    const codes = [...h.logs.join('').matchAll(/authorize (-?\d+)/g)].map((m) => Number(m[1]));
    assert.deepEqual(codes, [-4, 1, -3, -4, -2, -4, -1], extra || 'stored HA1');
  }
});

test('pv_www_authorize: the secret from username_spec/password_spec (plain with calculate_ha1, else an HA1); another user is unknown; no secret is an error (500)', () => {
  const pvCfg = (calc: number, password: string): string => `socket=udp:127.0.0.1:5060
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "signaling.so"
loadmodule "auth.so"
modparam("auth", "username_spec", "$avp(auser)")
modparam("auth", "password_spec", "$avp(apass)")
modparam("auth", "calculate_ha1", ${calc})
route {
\t$avp(auser) = "1001";
\t${password ? `$avp(apass) = "${password}";` : ''}
\t$var(rc) = pv_www_authorize("");
\txlog("L_NOTICE", "authorize $var(rc)\\n");
\tif ($var(rc) < 0) { www_challenge("", "auth"); exit; }
\tsl_send_reply(200, "OK");
}
`;
  const rcs = (h: ReturnType<typeof serverFor>): string[] =>
    h.logs.filter((l) => l.includes('authorize ')).map((l) => l.trim().split(' ').pop()!);
  for (const [calc, secret] of [
    [1, 'secret'],
    [0, hashHex('MD5', '1001:127.0.0.1:secret')],
  ] as const) {
    const h = serverFor(pvCfg(calc, secret));
    h.receive(register(1), '127.0.0.11');
    h.receive(register(2, answer(h.sent[0]!.text)), '127.0.0.11');
    h.receive(register(3), '127.0.0.11');
    h.receive(register(4, answer(h.sent[2]!.text, { password: 'wrong' })), '127.0.0.11');
    assert.deepEqual(rcs(h), ['-4', '1', '-4', '-2'], `calculate_ha1=${calc}`);
  }
  const other = serverFor(pvCfg(1, 'secret'));
  other.receive(register(1), '127.0.0.11');
  other.receive(register(2, answer(other.sent[0]!.text, { user: '1002' })), '127.0.0.11');
  assert.deepEqual(rcs(other), ['-4', '-1']);
  const none = serverFor(pvCfg(1, ''));
  none.receive(register(1), '127.0.0.11');
  none.receive(register(2, answer(none.sent[0]!.text)), '127.0.0.11');
  assert.deepEqual(rcs(none), ['-4'], '0: replied, the script ends');
  assert.match(none.sent[1]!.text, /^SIP\/2\.0 500 Server Internal Error\r\n/);
});

test('append_rpid_hf / is_rpid_user_e164 on the rpid AVP', () => {
  const h = serverFor(`socket=udp:127.0.0.1:5060
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "auth.so"
route {
\t$var(a) = append_rpid_hf();
\t$var(b) = is_rpid_user_e164();
\t$avp(rpid) = "<sip:+4930123456@127.0.0.1>";
\t$var(c) = is_rpid_user_e164();
\t$var(d) = append_rpid_hf("Pre ", ";x=1");
\t$var(e) = append_rpid_hf();
\t$avp(rpid) = "sip:alice@127.0.0.1";
\t$var(f) = is_rpid_user_e164();
\txlog("L_NOTICE", "rc $var(a) $var(b) $var(c) $var(d) $var(e) $var(f)\\n");
\t$du = "sip:127.0.0.20:5060";
\tt_relay();
}
`);
  h.receive(register(1), '127.0.0.11');
  assert.ok(
    h.logs.some((l) => l.endsWith('rc -1 -1 1 1 1 -1\n')),
    h.logs.join(''),
  );
  const out = h.sent.find((s) => s.text.startsWith('REGISTER'))!.text;
  assert.match(
    out,
    /\r\nRemote-Party-ID: Pre <sip:\+4930123456@127\.0\.0\.1>;x=1\r\nRemote-Party-ID: <sip:\+4930123456@127\.0\.0\.1>;party=calling;id-type=subscriber;screen=yes\r\n/,
  );
});

test('auth_db checks: db_does_uri_exist (1 / -5), db_is_from/to_authorized against the uri table (-2 before authorizing, 1, -9 spoofed), db_get_auth_id (1 with the id and realm, -4 unknown)', () => {
  const path = subscribers();
  const db = new Database(path);
  db.exec(
    "CREATE TABLE uri (username TEXT, domain TEXT, uri_user TEXT); INSERT INTO uri VALUES ('1001', '127.0.0.1', '1001'), ('1001', '127.0.0.1', 'alias1');",
  );
  db.close();
  const h = serverFor(`socket=udp:127.0.0.1:5060
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "signaling.so"
loadmodule "auth.so"
loadmodule "auth_db.so"
modparam("auth_db", "db_url", "sqlite://${path}")
route {
\t$var(before) = db_is_from_authorized("uri");
\tif (!www_authorize("", "subscriber")) { www_challenge("", "auth"); exit; }
\t$var(e1) = db_does_uri_exist("sip:1001@127.0.0.1", "subscriber");
\t$var(e2) = db_does_uri_exist("sip:9999@127.0.0.1", "subscriber");
\t$var(f) = db_is_from_authorized("uri");
\t$var(t) = db_is_to_authorized("uri");
\t$var(g) = db_get_auth_id("uri", "sip:alias1@127.0.0.1", $avp(au), $avp(ar));
\t$var(g2) = db_get_auth_id("uri", "sip:nobody@127.0.0.1", $avp(au2), $avp(ar2));
\txlog("L_NOTICE", "chk $var(before) $var(e1) $var(e2) $var(f) $var(t) $var(g) $avp(au) $avp(ar) $var(g2)\\n");
\tsl_send_reply(200, "OK");
}
`);
  h.receive(register(1), '127.0.0.11');
  h.receive(register(2, answer(h.sent[0]!.text)), '127.0.0.11');
  assert.ok(
    h.logs.some((l) => l.endsWith('chk -2 1 -5 1 1 1 1001 127.0.0.1 -4\n')),
    h.logs.join(''),
  );
  h.receive(register(3), '127.0.0.11');
  h.receive(register(4, answer(h.sent[2]!.text)).replace('From: <sip:1001@', 'From: <sip:mallory@'), '127.0.0.11');
  assert.ok(
    h.logs.some((l) => / -2 1 -5 -9 1 1 /.test(l)),
    h.logs.join(''),
  );
});

test('proxy_challenge / proxy_authorize / pv_proxy_authorize: 407 with Proxy-Authenticate (realm from the From host, script ended: 0); -4 without Proxy-Authorization (an Authorization does not count), 1, -2, -1, -3; a failing table is 0 with a 500', () => {
  const db = subscribers();
  const proxyCfg = (check: string, head = ''): string => `socket=udp:127.0.0.1:5060
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "signaling.so"
loadmodule "db_sqlite.so"
loadmodule "auth.so"
loadmodule "auth_db.so"
modparam("auth_db", "db_url", "sqlite://${db}")
${head}
route {
\t$avp(auser) = "1001";
\t$avp(apass) = "secret";
\t$var(rc) = ${check};
\txlog("L_NOTICE", "authorize $var(rc)\\n");
\tif ($var(rc) < 0) {
\t\t$var(ch) = proxy_challenge("", "auth");
\t\txlog("L_NOTICE", "not reached $var(ch)\\n");
\t}
\tsl_send_reply(200, "OK");
}
`;
  const invite = (cseq: number, auth = ''): string =>
    `INVITE sip:1002@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.11:5060;branch=z9hG4bK-p${cseq}\r\nFrom: <sip:1001@127.0.0.1>;tag=f\r\nTo: <sip:1002@127.0.0.9>\r\n` +
    `Call-ID: pauth-1\r\nCSeq: ${cseq} INVITE\r\nContact: <sip:1001@127.0.0.11:5060>\r\n${auth}Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n`;
  const proxyAnswer = (challenge: string, opts: { user?: string; password?: string; nc?: string } = {}): string => {
    const nonce = /nonce="([^"]+)"/.exec(challenge)![1]!;
    const user = opts.user ?? '1001';
    const nc = opts.nc ?? '00000001';
    const response = expectedResponse({
      alg: 'MD5',
      password: { user, realm: '127.0.0.1', secret: opts.password ?? 'secret' },
      method: 'INVITE',
      uri: 'sip:1002@127.0.0.1',
      nonce,
      cnonce: 'c0ffee',
      nc,
      qop: 'auth',
    });
    return `Proxy-Authorization: Digest username="${user}", realm="127.0.0.1", nonce="${nonce}", uri="sip:1002@127.0.0.1", response="${response}", qop=auth, nc=${nc}, cnonce="c0ffee", algorithm=MD5\r\n`;
  };
  for (const check of ['proxy_authorize("", "subscriber")', 'pv_proxy_authorize("")']) {
    const h = serverFor(
      proxyCfg(
        check,
        'modparam("auth", "username_spec", "$avp(auser)")\nmodparam("auth", "password_spec", "$avp(apass)")\nmodparam("auth", "calculate_ha1", 1)',
      ),
    );
    const challengeFor = (cseq: number): string => {
      h.receive(invite(cseq), '127.0.0.11');
      return h.sent.at(-1)!.text;
    };
    const c1 = challengeFor(1);
    assert.match(c1, /^SIP\/2\.0 407 Proxy Authentication Required\r\n/);
    assert.match(c1, /\r\nProxy-Authenticate: Digest realm="127\.0\.0\.1", nonce="[^"]+", qop="auth"\r\n/);
    assert.doesNotMatch(c1, /WWW-Authenticate/);
    h.receive(invite(2, proxyAnswer(c1)), '127.0.0.11');
    assert.match(h.sent.at(-1)!.text, /^SIP\/2\.0 200 OK\r\n/, `${check}: authorized`);
    h.receive(invite(3, proxyAnswer(c1, { nc: '00000002' })), '127.0.0.11');
    assert.match(h.sent.at(-1)!.text, /stale=true/, 'the nonce used twice: stale');
    h.receive(invite(4, proxyAnswer(challengeFor(5), { password: 'wrong' })), '127.0.0.11');
    h.receive(invite(6, proxyAnswer(challengeFor(7), { user: '1009' })), '127.0.0.11');
    h.receive(invite(8, proxyAnswer(challengeFor(9)).replace('Proxy-Authorization', 'Authorization')), '127.0.0.11');
    const codes = [...h.logs.join('').matchAll(/authorize (-?\d+)/g)].map((m) => Number(m[1]));
    assert.deepEqual(codes, [-4, 1, -3, -4, -2, -4, -1, -4, -4], check);
    assert.doesNotMatch(h.logs.join(''), /not reached/, 'proxy_challenge returns 0: the script ends');
  }
  const broken = serverFor(proxyCfg('proxy_authorize("", "nosuch")'));
  broken.receive(invite(1), '127.0.0.11');
  broken.receive(invite(2, proxyAnswer(broken.sent.at(-1)!.text)), '127.0.0.11');
  assert.deepEqual(
    [...broken.logs.join('').matchAll(/authorize (-?\d+)/g)].map((m) => Number(m[1])),
    [-4],
    '0: replied with a 500, the script ends before the xlog',
  );
  assert.match(broken.sent.at(-1)!.text, /^SIP\/2\.0 500 /);
});
