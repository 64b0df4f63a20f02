// Whatever arrives on the wire, parsing and every accessor return values or
// errors, never exceptions: random bytes, truncations and mutations of real
// messages (fixed seed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildReply,
  checkRequest,
  frameStreamMessage,
  parseSipMessage,
  parseUri,
  urisEqual,
  viaReceived,
} from '../../src/sip/index.js';
import { registerSamples, rfc4475 } from './helpers/data.js';
import { rng } from './helpers/prng.js';
import { touchEverything } from './helpers/touch.js';
import { cpuMs } from '../helpers/linear.js';

const seeds = [...rfc4475().map((c) => c.bytes), ...registerSamples().map((s) => s.bytes)];
const NASTY = [
  '\r\n',
  '\n',
  ' ',
  '\t',
  ':',
  ';',
  ',',
  '"',
  '<',
  '>',
  '\\',
  '%',
  '*',
  '\r\n ',
  '\0',
  '\xff',
  'é',
  'Contact: *\r\n',
  'l: 99999\r\n',
  'v: x\r\n',
];

function mutateBytes(r: ReturnType<typeof rng>, input: Buffer): Buffer {
  let b = input;
  const edits = r.int(1, 4);
  for (let i = 0; i < edits; i++) {
    const at = r.int(0, b.length);
    switch (r.int(0, 4)) {
      case 0:
        b = Buffer.concat([b.subarray(0, at), Buffer.from(r.pick(NASTY), 'latin1'), b.subarray(at)]);
        break;
      case 1:
        b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + r.int(1, 20)))]);
        break;
      case 2:
        b = b.subarray(0, at);
        break;
      case 3:
        b = Buffer.from(b);
        b[Math.min(at, b.length - 1)] = r.int(0, 255);
        break;
      default:
        b = Buffer.concat([b.subarray(0, at), b.subarray(Math.max(0, at - 30), at), b.subarray(at)]);
    }
  }
  return b;
}

function exercise(bytes: Buffer): 'parsed' | 'error' {
  frameStreamMessage(bytes);
  const r = parseSipMessage(bytes);
  assert.ok(!r.error?.startsWith('internal'), `the safety net caught: ${r.error}`);
  if (r.partial) buildReply(r.partial, 400, 'Bad Request');
  if (!r.msg) return 'error';
  const m = r.msg;
  touchEverything(m);
  checkRequest(m);
  parseUri(m.ruri);
  urisEqual(m.ruri, m.ruri + ';x=1');
  viaReceived(m, { ip: '192.0.2.1', port: 5060 }, { forceRport: true });
  buildReply(m, 200, 'OK', { source: { ip: '192.0.2.1', port: 5060 } });
  m.setRuri('sip:x@y');
  m.addHeader('X', 'y');
  m.removeHeader('via');
  m.replaceHeader('to', '<sip:a@b>');
  m.setBody('z');
  m.serialize();
  m.applyEdits();
  return 'parsed';
}

test('mutated real messages (seed 5060, 6000 cases)', () => {
  const r = rng(5060);
  const outcome = { parsed: 0, error: 0 };
  for (let i = 0; i < 6000; i++) outcome[exercise(mutateBytes(r, r.pick(seeds)))]++;
  console.log(`# mutated messages: ${outcome.parsed} parsed, ${outcome.error} refused`);
  assert.ok(outcome.parsed > 1000 && outcome.error > 500, 'both paths are exercised');
});

test('random bytes and start lines (seed 5061, 3000 cases)', () => {
  const r = rng(5061);
  for (let i = 0; i < 3000; i++) {
    const len = r.int(0, 300);
    const bytes = Buffer.alloc(len);
    for (let j = 0; j < len; j++) bytes[j] = r.chance(0.7) ? r.int(32, 126) : r.int(0, 255);
    const prefix = r.pick([
      '',
      'INVITE sip:a@b SIP/2.0\r\n',
      'SIP/2.0 200 OK\r\n',
      'REGISTER sip:x SIP/2.0\r\nVia: SIP/2.0/UDP h\r\n',
    ]);
    exercise(Buffer.concat([Buffer.from(prefix), bytes]));
  }
});

test('every truncation of a REGISTER', () => {
  const reg = registerSamples()[0]!.bytes;
  for (let n = 0; n <= reg.length; n++) exercise(reg.subarray(0, n));
});

test('64 KB of pathological header text is handled in linear time', () => {
  const head =
    'REGISTER sip:r.example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nTo: <sip:a@b>\r\nFrom: <sip:a@b>;tag=1\r\nCall-ID: x\r\nCSeq: 1 REGISTER\r\n';
  const n = 32000;
  const cases = [
    `Contact: <sip:a@b${';a'.repeat(n)}>`,
    `Contact: <sip:a@b>${';a'.repeat(n)}`,
    `Contact: sip:a@b${' '.repeat(n)}x`,
    `X-Fold: a${' '.repeat(n)}\r\n ${' '.repeat(n)}b`,
    `Contact: ${'"a" <sip:a@b>,'.repeat(n / 16)}`,
    `Route: ${'<'.repeat(n)}`,
    `Contact: <sip:${'%41'.repeat(n / 3)}@h:>`,
    `Via: SIP/2.0/UDP h${';rport'.repeat(n / 6)}`,
  ];
  for (const extra of cases) {
    // CPU time, not wall time: on a loaded machine the wall clock also counts other processes' turns.
    const ms = cpuMs(() => exercise(Buffer.from(`${head}${extra}\r\nContent-Length: 0\r\n\r\n`)));
    assert.ok(ms < 1000, `${extra.slice(0, 30)}...: ${ms.toFixed(0)} ms CPU`);
  }
});
