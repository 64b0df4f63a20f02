// The statistics module: script statistics declared with `variable` or made
// by update_stat(), read with $stat() (any statistic of the server too), and
// shown by get_statistics next to the core's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coreMi } from '../../src/core/mi-core.js';
import type { Runtime } from '../../src/script/runtime.js';
import { request, scriptLines, serverFor } from '../helpers/server.js';

const CFG = `socket=udp:127.0.0.1:5060
loadmodule "sl.so"
loadmodule "statistics.so"
modparam("statistics", "variable", "register_counter")
modparam("statistics", "variable", "calls:active/no_reset")
route {
\tupdate_stat("register_counter", 1);
\tupdate_stat("calls:active", 2);
\tupdate_stat("made_here", 3);
\tupdate_stat("mine:hits", 1);
\txlog("L_NOTICE", "rcv=$stat(rcv_requests) reg=$stat(register_counter) core=$stat(core:rcv_requests) none=$stat(nothing)\\n");
\tif ($rU == "reset") { reset_stat("register_counter"); reset_stat("calls:active"); $stat(made_here) = 0; }
\tsl_send_reply(200, "OK");
}
`;

const mi = coreMi('0.0.0');
const call = (rt: Runtime, method: string, params?: unknown) =>
  mi.handle({ jsonrpc: '2.0', method, ...(params !== undefined ? { params } : {}), id: 1 }, rt)!;

test('update_stat, reset_stat and $stat; the groups script:, dynamic: and named ones', () => {
  const h = serverFor(CFG);
  const rt = h.server.rt;
  h.receive(request('OPTIONS', 'a1'), '127.0.0.11');
  h.receive(request('OPTIONS', 'a2'), '127.0.0.11');
  assert.deepEqual(scriptLines(h.logs), ['rcv=1 reg=1 core=1 none=<null>', 'rcv=2 reg=2 core=2 none=<null>']);
  const all = call(rt, 'get_statistics', { statistics: ['script:', 'calls:', 'dynamic:', 'mine:'] }).result;
  assert.deepEqual(all, {
    'script:register_counter': 2,
    'calls:active': 4,
    'dynamic:made_here': 6,
    'mine:hits': 2,
  });
  assert.deepEqual(call(rt, 'list_statistics', { statistics: ['calls:', 'script:'] }).result, {
    'calls:active': 'non-incremental',
    'script:register_counter': 'incremental',
  });
  h.receive(request('OPTIONS', 'a3', 'sip:reset@127.0.0.1'), '127.0.0.11');
  assert.deepEqual(call(rt, 'get_statistics', { statistics: ['script:', 'calls:', 'dynamic:'] }).result, {
    'script:register_counter': 0,
    'calls:active': 6, // no_reset
    'dynamic:made_here': 0,
  });
  assert.equal(call(rt, 'reset_statistics', { statistics: ['mine:hits'] }).result, 'OK');
  assert.deepEqual(call(rt, 'get_statistics', { statistics: ['mine:hits'] }).result, { 'mine:hits': 0 });
});
