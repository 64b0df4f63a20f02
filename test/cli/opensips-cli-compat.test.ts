// opensips-cli against `opensips-ts run`: the client cannot be installed here
// (it comes from PyPI), so this test speaks exactly what its MI layer
// (python-opensips's opensips/mi/fifo.py, http.py, jsonrpc_helper.py and
// opensips-cli's modules/mi.py) sends: `opensips-cli -x mi get_statistics core:`
// is {"method":"get_statistics","params":[["core:"]]} with a string id;
// `mi ps`, `mi reload_routes` send params {}. Over HTTP: a POST of that JSON
// with Content-Type application/json. Over the FIFO: the FIFO opened for
// writing and closed (its validity check), a reply FIFO
// opensips_fifo_reply_<pid>_<time> made mode 0666 in reply_dir, then
// `:<reply name>:<json>` written with no newline, and one line read back.
// Also: prometheus's /metrics parsed with a Prometheus text-format parser,
// and list_tcp_conns with a live TCP connection. Addresses 127.0.115.0/24.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { chmodSync, closeSync, mkdtempSync, openSync, unlinkSync, writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { startServer } from '../helpers/sipp.js';

const IP = '127.0.115.1';
const HTTP = `http://${IP}:8888`;

function options(id: string, transport: 'UDP' | 'TCP', port: number): string {
  return (
    `OPTIONS sip:ping@${IP} SIP/2.0\r\nVia: SIP/2.0/${transport} 127.0.115.2:${port};branch=z9hG4bK-${id}\r\n` +
    `From: <sip:a@127.0.115.2>;tag=${id}\r\nTo: <sip:ping@${IP}>\r\nCall-ID: ${id}\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n`
  );
}

/** One UDP OPTIONS; resolves with the reply's first line. */
function pingUdp(id: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    const timer = setTimeout(() => {
      s.close();
      reject(new Error('no reply'));
    }, 20_000);
    s.on('message', (m) => {
      clearTimeout(timer);
      s.close();
      resolve(m.toString().split('\r\n')[0]!);
    });
    s.bind(0, '127.0.115.2', () => s.send(options(id, 'UDP', s.address().port), 5060, IP));
  });
}

/** jsonrpc_helper.get_command: a string id, `params` or {} when empty. */
const command = (method: string, params: unknown[] | Record<string, unknown>): string =>
  JSON.stringify({
    jsonrpc: '2.0',
    id: String(Math.floor(Math.random() * 32768)),
    method,
    params: Array.isArray(params) ? (params.length ? params : {}) : params,
  });

/** get_reply: the result, or the error as an exception's text. */
function reply(text: string): unknown {
  const j = JSON.parse(text) as { result?: unknown; error?: { code: number; message: string; data?: string } };
  if (j.error) throw new Error(`${j.error.code}: ${j.error.message}${j.error.data ? ` (${j.error.data})` : ''}`);
  assert.ok('result' in j, 'a reply without result is an internal error for the client');
  return j.result;
}

async function overHttp(method: string, params: unknown[] | Record<string, unknown> = []): Promise<unknown> {
  const r = await fetch(`${HTTP}/mi`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: command(method, params),
  });
  return reply(await r.text());
}

async function overFifo(
  fifo: string,
  replyDir: string,
  method: string,
  params: unknown[] | Record<string, unknown> = [],
): Promise<unknown> {
  closeSync(openSync(fifo, 'w')); // FIFO.valid(): open for writing, close
  const name = `opensips_fifo_reply_${process.pid}_${String(Date.now() / 1000).replace('.', '_')}`;
  const path = join(replyDir, name);
  assert.equal(spawnSync('mkfifo', [path]).status, 0);
  chmodSync(path, 0o666);
  try {
    const answer = readFile(path, 'utf8');
    await writeFile(fifo, `:${name}:${command(method, params)}`);
    return reply((await answer).split('\n')[0]!);
  } finally {
    unlinkSync(path);
  }
}

test(
  'opensips-cli: mi get_statistics, ps, reload_routes over HTTP and the FIFO; /metrics; list_tcp_conns',
  { timeout: 120_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'osts-cli-compat-'));
    const fifo = join(dir, 'opensips_fifo');
    const cfg = join(dir, 'opensips.cfg');
    const text = `socket=udp:${IP}:5060
socket=tcp:${IP}:5060
loadmodule "proto_udp.so"
loadmodule "proto_tcp.so"
loadmodule "sl.so"
loadmodule "mi_fifo.so"
loadmodule "httpd.so"
loadmodule "mi_http.so"
loadmodule "prometheus.so"
modparam("mi_fifo", "fifo_name", "${fifo}")
modparam("mi_fifo", "reply_dir", "${dir}/")
modparam("httpd", "ip", "${IP}")
modparam("prometheus", "statistics", "core: sl:")
modparam("prometheus", "statistics", "shmem:used_size")
route {
\tsl_send_reply(200, "OK");
}
`;
    writeFileSync(cfg, text);
    const server = await startServer({ cfg, sockets: 4 });
    try {
      assert.equal(await pingUdp('c1'), 'SIP/2.0 200 OK');

      // opensips-cli -x mi get_statistics core:  (positional: the array parameter wrapped)
      const viaHttp = (await overHttp('get_statistics', [['core:']])) as Record<string, number>;
      assert.equal(viaHttp['core:rcv_requests'], 1);
      assert.deepEqual(Object.keys(viaHttp).slice(0, 2), ['core:rcv_requests', 'core:rcv_replies']);
      // opensips-cli -x mi get_statistics statistics="core: sl:"  (named: split into a list)
      const named = (await overFifo(fifo, dir, 'get_statistics', { statistics: ['core:', 'sl:'] })) as Record<
        string,
        number
      >;
      assert.equal(named['sl:2xx_replies'], 1);
      assert.equal(named['core:rcv_requests'], 1);

      const ps = (await overFifo(fifo, dir, 'ps')) as { Processes: { ID: number; PID: number; Type: string }[] };
      assert.deepEqual(Object.keys(ps.Processes[0]!), ['ID', 'PID', 'Type']);
      assert.ok(ps.Processes.some((p) => p.Type === `SIP receiver udp:${IP}:5060`));
      assert.equal(ps.Processes[0]!.PID, server.child.pid);

      const up = (await overHttp('uptime')) as Record<string, string>;
      assert.deepEqual(Object.keys(up), ['Now', 'Up since', 'Up time']);

      // reload_routes: the edited cfg answers at once; a broken one is refused and the running routes stay.
      writeFileSync(cfg, text.replace('sl_send_reply(200, "OK");', 'sl_send_reply(200, "Reloaded");'));
      assert.equal(await overFifo(fifo, dir, 'reload_routes'), 'OK');
      assert.equal(await pingUdp('c2'), 'SIP/2.0 200 Reloaded');
      writeFileSync(cfg, text.replace('sl_send_reply(200, "OK");', 'sl_send_reply(200, "Broken"'));
      await assert.rejects(overHttp('reload_routes'), /^Error: 500: reload failed \(.*opensips\.cfg:\d+:\d+: /);
      assert.equal(await pingUdp('c3'), 'SIP/2.0 200 Reloaded');

      // prometheus: a scrape parsed by a Prometheus text-format parser.
      const page = await fetch(`${HTTP}/metrics`);
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type') ?? '', /^text\/plain/);
      const families = parsePrometheusTextFormat(await page.text());
      const byName = new Map(families.map((f) => [f.name, f]));
      assert.equal(byName.get('opensips_rcv_requests')?.type, 'COUNTER');
      assert.equal(byName.get('opensips_rcv_requests')?.metrics[0]?.value, '3');
      assert.equal(byName.get('opensips_2xx_replies')?.metrics[0]?.value, '3');
      assert.equal(byName.get('opensips_timestamp')?.type, 'GAUGE');
      assert.equal(byName.get('opensips_used_size')?.type, 'GAUGE');
      assert.ok(!byName.has('opensips_waiting_udp'), 'only the statistics the cfg names');
      assert.equal((await fetch(`${HTTP}/metrics`, { method: 'POST' })).status, 405);

      // list_tcp_conns with one live connection.
      const sock = connect({ port: 5060, host: IP, localAddress: '127.0.115.2' });
      await new Promise<void>((resolve) => sock.on('connect', () => resolve()));
      const answered = new Promise<string>((resolve) => sock.once('data', (d) => resolve(d.toString())));
      sock.write(options('t1', 'TCP', sock.localPort!));
      assert.match(await answered, /^SIP\/2\.0 200 Reloaded/);
      const conns = (await overHttp('list_tcp_conns')) as { Connections: Record<string, unknown>[] };
      assert.equal(conns.Connections.length, 1);
      assert.deepEqual(
        [conns.Connections[0]!.Type, conns.Connections[0]!.Local, conns.Connections[0]!.Remote],
        ['tcp', `${IP}:5060`, `127.0.115.2:${sock.localPort}`],
      );
      sock.destroy();

      // kill: OK, then the server exits as on SIGTERM.
      const exited = new Promise<number | null>((resolve) => server.child.once('exit', (code) => resolve(code)));
      assert.equal(await overFifo(fifo, dir, 'kill'), 'OK');
      assert.equal(await exited, 0);
    } finally {
      server.child.kill('SIGTERM');
    }
  },
);
