// `npx tsx scripts/bench-hot-path.ts [options|register]`: the live server's
// in-process path (receive -> parse -> route -> reply built and handed to the
// network) on the cfgs of bench:core / bench:register, with a network that
// only counts what it is given. No socket, so the figure leaves out Node's
// dgram cost; bench:core measures the whole thing.
import { loadCfg } from '../src/cfg/load.js';
import { realClock } from '../src/base/clock.js';
import { SipServer } from '../src/core/server.js';
import type { Inbound, Network } from '../src/net/types.js';
import { buildEngine } from '../src/core/engine.js';
import { sipRequest } from './bench-in-process.js';

const KIND = process.argv[2] === 'register' ? 'register' : 'options';
const CFG = KIND === 'register' ? 'bench/registrar.cfg' : 'bench/options.cfg';

let sent = 0;
const network: Network = {
  listen: async () => undefined,
  send: () => {
    sent++;
  },
  close: async () => undefined,
};

const loaded = loadCfg(CFG, { profile: { strict: false } });
const engine = buildEngine(loaded, { profile: { strict: false }, clock: realClock });
const server = new SipServer(engine.runtime, network);
const socket = engine.runtime.sockets[0]!;
const src = { proto: 'udp', ip: '127.0.30.9', port: 5061 };

// Requests built up front, so that building them is not measured. OPTIONS
// are stateless and reused round after round; every REGISTER is for a new AoR.
const N = 50_000;
const ROUNDS = KIND === 'register' ? 6 : 11;
const inbound: Inbound[] = [];
for (let i = 0; i < N * (KIND === 'register' ? ROUNDS : 1); i++)
  inbound.push({ data: sipRequest(KIND, i), src, socket });

const results: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const first = (r * N) % inbound.length;
  const t0 = process.hrtime.bigint();
  for (let i = first; i < first + N; i++) server.onInbound(inbound[i]!);
  results.push(Number(process.hrtime.bigint() - t0) / 1e3 / N);
}
const steady = results.slice(1).sort((a, b) => a - b);
console.log(
  `${KIND}: ${steady.map((x) => x.toFixed(2)).join(' ')} µs per request (rounds of ${N} after one warm-up round); median ${steady[Math.floor(steady.length / 2)]!.toFixed(2)} µs; ${sent} replies`,
);
