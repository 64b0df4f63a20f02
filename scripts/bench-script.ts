// `npm run bench:script`: script executions per second of blog-registrar.cfg's
// REGISTER path on one pre-parsed REGISTER: is_method, isflagset,
// fix_nated_register, save() into usrloc, $socket_in, $socket_out,
// sethostport and t_relay building the forwarded request (not sent).
// A figure to report, not a timed test.
import { readFileSync } from 'node:fs';
import { loadCfg } from '../src/cfg/load.js';
import { VirtualClock } from '../src/base/clock.js';
import { Logger } from '../src/base/logger.js';
import { runRoute } from '../src/script/compile.js';
import { ExecContext } from '../src/script/context.js';
import { buildEngine } from '../src/core/engine.js';
import { scriptMessage } from '../src/script/sip-adapter.js';
import { parseSipMessage } from '../src/sip/index.js';

const cfg = 'conformance/blog/blog-registrar.cfg';
const loaded = loadCfg(cfg, { profile: { strict: false } });
const clock = new VirtualClock(Date.UTC(2026, 10, 25, 12));
const engine = buildEngine(loaded, {
  profile: { strict: false },
  clock,
  logger: new Logger(clock, { write: () => undefined }),
});
const rt = engine.runtime;
let sent = 0;
rt.transport = {
  send: () => {
    sent++;
  },
};
const parsed = parseSipMessage(
  readFileSync('conformance/messages/register-udp.sip').toString().replace(/\r?\n/g, '\r\n'),
);
if ('error' in parsed) throw new Error(parsed.error);
const main = rt.route('route', '0')!;
const socketIn = rt.sockets[0]!;
const src = { ip: '127.0.0.1', port: 5062, proto: 'udp' };

function once(): void {
  // A fresh view per run: the engine's per-message caches start empty, as for a new packet.
  const ctx = new ExecContext(rt, scriptMessage(parsed.msg as never), src, socketIn);
  runRoute(ctx, main, 'request', '0');
}

function measure(label: string): void {
  for (let i = 0; i < 2000; i++) once();
  const runs = 5;
  const n = 20000;
  const rates: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) once();
    rates.push(n / (Number(process.hrtime.bigint() - t0) / 1e9));
  }
  rates.sort((a, b) => a - b);
  const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');
  console.log(
    `${label}: median ${fmt(rates[2]!)} executions/s (${(1e6 / rates[2]!).toFixed(1)} µs each), best ${fmt(rates[4]!)}/s (${n} runs x ${runs})`,
  );
}

measure('blog-registrar.cfg REGISTER path, full (t_relay builds the forwarded REGISTER)');
const built = sent;
// The same path with t_relay simulated (returns 1, builds nothing): the script engine's own cost.
rt.stubs.set('t_relay', 1);
measure('the same, t_relay simulated with --stub t_relay=1             ');
console.log(
  `${built} forwarded REGISTERs built in the first measurement; node ${process.version}; reproduce with: npm run bench:script`,
);
