// script_trace(): each action logged before it runs, as action.c's __script_trace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sipEngine } from '../helpers/engine.js';
import { request } from '../helpers/server.js';

const LOAD = 'socket=udp:127.0.0.1:5060\nloadmodule "sl.so"\n';

test('script_trace(level, format, info): every action after it logged before it runs, until script_trace()', () => {
  const e = sipEngine(`${LOAD}route {
\tscript_trace(1, "$rm from $si", "t1");
\t$var(x) = 1;
\tif ($var(x) == 1) {
\t\txlog("L_ERR", "hi\\n");
\t}
\troute(r);
\tscript_trace();
\t$var(y) = 2;
}
route[r] {
\treturn;
}
`);
  e.send(Buffer.from(request('INVITE', 'st1')));
  const traces = e.logs
    .filter((l) => l.includes('[Script Trace]'))
    .map((l) => l.slice(l.indexOf('[Script Trace]')).trim());
  assert.deepEqual(traces, [
    '[Script Trace][/t/test.cfg:5][t1][assign equal] -> (INVITE from 127.0.0.1)',
    '[Script Trace][/t/test.cfg:6][t1][core if] -> (INVITE from 127.0.0.1)',
    '[Script Trace][/t/test.cfg:7][t1][core xlog] -> (INVITE from 127.0.0.1)',
    '[Script Trace][/t/test.cfg:9][t1][route r] -> (INVITE from 127.0.0.1)',
    '[Script Trace][/t/test.cfg:14][t1][core return] -> (INVITE from 127.0.0.1)',
    '[Script Trace][/t/test.cfg:10][t1][module script_trace] -> (INVITE from 127.0.0.1)',
  ]);
});
