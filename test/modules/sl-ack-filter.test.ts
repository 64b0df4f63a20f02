// sl's ACK filter (sl_filter_ACK): the ACK to one of sl's own stateless
// replies is dropped before the script, for SL_RPL_WAIT_TIME (2 s) after sl
// last replied; other ACKs reach the script.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serverFor, request } from '../helpers/server.js';
import { dryRun } from '../../src/dryrun/dryrun.js';

const CFG =
  'socket=udp:127.0.0.1:5060\nloadmodule "sl.so"\nloadmodule "sipmsgops.so"\n' +
  'route {\n  xlog("L_ERR", "script saw $rm\\n");\n  if (is_method("INVITE")) sl_send_reply(404, "Not Here");\n}\n';

function ackFor(id: string, toTag: string): string {
  return request('ACK', id).replace('To: <sip:1001@127.0.0.1>\r\n', `To: <sip:1001@127.0.0.1>;tag=${toTag}\r\n`);
}

const sawAck = (logs: string[]): number => logs.filter((l) => l.includes('script saw ACK')).length;

test("the ACK to sl's 404 never reaches the script; an ACK with another tag does", () => {
  const h = serverFor(CFG);
  h.receive(request('INVITE', 'f1'), '127.0.0.11');
  const tag = /\r\nTo: <sip:1001@127\.0\.0\.1>;tag=([^\r]+)\r\n/.exec(h.sent[0]!.text)![1]!;
  h.receive(ackFor('f1', tag), '127.0.0.11');
  assert.equal(sawAck(h.logs), 0, 'dropped by sl');
  h.receive(ackFor('f1', 'someone-else'), '127.0.0.11');
  assert.equal(sawAck(h.logs), 1, 'not our tag: the script runs');
  h.receive(request('INVITE', 'f1'), '127.0.0.11');
  assert.equal(
    /tag=([^\r]+)\r\n/.exec(h.sent[1]!.text.split('\r\nTo: ')[1]!)![1],
    tag,
    'a retransmitted INVITE gets the same tag',
  );
});

test("two seconds after sl's last reply the filter stops looking: the ACK goes to the script", () => {
  const h = serverFor(CFG);
  h.receive(request('INVITE', 'f2'), '127.0.0.11');
  const tag = /\r\nTo: <sip:1001@127\.0\.0\.1>;tag=([^\r]+)\r\n/.exec(h.sent[0]!.text)![1]!;
  h.clock.advance(2500);
  h.receive(ackFor('f2', tag), '127.0.0.11');
  assert.equal(sawAck(h.logs), 1);
});

test('dry-run reports the ACK as dropped by sl before the script', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sl-ack-'));
  writeFileSync(join(dir, 'a.cfg'), CFG);
  const invite = { file: 'invite.sip', bytes: Buffer.from(request('INVITE', 'f3')) };
  const first = dryRun(join(dir, 'a.cfg'), [invite], {
    profile: { strict: false },
    src: { proto: 'udp', ip: '127.0.0.11', port: 5060 },
    timeMs: Date.UTC(2026, 10, 25, 12),
    stubs: new Map(),
  });
  const tag = /\r\nTo: <sip:1001@127\.0\.0\.1>;tag=([^\r]+)\r\n/.exec(first.runs[0]!.sent[0]!.text)![1]!;
  const r = dryRun(join(dir, 'a.cfg'), [invite, { file: 'ack.sip', bytes: Buffer.from(ackFor('f3', tag)) }], {
    profile: { strict: false },
    src: { proto: 'udp', ip: '127.0.0.11', port: 5060 },
    timeMs: Date.UTC(2026, 10, 25, 12),
    stubs: new Map(),
  });
  assert.equal(r.runs[1]!.filteredBy, 'sl (sl_filter_ACK): local ACK found -> dropping it');
  assert.deepEqual(r.runs[1]!.trace, [], 'the script did not run');
});
