// create_dialog's pinging, live (issue 19): SIPp caller and callee through
// conformance/sip/dialog-ping.cfg (an OPTIONS ping every second, fr_timeout
// 2 s). A callee that stops answering gets the call ended with a BYE to each
// side; healthy calls are pinged and go on until a side hangs up, and the
// BYE relayed to the pinged leg continues the pings' CSeq numbers while its
// 200 goes back with the sender's own number. The SIPp message traces are
// read to check every number. Addresses: 127.0.44.0/24.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logsSettled, runSipp, SIP_DIR, SIPP, sippSkip, startServer } from '../helpers/sipp.js';

interface Case {
  name: string;
  /** create_dialog's flags, as the INVITE's R-URI user. */
  flags: string;
  caller: string;
  callee: string;
  port: number;
  /** Checks on the requests each side received (first line and CSeq, in order) and the proxy's log. */
  check(callerGot: Received[], calleeGot: Received[], log: string, calleeTrace: string): void;
}

interface Received {
  method: string;
  cseq: number;
}

/** The requests a SIPp trace shows as received, in order, retransmissions (same branch) once. */
function received(trace: string): Received[] {
  const out: Received[] = [];
  const seen = new Set<string>();
  for (const block of trace.split(/-{10,} [^\n]*\n/)) {
    const m = /^UDP message received \[\d+\] bytes :\s*\n+([A-Z]+) [^\n]*\n([\s\S]*)/m.exec(block);
    if (!m) continue;
    const branch = /branch=([^;\s]+)/.exec(m[2]!)?.[1] ?? String(out.length);
    const cseq = /\nCSeq:\s*(\d+)/i.exec(`\n${m[2]!}`)?.[1];
    if (seen.has(branch) || !cseq) continue;
    seen.add(branch);
    out.push({ method: m[1]!, cseq: Number(cseq) });
  }
  return out;
}

/** The CSeq numbers of the OPTIONS pings, then the BYE's: the BYE is the next number after the last ping. */
function pingsThenBye(got: Received[], firstPing: number): void {
  const pings = got.filter((r) => r.method === 'OPTIONS').map((r) => r.cseq);
  const bye = got.find((r) => r.method === 'BYE');
  assert.ok(pings.length >= 1, `pinged: ${JSON.stringify(got)}`);
  assert.deepEqual(
    pings,
    pings.map((_, i) => firstPing + i),
    'each ping takes the next number',
  );
  assert.equal(bye?.cseq, pings[pings.length - 1]! + 1, `the BYE after the pings: ${JSON.stringify(got)}`);
}

const CASES: Case[] = [
  {
    name: 'a callee that stops answering its pings: the call is ended with a BYE to each side',
    flags: 'p',
    caller: 'dlg-ping-uac-wait.xml',
    callee: 'dlg-ping-uas-dead.xml',
    port: 5391,
    check: (callerGot, calleeGot, log) => {
      assert.deepEqual(callerGot, [{ method: 'BYE', cseq: 2 }], "the caller's BYE: the INVITE's CSeq plus one");
      pingsThenBye(calleeGot, 2);
      assert.equal(calleeGot.filter((r) => r.method === 'OPTIONS').length, 2, 'the second ping was never answered');
      assert.match(log, /terminating dialog due to ping timeout on callee leg/);
      assert.match(log, /ended: Ping Timeout/);
    },
  },
  {
    name: "a healthy call: the callee answers its pings, the call goes on, the caller's BYE reaches it after the pings",
    flags: 'p',
    caller: 'dlg-ping-uac-bye.xml',
    callee: 'dlg-ping-uas-wait.xml',
    port: 5392,
    check: (callerGot, calleeGot, log) => {
      assert.deepEqual(callerGot, [], 'the caller is not pinged');
      pingsThenBye(calleeGot, 2);
      assert.match(log, /BYE of dialog \S+ going downstream with CSeq 2/);
      assert.doesNotMatch(log, /terminating dialog/);
    },
  },
  {
    name: "a healthy call with the caller pinged: the callee's BYE reaches the caller after the pings, its 200 back with CSeq 1",
    flags: 'P',
    caller: 'dlg-ping-uac-wait.xml',
    callee: 'dlg-ping-uas-bye.xml',
    port: 5393,
    check: (callerGot, calleeGot, log) => {
      pingsThenBye(callerGot, 2);
      assert.deepEqual(calleeGot, [
        { method: 'INVITE', cseq: 1 },
        { method: 'ACK', cseq: 1 },
      ]);
      assert.match(log, /BYE of dialog \S+ going upstream with CSeq 1/);
      assert.doesNotMatch(log, /terminating dialog/);
    },
  },
  {
    name: "re-INVITE pinging of the callee: each re-INVITE carries the caller's SDP and is ACKed with its CSeq; the caller's BYE follows them",
    flags: 'r',
    caller: 'dlg-ping-uac-bye.xml',
    callee: 'dlg-ping-uas-reinvite.xml',
    port: 5394,
    check: (callerGot, calleeGot, log, calleeTrace) => {
      assert.deepEqual(callerGot, [], 'the caller is not pinged');
      const pings = calleeGot.slice(2, -1);
      assert.ok(pings.length >= 2, `re-INVITE pings: ${JSON.stringify(calleeGot)}`);
      const expected = pings.map((_, i) => ({ method: i % 2 ? 'ACK' : 'INVITE', cseq: 2 + Math.floor(i / 2) }));
      assert.deepEqual(pings, expected, 'each re-INVITE then its ACK with the same number');
      assert.deepEqual(calleeGot.at(-1), { method: 'BYE', cseq: pings.at(-1)!.cseq + 1 });
      const reinvites = calleeTrace.split(/-{10,} [^\n]*\n/).filter((b) => /received[^\n]*\n+INVITE /.test(b));
      assert.ok(reinvites.slice(1).every((b) => b.includes('o=caller 1 1')), "the re-INVITEs carry the caller's SDP");
      assert.match(log, /BYE of dialog \S+ going downstream with CSeq 2/);
      assert.doesNotMatch(log, /terminating dialog/);
    },
  },
];

const read = (file: string): string => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
};

for (const c of CASES) {
  test(`SIPp dialog pinging: ${c.name}`, { skip: sippSkip(), timeout: 90000 }, async () => {
    assert.ok(SIPP, 'CI=true: SIPp must be installed (apt-get install -y sip-tester)');
    const dir = mkdtempSync(join(tmpdir(), 'osts-dlgping-'));
    const callerTrace = join(dir, 'caller.log');
    const calleeTrace = join(dir, 'callee.log');
    const servers: { child: ChildProcess; log: string[] }[] = [];
    try {
      servers.push(await startServer({ cfg: `${SIP_DIR}dialog-ping.cfg`, sockets: 1 }));
      const callee = runSipp(
        { scenario: c.callee, ip: '127.0.44.2', port: 5070, transport: 'u1', messageFile: calleeTrace },
        false,
      );
      await new Promise((r) => setTimeout(r, 500));
      const caller = await runSipp(
        {
          scenario: c.caller,
          ip: '127.0.44.3',
          port: c.port,
          transport: 'u1',
          target: '127.0.44.1:5060',
          service: c.flags,
          messageFile: callerTrace,
        },
        true,
      );
      const b = await callee;
      await logsSettled(servers);
      const log = servers[0]!.log.join('');
      const a = read(callerTrace);
      const z = read(calleeTrace);
      const detail = `proxy:\n${log.slice(-3000)}\ncaller:\n${a.slice(-4000)}\ncallee:\n${z.slice(-4000)}`;
      assert.equal(caller.code, 0, `caller failed:\n${caller.out.slice(-1500)}\n${detail}`);
      assert.equal(b.code, 0, `callee failed:\n${b.out.slice(-1500)}\n${detail}`);
      const callerGot = received(a).filter((r) => r.method !== 'INVITE' || r.cseq !== 1);
      try {
        c.check(callerGot, received(z), log, z);
      } catch (err) {
        (err as Error).message += `\n${detail}`;
        throw err;
      }
    } finally {
      for (const s of servers) s.child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 300));
      for (const s of servers) if (s.child.exitCode === null) s.child.kill('SIGKILL');
    }
  });
}
