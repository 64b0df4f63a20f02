// `npm run bench:register` (second part): REGISTERs for distinct AoRs at
// increasing rates to `opensips-ts run` with usrloc in each persistence mode -
// memory, SQLite write-back and write-through, PostgreSQL and MariaDB
// write-through and sql-only - and to Kamailio 5.6 in the matching modes
// (memory, usrloc db_mode 1 = write-through, db_mode 3 = DB-only) on the same
// private PostgreSQL and MariaDB servers, started for the run as the tests do
// and stopped at the end. Each server is warmed up first (a cold server's CPU
// is mostly V8 compiling), then ramped; printed per mode: the highest rate
// without failures, the server's CPU per REGISTER (every thread, every forked
// process), the database server's CPU per REGISTER, and the queries a REGISTER
// costs (PostgreSQL: pg_stat_statements; MariaDB: the Com_* counters), counted
// over the warm-up. Loopback only (127.0.42.x); every step is bounded in count
// and time. BENCH_MODES=memory,kam-pg-db-only,... picks modes;
// BENCH_RATES=500,1000,... the ramp; BENCH_NO_REFERENCE=1 skips Kamailio.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import mysql from 'mysql2/promise';
import { loadNow, processTree, runSipp, treeCpu, waitFor, which } from './bench-lib.js';
import { createTables, DbError, openDb } from '../src/db/index.js';
import { serverSkip, startMariadb, startPostgres, type DbServer } from '../test/helpers/db-servers.js';

const ROOT = process.cwd();
const SCENARIO = join(ROOT, 'bench/register-distinct.xml');
const SECONDS_PER_STEP = 3;
const RATES = process.env.BENCH_RATES
  ? process.env.BENCH_RATES.split(',').map(Number)
  : [500, 1000, 1500, 2000, 3000, 4000, 6000, 8000, 12000, 16000];
/** Warm-up before the ramp, at a rate every mode sustains; the query counts are taken over it (per answered REGISTER). */
const WARM_COUNT = Number(process.env.BENCH_WARM ?? 2000);
const WARM_RATE = 400;
const OURS_IP = '127.0.42.1';
const KAM_IP = '127.0.42.2';
const DB_IP = '127.0.42.5';
const SIPP_IP = '127.0.42.9';
const KAM_MODULES = '/usr/lib/x86_64-linux-gnu/kamailio/modules';
const KAM_SQL = '/usr/share/kamailio';

type Backend = 'none' | 'sqlite' | 'postgres' | 'mariadb';
interface Mode {
  name: string;
  server: 'opensips-ts' | 'kamailio';
  backend: Backend;
  /** opensips-ts: usrloc working_mode_preset. */
  preset?: string;
  /** Kamailio: usrloc db_mode. */
  dbMode?: number;
}
/** One line of the summary: our mode and Kamailio's equivalent. */
const ROWS: { label: string; ours: Mode; kam?: Mode }[] = [
  {
    label: 'memory',
    ours: { name: 'memory', server: 'opensips-ts', backend: 'none', preset: 'single-instance-no-db' },
    kam: { name: 'kam-memory', server: 'kamailio', backend: 'none', dbMode: 0 },
  },
  {
    label: 'SQLite write-back',
    ours: { name: 'sqlite-wb', server: 'opensips-ts', backend: 'sqlite', preset: 'single-instance-sql-write-back' },
  },
  {
    label: 'SQLite write-through',
    ours: { name: 'sqlite-wt', server: 'opensips-ts', backend: 'sqlite', preset: 'single-instance-sql-write-through' },
  },
  {
    label: 'PostgreSQL write-through',
    ours: { name: 'pg-wt', server: 'opensips-ts', backend: 'postgres', preset: 'single-instance-sql-write-through' },
    kam: { name: 'kam-pg-wt', server: 'kamailio', backend: 'postgres', dbMode: 1 },
  },
  {
    label: 'PostgreSQL sql-only',
    ours: { name: 'pg-sql-only', server: 'opensips-ts', backend: 'postgres', preset: 'sql-only' },
    kam: { name: 'kam-pg-db-only', server: 'kamailio', backend: 'postgres', dbMode: 3 },
  },
  {
    label: 'MariaDB write-through',
    ours: { name: 'maria-wt', server: 'opensips-ts', backend: 'mariadb', preset: 'single-instance-sql-write-through' },
    kam: { name: 'kam-maria-wt', server: 'kamailio', backend: 'mariadb', dbMode: 1 },
  },
  {
    label: 'MariaDB sql-only',
    ours: { name: 'maria-sql-only', server: 'opensips-ts', backend: 'mariadb', preset: 'sql-only' },
    kam: { name: 'kam-maria-db-only', server: 'kamailio', backend: 'mariadb', dbMode: 3 },
  },
];

function oursCfg(mode: Mode, url: string): string {
  return [
    `# bench:register ${mode.name}`,
    `socket=udp:${OURS_IP}:5060`,
    'loadmodule "proto_udp.so"',
    'loadmodule "sl.so"',
    'loadmodule "signaling.so"',
    'loadmodule "usrloc.so"',
    'loadmodule "registrar.so"',
    `modparam("usrloc", "working_mode_preset", "${mode.preset}")`,
    ...(url ? [`modparam("usrloc", "db_url", "${url}")`] : []),
    // Every second (OpenSIPS's default is 60): write-back's flushes, whose cost belongs to the REGISTERs
    // that made the contacts dirty, then fall inside each step. sql-only deletes expired rows as often.
    'modparam("usrloc", "timer_interval", 1)',
    'route {',
    '\tsave("location");',
    '}',
    '',
  ].join('\n');
}

/** bench/kamailio-registrar.cfg with the DB module and usrloc's db_mode. */
function kamCfg(mode: Mode, url: string): string {
  const dbModule = mode.backend === 'postgres' ? 'db_postgres.so' : mode.backend === 'mariadb' ? 'db_mysql.so' : '';
  return [
    '#!KAMAILIO',
    `# bench:register ${mode.name}: Kamailio's registrar, one UDP worker, usrloc db_mode ${mode.dbMode}.`,
    'debug=0',
    'log_stderror=yes',
    'children=1',
    `listen=udp:${KAM_IP}:5060`,
    ...(dbModule ? [`loadmodule "${dbModule}"`] : []),
    'loadmodule "sl.so"',
    'loadmodule "tm.so"',
    'loadmodule "usrloc.so"',
    'loadmodule "registrar.so"',
    ...(url ? [`modparam("usrloc", "db_url", "${url}")`, `modparam("usrloc", "db_mode", ${mode.dbMode})`] : []),
    'modparam("usrloc", "timer_interval", 1)',
    'request_route {',
    '\tsave("location");',
    '}',
    '',
  ].join('\n');
}

/** The private database servers, an admin connection to each, and the databases `opensips` and `kamailio`. */
class Databases {
  private pgSrv?: DbServer;
  private mariaSrv?: DbServer;
  private pgAdmin?: pg.Client;
  private mariaAdmin?: mysql.Connection;
  private kamReady = new Set<Backend>();

  async server(b: 'postgres' | 'mariadb'): Promise<DbServer> {
    if (b === 'postgres') {
      if (!this.pgSrv) {
        this.pgSrv = await startPostgres(DB_IP, ['shared_preload_libraries=pg_stat_statements']);
        this.pgAdmin = new pg.Client({ host: DB_IP, port: this.pgSrv.port, user: 'postgres', database: 'postgres' });
        await this.pgAdmin.connect();
        await this.pgAdmin.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
      }
      return this.pgSrv;
    }
    if (!this.mariaSrv) {
      this.mariaSrv = await startMariadb(DB_IP);
      this.mariaAdmin = await mysql.createConnection({
        host: DB_IP,
        port: this.mariaSrv.port,
        user: 'root',
        multipleStatements: true,
      });
    }
    return this.mariaSrv;
  }

  /** The URL the mode's server uses, its location table made and emptied. */
  async prepare(mode: Mode): Promise<string> {
    const b = mode.backend as 'postgres' | 'mariadb';
    const srv = await this.server(b);
    if (mode.server === 'opensips-ts') {
      const db = openDb(srv.url);
      if (db instanceof DbError) throw new Error(db.message);
      const made = createTables(db, ['location']);
      if (made instanceof DbError) throw new Error(made.message);
      // 3.3's location table has no index but its primary key: sql-only's read by AoR would scan the whole
      // table (the DB server's time growing with every step). An operator adds this one; Kamailio's schema has
      // account_contact_idx (username, domain, contact).
      if (made.created.includes('location')) db.raw(`CREATE INDEX location_account_idx ON location (username, domain)`);
      db.delete('location', {});
      db.close();
      return srv.url;
    }
    const url = srv.url.replace(/\/opensips$/, '/kamailio');
    if (!this.kamReady.has(b)) {
      // Kamailio's own schema, from the files its Debian DB module packages install.
      const dir = join(KAM_SQL, b === 'postgres' ? 'postgres' : 'mysql');
      const ddl = ['standard-create.sql', 'usrloc-create.sql']
        .map((f) => readFileSync(join(dir, f), 'utf8'))
        .join('\n');
      if (b === 'postgres') {
        await this.pgAdmin!.query('CREATE DATABASE kamailio OWNER opensips');
        const c = new pg.Client({
          host: DB_IP,
          port: srv.port,
          user: 'opensips',
          password: 'opensipsrw',
          database: 'kamailio',
        });
        await c.connect();
        await c.query(ddl);
        await c.end();
      } else {
        await this.mariaAdmin!.query('CREATE DATABASE kamailio');
        await this.mariaAdmin!.query('USE kamailio');
        await this.mariaAdmin!.query(ddl);
      }
      this.kamReady.add(b);
    }
    if (b === 'postgres') {
      const c = new pg.Client({
        host: DB_IP,
        port: srv.port,
        user: 'opensips',
        password: 'opensipsrw',
        database: 'kamailio',
      });
      await c.connect();
      await c.query('DELETE FROM location');
      await c.end();
    } else await this.mariaAdmin!.query('DELETE FROM kamailio.location');
    return url;
  }

  async resetCounts(b: Backend): Promise<void> {
    if (b === 'postgres') await this.pgAdmin!.query('SELECT pg_stat_statements_reset()');
  }

  /** Statements run since resetCounts (PostgreSQL) / the MariaDB counters now: kind -> count. */
  async counts(b: Backend, database: string): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (b === 'postgres') {
      const r = await this.pgAdmin!.query<{ query: string; calls: string }>(
        'SELECT s.query, s.calls FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = $1',
        [database],
      );
      for (const row of r.rows) {
        const key = row.query.replace(/\s+/g, ' ').slice(0, 90);
        out.set(key, (out.get(key) ?? 0) + Number(row.calls));
      }
    } else if (b === 'mariadb') {
      const [rows] = await this.mariaAdmin!.query<mysql.RowDataPacket[]>(
        "SHOW GLOBAL STATUS WHERE Variable_name IN ('Com_select','Com_insert','Com_update','Com_delete','Com_replace','Com_begin','Com_commit','Com_rollback','Com_stmt_execute','Com_stmt_prepare')",
      );
      for (const row of rows) out.set(String(row.Variable_name), Number(row.Value));
    }
    return out;
  }

  pid(b: Backend): number | undefined {
    return b === 'postgres' ? this.pgSrv?.pid : b === 'mariadb' ? this.mariaSrv?.pid : undefined;
  }

  async stop(): Promise<void> {
    await this.pgAdmin?.end().catch(() => undefined);
    await this.mariaAdmin?.end().catch(() => undefined);
    await this.pgSrv?.stop();
    await this.mariaSrv?.stop();
  }
}

interface StepFigure {
  rate: number;
  achieved: number;
  ok: boolean;
  cpuUs: number;
  mainUs: number;
  dbUs?: number;
  load: string;
}

interface ModeResult {
  mode: Mode;
  steps: StepFigure[];
  queries?: string;
  queriesPerReg?: number;
  note?: string;
}

let stepNo = 0;

/** One step of `count` REGISTERs at `rate`/s: the server's CPU (and the DB server's) per REGISTER. */
function measure(target: string, pid: number, dbPid: number | undefined, rate: number, count: number, work: string) {
  const pids = processTree(pid);
  const dbPids = dbPid ? processTree(dbPid) : [];
  const a = treeCpu(pids);
  const da = dbPids.length ? treeCpu(dbPids).totalNs : 0;
  const run = runSipp({
    target,
    scenario: SCENARIO,
    count,
    rate,
    from: SIPP_IP,
    cwd: work,
    set: { aor: `s${++stepNo}x` },
  });
  const b = treeCpu(pids);
  const db = dbPids.length ? treeCpu(dbPids).totalNs : 0;
  const fig: StepFigure = {
    rate,
    achieved: Math.round(count / run.seconds),
    ok: run.ok,
    cpuUs: (b.totalNs - a.totalNs) / 1e3 / count,
    mainUs: (b.mainNs - a.mainNs) / 1e3 / count,
    load: loadNow(),
  };
  if (dbPids.length) fig.dbUs = (db - da) / 1e3 / count;
  return { fig, run };
}

function startServer(mode: Mode, cfgFile: string): ChildProcess {
  if (mode.server === 'opensips-ts')
    return spawn('taskset', ['-c', '0', process.execPath, 'dist/src/cli/bin.js', 'run', cfgFile], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  return spawn(
    'taskset',
    ['-c', '0', which('kamailio')!, '-f', cfgFile, '-DD', '-E', '-m', '512', '-M', '16', '-x', 'tlsf'],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
}

/** Per-REGISTER query summary over `regs` REGISTERs: the total, and each kind of statement. */
function querySummary(b: Backend, before: Map<string, number>, after: Map<string, number>, regs: number) {
  const per: [string, number][] = [];
  for (const [k, v] of after) {
    const d = v - (b === 'postgres' ? 0 : (before.get(k) ?? 0));
    if (d > 0 && !/pg_stat_statements|pg_database|^SHOW /i.test(k)) per.push([k, d / regs]);
  }
  per.sort((x, y) => y[1] - x[1]);
  // MariaDB: an executed prepared statement also counts in its Com_<kind>: Com_stmt_execute is not added.
  const total = per.filter(([k]) => !/^Com_stmt_/.test(k)).reduce((s, [, v]) => s + v, 0);
  return { total, text: per.map(([k, v]) => `${v.toFixed(2)} x ${k}`).join('; ') };
}

async function runMode(mode: Mode, dbs: Databases): Promise<ModeResult> {
  const work = mkdtempSync(join(tmpdir(), 'bench-regdb-'));
  let child: ChildProcess | undefined;
  try {
    let url = '';
    if (mode.backend === 'sqlite') url = `sqlite://${join(work, 'location.db')}`;
    else if (mode.backend === 'postgres' || mode.backend === 'mariadb') {
      if (serverSkip(mode.backend)) return { mode, steps: [], note: `${mode.backend} not installed` };
      url = await dbs.prepare(mode);
    }
    const file = join(work, 'registrar.cfg');
    writeFileSync(file, mode.server === 'opensips-ts' ? oursCfg(mode, url) : kamCfg(mode, url));
    child = startServer(mode, file);
    await waitFor(child, mode.server === 'opensips-ts' ? /listening on udp/ : /INFO|listening|sl|init/i, 20000);
    await new Promise((r) => setTimeout(r, 500));
    const target = `${mode.server === 'opensips-ts' ? OURS_IP : KAM_IP}:5060`;
    const dbPid = dbs.pid(mode.backend);
    const database = mode.server === 'opensips-ts' ? 'opensips' : 'kamailio';
    await dbs.resetCounts(mode.backend);
    const before = await dbs.counts(mode.backend, database);
    const warm = measure(target, child.pid!, dbPid, WARM_RATE, WARM_COUNT, work);
    const after = await dbs.counts(mode.backend, database);
    const q =
      mode.backend === 'postgres' || mode.backend === 'mariadb'
        ? querySummary(mode.backend, before, after, Math.max(1, WARM_COUNT - warm.run.failed))
        : undefined;
    console.log(
      `  ${mode.name.padEnd(18)} warm-up ${WARM_COUNT} at ${WARM_RATE}/s: ${warm.run.ok ? 'ok' : `${warm.run.failed} failed, ${warm.run.retransmissions} retransmissions`}${q ? `; queries per REGISTER ${q.total.toFixed(2)} (${q.text})` : ''}`,
    );
    const steps: StepFigure[] = [];
    for (const rate of RATES) {
      let s = measure(target, child.pid!, dbPid, rate, rate * SECONDS_PER_STEP, work).fig;
      // One retry: on this shared machine a single step fails now and then at a rate the next run sustains.
      if (!s.ok) s = measure(target, child.pid!, dbPid, rate, rate * SECONDS_PER_STEP, work).fig;
      steps.push(s);
      console.log(
        `  ${mode.name.padEnd(18)} asked ${String(rate).padStart(6)}/s, achieved ${String(s.achieved).padStart(6)}/s: ${s.ok ? 'ok  ' : 'FAIL'}  cpu ${s.cpuUs.toFixed(1)} µs/REGISTER${mode.server === 'opensips-ts' ? ` (main thread ${s.mainUs.toFixed(1)})` : ''}${s.dbUs !== undefined ? `, db server ${s.dbUs.toFixed(1)} µs` : ''}  load ${s.load}`,
      );
      if (!s.ok) break;
    }
    return { mode, steps, ...(q ? { queries: q.text, queriesPerReg: q.total } : {}) };
  } catch (err) {
    return { mode, steps: [], note: `failed: ${(err as Error).message.split('\n').slice(0, 3).join(' ')}` };
  } finally {
    if (child) {
      child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 700));
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    rmSync(work, { recursive: true, force: true });
  }
}

const top = (r?: ModeResult): StepFigure | undefined => r && [...r.steps].reverse().find((s) => s.ok);
const at = (r: ModeResult | undefined, rate: number): StepFigure | undefined =>
  r?.steps.find((s) => s.rate === rate && s.ok);
/** The highest asked rate both passed: CPU figures compare at equal load. */
function common(a?: ModeResult, b?: ModeResult): number | undefined {
  return a?.steps
    .filter((s) => s.ok && at(b, s.rate))
    .map((s) => s.rate)
    .at(-1);
}

function cell(r?: ModeResult): string {
  if (!r) return '-';
  const t = top(r);
  if (!t) return r.note ?? 'failed at the lowest rate';
  return `${t.achieved}/s, ${t.cpuUs.toFixed(1)} µs${t.dbUs !== undefined ? ` (+db ${t.dbUs.toFixed(1)})` : ''}${r.queriesPerReg !== undefined ? `, ${r.queriesPerReg.toFixed(2)} q` : ''}`;
}

async function main(): Promise<void> {
  if (!which('sipp')) {
    console.error('bench:register needs sipp (apt-get install -y sip-tester)');
    process.exit(2);
  }
  if (!existsSync(join(ROOT, 'dist/src/cli/bin.js'))) {
    console.error('run `npm run build` first');
    process.exit(2);
  }
  const wanted = process.env.BENCH_MODES?.split(',');
  const pick = (m?: Mode): Mode | undefined => (m && (!wanted || wanted.includes(m.name)) ? m : undefined);
  const kamailio = process.env.BENCH_NO_REFERENCE ? undefined : which('kamailio');
  if (!kamailio) console.log('kamailio is not installed (apt-get install -y kamailio): no reference figures');
  const kamDbOk = (b: Backend): boolean =>
    b === 'none' || existsSync(join(KAM_MODULES, b === 'postgres' ? 'db_postgres.so' : 'db_mysql.so'));
  console.log(
    `REGISTER (distinct AoRs) per usrloc persistence mode, opensips-ts and Kamailio 5.6 (children=1), each warmed up with ${WARM_COUNT} REGISTERs, then ${SECONDS_PER_STEP} s per step; server pinned to core 0, SIPp to core 1, database servers unpinned; loopback only`,
  );
  const dbs = new Databases();
  const results = new Map<string, ModeResult>();
  try {
    for (const row of ROWS) {
      for (const m of [pick(row.ours), kamailio ? pick(row.kam) : undefined]) {
        if (!m) continue;
        if (m.server === 'kamailio' && !kamDbOk(m.backend)) {
          results.set(m.name, {
            mode: m,
            steps: [],
            note: `kamailio-${m.backend === 'postgres' ? 'postgres' : 'mysql'}-modules not installed`,
          });
          continue;
        }
        results.set(m.name, await runMode(m, dbs));
      }
    }
  } finally {
    await dbs.stop();
  }
  console.log(
    '\nhighest rate without failures, CPU per REGISTER at that rate (every thread / process; +db = the database server), queries per REGISTER:',
  );
  console.log(
    `  ${'mode'.padEnd(26)}${'opensips-ts'.padEnd(46)}${'kamailio 5.6'.padEnd(46)}cpu ratio at the same rate`,
  );
  for (const row of ROWS) {
    const o = results.get(row.ours.name);
    const k = row.kam ? results.get(row.kam.name) : undefined;
    if (!o && !k) continue;
    const r = common(o, k);
    const ratio = r ? `${(at(o, r)!.cpuUs / at(k, r)!.cpuUs).toFixed(2)}x at ${r}/s` : '-';
    console.log(`  ${row.label.padEnd(26)}${cell(o).padEnd(46)}${cell(k).padEnd(46)}${ratio}`);
  }
  const mem = results.get('memory');
  const wb = results.get('sqlite-wb');
  const r = common(wb, mem);
  if (r)
    console.log(
      `SQLite write-back / memory, CPU per REGISTER at ${r}/s: ${(at(wb, r)!.cpuUs / at(mem, r)!.cpuUs).toFixed(2)}x (target ≤ 1.10x)`,
    );
  console.log(`our location tables have an index on (username, domain), as Kamailio's has (username, domain, contact)`);
  console.log(
    `targets: SQLite write-through ≥ 2,000/s; PostgreSQL/MariaDB sql-only ≥ 1,000/s and ≤ 1.5x Kamailio's CPU per REGISTER (db_mode 3)`,
  );
  console.log(
    `node ${process.version}; load ${loadNow()}; reproduce with: npm run build && node dist/scripts/bench-register-db.js (BENCH_MODES=${ROWS.flatMap((x) => [x.ours.name, ...(x.kam ? [x.kam.name] : [])]).join(',')})`,
  );
}

void main();
