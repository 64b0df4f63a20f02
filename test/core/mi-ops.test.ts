// The core's operational MI commands in OpenSIPS 3.3's shapes: ps, per-process
// log_level, mem dumps, list_tcp_conns, and reload_routes (swap on success,
// refuse with the errors and keep the running routes otherwise).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { put } from '../../src/base/keys.js';
import { coreMi } from '../../src/core/mi-core.js';
import { CFG_SOURCE } from '../../src/core/reload.js';
import { NETWORK_STATUS } from '../../src/net/types.js';
import type { Runtime } from '../../src/script/runtime.js';
import { request, scriptLines, serverFor } from '../helpers/server.js';

const CFG = `socket=udp:127.0.0.1:5060
loadmodule "sl.so"
route {
\txlog("L_NOTICE", "first $rm\\n");
\tsl_send_reply(200, "OK");
}
`;

const mi = coreMi('0.0.0');
const call = (rt: Runtime, method: string, params?: unknown) =>
  mi.handle({ jsonrpc: '2.0', method, ...(params !== undefined ? { params } : {}), id: 1 }, rt)!;

test('ps: the jobs OpenSIPS runs as processes, with this PID', () => {
  const rt = serverFor(CFG).server.rt;
  const ps = (call(rt, 'ps').result as { Processes: { ID: number; PID: number; Type: string }[] }).Processes;
  assert.deepEqual(
    ps.map((p) => p.Type),
    ['attendant', 'SIP receiver udp:127.0.0.1:5060', 'time_keeper', 'timer'],
  );
  assert.deepEqual(
    ps.map((p) => [p.ID, p.PID]),
    ps.map((_p, i) => [i, process.pid]),
  );
});

test('log_level: every process, the global level, one process by PID, a bad PID', () => {
  const rt = serverFor(CFG).server.rt;
  const list = (call(rt, 'log_level').result as { Processes: Record<string, unknown>[] }).Processes;
  assert.deepEqual(Object.keys(list[0]!), ['PID', 'Log level', 'Type']);
  assert.deepEqual(call(rt, 'log_level', { level: 3 }).result, { 'New global log level': 3 });
  assert.equal(rt.logger.logLevel, 3);
  assert.deepEqual(call(rt, 'log_level', [1, process.pid]).result, { 'Log level': 1 });
  assert.equal(rt.logger.logLevel, 1);
  assert.deepEqual(call(rt, 'log_level', { level: 4, pid: 1 }).error, {
    code: -32602,
    message: 'Invalid params',
    data: 'Bad PID',
  });
});

test('mem_shm_dump / mem_pkg_dump log the heap; a PID not ours is not found', () => {
  const h = serverFor(CFG);
  assert.equal(call(h.server.rt, 'mem_shm_dump', { log_level: 1 }).result, 'OK');
  assert.ok(h.logs.some((l) => /mem_dump: Memory status \(shm\): heap_size_limit=\d+/.test(l)));
  assert.equal(call(h.server.rt, 'mem_pkg_dump', [process.pid]).result, 'OK');
  assert.deepEqual(call(h.server.rt, 'mem_pkg_dump', [1]).error, { code: 404, message: 'Process not found' });
});

test('list_tcp_conns: ID, Type, State, Remote, Local, Lifetime', () => {
  const rt = serverFor(CFG).server.rt;
  const expires = new Date(2026, 0, 2, 3, 4, 5).getTime();
  put(rt.services, NETWORK_STATUS, {
    waitingBytes: () => 0,
    connections: () => [
      {
        id: 7,
        proto: 'tcp',
        local: { proto: 'tcp', ip: '127.0.0.1', port: 5060 },
        remote: { proto: 'tcp', ip: '127.0.0.9', port: 40000 },
        expires,
      },
    ],
  });
  assert.deepEqual(call(rt, 'list_tcp_conns').result, {
    Connections: [
      {
        ID: 7,
        Type: 'tcp',
        State: 0,
        Remote: '127.0.0.9:40000',
        Local: '127.0.0.1:5060',
        Lifetime: '2026-01-02 03:04:05',
      },
    ],
  });
});

test('reload_routes: the new routes run at once; a broken cfg is refused with its errors and the old routes stay', () => {
  const h = serverFor(CFG);
  const rt = h.server.rt;
  let text = CFG.replace('first', 'second');
  put(rt.services, CFG_SOURCE, { file: '/t/h.cfg', profile: { strict: false }, cwd: '/t', readFile: () => text });
  h.receive(request('OPTIONS', 'r1'), '127.0.0.11');
  assert.equal(call(rt, 'reload_routes').result, 'OK');
  h.receive(request('OPTIONS', 'r2'), '127.0.0.11');
  text = CFG.replace('sl_send_reply(200, "OK");', 'sl_send_reply(200, "OK";');
  const refused = call(rt, 'reload_routes').error as { code: number; message: string; data: string };
  assert.deepEqual([refused.code, refused.message], [500, 'reload failed']);
  assert.match(refused.data, /^\/t\/h\.cfg:5:\d+: /);
  text = CFG.replace('sl_send_reply(200, "OK");', 't_relay();');
  assert.match((call(rt, 'reload_routes').error as { data: string }).data, /module tm is not loaded/);
  h.receive(request('OPTIONS', 'r3'), '127.0.0.11');
  assert.deepEqual(scriptLines(h.logs), ['first OPTIONS', 'second OPTIONS', 'second OPTIONS']);
});
