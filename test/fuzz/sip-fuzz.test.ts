// Property tests of the SIP receive path with fast-check (issue 14): real
// messages (RFC 4475, captured REGISTERs) mutated by bit flips, truncations,
// CRLF/LF mixes, NULs, huge headers and Content-Length lies. Nothing throws
// out of framing or parsing, the server never hits its last-resort guard,
// and a valid message still gets its normal answer afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { frameStreamMessage, parseSipMessage } from '../../src/sip/index.js';
import { serverFor } from '../helpers/server.js';
import { registerSamples, rfc4475 } from '../sip/helpers/data.js';
import { touchEverything } from '../sip/helpers/touch.js';
import { fuzzParams } from './runs.js';

const SEEDS = [...rfc4475().map((c) => c.bytes), ...registerSamples().map((s) => s.bytes)];

/** One mutation of a message, as a fast-check arbitrary over (seed message, edit). */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('lf' as const), every: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ kind: fc.constant('nul' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('huge' as const),
    size: fc.integer({ min: 1000, max: 70000 }),
    name: fc.constantFrom('X-Big', 'Via', 'Contact', 'Route', 'To'),
  }),
  fc.record({
    kind: fc.constant('cl' as const),
    value: fc.oneof(
      fc.integer({ min: -5, max: 100000 }).map(String),
      fc.constantFrom('9999999999', '', 'x', '1 2', '0x10', '00000000000000000001'),
    ),
  }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.constantFrom(
      '\r\n',
      '\n',
      '\r',
      ' ',
      ':',
      ';',
      ',',
      '"',
      '<',
      '>',
      '%',
      '\0',
      '\xff',
      '\r\n\r\n',
      'Contact: *\r\n',
      'Via: \r\n',
    ),
  }),
);

function apply(msg: Buffer, edits: (typeof mutation extends fc.Arbitrary<infer T> ? T : never)[]): Buffer {
  let b = msg;
  for (const e of edits) {
    const at = b.length ? ('at' in e ? e.at % (b.length + 1) : 0) : 0;
    switch (e.kind) {
      case 'flip':
        if (b.length) {
          b = Buffer.from(b);
          b[at % b.length]! ^= 1 << e.bit;
        }
        break;
      case 'truncate':
        b = b.subarray(0, at);
        break;
      case 'lf': {
        let n = 0;
        b = Buffer.from(
          b.toString('latin1').replace(/\r\n/g, (m) => (++n % e.every === 0 ? '\n' : m)),
          'latin1',
        );
        break;
      }
      case 'nul':
        b = Buffer.concat([b.subarray(0, at), Buffer.from([0]), b.subarray(at)]);
        break;
      case 'huge': {
        const head = b.indexOf('\r\n');
        const line = Buffer.from(`${e.name}: ${'a'.repeat(e.size)}\r\n`);
        b = head < 0 ? Buffer.concat([b, line]) : Buffer.concat([b.subarray(0, head + 2), line, b.subarray(head + 2)]);
        break;
      }
      case 'cl':
        b = Buffer.from(b.toString('latin1').replace(/(Content-Length|\r\nl):[^\r\n]*/i, `$1: ${e.value}`), 'latin1');
        break;
      case 'insert':
        b = Buffer.concat([b.subarray(0, at), Buffer.from(e.text, 'latin1'), b.subarray(at)]);
        break;
    }
  }
  return b;
}

const mutated = fc
  .tuple(fc.integer({ min: 0, max: SEEDS.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }))
  .map(([i, edits]) => apply(SEEDS[i]!, edits));

test('framing and parsing never throw on mutated real messages; every accessor returns a value or an error', () => {
  fc.assert(
    fc.property(mutated, (bytes) => {
      frameStreamMessage(bytes, 65536, 65535);
      for (const datagram of [true, false]) {
        const r = parseSipMessage(bytes, { datagram });
        if (r.msg) {
          touchEverything(r.msg);
          r.msg.serialize();
        }
      }
    }),
    fuzzParams(300),
  );
});

const CFG = `socket=udp:127.0.0.1:5060
loadmodule "usrloc.so"
loadmodule "signaling.so"
loadmodule "sl.so"
loadmodule "tm.so"
loadmodule "rr.so"
loadmodule "registrar.so"
loadmodule "sipmsgops.so"
route {
  if (is_method("OPTIONS")) { sl_send_reply(200, "Alive"); exit; }
  if (is_method("REGISTER")) { save("location"); exit; }
  if (loose_route()) { forward(); exit; }
  if (!lookup("location")) { sl_send_reply(404, "Not Here"); exit; }
  t_relay();
}`;

const OPTIONS =
  'OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.11:5060;branch=z9hG4bK-probe\r\nFrom: <sip:a@127.0.0.11>;tag=1\r\n' +
  'To: <sip:127.0.0.1>\r\nCall-ID: probe\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n';

test('the server handles mutated messages without reaching its guard, and still answers a valid OPTIONS afterwards', () => {
  const h = serverFor(CFG);
  let probes = 0;
  fc.assert(
    fc.property(mutated, (bytes) => {
      h.logs.length = 0;
      h.server.onInbound({
        data: bytes,
        src: { proto: 'udp', ip: '127.0.0.11', port: 5060 },
        socket: h.server.rt.sockets[0]!,
      });
      const crashed = h.logs.find((l) => /error while processing a message/.test(l));
      assert.equal(crashed, undefined, crashed);
      h.sent.length = 0;
      h.receive(OPTIONS.replace('z9hG4bK-probe', `z9hG4bK-probe${++probes}`), '127.0.0.11');
      assert.match(h.sent[0]?.text ?? '', /^SIP\/2\.0 200 Alive\r\n/);
    }),
    fuzzParams(300),
  );
});
