// topology_hiding live: real SIPp on both sides of `opensips-ts run` with
// conformance/sip/topology-hiding.cfg (127.0.116.x). Each side checks in its
// scenario what it sees of the other (one Via, no Record-Route, the proxy's
// Contact, the masked Call-ID on the callee's side) and the calls complete:
// INVITE/ACK/BYE from the caller, re-INVITEs from both sides and the callee's
// BYE, CANCEL, a 302, and a call without a dialog (the Contact carries the route);
// and the dialog module's B flag on the wire (conformance/sip/dialog-bye.cfg).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { SIP_DIR, SIPP, logsSettled, runSipp, sippSkip, startServer, type Case, type Sipp, startUas, stopServers } from '../helpers/sipp.js';

const TH = { cfg: `${SIP_DIR}topology-hiding.cfg`, sockets: 1 };
const UAC = (scenario: string, service: string, port: number): Sipp => ({ scenario, ip: '127.0.116.3', port, transport: 'u1', target: '127.0.116.1:5060', service });
const UAS = (scenario: string): Sipp => ({ scenario, ip: '127.0.116.2', port: 5070, transport: 'u1' });

const CASES: Case[] = [
  {
    name: 'INVITE/ACK/BYE from the caller, Call-ID masked towards the callee',
    servers: [TH], uas: UAS('uas-invite.xml'), uac: UAC('uac-invite.xml', 'service', 5341),
    after: ([log]) => assert.match(log!, /sequential BYE of \S+ to sip:127\.0\.116\.2:5070;transport=UDP/),
  },
  {
    name: 're-INVITE from each side and BYE from the callee; each side sees only the proxy',
    servers: [TH], uas: UAS('th-uas-reinvite.xml'), uac: UAC('th-uac-reinvite.xml', 'service', 5342),
    after: ([log]) => {
      assert.match(log!, /sequential INVITE of \S+ to sip:callee@127\.0\.116\.2:5070/);
      assert.match(log!, /sequential INVITE of \S+ to sip:caller@127\.0\.116\.3:5342/);
      assert.match(log!, /sequential BYE of \S+ to sip:caller@127\.0\.116\.3:5342/);
      assert.doesNotMatch(log!, /sequential \w+ of DLGCH_/, 'the script sees the caller\'s Call-ID');
    },
  },
  { name: 'CANCEL of a ringing call: 200, 487 relayed with the caller\'s Vias', servers: [TH], uas: UAS('uas-cancel.xml'), uac: UAC('uac-cancel.xml', 'service', 5343) },
  { name: 'a 302 to the INVITE keeps its Contact', servers: [TH], uas: UAS('th-uas-302.xml'), uac: UAC('th-uac-302.xml', 'service', 5344) },
  {
    name: 'without a dialog: the Contact carries the route; INVITE/ACK/BYE complete',
    servers: [TH], uas: UAS('uas-invite.xml'), uac: UAC('uac-invite.xml', 'nodlg', 5345),
    after: ([log]) => assert.match(log!, /sequential BYE of \S+ to sip:127\.0\.116\.2:5070;transport=UDP/),
  },
  {
    name: '(dialog) create_dialog("B"): the timed-out call gets a BYE on each side with that side\'s tags and the next CSeq',
    servers: [{ cfg: `${SIP_DIR}dialog-bye.cfg`, sockets: 1 }],
    uas: { scenario: 'dlg-uas-bye.xml', ip: '127.0.116.12', port: 5070, transport: 'u1' },
    uac: { scenario: 'dlg-uac-bye.xml', ip: '127.0.116.13', port: 5351, transport: 'u1', target: '127.0.116.11:5060', service: 'service' },
  },
];

for (const c of CASES) {
  test(`SIPp topology_hiding: ${c.name}`, { skip: sippSkip(), timeout: 90000 }, async () => {
    assert.ok(SIPP, 'CI=true: SIPp must be installed (apt-get install -y sip-tester)');
    const servers: { child: ChildProcess; log: string[] }[] = [];
    try {
      for (const s of c.servers) servers.push(await startServer(s));
      const uas = c.uas ? (await startUas(c.uas)).done : undefined;
      const uac = await runSipp(c.uac, true);
      const uasResult = uas ? await uas : undefined;
      const logs = servers.map((s) => s.log.join('')).join('\n---\n');
      assert.equal(uac.code, 0, `SIPp UAC failed (exit ${uac.code}):\n${uac.out.slice(-3000)}\nserver logs:\n${logs.slice(-3000)}`);
      if (uasResult) assert.equal(uasResult.code, 0, `SIPp UAS failed (exit ${uasResult.code}):\n${uasResult.out.slice(-3000)}\nserver logs:\n${logs.slice(-3000)}`);
      if (c.after) { await logsSettled(servers); c.after(servers.map((s) => s.log.join(''))); }
    } finally {
      await stopServers(servers);
    }
  });
}
