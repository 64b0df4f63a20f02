// Authentication inside a dialog, live (issue 21 §4): SIPp caller and callee
// through conformance/sip/dialog-auth.cfg (dialog + uac_auth). A challenged
// re-INVITE from the caller, a challenged BYE from the callee, and re-INVITEs
// from each side followed by the caller's BYE. The SIPp scenarios check every
// CSeq on both sides: the side that sent a request sees its own number in the
// replies; the far side sees numbers that keep rising after the proxy's
// authenticated copy (3.3's dialog lastGenCseq and uac_auth). The initial
// INVITE challenged too. Addresses:
// 127.0.118.0/24.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logsSettled, runSipp, SIP_DIR, SIPP, sippSkip, startServer, startUas, stopServers } from '../helpers/sipp.js';

interface Case {
  name: string;
  caller: string;
  callee: string;
  port: number;
  /** The proxy's uac_auth lines, in order. */
  answered: string[];
}

const CASES: Case[] = [
  {
    name: "the initial INVITE challenged by the callee (407), then the caller's ACK and BYE",
    caller: 'uac-dlg-invite-auth.xml',
    callee: 'uas-dlg-invite-auth.xml',
    port: 5380,
    answered: ['407 challenge for INVITE'],
  },
  {
    name: "a re-INVITE from the caller challenged by the callee (407), then the caller's BYE",
    caller: 'uac-dlg-reinvite-auth.xml',
    callee: 'uas-dlg-reinvite-auth.xml',
    port: 5381,
    answered: ['407 challenge for INVITE'],
  },
  {
    name: 'a BYE from the callee challenged by the caller (401)',
    caller: 'uac-dlg-bye-auth.xml',
    callee: 'uas-dlg-bye-auth.xml',
    port: 5382,
    answered: ['401 challenge for BYE'],
  },
  {
    name: "re-INVITEs from each side, each challenged by the other, then the caller's BYE",
    caller: 'uac-dlg-mixed-auth.xml',
    callee: 'uas-dlg-mixed-auth.xml',
    port: 5383,
    answered: ['407 challenge for INVITE', '401 challenge for INVITE'],
  },
];

const trace = (file: string): string => {
  try {
    return readFileSync(file, 'utf8').slice(-5000);
  } catch {
    return '(no trace)';
  }
};

for (const c of CASES) {
  test(`SIPp dialog + uac_auth: ${c.name}`, { skip: sippSkip(), timeout: 90000 }, async () => {
    assert.ok(SIPP, 'CI=true: SIPp must be installed (apt-get install -y sip-tester)');
    const dir = mkdtempSync(join(tmpdir(), 'osts-dlgauth-'));
    const callerTrace = join(dir, 'caller.log');
    const calleeTrace = join(dir, 'callee.log');
    const servers: { child: ChildProcess; log: string[] }[] = [];
    try {
      servers.push(await startServer({ cfg: `${SIP_DIR}dialog-auth.cfg`, sockets: 1 }));
      const callee = (await startUas({ scenario: c.callee, ip: '127.0.118.22', port: 5070, transport: 'u1', messageFile: calleeTrace }))
        .done;
      const caller = await runSipp(
        {
          scenario: c.caller,
          ip: '127.0.118.23',
          port: c.port,
          transport: 'u1',
          target: '127.0.118.21:5060',
          service: 'callee',
          messageFile: callerTrace,
        },
        true,
      );
      const b = await callee;
      await logsSettled(servers);
      const log = servers[0]!.log.join('');
      const detail = `proxy:\n${log.slice(-3000)}\ncaller:\n${trace(callerTrace)}\ncallee:\n${trace(calleeTrace)}`;
      assert.equal(caller.code, 0, `caller failed:\n${caller.out.slice(-1500)}\n${detail}`);
      assert.equal(b.code, 0, `callee failed:\n${b.out.slice(-1500)}\n${detail}`);
      const answered = [...log.matchAll(/answered the (\d+ challenge for \w+) of /g)].map((m) => m[1]);
      assert.deepEqual(answered, c.answered, detail);
    } finally {
      await stopServers(servers);
    }
  });
}
