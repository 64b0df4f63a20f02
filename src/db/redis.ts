// A Redis connection the script can wait on (cachedb_redis): ioredis runs in
// a worker thread and the caller sleeps on Atomics.wait for the reply, as with
// the SQL drivers (remote.ts). A lost server makes commands fail at once
// while ioredis reconnects in the background; state changes are logged once.
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { DbLog } from './types.js';

const WORKER = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const { createRequire } = require('node:module');
const Redis = createRequire(workerData.base)('ioredis');
const signal = new Int32Array(workerData.signal);
const cfg = workerData.cfg;
let up = false;
let everUp = false;
const client = new (Redis.default || Redis)({ host: cfg.host, port: cfg.port, username: cfg.user, password: cfg.password, db: cfg.db,
  lazyConnect: false, enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: 3000, commandTimeout: 5000,
  retryStrategy: (n) => Math.min(1000 * 2 ** Math.min(n, 5), 30000) });
client.on('ready', () => { if (!up) { up = true; if (everUp) parentPort.postMessage({ state: 'up' }); everUp = true; } });
client.on('error', (e) => { if (up) { up = false; parentPort.postMessage({ state: 'down', error: String(e && e.message || e) }); } });
client.on('end', () => { if (up) { up = false; parentPort.postMessage({ state: 'down', error: 'connection closed' }); } });
function answer(r, msg) {
  if (r.sync) { workerData.syncPort.postMessage(msg); Atomics.add(signal, 0, 1); Atomics.notify(signal, 0); } else parentPort.postMessage(msg);
}
async function ready(ms) {
  if (up) return;
  await new Promise((resolve, reject) => {
    const t = setTimeout(() => { client.off('ready', ok); reject(new Error('cannot connect to ' + cfg.host + ':' + cfg.port)); }, ms);
    const ok = () => { clearTimeout(t); resolve(); };
    client.once('ready', ok);
  });
}
parentPort.on('message', async (r) => {
  try {
    if (r.op === 'connect') { await ready(3000); answer(r, { id: r.id, ok: true }); return; }
    if (r.op === 'close') { client.disconnect(); answer(r, { id: r.id, ok: true }); return; }
    const v = await client.call(r.cmd, ...r.args);
    answer(r, { id: r.id, ok: true, value: v });
  } catch (e) { answer(r, { id: r.id, ok: false, error: String(e && e.message || e) }); }
});
`;

export type RedisReply = string | number | null | RedisReply[];
export interface RedisTarget {
  host: string;
  port: number;
  user?: string;
  password?: string;
  db?: number;
}

export class RedisClient {
  private readonly worker: Worker;
  private readonly signal = new Int32Array(new SharedArrayBuffer(4));
  private readonly syncPort: MessagePort;
  private readonly pending = new Map<number, (a: { ok: boolean; value?: RedisReply; error?: string }) => void>();
  private seq = 0;
  private closed = false;

  constructor(
    readonly target: RedisTarget,
    readonly label: string,
    log: DbLog,
  ) {
    const ch = new MessageChannel();
    this.syncPort = ch.port2;
    this.syncPort.unref();
    this.worker = new Worker(WORKER, {
      eval: true,
      workerData: { base: import.meta.url, cfg: target, signal: this.signal.buffer, syncPort: ch.port1 },
      transferList: [ch.port1],
    });
    this.worker.on('message', (m: { id?: number; state?: string; error?: string; ok: boolean; value?: RedisReply }) => {
      if (m.state) {
        if (this.closed) return;
        log(
          m.state === 'down' ? -1 : 2,
          m.state === 'down'
            ? `connection to ${label} lost: ${m.error ?? ''}; reconnecting`
            : `connection to ${label} re-established`,
        );
        return;
      }
      const done = this.pending.get(m.id!);
      if (done) {
        this.pending.delete(m.id!);
        done(m);
      }
    });
    // After the listener: adding a 'message' listener refs the worker's port again.
    this.worker.unref();
  }

  private wait(req: Record<string, unknown>, ms: number): { ok: boolean; value?: RedisReply; error?: string } {
    if (this.closed) return { ok: false, error: 'connection closed' };
    const id = ++this.seq;
    this.worker.postMessage({ ...req, id, sync: true });
    const deadline = Date.now() + ms;
    for (;;) {
      const seen = Atomics.load(this.signal, 0);
      const got = receiveMessageOnPort(this.syncPort);
      if (got) {
        const a = got.message as { id: number; ok: boolean; value?: RedisReply; error?: string };
        if (a.id === id) return a;
        continue;
      }
      const left = deadline - Date.now();
      if (left <= 0) return { ok: false, error: `no answer from ${this.label} in ${ms} ms` };
      Atomics.wait(this.signal, 0, seen, left);
    }
  }

  /** Waits for the first connection: undefined, or why not. */
  connect(): string | undefined {
    const a = this.wait({ op: 'connect' }, 5000);
    return a.ok ? undefined : a.error;
  }

  /** One command, waiting for the reply (an Error when it failed). */
  command(cmd: string, ...args: (string | number)[]): RedisReply | Error {
    const a = this.wait({ op: 'cmd', cmd, args: args.map(String) }, 7000);
    return a.ok ? (a.value ?? null) : new Error(a.error ?? 'redis error');
  }

  commandAsync(cmd: string, ...args: (string | number)[]): Promise<RedisReply | Error> {
    if (this.closed) return Promise.resolve(new Error('connection closed'));
    const id = ++this.seq;
    return new Promise((resolve) => {
      this.pending.set(id, (a) => resolve(a.ok ? (a.value ?? null) : new Error(a.error ?? 'redis error')));
      this.worker.postMessage({ op: 'cmd', cmd, args: args.map(String), id, sync: false });
    });
  }

  close(): void {
    if (this.closed) return;
    this.wait({ op: 'close' }, 2000);
    this.closed = true;
    void this.worker.terminate();
  }
}
