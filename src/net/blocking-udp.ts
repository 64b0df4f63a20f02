// A request/response over UDP that blocks the script until the answer comes,
// as OpenSIPS's worker blocks on its media-relay control socket. The socket
// lives in a worker thread; the calling thread sleeps on Atomics.wait until
// the worker has written the reply (or given up after the retries) into
// shared memory. Meant for control protocols on the same host (rtpengine's
// ng, rtpproxy): a few hundred microseconds per call.
import { Worker } from 'node:worker_threads';
import { DgramAsPromised } from 'dgram-as-promised';
import type { ControlChannel } from './types.js';

const MAX_REPLY = 65536;

/** Runs in the worker: one UDP socket, one request at a time, retried every `timeoutMs`. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const dgram = require('node:dgram');
const state = new Int32Array(workerData.shared, 0, 2);
const data = new Uint8Array(workerData.shared, 8);
let current;
const sockets = {};
function socketFor(family) {
  if (!sockets[family]) {
    const s = dgram.createSocket(family);
    s.on('message', (msg, rinfo) => {
      if (!current || rinfo.port !== current.port || !msg.subarray(0, current.prefix.length).equals(current.prefix)) return;
      finish(msg);
    });
    s.on('error', () => undefined);
    s.unref();
    sockets[family] = s;
  }
  return sockets[family];
}
function finish(msg) {
  const c = current;
  current = undefined;
  clearTimeout(c.timer);
  let len = -1;
  if (msg) { len = Math.min(msg.length, data.length); data.set(msg.subarray(0, len)); }
  Atomics.store(state, 1, len);
  Atomics.store(state, 0, c.seq);
  Atomics.notify(state, 0);
}
parentPort.on('message', (r) => {
  const sock = socketFor(r.host.includes(':') ? 'udp6' : 'udp4');
  const payload = Buffer.from(r.payload);
  current = { seq: r.seq, port: r.port, prefix: Buffer.from(r.prefix), left: r.retries, timer: undefined };
  const attempt = () => {
    sock.send(payload, r.port, r.host, () => undefined);
    current.timer = setTimeout(() => { if (current && current.seq === r.seq) { if (current.left-- > 0) attempt(); else finish(undefined); } }, r.timeoutMs);
  };
  attempt();
});
`;

export class BlockingUdp implements ControlChannel {
  private worker: Worker | undefined;
  private readonly shared = new SharedArrayBuffer(8 + MAX_REPLY);
  private readonly state = new Int32Array(this.shared, 0, 2);
  private readonly data = new Uint8Array(this.shared, 8);
  private seq = 0;

  /**
   * Sends `payload` to host:port and waits for a datagram from that port
   * starting with `prefix` (the request's cookie): its bytes, or undefined
   * after `attempts` sends `timeoutMs` apart.
   */
  request(
    host: string,
    port: number,
    payload: Buffer,
    prefix: Buffer,
    timeoutMs: number,
    attempts: number,
  ): Buffer | undefined {
    const retries = Math.max(0, attempts - 1);
    if (!this.worker) {
      this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { shared: this.shared } });
      this.worker.unref();
    }
    const seq = ++this.seq;
    this.worker.postMessage({ seq, host, port, payload, prefix, timeoutMs, retries });
    // The worker answers within (retries + 1) timeouts; the margin covers its start-up.
    const deadline = Date.now() + (retries + 1) * timeoutMs + 2000;
    while (Atomics.load(this.state, 0) !== seq) {
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      Atomics.wait(this.state, 0, Atomics.load(this.state, 0), left);
    }
    const len = Atomics.load(this.state, 1);
    return len < 0 ? undefined : Buffer.from(this.data.subarray(0, len));
  }

  /** The same exchange on the event loop (a socket of its own, one request at a time per call). */
  requestAsync(
    host: string,
    port: number,
    payload: Buffer,
    prefix: Buffer,
    timeoutMs: number,
    attempts: number,
  ): Promise<Buffer | undefined> {
    return new Promise((resolve) => {
      const sock = DgramAsPromised.createSocket({ type: host.includes(':') ? 'udp6' : 'udp4' }).socket;
      let left = Math.max(1, attempts);
      let timer: NodeJS.Timeout | undefined;
      const done = (reply: Buffer | undefined): void => {
        clearTimeout(timer);
        sock.close();
        resolve(reply);
      };
      sock.on('message', (msg, rinfo) => {
        if (rinfo.port === port && msg.subarray(0, prefix.length).equals(prefix)) done(Buffer.from(msg));
      });
      sock.on('error', () => done(undefined));
      const attempt = (): void => {
        if (left-- <= 0) {
          done(undefined);
          return;
        }
        sock.send(payload, port, host, () => undefined);
        timer = setTimeout(attempt, timeoutMs);
      };
      attempt();
    });
  }

  close(): void {
    void this.worker?.terminate();
    this.worker = undefined;
  }
}
