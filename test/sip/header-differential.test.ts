// Differential test: our Contact / From / To / Via parsers against jssip's
// grammar rules of the same names, over generated values (fixed seeds),
// their mutations and every such header in the shared test messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseContactList,
  parseCSeq,
  parseMaxForwards,
  parseNameAddr,
  parseUint32,
  parseViaList,
  type NameAddr,
} from '../../src/sip/index.js';
import { nameAddrError } from '../../src/sip/name-addr.js';
import { grammarParse } from '../../src/sip/grammar.js';
import { rng } from './helpers/prng.js';
import { genContactValue, genNameAddr, genVia, mutate } from './helpers/gen.js';
import {
  contactQuirk,
  jssipNameAddrView,
  jssipVia,
  nameAddrParamQuirk,
  ourNameAddrView,
  ourViaView,
  uriQuirk,
  viaQuirk,
} from './helpers/jssip-view.js';
import { corpusHeaderValues } from './helpers/corpus.js';

class Tally {
  cases = 0;
  agreed = 0;
  quirks = new Map<string, number>();
  mismatches: string[] = [];
  quirk(name: string): void {
    this.quirks.set(name, (this.quirks.get(name) ?? 0) + 1);
  }
  check(text: string, ours: unknown, theirs: unknown): void {
    try {
      assert.deepEqual(ours, theirs);
      this.agreed++;
    } catch {
      this.mismatches.push(
        `${JSON.stringify(text)}\n  ours:  ${JSON.stringify(ours)}\n  jssip: ${JSON.stringify(theirs)}`,
      );
    }
  }
  report(name: string): void {
    const quirks = [...this.quirks].map(([k, v]) => `${k}=${v}`).join(' ');
    console.log(`# ${name}: ${this.cases} cases, ${this.agreed} agree, skipped for jssip quirks: ${quirks || 'none'}`);
    assert.equal(
      this.mismatches.length,
      0,
      `${this.mismatches.length} mismatches:\n${this.mismatches.slice(0, 8).join('\n')}`,
    );
  }
}

type JssipNameAddr = Parameters<typeof jssipNameAddrView>[0];

/** Skip reasons shared by every name-addr comparison, or undefined. */
function nameAddrQuirk(values: readonly NameAddr[] | undefined, text: string, contact = false): string | undefined {
  for (const m of text.matchAll(/<([^>]*)>/g)) {
    const q = uriQuirk(m[1]!);
    if (q) return 'uri:' + q;
  }
  if (!values) return undefined;
  for (const v of values) {
    const q = uriQuirk(v.uri);
    if (q) return 'uri:' + q;
    const pq = nameAddrParamQuirk(v);
    if (pq) return pq;
  }
  return contact ? contactQuirk(values) : undefined;
}

// Header values reach the parsers trimmed (the message layer trims them), so
// the generated ones are trimmed too: jssip's rules reject trailing LWS.
function compareContacts(texts: string[], t: Tally): void {
  for (const text of texts.map((s) => s.trim())) {
    t.cases++;
    const ours = parseContactList(text);
    const values = 'error' in ours ? undefined : ours.contacts;
    const quirk = nameAddrQuirk(values, text, true);
    if (quirk) {
      t.quirk(quirk);
      continue;
    }
    const mine = values?.map((c) => ourNameAddrView(c, true));
    const theirsRaw = grammarParse(text, 'Contact') as Array<{ parsed: JssipNameAddr }> | undefined;
    const theirs = theirsRaw?.map((c) => jssipNameAddrView(c.parsed));
    t.check(text, mine && !mine.includes(undefined) ? mine : undefined, theirs);
  }
}

function compareSingle(texts: string[], rule: 'From' | 'To', t: Tally): void {
  for (const text of texts.map((s) => s.trim())) {
    t.cases++;
    const ours = parseNameAddr(text);
    const value = 'error' in ours ? undefined : ours;
    const quirk = nameAddrQuirk(value ? [value] : undefined, text);
    if (quirk) {
      t.quirk(quirk);
      continue;
    }
    const theirs = grammarParse(text, rule) as JssipNameAddr | undefined;
    t.check(text, value ? ourNameAddrView(value, false) : undefined, theirs ? jssipNameAddrView(theirs) : undefined);
  }
}

function compareVias(texts: string[], t: Tally): void {
  for (const text of texts.map((s) => s.trim())) {
    t.cases++;
    const ours = parseViaList(text);
    const via = 'error' in ours ? undefined : ours[0];
    if ('error' in ours || ours.length === 1) {
      const quirk = viaQuirk(text, via);
      if (quirk) {
        t.quirk(quirk);
        continue;
      }
      const theirs = jssipVia(text);
      t.check(text, via ? ourViaView(via) : undefined, theirs);
    } else {
      // jssip merges the fields of a Via list into one object: compare each value alone.
      t.cases += ours.length - 1;
      for (const v of ours) {
        const quirk = viaQuirk(v.raw, v);
        if (quirk) t.quirk(quirk);
        else t.check(v.raw, ourViaView(v), jssipVia(v.raw));
      }
    }
  }
}

test('generated Contact values agree with jssip (seed 11, 3000 cases)', () => {
  const r = rng(11);
  const t = new Tally();
  compareContacts(
    Array.from({ length: 3000 }, () => genContactValue(r)),
    t,
  );
  t.report('Contact');
});

test('mutated Contact values agree with jssip (seed 12, 3000 cases)', () => {
  const r = rng(12);
  const t = new Tally();
  compareContacts(
    Array.from({ length: 3000 }, () => mutate(r, genContactValue(r))),
    t,
  );
  t.report('Contact mutated');
});

test('generated and mutated From/To values agree with jssip (seed 13, 2 x 2000 cases)', () => {
  const r = rng(13);
  const t = new Tally();
  compareSingle(
    Array.from({ length: 2000 }, () => genNameAddr(r, false)),
    'From',
    t,
  );
  compareSingle(
    Array.from({ length: 2000 }, () => mutate(r, genNameAddr(r, false))),
    'To',
    t,
  );
  t.report('From/To');
});

test('generated and mutated Via values agree with jssip (seed 14, 2 x 2000 cases)', () => {
  const r = rng(14);
  const t = new Tally();
  compareVias(
    Array.from({ length: 2000 }, () => genVia(r)),
    t,
  );
  compareVias(
    Array.from({ length: 2000 }, () => mutate(r, genVia(r))),
    t,
  );
  t.report('Via');
});

test('every Contact, From, To and Via of the shared test messages agrees with jssip', () => {
  const { nameAddr, via } = corpusHeaderValues();
  const t = new Tally();
  for (const { header, value } of nameAddr) {
    if (header === 'contact') compareContacts([value], t);
    else if (header === 'from' || header === 'to') compareSingle([value], header === 'from' ? 'From' : 'To', t);
  }
  compareVias(via, t);
  t.report('corpus headers');
  assert.ok(t.cases > 150, `${t.cases} header values`);
});

// SipMessage parses most values where they sit in the received text
// (parse(text, start, end)): that must give exactly what parsing the value
// on its own gives, whatever surrounds it.
test('values parsed in place in a larger text equal the values parsed alone (seed 15)', () => {
  const r = rng(15);
  const values: string[] = [];
  for (let i = 0; i < 1500; i++) {
    values.push(genNameAddr(r, false), mutate(r, genNameAddr(r, false)), genVia(r), mutate(r, genVia(r)));
  }
  values.push(...corpusHeaderValues().via, ...corpusHeaderValues().nameAddr.map((h) => h.value));
  values.push(
    '1 INVITE',
    ' 1  INVITE ',
    '1',
    'INVITE',
    '4294967296 ACK',
    '70',
    ' 0068 ',
    '256',
    '',
    ' ',
    '12a',
    '\u00a070\u00a0',
  );
  const parsers: Array<[string, (s: string, start?: number, end?: number) => unknown]> = [
    ['parseNameAddr', parseNameAddr],
    ['nameAddrError', nameAddrError],
    ['parseViaList', parseViaList],
    ['parseCSeq', parseCSeq],
    ['parseUint32', parseUint32],
    ['parseMaxForwards', parseMaxForwards],
  ];
  const surroundings = [
    ['', ''],
    ['Via: ', '\r\nTo: <sip:x@y>;tag=1\r\n'],
    ['X:', ';a=b, "q" <sip:z>'],
    ['>,;"', '"<'],
  ];
  for (const value of values) {
    for (const [name, parse] of parsers) {
      const alone = parse(value);
      for (const [before, after] of surroundings) {
        const text = before! + value + after!;
        assert.deepEqual(
          parse(text, before!.length, before!.length + value.length),
          alone,
          `${name}(${JSON.stringify(value)}) in ${JSON.stringify(text)}`,
        );
      }
    }
  }
});
