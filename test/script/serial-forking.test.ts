// serialize_branches / next_branches: serial forking by q, as serialize.c.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sipEngine } from '../helpers/engine.js';
import { request } from '../helpers/server.js';

const LOAD = 'socket=udp:127.0.0.1:5060\nloadmodule "sl.so"\n';

function after(calls: number, keepOrder = false): { ruri: string; branches: string[]; rcs: unknown[] } {
  const lines = [
    '$ru = "sip:a@127.0.0.1";',
    'append_branch("sip:b@127.0.0.1", "0.5");',
    'append_branch("sip:c@127.0.0.1", "0.5");',
    'append_branch("sip:d@127.0.0.1", "1.0");',
    `serialize_branches(1${keepOrder ? ', 1' : ''});`,
    ...Array.from({ length: calls }, (_, i) => `$var(n${i}) = next_branches();`),
  ];
  const e = sipEngine(`${LOAD}route {\n${lines.join('\n')}\n}\n`);
  const r = e.send(Buffer.from(request('INVITE', 'sf1')));
  return {
    ruri: r.ctx.ruri,
    branches: r.ctx.branches.map((b) => b.uri),
    rcs: Array.from({ length: calls }, (_, i) => r.vars.get(`n${i}`)),
  };
}

test('serialize_branches + next_branches: the highest q first, equal q together, the unspecified-q R-URI last; 1 while more remain, 2 with the last, then -1', () => {
  assert.deepEqual(after(0), { ruri: 'sip:a@127.0.0.1', branches: [], rcs: [] }, 'serialize empties the branch set');
  assert.deepEqual(after(1), { ruri: 'sip:d@127.0.0.1', branches: [], rcs: [1] });
  assert.deepEqual(after(2), { ruri: 'sip:b@127.0.0.1', branches: ['sip:c@127.0.0.1'], rcs: [1, 1] });
  assert.deepEqual(after(3), { ruri: 'sip:a@127.0.0.1', branches: ['sip:c@127.0.0.1'], rcs: [1, 1, 2] });
  assert.deepEqual(after(4).rcs, [1, 1, 2, -1]);
});

test('keep_order: one destination at a time, the R-URI first, then the branches as appended', () => {
  assert.deepEqual(after(4, true).rcs, [1, 1, 1, 2]);
  assert.equal(after(2, true).ruri, 'sip:b@127.0.0.1');
});

test("nothing to order: no branches, or every branch with the R-URI's q (without keep_order), leaves the set as it is", () => {
  const e = sipEngine(
    `${LOAD}route {\n\t$var(s) = serialize_branches(1);\n\t$var(n) = next_branches();\n\tappend_branch("sip:x@127.0.0.1");\n\t$var(s2) = serialize_branches(1);\n}\n`,
  );
  const r = e.send(Buffer.from(request('INVITE', 'sf2')));
  assert.deepEqual([r.vars.get('s'), r.vars.get('n'), r.vars.get('s2'), r.ctx.branches.length], [1, -1, 1, 1]);
});

test('the serial set lives in the transaction: failure_route takes the next group', async () => {
  const { serverFor, replyTo } = await import('../helpers/server.js');
  const h = serverFor(`${LOAD}loadmodule "tm.so"
route {
\t$ru = "sip:a@127.0.0.21";
\tappend_branch("sip:b@127.0.0.22", "1.0");
\tserialize_branches(1);
\tnext_branches();
\tt_on_failure("next");
\tt_relay();
}
failure_route[next] {
\tif (next_branches()) t_relay();
}
`);
  h.receive(request('INVITE', 'sf3'), '127.0.0.11');
  assert.deepEqual(
    h.sent.filter((s) => s.text.startsWith('INVITE')).map((s) => s.to),
    ['127.0.0.22:5060'],
  );
  h.receive(replyTo(h, 'sf3', '486 Busy Here'), '127.0.0.22');
  assert.deepEqual(
    h.sent.filter((s) => s.text.startsWith('INVITE')).map((s) => s.to),
    ['127.0.0.22:5060', '127.0.0.21:5060'],
  );
});
