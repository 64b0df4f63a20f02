// Property tests of the MI JSON-RPC layer (issue 14): arbitrary JSON values
// and arbitrary text on the FIFO never throw out of the MI, and a valid
// request still gets its answer afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { coreMi } from '../../src/core/mi-core.js';
import { nextCommand } from '../../src/net/fifo-mi.js';
import { sipEngine } from '../helpers/engine.js';
import { fuzzParams } from './runs.js';

const CFG =
  'socket=udp:127.0.0.1:5060\nloadmodule "usrloc.so"\nloadmodule "signaling.so"\nloadmodule "sl.so"\nloadmodule "registrar.so"\nroute { save("location"); }\n';
const METHODS = [
  'ul_dump',
  'ul_show_contact',
  'ul_rm',
  'ul_rm_contact',
  'ul_add',
  'ul_sync',
  'uptime',
  'version',
  'which',
  'log_level',
  'get_statistics',
  'reset_statistics',
  'list_statistics',
  'nope',
  '',
  'ps',
  'mi',
];

const request = fc.oneof(
  fc.jsonValue(),
  fc.record(
    {
      jsonrpc: fc.oneof(fc.constant('2.0'), fc.jsonValue()),
      method: fc.oneof(fc.constantFrom(...METHODS), fc.jsonValue()),
      params: fc.oneof(
        fc.array(fc.oneof(fc.constantFrom('location', '1001', 'sip:1001@127.0.0.1:5062', 'foo'), fc.jsonValue()), {
          maxLength: 10,
        }),
        fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue()),
        fc.jsonValue(),
      ),
      id: fc.oneof(fc.integer(), fc.string({ maxLength: 5 }), fc.constant(null)),
    },
    { requiredKeys: [] },
  ),
);

test('MI: any JSON value as a request gives a JSON-RPC answer or none, never an exception; a valid request still works', () => {
  const e = sipEngine(CFG);
  const mi = coreMi('0.1.0');
  fc.assert(
    fc.property(request, (req) => {
      const answer = mi.handle(req, e.rt);
      if (answer !== undefined) JSON.stringify(answer);
      const ok = mi.handle({ jsonrpc: '2.0', method: 'version', id: 1 }, e.rt);
      assert.ok(ok && 'result' in ok, JSON.stringify(ok));
    }),
    fuzzParams(400),
  );
});

test('FIFO command parser: any text gives a command, "bad" or "incomplete", never an exception', () => {
  const text = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.jsonValue().map((v) => `:r:${JSON.stringify(v)}`),
    fc.tuple(fc.string({ maxLength: 5 }), fc.string({ maxLength: 100 })).map(([a, b]) => `:${a}:${b}`),
  );
  fc.assert(
    fc.property(text, (t) => {
      const r = nextCommand(t);
      assert.ok(r === undefined || r === 'bad' || typeof r.reply === 'string');
    }),
    fuzzParams(400),
  );
});
