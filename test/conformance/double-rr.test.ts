// rr's double Record-Route on the wire (issue 21 §2): real SIPp callers and
// callees on loopback, a proxy (conformance/sip/double-rr.cfg) whose calls
// change transport (UDP→TCP, TCP→UDP) or interface on the way. Each call is
// hung up by the caller and by the callee in turn, so loose_route() must take
// both of our Routes off the ACK and the BYE from either side and send them
// from the socket the second one names. Addresses: 127.0.118.0/24.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logsSettled, runSipp, SIP_DIR, SIPP, sippSkip, startServer, startUas, stopServers } from '../helpers/sipp.js';

const PROXY = { cfg: `${SIP_DIR}double-rr.cfg`, sockets: 3 };

interface Call {
  name: string;
  service: 'totcp' | 'toudp' | 'otherif';
  caller: 'u1' | 't1';
  callee: 'u1' | 't1';
  byeFrom: 'caller' | 'callee';
  port: number;
  /** The Record-Route headers the callee must see, top first (ftag and params cut off). */
  recordRoutes: string[];
  /** The in-dialog requests' sockets: `METHOD in over X out over Y from IP`. */
  inDialog: string[];
}

const TCP_TOP = ['<sip:127.0.118.1;transport=tcp;r2=on;lr', '<sip:127.0.118.1;r2=on;lr'];
const UDP_TOP = ['<sip:127.0.118.1;r2=on;lr', '<sip:127.0.118.1;transport=tcp;r2=on;lr'];
const CALLS: Call[] = [
  {
    name: 'UDP caller → TCP callee, the caller hangs up',
    service: 'totcp',
    caller: 'u1',
    callee: 't1',
    byeFrom: 'caller',
    port: 5341,
    recordRoutes: TCP_TOP,
    inDialog: ['ACK in over udp out over tcp from 127.0.118.1', 'BYE in over udp out over tcp from 127.0.118.1'],
  },
  {
    name: 'UDP caller → TCP callee, the callee hangs up',
    service: 'totcp',
    caller: 'u1',
    callee: 't1',
    byeFrom: 'callee',
    port: 5342,
    recordRoutes: TCP_TOP,
    inDialog: ['ACK in over udp out over tcp from 127.0.118.1', 'BYE in over tcp out over udp from 127.0.118.1'],
  },
  {
    name: 'TCP caller → UDP callee, the caller hangs up',
    service: 'toudp',
    caller: 't1',
    callee: 'u1',
    byeFrom: 'caller',
    port: 5343,
    recordRoutes: UDP_TOP,
    inDialog: ['ACK in over tcp out over udp from 127.0.118.1', 'BYE in over tcp out over udp from 127.0.118.1'],
  },
  {
    name: 'TCP caller → UDP callee, the callee hangs up',
    service: 'toudp',
    caller: 't1',
    callee: 'u1',
    byeFrom: 'callee',
    port: 5344,
    recordRoutes: UDP_TOP,
    inDialog: ['ACK in over tcp out over udp from 127.0.118.1', 'BYE in over udp out over tcp from 127.0.118.1'],
  },
  {
    name: 'UDP on one interface → UDP from another ($socket_out), the callee hangs up',
    service: 'otherif',
    caller: 'u1',
    callee: 'u1',
    byeFrom: 'callee',
    port: 5345,
    recordRoutes: ['<sip:127.0.118.4;r2=on;lr', '<sip:127.0.118.1;r2=on;lr'],
    inDialog: ['ACK in over udp out over udp from 127.0.118.4', 'BYE in over udp out over udp from 127.0.118.1'],
  },
];

for (const c of CALLS) {
  test(`SIPp double Record-Route: ${c.name}`, { skip: sippSkip(), timeout: 90000 }, async () => {
    assert.ok(SIPP, 'CI=true: SIPp must be installed (apt-get install -y sip-tester)');
    const dir = mkdtempSync(join(tmpdir(), 'osts-drr-'));
    const trace = join(dir, 'callee.log');
    const callerTrace = join(dir, 'caller.log');
    const messages = (file: string): string => {
      try {
        return readFileSync(file, 'utf8').slice(-4000);
      } catch {
        return '(no trace)';
      }
    };
    const servers: { child: ChildProcess; log: string[] }[] = [];
    try {
      servers.push(await startServer(PROXY));
      const uas = (await startUas(
        {
          scenario: c.byeFrom === 'callee' ? 'uas-invite-bye.xml' : 'uas-invite.xml',
          ip: '127.0.118.2',
          port: 5070,
          transport: c.callee,
          messageFile: trace,
        },
      )).done;
      const uac = await runSipp(
        {
          scenario: c.byeFrom === 'callee' ? 'uac-invite-bye-in.xml' : 'uac-invite.xml',
          ip: '127.0.118.3',
          port: c.port,
          transport: c.caller,
          target: `127.0.118.1:5060`,
          service: c.service,
          messageFile: callerTrace,
        },
        true,
      );
      const callee = await uas;
      await logsSettled(servers);
      const log = servers[0]!.log.join('');
      const detail = `proxy:\n${log.slice(-3000)}\ncaller's messages:\n${messages(callerTrace)}\ncallee's messages:\n${messages(trace)}`;
      assert.equal(uac.code, 0, `caller failed:\n${uac.out.slice(-1500)}\n${detail}`);
      assert.equal(callee.code, 0, `callee failed:\n${callee.out.slice(-1500)}\n${detail}`);
      const invite = readFileSync(trace, 'utf8').split(/\n(?=-+ )/).find((m) => /\nINVITE /.test(m)) ?? '';
      const rrs = [...invite.matchAll(/^Record-Route: (.*)$/gm)].map((m) => m[1]!.trim());
      assert.equal(rrs.length, 2, `two Record-Routes:\n${invite}`);
      for (const [i, rr] of rrs.entries()) {
        assert.ok(rr.startsWith(`${c.recordRoutes[i]!};ftag=`), `Record-Route ${i}: ${rr}`);
        assert.ok(rr.endsWith(';xfer=yes>'), `add_rr_param's parameter on both: ${rr}`);
      }
      const seen = [...log.matchAll(/in-dialog (\w+) of \S+ (in over .*)/g)].map((m) => `${m[1]} ${m[2]}`);
      assert.deepEqual(seen, c.inDialog, log);
      assert.doesNotMatch(log, /lost its xfer parameter/);
    } finally {
      await stopServers(servers);
    }
  });
}
