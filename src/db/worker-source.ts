// The worker thread that owns the process's mysql2 and pg connections (both
// drivers are asynchronous); one thread for all of them, so opening a
// connection costs a connect, not a thread and a driver load. Requests name
// their connection and arrive on parentPort; answers to synchronous ones go
// to `syncPort` and bump the shared counter the waiting script sleeps on,
// answers to asynchronous ones go back on parentPort. Each connection has its
// own queue: when it drops, its requests fail at once with `lost` and it
// reconnects with back-off (1 s doubling to 30 s), reporting each state change.
// Plain JavaScript, run with `eval`, so it works from sources and from dist.
export const WORKER_SOURCE = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const { createRequire } = require('node:module');
const req = createRequire(workerData.base);
const signal = new Int32Array(workerData.signal);
const syncPort = workerData.syncPort;
const CONNECT_MS = 5000;
const QUERY_MS = 10000;
/** The connections of this process, by the id the main thread gave each. */
const conns = new Map();

// Bytes arrive as Uint8Array (structured clone drops Buffer): the drivers send a Buffer as binary.
function bytes(params) { return params.map((v) => v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v); }

function errText(e) { return (e && (e.message || e.code)) ? String(e.message || e.code) : String(e); }

function newConn(id, cfg) {
  // client: connected driver object; connecting: the current attempt; down: a connection existed and was lost (or never came).
  return { id, cfg, client: undefined, connecting: undefined, down: false, backoff: 1000, retryTimer: undefined, queue: Promise.resolve(), closed: false };
}

function state(k, up, error) { parentPort.postMessage({ state: up ? 'up' : 'down', conn: k.id, error }); }

async function open(k) {
  const cfg = k.cfg;
  if (cfg.scheme === 'postgres') {
    const pg = req('pg');
    const parse = (v) => v;
    for (const oid of [1114, 1184, 1082, 1083]) pg.types.setTypeParser(oid, parse);
    // BIGINT as a number when it is one exactly (as SQLite and mysql2 answer), else its digits.
    pg.types.setTypeParser(20, (v) => { const n = Number(v); return Number.isSafeInteger(n) ? n : v; });
    const c = new pg.Client({ host: cfg.host, port: cfg.port, user: cfg.user, password: cfg.password, database: cfg.database,
      connectionTimeoutMillis: CONNECT_MS, query_timeout: QUERY_MS, keepAlive: true });
    c.on('error', (e) => lost(k, c, e));
    c.on('end', () => lost(k, c, new Error('connection terminated')));
    await c.connect();
    // Statements with parameters are prepared once per connection (named): the server parses and plans them once.
    const names = new Map();
    return { raw: c, query: async (text, params, arrays) => {
      params = bytes(params);
      const q = { text, values: params };
      if (params.length) { let n = names.get(text); if (!n && names.size < 1000) { n = 's' + names.size; names.set(text, n); } if (n) q.name = n; }
      if (arrays) q.rowMode = 'array';
      const r = await c.query(q);
      return arrays ? { rows: [], arrays: r.rows || [], affected: r.rowCount || 0 } : { rows: r.rows || [], affected: r.rowCount || 0 };
    }, close: () => c.end().catch(() => undefined) };
  }
  const mysql = req('mysql2/promise');
  const c = await mysql.createConnection({ host: cfg.host, port: cfg.port, user: cfg.user, password: cfg.password, database: cfg.database,
    connectTimeout: CONNECT_MS, dateStrings: true, supportBigNumbers: true, bigNumberStrings: false, charset: 'utf8mb4' });
  c.on('error', (e) => lost(k, c, e));
  c.connection && c.connection.on && c.connection.on('end', () => lost(k, c, new Error('connection closed')));
  return { raw: c, query: async (text, params, arrays) => {
    params = bytes(params);
    // Statements with parameters go through the binary protocol's prepared statements (mysql2 caches them per connection).
    const [res] = params.length ? await c.execute({ sql: text, values: params, timeout: QUERY_MS, rowsAsArray: !!arrays })
      : await c.query({ sql: text, values: params, timeout: QUERY_MS, rowsAsArray: !!arrays });
    if (Array.isArray(res)) return arrays ? { rows: [], arrays: res.map((r) => [...r]), affected: 0 } : { rows: res.map((r) => ({ ...r })), affected: 0 };
    return { rows: [], affected: res.affectedRows || 0, insertId: res.insertId };
  }, close: () => c.end().catch(() => undefined) };
}

function lost(k, raw, e) {
  if (!k.client || k.client.raw !== raw) return;
  k.client = undefined;
  try { raw.destroy ? raw.destroy() : raw.end(); } catch (_) {}
  k.down = true;
  state(k, false, errText(e));
  scheduleRetry(k);
}

function scheduleRetry(k) {
  if (k.retryTimer || k.closed) return;
  k.retryTimer = setTimeout(() => { k.retryTimer = undefined; connect(k).catch(() => undefined); }, k.backoff);
  k.backoff = Math.min(k.backoff * 2, 30000);
}

function connect(k) {
  if (k.client) return Promise.resolve(k.client);
  if (!k.connecting) {
    k.connecting = open(k).then((c) => {
      k.connecting = undefined; k.backoff = 1000;
      if (k.closed) { c.close(); throw new Error('database connection closed'); }
      k.client = c;
      if (k.down) { k.down = false; state(k, true); }
      return c;
    }, (e) => {
      k.connecting = undefined;
      if (!k.down) { k.down = true; state(k, false, errText(e)); }
      scheduleRetry(k);
      throw e;
    });
  }
  return k.connecting;
}

function isConnectionError(e) {
  const code = e && (e.code || '');
  if (e && e.fatal) return true;
  return /^(ECONN|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|PROTOCOL_CONNECTION_LOST|57P0|08)/.test(String(code)) || /terminated|not queryable|closed state|Connection lost|timeout/i.test(errText(e));
}

async function run(k, r) {
  if (r.op === 'connect') { await connect(k); return { rows: [], affected: 0 }; }
  if (r.op === 'close') {
    k.closed = true; clearTimeout(k.retryTimer); conns.delete(k.id);
    const c = k.client; k.client = undefined; k.down = false;
    if (c) await c.close();
    return { rows: [], affected: 0 };
  }
  if (!k.client) {
    if (k.down && !r.first) throw Object.assign(new Error('no connection to the database (reconnecting)'), { lost: true });
    await connect(k);
  }
  const c = k.client;
  try {
    if (r.op === 'batch') {
      let last = { rows: [], affected: 0 }, affected = 0;
      await c.query('BEGIN', []);
      try {
        for (const s of r.stmts) { last = await c.query(s.text, s.params); affected += last.affected; }
        await c.query('COMMIT', []);
      } catch (e) { try { await c.query('ROLLBACK', []); } catch (_) {} throw e; }
      return { ...last, affected };
    }
    if (r.op === 'script') { for (const s of r.stmts) await c.query(s.text, []); return { rows: [], affected: 0 }; }
    return await c.query(r.stmt.text, r.stmt.params, r.stmt.arrays);
  } catch (e) {
    if (isConnectionError(e)) { lost(k, c.raw, e); throw Object.assign(e, { lost: true }); }
    throw e;
  }
}

function answer(r, msg) {
  if (r.sync) {
    syncPort.postMessage(msg);
    Atomics.add(signal, 0, 1);
    Atomics.notify(signal, 0);
  } else parentPort.postMessage(msg);
}

parentPort.on('message', (r) => {
  if (r.op === 'open') { conns.set(r.conn, newConn(r.conn, r.cfg)); return; }
  const k = conns.get(r.conn);
  if (!k) { answer(r, { id: r.id, ok: false, error: 'database connection closed' }); return; }
  // One queue per connection: its statements in order; other connections go on meanwhile.
  k.queue = k.queue.then(() => run(k, r)).then(
    (res) => answer(r, { id: r.id, ok: true, rows: res.rows, arrays: res.arrays, affected: res.affected, insertId: res.insertId }),
    (e) => answer(r, { id: r.id, ok: false, error: errText(e), lost: !!(e && e.lost) }));
});
`;
