// The core's statistics (core:, shmem:, pkmem:, net:), counted where the
// event happens, and read through get_statistics / list_statistics /
// reset_statistics in OpenSIPS's shapes; uptime with OpenSIPS's keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coreMi, ctime } from '../../src/core/mi-core.js';
import type { Runtime } from '../../src/script/runtime.js';
import { request, serverFor } from '../helpers/server.js';

const CFG = `socket=udp:127.0.0.1:5060
loadmodule "sl.so"
onreply_route {
\tif ($rs == 183) drop();
}
route {
\tif ($rU == "drop") exit;
\tforward("udp:127.0.0.20:5060");
}
`;

const mi = coreMi('0.0.0');
const call = (rt: Runtime, method: string, params?: unknown) =>
  mi.handle({ jsonrpc: '2.0', method, ...(params !== undefined ? { params } : {}), id: 1 }, rt)!;
const stats = (rt: Runtime, which: string[]) =>
  call(rt, 'get_statistics', { statistics: which }).result as Record<string, number>;

function reply(status: string, id: string, ourVia: boolean): string {
  const via = ourVia ? 'Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKx\r\n' : '';
  return `SIP/2.0 ${status}\r\n${via}Via: SIP/2.0/UDP 127.0.0.11:5060;branch=z9hG4bK-${id}\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: ${id}\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n`;
}

test('core: counts received, forwarded, dropped and bad messages where they happen', () => {
  const h = serverFor(CFG);
  const rt = h.server.rt;
  h.receive(request('INVITE', 'c1'), '127.0.0.11');
  h.receive(request('INVITE', 'c2'), '127.0.0.11');
  h.receive(reply('180 Ringing', 'c1', true), '127.0.0.20');
  h.receive(reply('183 Progress', 'c1', true), '127.0.0.20'); // dropped by onreply_route
  h.receive(reply('200 OK', 'c9', false), '127.0.0.20'); // first Via not ours: an error
  // 3.3's core does not compare the CSeq method with the request's: the script runs, the request is forwarded
  h.receive(request('OPTIONS', 'c3').replace('CSeq: 1 OPTIONS', 'CSeq: 1 INVITE'), '127.0.0.11');
  h.receive('INVITE sip:a@b SIP/2.0\r\nVia: garbage\r\n\r\n', '127.0.0.11'); // parse_msg fails: a bad header
  h.receive(request('INVITE', 'c5').replace(/Via: [^\r]*\r\n/, ''), '127.0.0.11'); // no Via: received, an error
  h.receive(request('INVITE', 'c4', 'nocolon'), '127.0.0.11'); // the script's $rU fails to parse it: a bad URI
  const s = stats(rt, ['core:']);
  assert.deepEqual(
    {
      rcv_requests: s['core:rcv_requests'],
      rcv_replies: s['core:rcv_replies'],
      fwd_requests: s['core:fwd_requests'],
      fwd_replies: s['core:fwd_replies'],
      drop_replies: s['core:drop_replies'],
      err_requests: s['core:err_requests'],
      err_replies: s['core:err_replies'],
      bad_URIs_rcvd: s['core:bad_URIs_rcvd'],
      bad_msg_hdr: s['core:bad_msg_hdr'],
    },
    {
      rcv_requests: 5,
      rcv_replies: 3,
      fwd_requests: 4,
      fwd_replies: 1,
      drop_replies: 1,
      err_requests: 1,
      err_replies: 1,
      bad_URIs_rcvd: 1,
      bad_msg_hdr: 1,
    },
  );
  assert.deepEqual(Object.keys(s), [
    'core:rcv_requests',
    'core:rcv_replies',
    'core:fwd_requests',
    'core:fwd_replies',
    'core:drop_requests',
    'core:drop_replies',
    'core:err_requests',
    'core:err_replies',
    'core:bad_URIs_rcvd',
    'core:bad_msg_hdr',
    'core:slow_messages',
    'core:timestamp',
  ]);
  h.clock.advance(7000);
  assert.equal(stats(rt, ['core:timestamp'])['core:timestamp'], 7, 'seconds since start-up');
});

test('reset_statistics zeroes a core counter; timestamp and memory are not incremental', () => {
  const h = serverFor(CFG);
  const rt = h.server.rt;
  h.receive(request('INVITE', 'r1'), '127.0.0.11');
  const kinds = call(rt, 'list_statistics', { statistics: ['core:', 'shmem:'] }).result as Record<string, string>;
  assert.equal(kinds['core:rcv_requests'], 'incremental');
  assert.equal(kinds['core:timestamp'], 'non-incremental');
  assert.equal(kinds['shmem:used_size'], 'non-incremental');
  assert.equal(call(rt, 'reset_statistics', { statistics: ['core:rcv_requests'] }).result, 'OK');
  assert.equal(stats(rt, ['core:rcv_requests'])['core:rcv_requests'], 0);
  assert.equal(stats(rt, ['core:fwd_requests'])['core:fwd_requests'], 1, 'the others stay');
});

test('shmem: is the V8 heap, pkmem: the process outside it, net: the bytes waiting to be sent', () => {
  const h = serverFor(CFG);
  const s = stats(h.server.rt, ['shmem:', 'net:', 'pkmem:']);
  assert.deepEqual(Object.keys(s), [
    'shmem:total_size',
    'shmem:used_size',
    'shmem:real_used_size',
    'shmem:max_used_size',
    'shmem:free_size',
    'shmem:fragments',
    'net:waiting_udp',
    'net:waiting_tcp',
    'net:waiting_tls',
    'pkmem:0-total_size',
    'pkmem:0-used_size',
    'pkmem:0-real_used_size',
    'pkmem:0-max_used_size',
    'pkmem:0-free_size',
    'pkmem:0-fragments',
  ]);
  assert.ok(s['shmem:used_size']! > 0 && s['shmem:used_size']! <= s['shmem:real_used_size']!);
  assert.ok(s['shmem:real_used_size']! <= s['shmem:max_used_size']!);
  assert.equal(s['shmem:free_size'], s['shmem:total_size']! - s['shmem:real_used_size']!);
  assert.ok(s['pkmem:0-total_size']! > 0);
  assert.equal(s['net:waiting_udp'], 0, 'a network without queues');
});

test('uptime: "Now", "Up since" and "Up time" as OpenSIPS, dates in ctime() form', () => {
  const h = serverFor(CFG);
  h.clock.advance(65_000);
  const r = call(h.server.rt, 'uptime').result as Record<string, string>;
  assert.deepEqual(Object.keys(r), ['Now', 'Up since', 'Up time']);
  assert.equal(r['Up time'], '65 [sec]');
  assert.match(r['Up since']!, /^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}$/);
  assert.equal(r['Up since'], ctime(h.server.rt.startedAt));
  assert.equal(ctime(new Date(2026, 11, 8, 0, 31, 1).getTime()), 'Tue Dec  8 00:31:01 2026');
});
