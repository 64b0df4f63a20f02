// db_mysql and db_postgres: the driver (mysql2, pg) lives in a worker thread
// and the calling thread sleeps on Atomics.wait until the answer is there, as
// OpenSIPS's worker blocks on its DB (the pattern of net/blocking-udp.ts).
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

export class RemoteBackend implements DbBackend {
  readonly scheme: 'mysql' | 'postgres';
  private readonly worker: Worker;
  private readonly signal = new Int32Array(new SharedArrayBuffer(4));
  private readonly syncPort: MessagePort;
  private readonly pending = new Map<number, (a: Answer) => void>();
  private seq = 0;
  private closed = false;
  /** Connected once: state changes are worth a log line from then on. */
  private up = false;

  constructor(
    private readonly url: DbUrl,
    private readonly log: DbLog,
  ) {
    this.scheme = url.scheme === 'mysql' ? 'mysql' : 'postgres';
    const channel = new MessageChannel();
    this.syncPort = channel.port2;
    this.syncPort.unref(); // read with receiveMessageOnPort only: it must not keep the process alive
    const cfg = {
      scheme: this.scheme,
      host: url.host || 'localhost',
      port: url.port ?? (this.scheme === 'mysql' ? 3306 : 5432),
      user: url.user,
      password: url.password,
      database: url.database,
    };
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      // Plain JavaScript: none of the parent's flags (a loader such as tsx would hook every require of the driver).
      execArgv: [],
      workerData: { base: import.meta.url, cfg, signal: this.signal.buffer, syncPort: channel.port1 },
      transferList: [channel.port1],
    });
    this.worker.on('message', (m: Answer & { state?: 'up' | 'down'; error?: string }) => {
      if (m.state) {
        // Start-up failures are reported by connect(); after close() nothing is.
        if (this.closed || !this.up) return;
        if (m.state === 'down')
          this.log(-1, `connection to ${maskDbUrl(this.url.text)} lost: ${m.error ?? ''}; reconnecting`);
        else this.log(2, `connection to ${maskDbUrl(this.url.text)} re-established`);
        return;
      }
      const done = this.pending.get(m.id);
      if (done) {
        this.pending.delete(m.id);
        done(m);
      }
    });
    this.worker.on('error', (err) =>
      this.log(-1, `database worker for ${maskDbUrl(this.url.text)} failed: ${err.message}`),
    );
    // After the listeners: adding a 'message' listener refs the worker's port again.
    this.worker.unref();
  }

  /** Connects, waiting: undefined, or the driver's error (start-up refuses the URL). */
  connect(): DbError | undefined {
    const a = this.call({ op: 'connect', first: true });
    this.up = a.ok;
    return a.ok ? undefined : new DbError(a.error ?? 'cannot connect', true);
  }

  private call(req: Record<string, unknown>): Answer {
    if (this.closed) return { id: 0, ok: false, error: 'database connection closed' };
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

  private callAsync(req: Record<string, unknown>): Promise<Answer> {
    if (this.closed) return Promise.resolve({ id: 0, ok: false, error: 'database connection closed' });
    const id = ++this.seq;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.worker.postMessage({ ...req, id, sync: false });
    });
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
    for (const done of this.pending.values()) done({ id: 0, ok: false, error: 'database connection closed' });
    this.pending.clear();
    void this.worker.terminate();
  }
}
