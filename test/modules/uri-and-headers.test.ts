// sipmsgops: R-URI parameters, is_uri_user_e164, remove_hf_re/glob,
// append_urihf, append_time; textops: subst_uri and subst_user (sed-like
// expressions, flags, back-references); return codes of each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sipEngine } from '../helpers/engine.js';
import { request } from '../helpers/server.js';
import { applySubst, parseSubst } from '../../src/script/subst.js';

const MODULES =
  'socket=udp:127.0.0.1:5060\nloadmodule "tm.so"\nloadmodule "sl.so"\nloadmodule "sipmsgops.so"\nloadmodule "textops.so"\n';
const withParams = (uri: string): Buffer => Buffer.from(request('INVITE', 'u1', uri));

test('ruri_has_param / ruri_add_param / ruri_del_param, with their return codes', () => {
  const e = sipEngine(`${MODULES}route {
\t$var(a) = ruri_has_param("user", "phone");
\t$var(b) = ruri_has_param("lr");
\t$var(c) = ruri_has_param("user");
\t$var(d) = ruri_has_param("nope");
\t$var(e) = ruri_del_param("user");
\t$var(f) = ruri_del_param("nope");
\t$var(g) = ruri_add_param("x=1");
\t$var(ru) = $ru;
}
`);
  const v = e.send(withParams('sip:+4912345@127.0.0.1;user=phone;lr?Subject=hi')).vars;
  assert.deepEqual(
    ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((k) => v.get(k)),
    [1, 1, -1, -1, 1, -1, 1],
  );
  assert.equal(v.get('ru'), 'sip:+4912345@127.0.0.1;lr;x=1?Subject=hi', 'the new parameter goes before the headers');
});

test('is_uri_user_e164: + and 2 to 15 digits', () => {
  const e = sipEngine(
    `${MODULES}route {\n\t$var(a) = is_uri_user_e164("sip:+4912345@x");\n\t$var(b) = is_uri_user_e164("sip:4912345@x");\n\t$var(c) = is_uri_user_e164("sip:+1@x");\n\t$var(d) = is_uri_user_e164("$ru");\n}\n`,
  );
  const v = e.send(withParams('sip:+12025550123@127.0.0.1')).vars;
  assert.deepEqual(
    ['a', 'b', 'c', 'd'].map((k) => v.get(k)),
    [1, -1, -1, 1],
  );
});

test('remove_hf_re / remove_hf_glob drop every header whose name matches; append_urihf writes the R-URI into a header', () => {
  const e = sipEngine(`${MODULES}route {
\t$var(a) = remove_hf_re("^X-Private");
\t$var(b) = remove_hf_glob("x-tr?ce-*");
\t$var(c) = remove_hf_glob("X-None*");
\tappend_urihf("X-Target: <", ">\\r\\n");
\t$du = "sip:127.0.0.20:5060";\n\tt_relay();
}
`);
  const r = e.send(
    Buffer.from(
      request('INVITE', 'h1').replace(
        'Max-Forwards: 70',
        'X-Private-A: 1\r\nX-Private-B: 2\r\nX-Trace-Id: 3\r\nX-Keep: 4\r\nMax-Forwards: 70',
      ),
    ),
  );
  assert.deepEqual(
    ['a', 'b', 'c'].map((k) => r.vars.get(k)),
    [1, 1, -1],
  );
  const out = r.sent.find((m) => m.kind === 'request')!.text;
  assert.doesNotMatch(out, /X-Private|X-Trace/);
  assert.match(out, /\r\nX-Keep: 4\r\n/);
  assert.match(out, /\r\nX-Target: <sip:1001@127\.0\.0\.1>\r\n/);
});

test('append_time adds an RFC 1123 Date header to the local reply', () => {
  const r = sipEngine(`${MODULES}route {\n\tappend_time();\n\tsl_send_reply(200, "OK");\n}\n`).send(
    Buffer.from(request('OPTIONS', 't1')),
  );
  assert.match(r.sent[0]!.text, /\r\nDate: Wed, 25 Nov 2026 12:00:00 GMT\r\n/);
});

test('subst expressions: any separator, escaped separators, i/g flags, \\N back-references; no match gives undefined', () => {
  const e = parseSubst('/^sip:([0-9]+)@(.*)$/sip:+49\\1@\\2/');
  assert.ok(typeof e !== 'string');
  assert.equal(applySubst(e, 'sip:3012345@example.com'), 'sip:+493012345@example.com');
  assert.equal(applySubst(e, 'sip:alice@example.com'), undefined);
  const g = parseSubst('#a#b#gi');
  assert.ok(typeof g !== 'string');
  assert.equal(applySubst(g, 'AaAa'), 'bbbb');
  const slash = parseSubst('/a\\/b/c/');
  assert.ok(typeof slash !== 'string');
  assert.equal(applySubst(slash, 'xa/by'), 'xcy');
  assert.equal(typeof parseSubst('/a/b/q'), 'string', 'an unknown flag is an error');
  assert.equal(typeof parseSubst('/a/b'), 'string', 'a missing part is an error');
});

test('subst_uri / subst_user: 1 and the R-URI rewritten on a match, -1 otherwise', () => {
  const e = sipEngine(`${MODULES}route {
\t$var(a) = subst_user("/^0([0-9]+)$/+49\\1/");
\t$var(u1) = $ru;
\t$var(b) = subst_uri("/@127\\.0\\.0\\.1/@127.0.0.9:5070/");
\t$var(u2) = $ru;
\t$var(c) = subst_uri("/nomatch/x/");
}
`);
  const v = e.send(withParams('sip:03012345@127.0.0.1')).vars;
  assert.deepEqual(
    ['a', 'u1', 'b', 'u2', 'c'].map((k) => v.get(k)),
    [1, 'sip:+493012345@127.0.0.1', 1, 'sip:+493012345@127.0.0.9:5070', -1],
  );
});

test('body edits: replace_body, replace_body_all (line starts), replace_body_atonce, search_append_body, subst_body; chained edits build on each other; -1 without a match or a body', () => {
  const e = sipEngine(`${MODULES}route {
\t$var(a) = replace_body("alpha", "ALPHA");
\t$var(b) = replace_body_all("^x", "y");
\t$var(c) = replace_body_atonce("beta", "B");
\t$var(d) = search_append_body("ALPHA", "+");
\t$var(e) = subst_body("/gamma ([0-9]+)/g=\\\\1/");
\t$var(f) = replace_body("nothere", "z");
\t$du = "sip:127.0.0.20:5060";
\tt_relay();
}
`);
  const body = 'alpha beta\r\nx1 beta\r\nx2 gamma 42\r\n';
  const r = e.send(
    Buffer.from(
      request('MESSAGE', 'body1').replace(
        'Content-Length: 0\r\n\r\n',
        `Content-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      ),
    ),
  );
  assert.deepEqual(
    ['a', 'b', 'c', 'd', 'e', 'f'].map((k) => r.vars.get(k)),
    [1, 1, 1, 1, 1, -1],
  );
  const out = r.sent.find((m) => m.kind === 'request')!.text;
  const sent = out.slice(out.indexOf('\r\n\r\n') + 4);
  assert.equal(sent, 'ALPHA+ B\r\ny1 B\r\ny2 g=42\r\n');
  assert.match(out, new RegExp(`\\r\\nContent-Length: ${sent.length}\\r\\n`));
  const empty = sipEngine(`${MODULES}route {\n\t$var(a) = replace_body("x", "y");\n}\n`).send(
    Buffer.from(request('MESSAGE', 'body2')),
  ).vars;
  assert.equal(empty.get('a'), -1);
});

test('list_hdr_*_option: has (any instance, any case), add (after the last option of the first header, chained), remove (a header left empty goes)', () => {
  const e = sipEngine(`${MODULES}route {
\t$var(a) = list_hdr_has_option("Supported", "GRUU");
\t$var(b) = list_hdr_has_option("Supported", "timer");
\t$var(c) = list_hdr_has_option("Supported", "outbound");
\t$var(d) = list_hdr_add_option("Supported", "outbound");
\t$var(e) = list_hdr_add_option("Supported", "path2");
\t$var(f) = list_hdr_remove_option("Supported", "timer");
\t$var(g) = list_hdr_remove_option("Require", "nothing");
\t$var(h) = list_hdr_add_option("Unsupported", "x");
\t$du = "sip:127.0.0.20:5060";
\tt_relay();
}
`);
  const r = e.send(
    Buffer.from(
      request('INVITE', 'lh1').replace(
        'Max-Forwards: 70',
        'Supported: path, gruu\r\nSupported: timer\r\nRequire: 100rel\r\nMax-Forwards: 70',
      ),
    ),
  );
  assert.deepEqual(
    ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((k) => r.vars.get(k)),
    [1, 1, -1, 1, 1, 1, -1, -1],
  );
  const out = r.sent.find((m) => m.kind === 'request')!.text;
  assert.deepEqual(
    [...out.matchAll(/\r\n(Supported|Require): ([^\r]*)/g)].map((m) => `${m[1]}: ${m[2]}`),
    ['Supported: path, gruu,outbound,path2', 'Require: 100rel'],
  );
});

test('ruri_tel2sip: tel:<rest> becomes sip:<rest>@<From host>;user=phone (parameters copied as they are); 1 with nothing to do', () => {
  const e = sipEngine(`${MODULES}route {\n\t$var(a) = ruri_tel2sip();\n\t$var(u) = $ru;\n}\n`);
  const tel = e.send(Buffer.from(request('INVITE', 'tel1', 'tel:+493012345;phone-context=example.com'))).vars;
  assert.deepEqual([tel.get('a'), tel.get('u')], [1, 'sip:+493012345;phone-context=example.com@127.0.0.11;user=phone']);
  const sip = e.send(Buffer.from(request('INVITE', 'tel2'))).vars;
  assert.deepEqual([sip.get('a'), sip.get('u')], [1, 'sip:1001@127.0.0.1']);
});

test("is_privacy: the first Privacy header's values (case-insensitive, ;-separated); -1 without one, with a bad one, or with none mixed in (lint: conformance/lint/privacy-value.cfg)", () => {
  const e = sipEngine(
    `${MODULES}route {\n\t$var(a) = is_privacy("id");\n\t$var(b) = is_privacy("user");\n\t$var(c) = is_privacy("critical");\n}\n`,
  );
  const send = (privacy: string | undefined): unknown[] => {
    const text =
      privacy === undefined
        ? request('INVITE', 'p')
        : request('INVITE', 'p').replace('Max-Forwards: 70\r\n', `Max-Forwards: 70\r\nPrivacy: ${privacy}\r\n`);
    const v = e.send(Buffer.from(text)).vars;
    return ['a', 'b', 'c'].map((k) => v.get(k));
  };
  assert.deepEqual(send('id; Critical'), [1, -1, 1]);
  assert.deepEqual(send('user'), [-1, 1, -1]);
  assert.deepEqual(send(undefined), [-1, -1, -1]);
  assert.deepEqual(send('id;bogus'), [-1, -1, -1]);
  assert.deepEqual(send('none;id'), [-1, -1, -1]);
});

test('textops whole-message edits: subst (first match, or every one with g), replace, replace_all, search_append; header lines become header edits, the body the new body', () => {
  const e = sipEngine(`${MODULES}route {
\t$var(a) = subst("/^User-Agent: (.*)$/User-Agent: hidden (was \\\\1)/");
\t$var(b) = replace("X-Secret: [a-z]+", "X-Secret: ***");
\t$var(c) = replace_all("alpha", "omega");
\t$var(d) = search_append("X-Mark: 1", ";seen");
\t$var(e) = subst("/nothere/x/");
\t$du = "sip:127.0.0.20:5060";
\tt_relay();
}
`);
  const body = 'alpha beta alpha\r\n';
  const msg = request('MESSAGE', 'wm1')
    .replace(
      'Max-Forwards: 70\r\n',
      'Max-Forwards: 70\r\nUser-Agent: Phone 1.0\r\nX-Secret: abc\r\nX-Mark: 1\r\nSubject: alpha\r\n',
    )
    .replace('Content-Length: 0\r\n\r\n', `Content-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
  const r = e.send(Buffer.from(msg));
  assert.deepEqual(
    ['a', 'b', 'c', 'd', 'e'].map((k) => r.vars.get(k)),
    [1, 1, 1, 1, -1],
  );
  const out = r.sent.find((m) => m.kind === 'request')!.text;
  assert.match(out, /\r\nUser-Agent: hidden \(was Phone 1\.0\)\r\n/);
  assert.match(out, /\r\nX-Secret: \*\*\*\r\n/);
  assert.match(out, /\r\nX-Mark: 1;seen\r\n/);
  assert.match(out, /\r\nSubject: omega\r\n/);
  assert.ok(out.endsWith('\r\n\r\nomega beta omega\r\n'), out);
});

test('insert_hf: 1; the header goes first, or before the named header; an absent anchor means first (append_hf with a header: right after it)', () => {
  const e = sipEngine(`${MODULES}route {
\t$var(a) = insert_hf("X-First: 1\\r\\n");
\t$var(b) = insert_hf("X-Before-CSeq: 2\\r\\n", "CSeq");
\t$var(c) = insert_hf("X-Nowhere: 3\\r\\n", "X-Absent");
\tappend_hf("X-After-From: 4\\r\\n", "From");
\t$du = "sip:127.0.0.20:5060";
\tt_relay();
}
`);
  const r = e.send(Buffer.from(request('INVITE', 'ih1')));
  assert.deepEqual(
    ['a', 'b', 'c'].map((k) => r.vars.get(k)),
    [1, 1, 1],
  );
  const out = r.sent.find((m) => m.kind === 'request')!.text;
  const names = out
    .split('\r\n\r\n')[0]!
    .split('\r\n')
    .slice(1)
    .map((l) => l.split(':')[0]);
  assert.equal(names.indexOf('X-Before-CSeq') + 1, names.indexOf('CSeq'), out);
  assert.ok(names.indexOf('X-First') < names.indexOf('Via'), out);
  assert.ok(names.indexOf('X-Nowhere') < names.indexOf('Via'), out);
  assert.equal(names.indexOf('From') + 1, names.indexOf('X-After-From'), out);
});
