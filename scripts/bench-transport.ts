// `npm run bench:core -- --transport tcp|tls|ws|wss` and `npm run bench:register -- --transport ...`:
// REGISTERs for distinct AoRs (or OPTIONS) over many persistent connections
// (bench-stream-load.ts, pinned to core 1) to `opensips-ts run` and to Kamailio
// 5.6 (its tls and websocket modules, one worker) on core 0, in the same run:
// each server's answered requests per second and server CPU per request (every
// thread, every process, from /proc), paced steps at equal rates and one closed-
// loop step, then paired rounds, with the load average. Certificates are made
// at run time. Loopback only (127.0.43.x); every step is bounded in time.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { loadNow, median, processTree, treeCpu, waitFor, which } from './bench-lib.js';
import type { LoadArgs, StepResult, StreamTransport } from './bench-stream-load.js';
import { makeCerts, OPENSSL, type TestCerts } from '../test/helpers/certs.js';

const OURS_IP = '127.0.43.1';
const KAM_IP = '127.0.43.2';
const CLIENT_IP = '127.0.43.9';
const PORTS: Record<StreamTransport, number> = { tcp: 5060, tls: 5061, ws: 8080, wss: 8443 };

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 100);
const WINDOW = Number(process.env.BENCH_WINDOW ?? 4);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const PACED = (process.env.BENCH_TRANSPORT_RATES ?? '2000,5000')
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);

function oursCfg(kind: string, t: StreamTransport, certs: TestCerts | undefined): string {
  const mod = { tcp: 'proto_tcp', tls: 'proto_tls', ws: 'proto_ws', wss: 'proto_wss' }[t];
  const lines = [
    `# bench:${kind} --transport ${t} (written by scripts/bench-transport.ts)`,
    `socket=${t}:${OURS_IP}:${PORTS[t]}`,
    // Idle connections stay up for the whole run (the bench holds them open between steps).
    'tcp_connection_lifetime=3600',
    `loadmodule "${mod}.so"`,
  ];
  if (certs)
    lines.push(
      'loadmodule "tls_mgm.so"',
      'modparam("tls_mgm", "server_domain", "bench")',
      `modparam("tls_mgm", "certificate", "[bench]${certs.serverCert}")`,
      `modparam("tls_mgm", "private_key", "[bench]${certs.serverKey}")`,
      `modparam("tls_mgm", "ca_list", "[bench]${certs.ca}")`,
      'modparam("tls_mgm", "verify_cert", "[bench]0")',
      'modparam("tls_mgm", "require_cert", "[bench]0")',
      'modparam("tls_mgm", "tls_method", "[bench]TLSv1_2-")',
    );
  if (kind === 'register')
    lines.push(
      'loadmodule "sl.so"',
      'loadmodule "signaling.so"',
      'loadmodule "usrloc.so"',
      'loadmodule "registrar.so"',
      'route {',
      '\tsave("location");',
      '}',
    );
  else lines.push('loadmodule "sl.so"', 'route {', '\tsl_send_reply(200, "OK");', '}');
  return lines.join('\n') + '\n';
}

function kamailioCfg(kind: string, t: StreamTransport, tlsCfg: string | undefined): string {
  const listen = t === 'ws' ? 'tcp' : t === 'wss' ? 'tls' : t;
  const lines = [
    '#!KAMAILIO',
    `# bench:${kind} --transport ${t} reference (written by scripts/bench-transport.ts): one worker of each kind.`,
    'debug=0',
    'log_stderror=yes',
    'children=1',
    'tcp_children=1',
    'tcp_connection_lifetime=3600',
    'tcp_max_connections=4096',
    `listen=${listen}:${KAM_IP}:${PORTS[t]}`,
  ];
  if (t === 'ws' || t === 'wss') lines.push('tcp_accept_no_cl=yes');
  if (tlsCfg) lines.push('enable_tls=yes', 'loadmodule "tls.so"', `modparam("tls", "config", "${tlsCfg}")`);
  lines.push('loadmodule "sl.so"', 'loadmodule "pv.so"');
  if (t === 'ws' || t === 'wss')
    lines.push('loadmodule "xhttp.so"', 'loadmodule "websocket.so"', 'modparam("websocket", "keepalive_mechanism", 0)');
  if (kind === 'register') lines.push('loadmodule "tm.so"', 'loadmodule "usrloc.so"', 'loadmodule "registrar.so"');
  lines.push('request_route {', kind === 'register' ? '\tsave("location");' : '\tsl_send_reply("200", "OK");', '}');
  if (t === 'ws' || t === 'wss')
    lines.push(
      'event_route[xhttp:request] {',
      '\tif ($hdr(Upgrade) =~ "websocket" && $hdr(Connection) =~ "Upgrade" && $rm =~ "GET") {',
      '\t\tif (ws_handle_handshake()) exit;',
      '\t}',
      '\txhttp_reply("404", "Not Found", "", "");',
      '}',
    );
  return lines.join('\n') + '\n';
}

interface Srv {
  name: string;
  child: ChildProcess;
  host: string;
}

async function startServer(name: string, args: string[], ready: RegExp, host: string): Promise<Srv> {
  const child = spawn('taskset', ['-c', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  await waitFor(child, ready, 20_000);
  await new Promise((r) => setTimeout(r, 500));
  return { name, child, host };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  if (child.exitCode === null) child.kill('SIGKILL');
}

/** A load client connected to `srv`, pinned to core 1. */
class Client {
  private lines: Interface;
  private queue: string[] = [];
  private waiters: ((l: string | undefined) => void)[] = [];
  private done = false;

  constructor(readonly child: ChildProcess) {
    this.lines = createInterface({ input: child.stdout! });
    this.lines.on('line', (l) => {
      const w = this.waiters.shift();
      if (w) w(l);
      else this.queue.push(l);
    });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => {
      this.done = true;
      if (code) process.stderr.write(`load client exited ${code}: ${err}`);
      for (const w of this.waiters.splice(0)) w(undefined);
    });
  }

  static start(args: LoadArgs): Client {
    return new Client(
      spawn('taskset', ['-c', '1', process.execPath, 'dist/scripts/bench-stream-load.js', JSON.stringify(args)], {
        stdio: ['pipe', 'pipe', 'pipe'],
      }),
    );
  }

  next(ms: number): Promise<string | undefined> {
    const q = this.queue.shift();
    if (q !== undefined) return Promise.resolve(q);
    if (this.done) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(undefined), ms);
      this.waiters.push((l) => {
        clearTimeout(t);
        resolve(l);
      });
    });
  }

  async step(rate: number, seconds: number, tag: string): Promise<StepResult | undefined> {
    this.child.stdin!.write(`go ${rate} ${seconds} ${tag}\n`);
    const l = await this.next((seconds + 15) * 1000);
    return l ? (JSON.parse(l) as StepResult) : undefined;
  }

  async quit(): Promise<void> {
    this.child.stdin!.end('quit\n');
    await new Promise((r) => setTimeout(r, 300));
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

interface Figure extends StepResult {
  cpuUs: number;
  load: string;
}

let stepNo = 0;

async function measured(srv: Srv, client: Client, rate: number, seconds: number): Promise<Figure | undefined> {
  const pids = processTree(srv.child.pid!);
  const before = treeCpu(pids).totalNs;
  const r = await client.step(rate, seconds, `s${++stepNo}x`);
  const used = treeCpu(pids).totalNs - before;
  if (!r) return undefined;
  return { ...r, cpuUs: used / 1e3 / Math.max(1, r.ok + r.failed), load: loadNow() };
}

function show(name: string, label: string, f: Figure | undefined): void {
  if (!f) {
    console.log(`  ${name.padEnd(12)} ${label}: no answer from the load client`);
    return;
  }
  console.log(
    `  ${name.padEnd(12)} ${label.padEnd(14)} ${String(f.rate).padStart(6)}/s answered  ${f.cpuUs.toFixed(1).padStart(6)} µs/request  ${f.failed ? `${f.failed} failed ` : ''}${f.unanswered ? `${f.unanswered} unanswered ` : ''}load ${f.load}`,
  );
}

export async function transportBench(kind: 'register' | 'options', t: StreamTransport): Promise<void> {
  const secure = t === 'tls' || t === 'wss';
  if (secure && !OPENSSL) {
    console.error('--transport tls/wss needs openssl (apt-get install -y openssl) for the run-time certificates');
    process.exit(2);
  }
  const work = mkdtempSync(join(tmpdir(), 'bench-transport-'));
  const certs = secure ? makeCerts() : undefined;
  const servers: Srv[] = [];
  const clients: Client[] = [];
  try {
    const ours = join(work, 'ours.cfg');
    writeFileSync(ours, oursCfg(kind, t, certs));
    let tlsCfg: string | undefined;
    if (certs) {
      tlsCfg = join(work, 'kamailio-tls.cfg');
      writeFileSync(
        tlsCfg,
        `[server:default]\nmethod = TLSv1.2+\nverify_certificate = no\nrequire_certificate = no\nprivate_key = ${certs.serverKey}\ncertificate = ${certs.serverCert}\nca_list = ${certs.ca}\n\n[client:default]\nverify_certificate = no\nrequire_certificate = no\n`,
      );
    }
    const kamCfg = join(work, 'kamailio.cfg');
    writeFileSync(kamCfg, kamailioCfg(kind, t, tlsCfg));
    console.log(
      `${kind === 'register' ? 'REGISTER (distinct AoRs)' : 'OPTIONS'} over ${t.toUpperCase()}: ${CONNECTIONS} persistent connections, ${WINDOW} outstanding each at most, ${SECONDS} s a step; server on core 0, load client (Node, bench-stream-load) on core 1; ${OURS_IP} (opensips-ts), ${KAM_IP} (Kamailio)`,
    );
    servers.push(
      await startServer(
        'opensips-ts',
        [process.execPath, 'dist/src/cli/bin.js', 'run', ours],
        new RegExp(`listening on ${t}`),
        OURS_IP,
      ),
    );
    const kamailio = process.env.BENCH_NO_REFERENCE ? undefined : which('kamailio');
    if (kamailio)
      servers.push(
        await startServer(
          'kamailio',
          [kamailio, '-f', kamCfg, '-DD', '-E', '-m', '1024', '-M', '16', '-x', 'tlsf'],
          /INFO|listening|init/i,
          KAM_IP,
        ),
      );
    else if (!process.env.BENCH_NO_REFERENCE)
      console.log(
        'kamailio is not installed (apt-get install -y kamailio kamailio-tls-modules kamailio-websocket-modules): no reference figures',
      );
    for (const s of servers) {
      const c = Client.start({
        transport: t,
        host: s.host,
        port: PORTS[t],
        connections: CONNECTIONS,
        window: WINDOW,
        kind,
        from: CLIENT_IP,
      });
      clients.push(c);
      const ready = await c.next(60_000);
      if (ready !== 'ready') throw new Error(`${s.name}: the load client did not get ready (${ready ?? 'exited'})`);
    }
    const best = new Map<string, Figure>();
    for (let i = 0; i < servers.length; i++) {
      const s = servers[i]!;
      // Unmeasured warm-up (JIT, connection buffers, the first usrloc records).
      await clients[i]!.step(0, 2, `warm${i}x`);
      for (const rate of PACED) show(s.name, `${rate}/s paced`, await measured(s, clients[i]!, rate, SECONDS));
      const top = await measured(s, clients[i]!, 0, SECONDS);
      show(s.name, 'closed loop', top);
      if (top) best.set(s.name, top);
    }
    if (servers.length === 2 && REPEATS > 0) {
      // Paired rounds at one equal paced rate, ours then Kamailio a few seconds apart: the median ratio moves less than one run's.
      const rate = Math.min(...[...best.values()].map((f) => f.rate), PACED.at(-1) ?? 5000);
      console.log(`\n${REPEATS} paired rounds at ${rate}/s paced (the lower top rate, at most the last paced one):`);
      const ratios: number[] = [];
      for (let r = 0; r < REPEATS; r++) {
        const a = await measured(servers[0]!, clients[0]!, rate, SECONDS);
        const b = await measured(servers[1]!, clients[1]!, rate, SECONDS);
        if (!a || !b || a.failed || b.failed) {
          console.log(`  round ${r + 1}: a step failed, not counted`);
          continue;
        }
        ratios.push(a.cpuUs / b.cpuUs);
        console.log(
          `  round ${r + 1}: opensips-ts ${a.cpuUs.toFixed(1)} µs/request at ${a.rate}/s, kamailio ${b.cpuUs.toFixed(1)} µs/request at ${b.rate}/s: ${ratios.at(-1)!.toFixed(2)}x  load ${b.load}`,
        );
      }
      if (ratios.length)
        console.log(
          `${t.toUpperCase()} cpu per ${kind === 'register' ? 'REGISTER' : 'OPTIONS'}, median of ${ratios.length} paired ratios (opensips-ts / kamailio): ${median(ratios).toFixed(2)}x (range ${Math.min(...ratios).toFixed(2)}x-${Math.max(...ratios).toFixed(2)}x; target ≤ 2x)`,
        );
      const o = best.get('opensips-ts');
      const k = best.get('kamailio');
      if (o && k)
        console.log(
          `closed loop: opensips-ts ${o.rate}/s, kamailio ${k.rate}/s (the Node load client on one core may be the limit of both)`,
        );
    }
  } finally {
    for (const c of clients) await c.quit();
    for (const s of servers) await stop(s.child);
    rmSync(work, { recursive: true, force: true });
    if (certs) rmSync(certs.dir, { recursive: true, force: true });
  }
  console.log(
    `node ${process.version}; reproduce with: npm run bench:${kind === 'register' ? 'register' : 'core'} -- --transport ${t}`,
  );
}
