// SIPp conformance: real `sipp` (Debian package sip-tester) against
// `opensips-ts run` on loopback. Each case starts the servers it needs, runs
// the SIPp UAS (if any) and UAC, and asserts that every SIPp call succeeded.
// Every address is in 127.0.0.0/8; every run is bounded by SIPp's -timeout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';

import { ROOT, SIP_DIR, SIPP, logsSettled, startServer, runSipp, sendGarbage, sippSkip, type Case, type Server, type Sipp, startUas, stopServers } from '../helpers/sipp.js';

const PROXY: Server = { cfg: `${SIP_DIR}proxy.cfg`, sockets: 2 };
const UAC = (scenario: string, service: string, transport: 'u1' | 't1' = 'u1', port = 5301): Sipp => ({ scenario, ip: '127.0.20.3', port, transport, target: '127.0.20.1:5060', service });
const UAS = (scenario: string, transport: 'u1' | 't1' = 'u1'): Sipp => ({ scenario, ip: '127.0.20.2', port: 5070, transport });

/** The blog mid_registrar cfg with mode 1 and outgoing_expires 3600 (blog-observations: "much larger"); xlog_level 3 prints its "absorbed" line. */
const MID_MODE1 = `${mkdtempSync(`${tmpdir()}/opensips-ts-mode1-`)}/mid-mode1.cfg`;
writeFileSync(MID_MODE1, 'xlog_level=3\n' + readFileSync(`${ROOT}conformance/blog/blog-mid-registrar.cfg`, 'utf8')
  .replace('modparam("mid_registrar", "mode", 0)', 'modparam("mid_registrar", "mode", 1)')
  .replace('modparam("mid_registrar", "outgoing_expires", 80)', 'modparam("mid_registrar", "outgoing_expires", 3600)'));

const CASES: Case[] = [
  { name: 'OPTIONS answered statelessly (sl_send_reply), UDP', servers: [PROXY], uac: UAC('uac-options.xml', 'ping') },
  { name: 'Max-Forwards exhausted: 483 (mf_process_maxfwd_header)', servers: [PROXY], uac: UAC('uac-options-483.xml', 'ping', 'u1', 5302) },
  { name: 'nobody answers: tm sends 408 after fr_timeout', servers: [PROXY], uac: UAC('uac-options-408.xml', 'nobody', 'u1', 5303) },
  { name: 'stateful proxy: INVITE/ACK/BYE with Record-Route and loose routing, UDP', servers: [PROXY], uas: UAS('uas-invite.xml'), uac: UAC('uac-invite.xml', 'service', 'u1', 5304) },
  { name: 'stateful proxy: INVITE/ACK/BYE with Record-Route and loose routing, TCP', servers: [PROXY], uas: UAS('uas-invite.xml', 't1'), uac: UAC('uac-invite.xml', 'service', 't1', 5305) },
  { name: 'CANCEL of a ringing INVITE: 200 for the CANCEL, 487 relayed, ACK absorbed', servers: [PROXY], uas: UAS('uas-cancel.xml'), uac: UAC('uac-cancel.xml', 'service', 'u1', 5306) },
  { name: 'failure_route: the callee answers 486, t_on_failure answers 480, tm ACKs the 486', servers: [PROXY], uas: UAS('uas-busy.xml'), uac: UAC('uac-busy.xml', 'busy', 'u1', 5309) },
  {
    name: 'uac_auth: the trunk\'s 401 answered in failure_route (SIPp verifies the digest), the call completes with the caller\'s CSeq kept',
    servers: [{ cfg: `${SIP_DIR}uac-auth.cfg`, sockets: 1 }],
    uas: { scenario: 'uas-auth.xml', ip: '127.0.24.2', port: 5070, transport: 'u1' },
    uac: { scenario: 'uac-invite.xml', ip: '127.0.24.3', port: 5315, transport: 'u1', target: '127.0.24.1:5060', service: 'trunk' },
    after: ([log]) => assert.match(log!, /answered the challenge of /),
  },
  {
    name: 'garbage and torn messages over UDP and TCP, then a call still completes', servers: [PROXY],
    before: () => sendGarbage('127.0.20.1', 5060), uas: UAS('uas-invite.xml'), uac: UAC('uac-invite.xml', 'service', 'u1', 5307),
  },
  {
    name: 'blog-registrar.cfg verbatim (--map) relays REGISTERs to an upstream registrar; the 200 OK comes back; a retransmission is answered again',
    servers: [
      { cfg: `${ROOT}conformance/upstream/registrar.cfg`, maps: ['172.16.4.114=127.0.4.114'], sockets: 2 },
      { cfg: `${ROOT}conformance/blog/blog-registrar.cfg`, maps: ['172.16.4.111=127.0.4.111', '172.16.4.114=127.0.4.114'], sockets: 3 },
    ],
    uac: { scenario: 'uac-register.xml', ip: '127.0.4.1', port: 5308, transport: 'u1', target: '127.0.4.111:5360', calls: 3 },
  },
  {
    name: 'blog-mid-registrar.cfg verbatim (mode 0): REGISTERs forwarded with ctid contacts, the UA is told min(130, upstream 600) = 130',
    servers: [
      { cfg: `${ROOT}conformance/upstream/registrar.cfg`, maps: ['172.16.4.114=127.0.4.114'], sockets: 2 },
      { cfg: `${ROOT}conformance/blog/blog-mid-registrar.cfg`, maps: ['172.16.4.111=127.0.4.111', '172.16.4.114=127.0.4.114'], sockets: 4 },
    ],
    uac: { scenario: 'uac-register-mid.xml', ip: '127.0.4.2', port: 5311, transport: 'u1', target: '127.0.4.111:5360', calls: 3 },
  },
  {
    name: 'blog mid_registrar in mode 1 (outgoing_expires 3600): the first REGISTER is forwarded, the refresh absorbed; the UA is told 130 both times',
    servers: [
      { cfg: `${ROOT}conformance/upstream/registrar.cfg`, maps: ['172.16.4.114=127.0.4.114'], sockets: 2 },
      { cfg: MID_MODE1, maps: ['172.16.4.111=127.0.4.111', '172.16.4.114=127.0.4.114'], sockets: 4 },
    ],
    uac: { scenario: 'uac-register-mid-refresh.xml', ip: '127.0.4.5', port: 5313, transport: 'u1', target: '127.0.4.111:5360', calls: 3 },
    after: ([, mid]) => assert.equal((mid!.match(/REGISTER has been absorbed!/g) ?? []).length, 3, `one refresh absorbed per call:\n${mid!.slice(-2000)}`),
  },
];

for (const c of CASES) {
  test(`SIPp: ${c.name}`, { skip: sippSkip(), timeout: 90000 }, async () => {
    assert.ok(SIPP, 'CI=true: SIPp must be installed (apt-get install -y sip-tester)');
    const servers: { child: ChildProcess; log: string[] }[] = [];
    try {
      for (const s of c.servers) servers.push(await startServer(s));
      if (c.before) await c.before();
      const uas = c.uas ? (await startUas(c.uas)).done : undefined;
      const uac = await runSipp(c.uac, true);
      const uasResult = uas ? await uas : undefined;
      const logs = servers.map((s) => s.log.join('')).join('\n---\n');
      assert.equal(uac.code, 0, `SIPp UAC failed (exit ${uac.code}):\n${uac.out.slice(-3000)}\nserver logs:\n${logs.slice(-3000)}`);
      if (uasResult) assert.equal(uasResult.code, 0, `SIPp UAS failed (exit ${uasResult.code}):\n${uasResult.out.slice(-3000)}\nserver logs:\n${logs.slice(-3000)}`);
      for (const s of servers) assert.equal(s.child.exitCode, null, 'the server is still running');
      if (c.after) { await logsSettled(servers); c.after(servers.map((s) => s.log.join(''))); }
    } finally {
      await stopServers(servers);
    }
  });
}

// Runs after the cases above (same file: sequential), since it uses the same loopback addresses.
test('SIPp: the main job (npm start) serves the blog mid_registrar config with its embedded upstream registrar', { skip: sippSkip(), timeout: 120000 }, async () => {
  assert.ok(SIPP, 'CI=true: SIPp must be installed (apt-get install -y sip-tester)');
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, ['--import', 'tsx', `${ROOT}src/cli/main-job.ts`, '--seconds=120'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`main job did not start:\n${log}`)), 120_000);
    const on = (d: Buffer): void => { log += d.toString(); if (log.includes('is running')) { clearTimeout(t); resolve(); } };
    child.stdout.on('data', on);
    child.stderr.on('data', on);
  });
  try {
    const uac = await runSipp({ scenario: 'uac-register-mid.xml', ip: '127.0.4.3', port: 5312, transport: 'u1', target: '127.0.4.111:5360', calls: 2 }, true);
    assert.equal(uac.code, 0, `${uac.out.slice(-2000)}\n${log.slice(-2000)}`);
  } finally {
    await stopServers([{ child }]);
  }
});
