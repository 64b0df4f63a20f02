// Every RFC 4475 torture message: the valid ones parse with the right values;
// the invalid ones are refused by the parser or by checkRequest() (or parse
// liberally where OpenSIPS 3.3 does); none may throw.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildReply,
  checkRequest,
  isSipError,
  parseSipMessage,
  parseUri,
  urisEqual,
  type SipError,
  type SipMessage,
} from '../../src/sip/index.js';
import { receiptProblem } from '../../src/sip/receipt.js';
import { rfc4475 } from './helpers/data.js';
import { touchEverything } from './helpers/touch.js';

const cases = rfc4475();

function ok<T>(value: T): Exclude<T, SipError | undefined> {
  assert.ok(value !== undefined && !isSipError(value), `expected a value, got ${JSON.stringify(value)}`);
  return value as Exclude<T, SipError | undefined>;
}

function message(file: string): SipMessage {
  const c = cases.find((x) => x.file.startsWith(file));
  assert.ok(c, file);
  const r = parseSipMessage(c.bytes);
  assert.ok(r.msg, `${file}: ${r.error}`);
  return r.msg;
}

test('all 49 messages are handled without an exception', () => {
  assert.equal(cases.length, 49);
  for (const c of cases) {
    const r = parseSipMessage(c.bytes);
    if (r.msg) {
      touchEverything(r.msg);
      checkRequest(r.msg);
    }
    if (r.partial) buildReply(r.partial, 400, 'Bad Request');
  }
});

test('every valid message parses and passes checkRequest, except the scheme tests (416)', () => {
  for (const c of cases.filter((x) => x.valid)) {
    const r = parseSipMessage(c.bytes);
    assert.ok(r.msg, `${c.file}: ${r.error}`);
    const rejection = checkRequest(r.msg);
    if (c.file.startsWith('3.3.2_') || c.file.startsWith('3.3.3_')) assert.equal(rejection?.code, 416, c.file);
    else assert.equal(rejection, undefined, `${c.file}: ${rejection?.reason}`);
  }
});

test('3.1.1.1 wsinv: whitespace, folding, compact forms everywhere', () => {
  const m = message('3.1.1.1_');
  assert.equal(m.ruri, 'sip:vivekg@chair-dnrc.example.com;unknownparam');
  const to = ok(m.to);
  assert.equal(to.uri, 'sip:vivekg@chair-dnrc.example.com');
  assert.equal(to.tag, '1918181833n');
  const from = ok(m.from);
  assert.equal(from.displayName, 'J Rosenberg \\"');
  assert.equal(from.tag, '98asjd8');
  assert.equal(m.maxForwards, 68);
  assert.deepEqual(m.cseq, { num: 9, method: 'INVITE' });
  const vias = ok(m.vias());
  assert.deepEqual(
    vias.map((v) => [v.transport, v.host, v.branch]),
    [
      ['UDP', '192.0.2.2', '390skdjuw'],
      ['TCP', 'spindle.example.com', 'z9hG4bK9ikj8'],
      ['UDP', '192.168.255.111', 'z9hG4bK30239'],
    ],
  );
  assert.equal(m.header('subject'), '');
  assert.equal(m.header('newfangledheader'), 'newfangled value continued newfangled value');
  assert.equal(m.header('UnknownHeaderWithUnusualValue'), ';;,,;;,;');
  assert.equal(ok(m.routes())[0]!.uri, 'sip:services.example.com;lr;unknownwith=value;unknown-no-value');
  const contact = ok(m.contacts()).contacts[0]!;
  assert.equal(contact.displayName, 'Quoted string ""');
  assert.deepEqual({ ...contact.params }, { newparam: 'newvalue', secondparam: '', q: '0.33' });
  assert.equal(m.body.length, 150);
});

test('3.1.1.2 intmeth: an unusual method and URI, binary header values', () => {
  const m = message('3.1.1.2_');
  assert.equal(m.method, "!interesting-Method0123456789_*+`.%indeed'~");
  assert.equal(ok(m.cseq).method, m.method);
  assert.equal(m.header("extensionHeader-!.%*+_`'~"), '\ufeff大停電');
  assert.equal(m.callId, 'intmeth.word%ZK-!.*_+\'@word`~)(><:\\/"][?}{');
  assert.equal(ok(m.to).displayName, 'BEL:\x07 NUL:\x00 DEL:\x7f');
  assert.equal(ok(ok(m.to).parsedUri).user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
});

test('3.1.1.3-5: escapes are compared unescaped but never unescaped in place', () => {
  const esc01 = message('3.1.1.3_');
  assert.equal(ok(esc01.to).uri, 'sip:%75se%72@example.com');
  assert.ok(urisEqual(ok(esc01.to).uri, 'sip:user@example.com'));
  const contact = ok(ok(esc01.contacts()).contacts[0]!.parsedUri);
  assert.equal(contact.user, 'cal%6Cer');
  assert.equal(contact.params['n%61me'], 'v%61lue%25%34%31');
  const escnull = message('3.1.1.4_');
  const [a, b] = ok(escnull.contacts()).contacts;
  assert.equal(ok(a!.parsedUri).user, '%00');
  assert.equal(ok(b!.parsedUri).user, '%00%00');
  assert.ok(!urisEqual(a!.uri, b!.uri), 'two distinct bindings, not truncated at %00');
  const esc02 = message('3.1.1.5_');
  assert.equal(esc02.method, 'RE%47IST%45R');
  assert.notEqual(esc02.method, 'REGISTER');
  assert.equal(ok(esc02.contacts()).contacts.length, 2, 'C%6Fntact is another header');
  assert.equal(esc02.header('C%6Fntact'), '<sip:alias2@host2.example.com>');
});

test('3.1.1.6-10: display names, long values, trailing datagram bytes, ; in the user, transports', () => {
  assert.equal(ok(message('3.1.1.6_').from).displayName, 'caller');
  const longreq = message('3.1.1.7_');
  assert.equal(ok(longreq.vias()).length, 34);
  assert.match(longreq.callId!, /^longreq\.one(really)+longcallid$/);
  assert.equal(ok(longreq.to).uri.startsWith('sip:user@example.com:6000;unknownparam1=verylonglong'), true);
  const dblreq = message('3.1.1.8_');
  assert.equal(dblreq.method, 'REGISTER');
  assert.equal(dblreq.body.length, 0);
  assert.ok(!dblreq.serialize().toString().includes('INVITE'), 'the trailing INVITE is never forwarded');
  const ruri = ok(parseUri(message('3.1.1.9_').ruri));
  assert.equal(ruri.user, 'user;par=u%40example.net');
  assert.equal(ruri.host, 'example.com');
  assert.deepEqual(
    ok(message('3.1.1.10_').vias()).map((v) => v.transport),
    ['UDP', 'SCTP', 'TLS', 'UNKNOWN', 'TCP'],
  );
});

test('3.1.1.11-13: binary multipart body, UTF-8 and empty reason phrases', () => {
  const c = cases.find((x) => x.file.startsWith('3.1.1.11_'))!;
  const m = message('3.1.1.11_');
  assert.equal(m.body.length, 553);
  assert.ok(m.body.includes(0), 'NUL bytes survive');
  assert.deepEqual(m.body, c.bytes.subarray(c.bytes.length - 553));
  const unreason = message('3.1.1.12_');
  assert.equal(unreason.status, 200);
  assert.equal(unreason.reason, '= 2**3 * 5**2 но сто девяносто девять - простое');
  const noreason = message('3.1.1.13_');
  assert.equal(noreason.status, 100);
  assert.equal(noreason.reason, '');
});

test('3.2.1 and 3.3.x: valid but unusual requests', () => {
  assert.equal(message('3.2.1_').topVia!.branch, 'z9hG4bK');
  assert.equal(checkRequest(message('3.3.2_'))?.code, 416);
  assert.equal(checkRequest(message('3.3.3_'))?.code, 416);
  const unksm2 = message('3.3.4_');
  const to = ok(unksm2.to);
  assert.equal(to.uri, 'isbn:2983792873');
  assert.ok(isSipError(to.parsedUri), 'a registrar answers 400 from here');
  assert.ok(isSipError(ok(unksm2.contacts()).contacts[0]!.parsedUri));
  assert.deepEqual(message('3.3.5_').tokens('require'), ['nothingSupportsThis', 'nothingSupportsThisEither']);
  assert.equal(message('3.3.6_').header('content-type'), 'application/unknownformat');
  const [creds] = ok(message('3.3.7_').credentials());
  assert.deepEqual(
    { scheme: creds!.scheme, params: { ...creds!.params } },
    { scheme: 'NoOneKnowsThisScheme', params: { 'opaque-data': 'here' } },
  );
  assert.equal(ok(message('3.3.10_').vias())[1]!.host, '255.255.255.255');
  assert.equal(message('3.3.11_').maxForwards, 0);
  const cparam01 = ok(message('3.3.12_').contacts()).contacts[0]!;
  assert.equal(cparam01.uri, 'sip:+19725552222@gw1.example.net');
  assert.equal(cparam01.params.unknownparam, '', 'a header parameter of the addr-spec');
  const cparam02 = ok(message('3.3.13_').contacts()).contacts[0]!;
  assert.equal(ok(cparam02.parsedUri).params.unknownparam, '', 'a URI parameter inside <>');
  const regescrt = ok(ok(message('3.3.14_').contacts()).contacts[0]!.parsedUri);
  assert.deepEqual(regescrt.headers, [['Route', '%3Csip:sip.example.com%3E']]);
  const inv2543 = message('3.4.1_');
  assert.equal(inv2543.topVia!.branch, undefined);
  assert.equal(ok(inv2543.from).tag, undefined);
  assert.equal(inv2543.contentLength, undefined);
  assert.ok(inv2543.bodyText.startsWith('v=0'), 'no Content-Length on UDP: the body is the rest of the datagram');
});

/** What we do with each invalid message: a parse error, a checkRequest() answer, or liberal acceptance. */
const INVALID: Record<
  string,
  { error?: RegExp; partial?: boolean; code?: number; liberal?: string; check?: (m: SipMessage) => void }
> = {
  '3.1.2.1_': { error: /bad Via/ },
  '3.1.2.2_': {
    liberal: 'over UDP the body is what arrived (3.3 does not compare); a stream waits for the rest',
    check: (m) => assert.equal(m.body.length, 154),
  },
  '3.1.2.3_': { error: /bad Content-Length/, partial: true },
  '3.1.2.4_': {
    code: 400,
    check: (m) => {
      assert.ok(isSipError(m.expires));
      assert.equal(ok(m.contacts()).contacts[0]!.expires, null, 'expires beyond 2^32-1');
    },
  },
  '3.1.2.5_': {
    liberal: 'a reply; its CSeq is unusable so it is dropped',
    check: (m) => assert.ok(isSipError(m.cseq)),
  },
  '3.1.2.6_': { code: 400 },
  '3.1.2.7_': { code: 400 },
  '3.1.2.8_': { error: /request line/ },
  '3.1.2.9_': { error: /request line/ },
  '3.1.2.10_': {
    liberal: 'trailing SP after the version, accepted as OpenSIPS does',
    check: (m) => assert.equal(m.version, 'SIP/2.0'),
  },
  '3.1.2.11_': { code: 400 },
  '3.1.2.12_': { liberal: 'the Date header is not interpreted' },
  '3.1.2.13_': {
    liberal: "a bare Contact URI with headers, taken as 3.3's parse_contact takes it",
    check: (m) =>
      assert.equal(ok(m.contacts()).contacts[0]!.uri, 'sip:user@example.com?Route=%3Csip:sip.example.com%3E'),
  },
  '3.1.2.14_': { code: 400 },
  '3.1.2.15_': { code: 400 },
  '3.1.2.16_': { code: 505 },
  '3.1.2.17_': { code: 400 },
  '3.1.2.18_': { code: 400 },
  '3.1.2.19_': { error: /three digits/ },
  '3.3.1_': { code: 400 },
  '3.3.8_': { code: 400 },
  '3.3.9_': { code: 400, check: (m) => assert.equal(m.body.length, 13, 'the first Content-Length counts, as in 3.3') },
};

test('every invalid message is refused or handled liberally, as listed', () => {
  const invalid = cases.filter((c) => !c.valid);
  assert.equal(invalid.length, Object.keys(INVALID).length);
  for (const c of invalid) {
    const key = Object.keys(INVALID).find((k) => c.file.startsWith(k));
    assert.ok(key, `no expectation for ${c.file}`);
    const want = INVALID[key]!;
    const r = parseSipMessage(c.bytes);
    if (want.error) {
      assert.match(r.error ?? 'parsed', want.error, c.file);
      assert.equal(r.partial !== undefined, want.partial ?? false, `${c.file}: partial`);
      if (r.partial)
        assert.match(buildReply(r.partial, 400, 'Bad Request').toString(), /^SIP\/2\.0 400 Bad Request\r\n/);
      continue;
    }
    assert.ok(r.msg, `${c.file}: ${r.error}`);
    const rejection = r.msg.isRequest ? checkRequest(r.msg) : undefined;
    assert.equal(rejection?.code, want.code, `${c.file}: ${rejection?.reason}`);
    want.check?.(r.msg);
  }
});

test("receipt: the messages OpenSIPS 3.3's parse_msg refuses (dropped before the script), and only those", () => {
  const refused = cases
    .filter((c) => {
      const r = parseSipMessage(c.bytes);
      return r.error !== undefined || receiptProblem(r.msg) !== undefined;
    })
    .map((c) => c.file.replace(/\.dat$/, ''));
  assert.deepEqual(refused, [
    '3.1.1.1_wsinv', // parse_cseq: the method on a folded line
    '3.1.2.1_badinv01', // parse_via: empty parameters
    '3.1.2.3_ncl', // parse_content_length: -999
    '3.1.2.6_quotbal', // parse_to: unterminated quote
    '3.1.2.8_lwsruri', // parse_first_line
    '3.1.2.9_lwsstart', // parse_first_line
    '3.1.2.16_badvers', // parse_via: SIP/7.0
    '3.1.2.19_bigcode', // parse_first_line: status code
  ]);
});
