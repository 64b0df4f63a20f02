// Overload (issue 14): a UDP request retransmitted byte for byte within a few
// T1 is answered with the replies its first copy got, without being parsed or
// run through the script again; relayed, unanswered or provisionally answered
// requests are not remembered, and after the window a copy runs again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request, scriptLines, serverFor } from '../helpers/server.js';
import { REPLAY_WINDOW_MS } from '../../src/core/replay-cache.js';

const CFG = `socket=udp:127.0.0.1:5060
loadmodule "sl.so"
route {
\txlog("L_NOTICE", "script $rm $ci\\n");
\tif ($rU == "quiet") exit;
\tif ($rU == "relay") { forward("udp:127.0.0.20:5060"); exit; }
\tsl_send_reply(404, "Not Here");
}
`;

test('a byte-identical UDP retransmission gets the same reply without running the script again', () => {
  const h = serverFor(CFG);
  const opts = request('OPTIONS', 'r1');
  h.receive(opts, '127.0.0.11');
  h.receive(opts, '127.0.0.11');
  assert.deepEqual(scriptLines(h.logs), ['script OPTIONS r1']);
  assert.equal(h.sent.length, 2);
  assert.equal(h.sent[1]!.text, h.sent[0]!.text, 'the same bytes, the same To tag');
  assert.equal(h.server.replays.absorbed, 1);
  // from another source, or changed in one byte: a request of its own
  h.receive(opts, '127.0.0.12');
  h.receive(opts.replace('CSeq: 1', 'CSeq: 2'), '127.0.0.11');
  assert.equal(scriptLines(h.logs).length, 3);
  // after the window, a copy runs again
  h.clock.advance(REPLAY_WINDOW_MS + 1);
  h.receive(opts, '127.0.0.11');
  assert.equal(scriptLines(h.logs).length, 4);
});

test('relayed or unanswered requests are not remembered: their copies run the script', () => {
  const h = serverFor(CFG);
  const quiet = request('OPTIONS', 'q1', 'sip:quiet@127.0.0.1');
  h.receive(quiet, '127.0.0.11');
  h.receive(quiet, '127.0.0.11');
  const relay = request('MESSAGE', 'm1', 'sip:relay@127.0.0.1');
  h.receive(relay, '127.0.0.11');
  h.receive(relay, '127.0.0.11');
  assert.deepEqual(scriptLines(h.logs), [
    'script OPTIONS q1',
    'script OPTIONS q1',
    'script MESSAGE m1',
    'script MESSAGE m1',
  ]);
  assert.equal(h.sent.filter((s) => s.text.startsWith('MESSAGE ')).length, 2, 'each copy forwarded');
  assert.equal(h.server.replays.absorbed, 0);
});
