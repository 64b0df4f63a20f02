// mi_http: JSON-RPC 2.0 over HTTP POST at /<root> (default /mi), on httpd's ip/port.
import http from 'node:http';
import type { MiHandler } from '../base/mi.js';
import type { Runtime } from '../script/runtime.js';

export function startMiHttp(mi: MiHandler<Runtime>, rt: Runtime, opts: { ip: string; port: number; root: string }): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0]!.replace(/\/+$/, '');
    if (path !== `/${opts.root}`) { res.writeHead(404).end(); return; }
    if (req.method !== 'POST') { res.writeHead(405, { Allow: 'POST' }).end(); return; }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => { size += c.length; if (size <= 1 << 20) chunks.push(c); });
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (!body.trim()) { res.writeHead(400).end(); return; }
      let parsed: unknown;
      try { parsed = JSON.parse(body); } catch {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32700, message: 'Parse error' }, id: null }));
        return;
      }
      const reply = mi.handle(parsed, rt);
      if (!reply) { res.writeHead(202).end(); return; }
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(reply));
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.ip, () => { server.off('error', reject); resolve(server); });
  });
}
