// SIPp conformance: real `sipp` (Debian package sip-tester) against
// `opensips-ts run` on loopback. Each case starts the servers it needs, runs
// the SIPp UAS (if any) and UAC, and asserts that every SIPp call succeeded.
// Every address is in 127.0.0.0/8; every run is bounded by SIPp's -timeout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';

const ROOT = new URL('../../', import.meta.url).pathname;
const SIP_DIR = `${ROOT}conformance/sip/`;
const SIPP = spawnSync('sh', ['-c', 'command -v sipp'], { encoding: 'utf8' }).stdout.trim();

if (!SIPP) {
  const line = 'SIPp not found: the SIPp conformance cases are SKIPPED. Install it with `apt-get install -y sip-tester` (Debian package sip-tester).';
  process.stderr.write(`\n${'!'.repeat(line.length)}\n${line}\n${'!'.repeat(line.length)}\n\n`);
}

interface Server { cfg: string; maps?: string[]; sockets: number }
interface Sipp { scenario: string; ip: string; port: number; transport: 'u1' | 't1'; target?: string; service?: string; calls?: number }
interface Case { name: string; servers: Server[]; uas?: Sipp; uac: Sipp; before?: () => Promise<void> }

function startServer(s: Server): Promise<{ child: ChildProcess; log: string[] }> {
  const args = ['--import', 'tsx', `${ROOT}src/cli/bin.ts`, 'run', s.cfg, ...(s.maps ?? []).flatMap((m) => ['--map', m])];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const log: string[] = [];
  return new Promise((resolve, reject) => {
    let listening = 0;
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`server ${s.cfg} did not start:\n${log.join('')}`)); }, 20000);
    const onData = (d: Buffer): void => {
      const text = d.toString();
      log.push(text);
      listening += (text.match(/listening on /g) ?? []).length;
      if (listening >= s.sockets) { clearTimeout(timer); resolve({ child, log }); }
    };
    child.stderr!.on('data', onData);
    child.stdout!.on('data', onData);
    child.on('exit', (code) => { clearTimeout(timer); if (listening < s.sockets) reject(new Error(`server exited with ${code}:\n${log.join('')}`)); });
  });
}

function runSipp(p: Sipp, uac: boolean): Promise<{ code: number | null; out: string }> {
  const args = [
    ...(uac ? [p.target!, '-s', p.service ?? 'service'] : []),
    '-sf', `${SIP_DIR}${p.scenario}`, '-m', String(p.calls ?? 1), '-i', p.ip, '-p', String(p.port), '-t', p.transport,
    '-timeout', '20s', '-timeout_error', '-nostdin', '-buff_size', '4194304', '-max_recv_loops', '1000',
  ];
  const child = spawn(SIPP, args, { cwd: '/tmp', stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 30000);
    child.on('exit', (code) => { clearTimeout(kill); resolve({ code, out }); });
  });
}

/** Garbage and torn messages over UDP and TCP: the server must answer 400 or drop, and keep serving. */
async function sendGarbage(ip: string, port: number): Promise<void> {
  const junk = [
    Buffer.from('this is not SIP at all\r\n\r\n'),
    Buffer.from('INVITE sip:x@y SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK1\r\nContent-Length: 99999\r\n\r\nabc'),
    Buffer.from([0, 1, 2, 3, 255, 254, 13, 10, 13, 10]),
    Buffer.from('OPTIONS sip:ping@127.0.20.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.20.3:5099;branch=z9hG4bK-torn\r\nFrom: <sip:a@b>;tag=1\r\nCSeq: 1 OPTIONS\r\n'),
  ];
  const udp = dgram.createSocket('udp4');
  await new Promise<void>((r) => udp.bind(0, '127.0.20.3', () => r()));
  for (const j of junk) udp.send(j, port, ip);
  await new Promise((r) => setTimeout(r, 200));
  udp.close();
  await new Promise<void>((resolve) => {
    const c = net.connect({ host: ip, port, localAddress: '127.0.20.3' }, () => {
      c.write('REGISTER sip:x SIP/2.0\r\nContent-Length: abc\r\n\r\n');
      c.write(Buffer.from([0xff, 0xfe, 0x00, 0x0d, 0x0a]));
      setTimeout(() => { c.destroy(); resolve(); }, 200);
    });
    c.on('error', () => resolve());
  });
}

const PROXY: Server = { cfg: `${SIP_DIR}proxy.cfg`, sockets: 2 };
const UAC = (scenario: string, service: string, transport: 'u1' | 't1' = 'u1', port = 5301): Sipp => ({ scenario, ip: '127.0.20.3', port, transport, target: '127.0.20.1:5060', service });
const UAS = (scenario: string, transport: 'u1' | 't1' = 'u1'): Sipp => ({ scenario, ip: '127.0.20.2', port: 5070, transport });

const CASES: Case[] = [
  { name: 'OPTIONS answered statelessly (sl_send_reply), UDP', servers: [PROXY], uac: UAC('uac-options.xml', 'ping') },
  { name: 'Max-Forwards exhausted: 483 (mf_process_maxfwd_header)', servers: [PROXY], uac: UAC('uac-options-483.xml', 'ping', 'u1', 5302) },
  { name: 'nobody answers: tm sends 408 after fr_timeout', servers: [PROXY], uac: UAC('uac-options-408.xml', 'nobody', 'u1', 5303) },
  { name: 'stateful proxy: INVITE/ACK/BYE with Record-Route and loose routing, UDP', servers: [PROXY], uas: UAS('uas-invite.xml'), uac: UAC('uac-invite.xml', 'service', 'u1', 5304) },
  { name: 'stateful proxy: INVITE/ACK/BYE with Record-Route and loose routing, TCP', servers: [PROXY], uas: UAS('uas-invite.xml', 't1'), uac: UAC('uac-invite.xml', 'service', 't1', 5305) },
  { name: 'CANCEL of a ringing INVITE: 200 for the CANCEL, 487 relayed, ACK absorbed', servers: [PROXY], uas: UAS('uas-cancel.xml'), uac: UAC('uac-cancel.xml', 'service', 'u1', 5306) },
  { name: 'failure_route: the callee answers 486, t_on_failure answers 480, tm ACKs the 486', servers: [PROXY], uas: UAS('uas-busy.xml'), uac: UAC('uac-busy.xml', 'busy', 'u1', 5309) },
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
];

for (const c of CASES) {
  test(`SIPp: ${c.name}`, { skip: !SIPP && !process.env.CI ? 'sipp is not installed (Debian package sip-tester)' : false, timeout: 90000 }, async () => {
    assert.ok(SIPP, 'CI=true: SIPp must be installed (apt-get install -y sip-tester)');
    const servers: { child: ChildProcess; log: string[] }[] = [];
    try {
      for (const s of c.servers) servers.push(await startServer(s));
      if (c.before) await c.before();
      const uas = c.uas ? runSipp(c.uas, false) : undefined;
      if (uas) await new Promise((r) => setTimeout(r, 500));
      const uac = await runSipp(c.uac, true);
      const uasResult = uas ? await uas : undefined;
      const logs = servers.map((s) => s.log.join('')).join('\n---\n');
      assert.equal(uac.code, 0, `SIPp UAC failed (exit ${uac.code}):\n${uac.out.slice(-3000)}\nserver logs:\n${logs.slice(-3000)}`);
      if (uasResult) assert.equal(uasResult.code, 0, `SIPp UAS failed (exit ${uasResult.code}):\n${uasResult.out.slice(-3000)}\nserver logs:\n${logs.slice(-3000)}`);
      for (const s of servers) assert.equal(s.child.exitCode, null, 'the server is still running');
    } finally {
      for (const s of servers) s.child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 300));
      for (const s of servers) if (s.child.exitCode === null) s.child.kill('SIGKILL');
    }
  });
}
