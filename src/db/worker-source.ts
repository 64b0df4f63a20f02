// The worker thread that owns a mysql2 or pg connection (both drivers are
// asynchronous). Requests arrive on parentPort; answers to synchronous ones go
// to `syncPort` and bump the shared counter the waiting script sleeps on,
// answers to asynchronous ones go back on parentPort. The worker keeps the
// connection: when it drops, requests fail at once with `lost` and the worker
// reconnects with back-off (1 s doubling to 30 s), reporting each state change.
// Plain JavaScript, run with `eval`, so it works from sources and from dist.
export const WORKER_SOURCE = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const { createRequire } = require('node:module');
const req = createRequire(workerData.base);
const cfg = workerData.cfg;
const signal = new Int32Array(workerData.signal);
const syncPort = workerData.syncPort;
const CONNECT_MS = 5000;
const QUERY_MS = 10000;
let client;          // connected driver object
let connecting;      // promise of the current attempt
let down = false;    // a connection existed and was lost (or never came)
let backoff = 1000;
let retryTimer;
let queue = Promise.resolve();

// Bytes arrive as Uint8Array (structured clone drops Buffer): the drivers send a Buffer as binary.
function bytes(params) { return params.map((v) => v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v); }

function errText(e) { return (e && (e.message || e.code)) ? String(e.message || e.code) : String(e); }

function state(up, error) { parentPort.postMessage({ state: up ? 'up' : 'down', error }); }

async function open() {
  if (cfg.scheme === 'postgres') {
    const pg = req('pg');
    const parse = (v) => v;
    for (const oid of [1114, 1184, 1082, 1083]) pg.types.setTypeParser(oid, parse);
    // BIGINT as a number when it is one exactly (as SQLite and mysql2 answer), else its digits.
    pg.types.setTypeParser(20, (v) => { const n = Number(v); return Number.isSafeInteger(n) ? n : v; });
    const c = new pg.Client({ host: cfg.host, port: cfg.port, user: cfg.user, password: cfg.password, database: cfg.database,
      connectionTimeoutMillis: CONNECT_MS, query_timeout: QUERY_MS, keepAlive: true });
    c.on('error', (e) => lost(c, e));
    c.on('end', () => lost(c, new Error('connection terminated')));
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
  c.on('error', (e) => lost(c, e));
  c.connection && c.connection.on && c.connection.on('end', () => lost(c, new Error('connection closed')));
  return { raw: c, query: async (text, params, arrays) => {
    params = bytes(params);
    // Statements with parameters go through the binary protocol's prepared statements (mysql2 caches them per connection).
    const [res] = params.length ? await c.execute({ sql: text, values: params, timeout: QUERY_MS, rowsAsArray: !!arrays })
      : await c.query({ sql: text, values: params, timeout: QUERY_MS, rowsAsArray: !!arrays });
    if (Array.isArray(res)) return arrays ? { rows: [], arrays: res.map((r) => [...r]), affected: 0 } : { rows: res.map((r) => ({ ...r })), affected: 0 };
    return { rows: [], affected: res.affectedRows || 0, insertId: res.insertId };
  }, close: () => c.end().catch(() => undefined) };
}

function lost(raw, e) {
  if (!client || client.raw !== raw) return;
  client = undefined;
  try { raw.destroy ? raw.destroy() : raw.end(); } catch (_) {}
  down = true;
  state(false, errText(e));
  scheduleRetry();
}

function scheduleRetry() {
  if (retryTimer) return;
  retryTimer = setTimeout(() => { retryTimer = undefined; connect().catch(() => undefined); }, backoff);
  backoff = Math.min(backoff * 2, 30000);
}

function connect() {
  if (client) return Promise.resolve(client);
  if (!connecting) {
    connecting = open().then((c) => {
      client = c; connecting = undefined; backoff = 1000;
      if (down) { down = false; state(true); }
      return c;
    }, (e) => {
      connecting = undefined;
      if (!down) { down = true; state(false, errText(e)); }
      scheduleRetry();
      throw e;
    });
  }
  return connecting;
}

function isConnectionError(e) {
  const code = e && (e.code || '');
  if (e && e.fatal) return true;
  return /^(ECONN|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|PROTOCOL_CONNECTION_LOST|57P0|08)/.test(String(code)) || /terminated|not queryable|closed state|Connection lost|timeout/i.test(errText(e));
}

async function run(r) {
  if (r.op === 'connect') { await connect(); return { rows: [], affected: 0 }; }
  if (r.op === 'close') { clearTimeout(retryTimer); const c = client; client = undefined; down = false; if (c) await c.close(); return { rows: [], affected: 0 }; }
  if (!client) {
    if (down && !r.first) throw Object.assign(new Error('no connection to the database (reconnecting)'), { lost: true });
    await connect();
  }
  const c = client;
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
    if (isConnectionError(e)) { lost(c.raw, e); throw Object.assign(e, { lost: true }); }
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
  queue = queue.then(() => run(r)).then(
    (res) => answer(r, { id: r.id, ok: true, rows: res.rows, arrays: res.arrays, affected: res.affected, insertId: res.insertId }),
    (e) => answer(r, { id: r.id, ok: false, error: errText(e), lost: !!(e && e.lost) }));
});
`;
