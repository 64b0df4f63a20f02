// mi_http: JSON-RPC 2.0 over HTTP POST at /<root> (default /mi), on httpd's ip/port.
// Safe from web pages the operator opens: a browser sends a foreign Origin on a
// cross-site POST, and cannot send `Content-Type: application/json` across
// origins without a CORS preflight (never answered here). So a request from
// another Origin (DNS rebinding included: the Origin is compared with the
// address MI listens on, never with the Host header) and a request that is not
// JSON are refused before anything runs. opensips-cli and python-opensips
// send JSON and no Origin.
import http from 'node:http';
import type { MiExecutor } from '../base/mi.js';
import type { Logger } from '../base/logger.js';

/** A page another module serves on httpd (prometheus's /metrics): the answer to one request. */
export type HttpPage = (method: string) => { status: number; contentType: string; body: string };

/** httpd: MI at /<root> when `mi` is given (mi_http), and the pages of the modules that register one. */
export function startMiHttp(
  mi: MiExecutor | undefined,
  logger: Logger,
  opts: { ip: string; port: number; root: string; pages?: ReadonlyMap<string, HttpPage> },
): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0]!.replace(/\/+$/, '');
    const page = opts.pages?.get(path.slice(1));
    if (page) {
      const a = page(req.method ?? 'GET');
      res.writeHead(a.status, { 'Content-Type': a.contentType }).end(a.body);
      req.resume();
      return;
    }
    if (!mi || path !== `/${opts.root}`) {
      res.writeHead(404).end();
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { Allow: 'POST' }).end();
      return;
    }
    const refused = refusal(req, opts);
    if (refused) {
      logger.log(
        -1,
        'mi_http',
        'mi_http_answer',
        `refused a request from ${req.socket.remoteAddress ?? '?'}: ${refused.why}`,
      );
      res.writeHead(refused.status, { 'Content-Type': 'text/plain' }).end(refused.why + '\n');
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= 1 << 20) chunks.push(c);
    });
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (!body.trim()) {
        res.writeHead(400).end();
        return;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        res
          .writeHead(200, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32700, message: 'Parse error' }, id: null }));
        return;
      }
      const reply = mi.execute(parsed);
      if (!reply) {
        res.writeHead(202).end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(reply));
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.ip, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

/** Hosts the MI itself answers as: its address, and localhost names when it listens on loopback. */
function ownHosts(ip: string, port: number): Set<string> {
  const hosts = new Set([ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`]);
  if (ip.startsWith('127.') || ip === '::1' || ip === '0.0.0.0' || ip === '::') {
    for (const h of ['localhost', '127.0.0.1', '[::1]']) hosts.add(`${h}:${port}`);
  }
  return hosts;
}

/** Why a request must not run: a foreign Origin (403) or a body that is not JSON (415). */
export function refusal(
  req: http.IncomingMessage,
  opts: { ip: string; port: number },
): { status: number; why: string } | undefined {
  const origin = req.headers.origin;
  if (origin !== undefined) {
    let host: string | undefined;
    try {
      const u = new URL(origin);
      host =
        u.protocol === 'http:' || u.protocol === 'https:'
          ? `${u.hostname}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`
          : undefined;
    } catch {
      host = undefined;
    }
    const port = (req.socket.localPort ?? opts.port) || opts.port;
    if (!host || !ownHosts(opts.ip, port).has(host.toLowerCase()))
      return { status: 403, why: `Origin ${origin} is not this MI's own host` };
  }
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json')
    return { status: 415, why: `Content-Type must be application/json, not ${type || 'absent'}` };
  return undefined;
}
