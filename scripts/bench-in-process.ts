// The live server's in-process path (receive -> parse -> route -> reply built
// and handed to the network) without sockets, for bench:live-path,
// bench:register and bench:core: the figure the live one is compared to.
// `node dist/scripts/bench-in-process.js register|options COUNT` prints one
// JSON line; run it in a process of its own, pinned like the live server.
import { fileURLToPath } from 'node:url';
import { loadCfg } from '../src/cfg/load.js';
import { realClock } from '../src/base/clock.js';
import { SipServer } from '../src/core/server.js';
import type { Inbound, Network } from '../src/net/types.js';
import { buildEngine } from '../src/core/engine.js';

export type Kind = 'register' | 'options';

/** What SIPp's register-distinct.xml and uac-options-load.xml send, for the i-th call. */
export function sipRequest(kind: Kind, i: number, aor = 'u'): Buffer {
  const branch = `z9hG4bK-${process.pid}-${i}-0`;
  const lines =
    kind === 'register'
      ? [
          'REGISTER sip:127.0.30.1:5060 SIP/2.0',
          `Via: SIP/2.0/UDP 127.0.30.9:5061;branch=${branch};rport`,
          `From: <sip:${aor}${i}@127.0.30.1>;tag=${process.pid}SIPpTag00${i}`,
          `To: <sip:${aor}${i}@127.0.30.1>`,
          `Call-ID: ${i}-${process.pid}@127.0.30.9`,
          'CSeq: 1 REGISTER',
          `Contact: <sip:${aor}${i}@127.0.30.9:5061>`,
          'Expires: 3600',
          'Max-Forwards: 70',
          'User-Agent: SIPp bench',
          'Content-Length: 0',
        ]
      : [
          'OPTIONS sip:service@127.0.30.1:5060 SIP/2.0',
          `Via: SIP/2.0/UDP 127.0.30.9:5061;branch=${branch}`,
          `From: <sip:sipp@127.0.30.9:5061>;tag=${process.pid}SIPpTag00${i}`,
          'To: <sip:service@127.0.30.1:5060>',
          `Call-ID: ${i}-${process.pid}@127.0.30.9`,
          'CSeq: 1 OPTIONS',
          'Max-Forwards: 70',
          'Content-Length: 0',
        ];
  return Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1');
}

export interface InProcessFigure {
  /** CPU of every thread of this process per request (GC helpers included), µs. */
  cpuUs: number;
  /** Elapsed time per request, µs. */
  wallUs: number;
  replies: number;
}

/**
 * `warm` requests first (not measured), then `count` measured: CPU per
 * request over the measured ones. REGISTERs are for distinct AoRs, as SIPp
 * sends them; the requests are built before the clock starts.
 */
export function inProcess(kind: Kind, warm: number, count: number): InProcessFigure {
  let replies = 0;
  const network: Network = {
    listen: async () => undefined,
    send: () => {
      replies++;
    },
    close: async () => undefined,
  };
  const cfg = kind === 'register' ? 'bench/registrar.cfg' : 'bench/options.cfg';
  const loaded = loadCfg(cfg, { profile: { strict: false } });
  const engine = buildEngine(loaded, { profile: { strict: false }, clock: realClock });
  const server = new SipServer(engine.runtime, network);
  const socket = engine.runtime.sockets[0]!;
  const src = { proto: 'udp', ip: '127.0.30.9', port: 5061 };
  const at = (i: number, aor: string): Inbound => ({ data: sipRequest(kind, i, aor), src, socket });
  for (let i = 1; i <= warm; i++) server.onInbound(at(i, 'w'));
  const inbound: Inbound[] = [];
  for (let i = 1; i <= count; i++) inbound.push(at(i, 'm'));
  replies = 0;
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (const m of inbound) server.onInbound(m);
  const wallNs = Number(process.hrtime.bigint() - t0);
  const c = process.cpuUsage(c0);
  return { cpuUs: (c.user + c.system) / count, wallUs: wallNs / 1e3 / count, replies };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const kind: Kind = process.argv[2] === 'options' ? 'options' : 'register';
  const count = Number(process.argv[3] ?? 30000);
  const warm = Number(process.argv[4] ?? Math.min(count, 6000));
  console.log(JSON.stringify(inProcess(kind, warm, count)));
}
