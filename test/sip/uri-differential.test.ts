// Differential test: our URI parser (fast path + grammar fallback) against
// jssip's PEG grammar, over generated URIs (fixed seed), their mutations and
// every URI found in the shared test messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSipMessage, parseUriWithPath } from '../../src/sip/index.js';
import { isPlainSipUri } from '../../src/sip/uri.js';
import { rng } from './helpers/prng.js';
import { genSipUri, mutate } from './helpers/gen.js';
import { jssipUri, ourUriView, uriQuirk } from './helpers/jssip-view.js';
import { corpusUris } from './helpers/corpus.js';

interface Tally {
  cases: number;
  agreed: number;
  fast: number;
  grammar: number;
  quirks: Map<string, number>;
  mismatches: string[];
}

function compare(texts: string[]): Tally {
  const t: Tally = { cases: 0, agreed: 0, fast: 0, grammar: 0, quirks: new Map(), mismatches: [] };
  for (const text of texts) {
    t.cases++;
    const ours = parseUriWithPath(text);
    if (ours.path === 'fast') t.fast++;
    if (ours.path === 'grammar') t.grammar++;
    const quirk = uriQuirk(text);
    if (quirk) {
      t.quirks.set(quirk, (t.quirks.get(quirk) ?? 0) + 1);
      continue;
    }
    const theirs = jssipUri(text);
    const mine = 'error' in ours.uri ? undefined : ourUriView(ours.uri);
    try {
      assert.deepEqual(mine, theirs);
      t.agreed++;
    } catch {
      t.mismatches.push(
        `${JSON.stringify(text)}\n  ours:  ${JSON.stringify(mine)}\n  jssip: ${JSON.stringify(theirs)}`,
      );
    }
  }
  return t;
}

function report(name: string, t: Tally): void {
  const quirks = [...t.quirks].map(([k, v]) => `${k}=${v}`).join(' ');
  console.log(
    `# ${name}: ${t.cases} cases, ${t.agreed} agree, fast ${t.fast}, grammar ${t.grammar}, jssip quirks: ${quirks || 'none'}`,
  );
  assert.equal(t.mismatches.length, 0, `${t.mismatches.length} mismatches:\n${t.mismatches.slice(0, 8).join('\n')}`);
}

test('generated valid SIP URIs agree with jssip (seed 4475, 5000 cases)', () => {
  const r = rng(4475);
  const texts = Array.from({ length: 5000 }, () => genSipUri(r));
  const t = compare(texts);
  report('valid URIs', t);
  assert.ok(t.fast / t.cases > 0.9, 'the fast path handles the common forms');
});

test('mutated URIs: same accept/reject decision and fields as jssip (seed 3261, 5000 cases)', () => {
  const r = rng(3261);
  const texts = Array.from({ length: 5000 }, () => mutate(r, genSipUri(r)));
  report('mutated URIs', compare(texts));
});

test('every URI in the RFC 4475 and REGISTER samples agrees with jssip', () => {
  const texts = corpusUris();
  assert.ok(texts.length > 60, `${texts.length} URIs`);
  report('corpus URIs', compare(texts));
});

// checkRequest() takes isPlainSipUri() as a short cut for the Request-URI:
// it must only ever say yes to what parseUri() accepts as is, without headers.
test('isPlainSipUri() says yes only to URIs parseUri() accepts without headers (generated, mutated, corpus)', () => {
  const r = rng(5060);
  const texts = [
    ...Array.from({ length: 3000 }, () => genSipUri(r)),
    ...Array.from({ length: 3000 }, () => mutate(r, genSipUri(r))),
    ...corpusUris(),
    'SIP:u@h',
    'Sips:h;transport=tcp',
    'sip:h?a=b',
    'sip:h;lr?',
    'sip:u:@h',
    'sip:@h',
    'sip:h:',
    'sip:h:65536',
    'sipx:h',
    'tel:+1',
  ];
  let plain = 0;
  for (const text of texts) {
    if (!isPlainSipUri(text)) continue;
    plain++;
    const ours = parseUriWithPath(text);
    assert.equal(ours.path, 'fast', text);
    assert.ok(!('error' in ours.uri) && ours.uri.headersText === '', text);
  }
  const accepted = texts.filter((t) => {
    const u = parseUriWithPath(t);
    return u.path === 'fast' && /^sips?:/i.test(t) && !('error' in u.uri) && u.uri.headersText === '';
  }).length;
  assert.equal(plain, accepted, 'every fast-path URI without headers is recognised as plain');
});

// SipMessage.ruriIsPlainSip() reads the Request-URI in place in the received
// text: the surrounding text must not change the answer.
test('isPlainSipUri() on a URI inside a longer text answers as on the URI alone (generated, mutated, corpus)', () => {
  const r = rng(5061);
  const texts = [
    ...Array.from({ length: 3000 }, () => genSipUri(r)),
    ...Array.from({ length: 3000 }, () => mutate(r, genSipUri(r))),
    ...corpusUris(),
    'sip:h',
    'sip:',
    'sip:[::1',
    'sip:u@',
    'sip:h;',
    'sip:h:',
    'sips:u:p@h:5060;lr',
    'si',
    'sipx:h',
  ];
  const surroundings = [
    ['', ''],
    ['OPTIONS ', ' SIP/2.0'],
    ['x:@[', '?a=b@]:5060;lr'],
    ['sip:', ']@h?x=y'],
    [':', ';?'],
  ] as const;
  for (const text of texts) {
    const alone = isPlainSipUri(text);
    for (const [before, after] of surroundings) {
      const inside = isPlainSipUri(before + text + after, before.length, before.length + text.length);
      assert.equal(inside, alone, `${JSON.stringify(before)} + ${JSON.stringify(text)} + ${JSON.stringify(after)}`);
    }
  }
});

test('SipMessage.ruriIsPlainSip() agrees with isPlainSipUri() on the Request-URI', () => {
  const r = rng(5062);
  const uris = [
    ...Array.from({ length: 1000 }, () => genSipUri(r)),
    ...Array.from({ length: 1000 }, () => mutate(r, genSipUri(r))),
    'sip:h',
    'sip:é@h',
    'sip:h?x=y',
    'tel:+1',
  ].filter((u) => u.length > 0 && !/[\s]/.test(u));
  for (const uri of uris) {
    for (const method of ['OPTIONS', 'FOO']) {
      const parsed = parseSipMessage(
        `${method} ${uri} SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@h>;tag=1\r\nTo: <sip:b@h>\r\nCall-ID: c\r\nCSeq: 1 ${method}\r\nContent-Length: 0\r\n\r\n`,
      );
      if (parsed.error !== undefined) continue;
      const msg = parsed.msg;
      assert.equal(msg.ruriIsPlainSip(), isPlainSipUri(msg.ruri), uri);
      msg.setRuri('sip:edited@h?x=y');
      assert.equal(msg.ruriIsPlainSip(), false, uri);
    }
  }
});
