// db_mysql and db_postgres: the drivers (mysql2, pg) live in one worker thread
// for the process and the calling thread sleeps on Atomics.wait until the
// answer is there, as OpenSIPS's worker blocks on its DB (the pattern of
// net/blocking-udp.ts).
// Timer work uses the *Async calls, which never block message processing.
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { WORKER_SOURCE } from './worker-source.js';
import { DbError, type DbBackend, type DbLog, type DbResult, type DbValue, type Stmt } from './types.js';
import { maskDbUrl, type DbUrl } from './url.js';

/** Longest the script waits for one answer (the worker's own timeouts are shorter). */
const SYNC_WAIT_MS = 20000;

interface Answer {
  id: number;
  ok: boolean;
  rows?: Record<string, DbValue>[];
  arrays?: DbValue[][];
  affected?: number;
  insertId?: number | string;
  error?: string;
  lost?: boolean;
}

function wire(v: DbValue): unknown {
  return typeof v === 'bigint' ? v.toString() : v;
}

type StateMsg = { state: 'up' | 'down'; conn: number; error?: string };

/**
 * The one worker thread of the process and the plumbing to it: a shared
 * counter the script sleeps on, the port synchronous answers come back on,
 * the asynchronous calls waiting, and each connection's state listener.
 */
class Hub {
  readonly worker: Worker;
  readonly signal = new Int32Array(new SharedArrayBuffer(4));
  readonly syncPort: MessagePort;
  readonly pending = new Map<number, (a: Answer) => void>();
  readonly listeners = new Map<number, (m: StateMsg) => void>();
  seq = 0;
  conns = 0;
  dead: string | undefined;

  constructor() {
    const channel = new MessageChannel();
    this.syncPort = channel.port2;
    this.syncPort.unref(); // read with receiveMessageOnPort only: it must not keep the process alive
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      // Plain JavaScript: none of the parent's flags (a loader such as tsx would hook every require of the driver).
      execArgv: [],
      workerData: { base: import.meta.url, signal: this.signal.buffer, syncPort: channel.port1 },
      transferList: [channel.port1],
    });
    this.worker.on('message', (m: Answer & Partial<StateMsg>) => {
      if (m.state) {
        this.listeners.get(m.conn!)?.(m as StateMsg);
        return;
      }
      const done = this.pending.get(m.id);
      if (done) {
        this.pending.delete(m.id);
        done(m);
      }
    });
    const fail = (why: string): void => {
      if (hub === this) hub = undefined;
      this.dead = why;
      for (const l of this.listeners.values()) l({ state: 'down', conn: 0, error: why });
      for (const done of this.pending.values()) done({ id: 0, ok: false, error: why, lost: true });
      this.pending.clear();
    };
    this.worker.on('error', (err) => fail(`database worker failed: ${err.message}`));
    this.worker.on('exit', () => fail('database worker exited'));
    // After the listeners: adding a 'message' listener refs the worker's port again.
    this.worker.unref();
  }

  call(req: Record<string, unknown>): Answer {
    if (this.dead) return { id: 0, ok: false, error: this.dead, lost: true };
    const id = ++this.seq;
    this.worker.postMessage({ ...req, id, sync: true });
    const deadline = Date.now() + SYNC_WAIT_MS;
    for (;;) {
      const seen = Atomics.load(this.signal, 0);
      const got = receiveMessageOnPort(this.syncPort);
      if (got) {
        const a = got.message as Answer;
        if (a.id === id) return a;
        continue; // an answer to a call that timed out earlier
      }
      const left = deadline - Date.now();
      if (left <= 0) return { id, ok: false, error: `no answer from the database in ${SYNC_WAIT_MS} ms`, lost: true };
      Atomics.wait(this.signal, 0, seen, left);
    }
  }

  callAsync(req: Record<string, unknown>): Promise<Answer> {
    if (this.dead) return Promise.resolve({ id: 0, ok: false, error: this.dead, lost: true });
    const id = ++this.seq;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.worker.postMessage({ ...req, id, sync: false });
    });
  }
}

let hub: Hub | undefined;

export class RemoteBackend implements DbBackend {
  readonly scheme: 'mysql' | 'postgres';
  private readonly hub: Hub;
  private readonly conn: number;
  private closed = false;
  /** Connected once: state changes are worth a log line from then on. */
  private up = false;

  constructor(
    private readonly url: DbUrl,
    private readonly log: DbLog,
  ) {
    this.scheme = url.scheme === 'mysql' ? 'mysql' : 'postgres';
    const cfg = {
      scheme: this.scheme,
      host: url.host || 'localhost',
      port: url.port ?? (this.scheme === 'mysql' ? 3306 : 5432),
      user: url.user,
      password: url.password,
      database: url.database,
    };
    this.hub = hub ??= new Hub();
    this.conn = ++this.hub.conns;
    this.hub.listeners.set(this.conn, (m) => {
      // Start-up failures are reported by connect(); after close() nothing is.
      if (this.closed || !this.up) return;
      if (m.state === 'down')
        this.log(-1, `connection to ${maskDbUrl(this.url.text)} lost: ${m.error ?? ''}; reconnecting`);
      else this.log(2, `connection to ${maskDbUrl(this.url.text)} re-established`);
    });
    this.hub.worker.postMessage({ op: 'open', conn: this.conn, cfg, id: 0, sync: false });
  }

  /** Connects, waiting: undefined, or the driver's error (start-up refuses the URL). */
  connect(): DbError | undefined {
    const a = this.call({ op: 'connect', first: true });
    this.up = a.ok;
    return a.ok ? undefined : new DbError(a.error ?? 'cannot connect', true);
  }

  private call(req: Record<string, unknown>): Answer {
    if (this.closed) return { id: 0, ok: false, error: 'database connection closed' };
    return this.hub.call({ ...req, conn: this.conn });
  }

  private callAsync(req: Record<string, unknown>): Promise<Answer> {
    if (this.closed) return Promise.resolve({ id: 0, ok: false, error: 'database connection closed' });
    return this.hub.callAsync({ ...req, conn: this.conn });
  }

  private static result(a: Answer): DbResult | DbError {
    if (!a.ok) return new DbError(a.error ?? 'database error', a.lost ?? false);
    const r: DbResult = { rows: a.rows ?? [], affected: a.affected ?? 0 };
    if (a.insertId !== undefined) r.insertId = a.insertId;
    if (a.arrays) r.arrays = a.arrays;
    return r;
  }

  private static wireStmt(s: Stmt): { text: string; params: unknown[]; arrays?: boolean } {
    return { text: s.text, params: s.params.map(wire), ...(s.arrays ? { arrays: true } : {}) };
  }

  exec(stmt: Stmt): DbResult | DbError {
    return RemoteBackend.result(this.call({ op: 'exec', stmt: RemoteBackend.wireStmt(stmt) }));
  }

  batch(stmts: readonly Stmt[]): DbResult | DbError {
    return RemoteBackend.result(this.call({ op: 'batch', stmts: stmts.map(RemoteBackend.wireStmt) }));
  }

  /** DDL statements one after the other (db create). */
  script(texts: readonly string[]): DbError | undefined {
    const r = RemoteBackend.result(this.call({ op: 'script', stmts: texts.map((text) => ({ text, params: [] })) }));
    return r instanceof DbError ? r : undefined;
  }

  async execAsync(stmt: Stmt): Promise<DbResult | DbError> {
    return RemoteBackend.result(await this.callAsync({ op: 'exec', stmt: RemoteBackend.wireStmt(stmt) }));
  }

  async batchAsync(stmts: readonly Stmt[]): Promise<DbResult | DbError> {
    return RemoteBackend.result(await this.callAsync({ op: 'batch', stmts: stmts.map(RemoteBackend.wireStmt) }));
  }

  close(): void {
    if (this.closed) return;
    this.call({ op: 'close' });
    this.closed = true;
    this.hub.listeners.delete(this.conn);
  }
}
