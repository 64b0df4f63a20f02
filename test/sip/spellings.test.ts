// The framer recognises common header names with Spellings.tokenAt(), in
// place; it must agree with scanning the token and then looking it up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TOKEN, inClass } from '../../src/sip/chars.js';
import { COMMON_HEADER_NAMES } from '../../src/sip/header-names.js';
import { COMMON_PARAMS } from '../../src/sip/scan.js';
import { COMMON_METHODS } from '../../src/sip/spellings.js';
import { rng } from './helpers/prng.js';

const NAMES = [
  'OPTIONS',
  'REGISTER',
  'ACK',
  'PRACK',
  'tag',
  'branch',
  'rport',
  'received',
  '+sip.instance',
  'reg-id',
  'q',
  'lr',
  'Via',
  'From',
  'To',
  'Call-ID',
  'CSeq',
  'Contact',
  'Content-Length',
  'Content-Type',
  'Max-Forwards',
  'v',
  'f',
  't',
  'i',
  'm',
  'l',
  'c',
  'k',
  'INVITE',
  'SIP/2.0',
  'X-Foo',
  'via',
  'VIA',
];
const TAILS = ['', ':', ' :', '\t', ':x', 'x', '-', '-Foo:', '.', '/', '%', '\r', 'é', '"', ',', ';'];

function tokenEnd(s: string, p: number, limit: number): number {
  while (p < limit && inClass(TOKEN, s.charCodeAt(p))) p++;
  return p;
}

test('tokenAt() finds the header names, parameter names and methods that scanning the token and find() find (seed 7)', () => {
  const r = rng(7);
  const texts: string[] = [];
  for (const name of NAMES) {
    for (const tail of TAILS) {
      texts.push(name + tail, name.slice(0, -1) + tail, name.toLowerCase() + tail);
    }
  }
  for (let i = 0; i < 3000; i++) {
    const name = NAMES[r.int(0, NAMES.length - 1)]!;
    const cut = r.int(0, name.length);
    texts.push(
      name.slice(0, cut) + TAILS[r.int(0, TAILS.length - 1)]! + name.slice(cut) + TAILS[r.int(0, TAILS.length - 1)]!,
    );
  }
  for (const table of [COMMON_HEADER_NAMES, COMMON_PARAMS, COMMON_METHODS]) {
    for (const text of texts) {
      for (const prefix of ['', 'ab\r\n']) {
        const s = prefix + text;
        const start = prefix.length;
        for (let limit = start; limit <= s.length; limit++) {
          const end = tokenEnd(s, start, limit);
          const expected = end > start ? table.find(s, start, end) : undefined;
          assert.equal(table.tokenAt(s, start, limit, TOKEN), expected, `${JSON.stringify(s)} up to ${limit}`);
        }
      }
    }
  }
});
