// Core pseudo-variables beyond the basic ones: colours, credentials,
// identity headers, destination set, branches, $ru_q, $time, $msg.*.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sipEngine } from '../helpers/engine.js';
import { qString, strftime } from '../../src/script/pv-more.js';

function vars(pre: string, body: string, extraHeaders: string[] = []): (k: string) => unknown {
  const e = sipEngine(`${pre}socket=udp:127.0.0.1:5060\nloadmodule "sl.so"\nroute {\n${body}\n}\n`);
  assert.deepEqual(e.diagnostics, []);
  const msg = [
    'INVITE sip:bob@127.0.0.1 SIP/2.0',
    'Via: SIP/2.0/UDP 127.0.0.2:5060;branch=z9hG4bK-1',
    'From: "Alice" <sip:alice@127.0.0.2>;tag=1',
    'To: <sip:bob@127.0.0.1>',
    'Call-ID: pv1',
    'CSeq: 1 INVITE',
    ...extraHeaders,
    'Max-Forwards: 70',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  const r = e.send(Buffer.from(msg));
  return (k) => r.vars.get(k);
}

test('$C(fb): ANSI colours when logging to stderr (bold for an upper-case foreground), nothing otherwise', () => {
  const v = vars('log_stderror=yes\n', '$var(a) = $C(yb);\n$var(b) = $C(Rx);\n$var(c) = $C(xx);');
  assert.deepEqual(['a', 'b', 'c'].map(v), ['\x1b[0;33;44m', '\x1b[1;31;49m', '\x1b[0;39;49m']);
  assert.equal(vars('', '$var(a) = $C(yb);')('a'), '');
});

test('credentials: $au $ad $aU $ar $adu $an $auth.* from Proxy-Authorization first; $Au falls back to the From user@host', () => {
  const v = vars(
    '',
    [
      '$var(au) = $au;',
      '$var(ad) = $ad;',
      '$var(aU) = $aU;',
      '$var(ar) = $ar;',
      '$var(adu) = $adu;',
      '$var(an) = $an;',
      '$var(qop) = $auth.qop;',
      '$var(nc) = $auth.nc;',
      '$var(alg) = $auth.alg;',
      '$var(Au) = $Au;',
    ].join('\n'),
    [
      'Authorization: Digest username="other", realm="x", nonce="n0", uri="sip:x", response="r0"',
      'Proxy-Authorization: Digest username="carol@example.org", realm="127.0.0.1", nonce="n1", uri="sip:bob@127.0.0.1", response="r1", qop=auth, nc=00000001, cnonce="c", algorithm=MD5',
    ],
  );
  assert.deepEqual(['au', 'ad', 'aU', 'ar', 'adu', 'an', 'qop', 'nc', 'alg', 'Au'].map(v), [
    'carol',
    'example.org',
    'carol@example.org',
    '127.0.0.1',
    'sip:bob@127.0.0.1',
    'n1',
    'auth',
    '00000001',
    'MD5',
    'alice@127.0.0.2',
  ]);
  assert.equal(vars('', '$var(au) = $au;')('au'), null, 'no credentials: <null>');
});

test('identity and other headers: $ai, $pu $pU $pd $pn, $re, $rt, $di $dir $dip', () => {
  const v = vars(
    '',
    [
      '$var(ai) = $ai;',
      '$var(pu) = $pu;',
      '$var(pU) = $pU;',
      '$var(pd) = $pd;',
      '$var(pn) = $pn;',
      '$var(re) = $re;',
      '$var(rt) = $rt;',
      '$var(di) = $di;',
      '$var(dir) = $dir;',
      '$var(dip) = $dip;',
    ].join('\n'),
    [
      'P-Asserted-Identity: <sip:+4930111@127.0.0.2>',
      'P-Preferred-Identity: "Bob B" <sip:bob.b@example.org>',
      'Remote-Party-ID: <sip:555@127.0.0.2>;party=calling',
      'Refer-To: <sip:carol@127.0.0.3>',
      'Diversion: <sip:200@127.0.0.1>;reason=unconditional;privacy=off',
    ],
  );
  assert.deepEqual(['ai', 'pu', 'pU', 'pd', 'pn', 're', 'rt', 'di', 'dir', 'dip'].map(v), [
    'sip:+4930111@127.0.0.2',
    'sip:bob.b@example.org',
    'bob.b',
    'example.org',
    '"Bob B"',
    'sip:555@127.0.0.2',
    'sip:carol@127.0.0.3',
    'sip:200@127.0.0.1',
    'unconditional',
    'off',
  ]);
});

test('$ds, $branch(...), $ru_q, $msg.*, $oP/$dP after the script changed the destination set', () => {
  const v = vars(
    '',
    [
      '$ru = "sip:x@127.0.0.5";',
      '$ru_q = 700;',
      'append_branch("sip:y@127.0.0.6", "0.5");',
      '$branch = "sip:z@127.0.0.7";',
      '$du = "sip:127.0.0.9;transport=tcp";',
      '$var(ds) = $ds;',
      '$var(b0) = $branch;',
      '$var(bq) = $branch(q);',
      '$var(ball) = $(branch(uri)[*]);',
      '$var(b1) = $(branch(uri)[1]);',
      '$var(q) = $ru_q;',
      '$var(ir) = $msg.is_request;',
      '$var(mt) = $msg.type;',
      '$var(oP) = $oP;',
      '$var(dP) = $dP;',
    ].join('\n'),
  );
  assert.deepEqual(['ds', 'b0', 'bq', 'ball', 'b1', 'q', 'ir', 'mt', 'oP', 'dP'].map(v), [
    'Contact: <sip:x@127.0.0.5>;q=0.7, <sip:y@127.0.0.6>;q=0.5, <sip:z@127.0.0.7>',
    'sip:y@127.0.0.6',
    '0.5',
    'sip:y@127.0.0.6,sip:z@127.0.0.7',
    'sip:z@127.0.0.7',
    700,
    1,
    'request',
    'UDP',
    'TCP',
  ]);
});

test('$msg.flag(name) reads and sets a named message flag', () => {
  const v = vars(
    '',
    [
      'setflag("NAT");',
      '$var(a) = $msg.flag(NAT);',
      '$msg.flag(NAT) = 0;',
      '$var(b) = $msg.flag(NAT);',
      '$var(c) = isflagset("NAT");',
    ].join('\n'),
  );
  assert.deepEqual(['a', 'b', 'c'].map(v), [1, 0, -1]);
});

test('strftime and q as OpenSIPS prints them', () => {
  const d = new Date(2026, 10, 5, 9, 7, 3);
  assert.equal(strftime('%Y-%m-%d %H:%M:%S %a %b %j %e|%%', d), '2026-11-05 09:07:03 Thu Nov 309  5|%');
  assert.deepEqual([1000, 0, 500, 123, 50, -1].map(qString), ['1', '0', '0.5', '0.123', '0.05', '0']);
});

test('$ct.fields(...) per contact, $hdr_name[n]', () => {
  const v = vars(
    '',
    [
      '$var(u) = $ct.fields(uri);',
      '$var(q) = $ct.fields(q);',
      '$var(n) = $ct.fields(name);',
      '$var(p) = $ct.fields(params);',
      '$var(e1) = $(ct.fields(expires)[1]);',
      '$var(h0) = $hdr_name;',
      '$var(h2) = $(hdr_name[2]);',
    ].join('\n'),
    ['Contact: "Al" <sip:alice@127.0.0.2:5070>;q=0.8;expires=60, <sip:alice@127.0.0.9>;expires=30'],
  );
  assert.deepEqual(['u', 'q', 'n', 'p', 'e1', 'h0', 'h2'].map(v), [
    'sip:alice@127.0.0.2:5070',
    '0.8',
    'Al',
    'q=0.8;expires=60',
    '30',
    'Via',
    'To',
  ]);
});

test('$fn / $tn / $pn keep the display name as written, quotes included (parse_to.c), and are <null> without one', () => {
  const v = vars('', '$var(fn) = $fn;\n$var(tn) = $tn;', ['P-Preferred-Identity: Bob <sip:bob@127.0.0.1>']);
  assert.deepEqual([v('fn'), v('tn')], ['"Alice"', null]);
  const p = vars('', '$var(pn) = $pn;', ['P-Preferred-Identity: Bob Smith <sip:bob@127.0.0.1>']);
  assert.equal(p('pn'), 'Bob Smith');
});
