// sl:, tm: and dialog: statistics, counted where the events happen, as
// get_statistics shows them (names from 3.3's export tables).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coreMi } from '../../src/core/mi-core.js';
import type { Runtime } from '../../src/script/runtime.js';
import { replyTo, request, serverFor } from '../helpers/server.js';

const CFG = `socket=udp:127.0.0.1:5060
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "dialog.so"
route {
\tif ($rU == "sl404") { sl_send_reply(404, "Not Here"); exit; }
\tif ($rU == "err") { sl_reply_error(); exit; }
\tif (is_method("INVITE")) { create_dialog(); record_route(); }
\tt_relay("udp:127.0.0.20:5060");
}
`;

const mi = coreMi('0.0.0');
const stats = (rt: Runtime, group: string): Record<string, number> =>
  Object.fromEntries(
    Object.entries(
      mi.handle({ jsonrpc: '2.0', method: 'get_statistics', params: { statistics: [group] }, id: 1 }, rt)!
        .result as Record<string, number>,
    ).map(([k, v]) => [k.slice(group.length), v]),
  );

test('sl: replies by class, sl_reply_error, and the ACKs to its own replies', () => {
  const h = serverFor(CFG);
  h.receive(request('OPTIONS', 's1', 'sip:sl404@127.0.0.1'), '127.0.0.11');
  h.receive(request('OPTIONS', 's2', 'sip:err@127.0.0.1'), '127.0.0.11');
  const toTag = /\r\nTo: [^\r]*;tag=([^\r;]+)/.exec(h.sent[0]!.text)![1]!;
  h.receive(
    request('ACK', 's1', 'sip:sl404@127.0.0.1').replace(
      'To: <sip:1001@127.0.0.1>',
      `To: <sip:1001@127.0.0.1>;tag=${toTag}`,
    ),
    '127.0.0.11',
  );
  assert.deepEqual(stats(h.server.rt, 'sl:'), {
    '1xx_replies': 0,
    '2xx_replies': 0,
    '3xx_replies': 0,
    '4xx_replies': 1,
    '5xx_replies': 1,
    '6xx_replies': 0,
    sent_replies: 2,
    sent_err_replies: 1,
    received_ACKs: 1,
  });
});

test('tm: transactions, received/relayed/local replies, final classes; dialog: early, active, failed', () => {
  const h = serverFor(CFG);
  const rt = h.server.rt;
  h.receive(request('INVITE', 't1'), '127.0.0.11');
  h.receive(replyTo(h, 't1', '180 Ringing'), '127.0.0.20');
  assert.equal(stats(rt, 'dialog:').early_dialogs, 1);
  h.receive(replyTo(h, 't1', '200 OK'), '127.0.0.20');
  h.receive(request('INVITE', 't2'), '127.0.0.11');
  h.receive(replyTo(h, 't2', '486 Busy Here'), '127.0.0.20');
  const tm = stats(rt, 'tm:');
  assert.deepEqual(tm, {
    received_replies: 3,
    relayed_replies: 3,
    local_replies: 2, // the two 100 Trying
    UAS_transactions: 2,
    UAC_transactions: 0,
    '2xx_transactions': 1,
    '3xx_transactions': 0,
    '4xx_transactions': 1,
    '5xx_transactions': 0,
    '6xx_transactions': 0,
    inuse_transactions: 2, // finished, kept for wt_timer
  });
  h.clock.advance(6000);
  assert.equal(stats(rt, 'tm:').inuse_transactions, 0, 'forgotten after wt_timer');
  const dlg = stats(rt, 'dialog:');
  assert.deepEqual(
    [dlg.active_dialogs, dlg.early_dialogs, dlg.processed_dialogs, dlg.failed_dialogs, dlg.expired_dialogs],
    [1, 0, 2, 1, 0],
  );
});
