// Private database servers for tests: PostgreSQL, MariaDB and Redis started in
// a temporary directory, listening on loopback only (a free port, unix sockets
// inside the temporary directory), stopped and removed afterwards. As root the
// SQL servers run as `nobody` (they refuse to run as root). A missing binary
// skips the tests with a loud line naming the Debian package; under CI=true
// the tests run and fail instead.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type ServerKind = 'postgres' | 'mariadb' | 'redis';

/** PG_BIN, else Debian's newest /usr/lib/postgresql/N/bin (15 on bookworm). */
const PG_BIN =
  process.env.PG_BIN ??
  (() => {
    try {
      const versions = readdirSync('/usr/lib/postgresql')
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a));
      return versions.length ? `/usr/lib/postgresql/${versions[0]}/bin` : '/usr/lib/postgresql/15/bin';
    } catch {
      return '/usr/lib/postgresql/15/bin';
    }
  })();
const which = (cmd: string): string => spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).stdout.trim();
const BINARIES: Record<ServerKind, { paths: () => string[]; pkg: string }> = {
  postgres: { paths: () => [`${PG_BIN}/initdb`, `${PG_BIN}/postgres`], pkg: 'postgresql' },
  mariadb: {
    paths: () => [
      which('mariadb-install-db'),
      which('mariadbd') || (existsSync('/usr/sbin/mariadbd') ? '/usr/sbin/mariadbd' : ''),
    ],
    pkg: 'mariadb-server',
  },
  redis: { paths: () => [which('redis-server')], pkg: 'redis-server' },
};

const warned = new Set<ServerKind>();
/** node:test's skip reason when `kind`'s server is not installed (false under CI=true: the test then fails). */
export function serverSkip(kind: ServerKind): string | false {
  const b = BINARIES[kind];
  if (b.paths().every((p) => p && existsSync(p)) || process.env.CI) return false;
  if (!warned.has(kind)) {
    warned.add(kind);
    const line = `${kind} not found: its database tests are SKIPPED. Install it with \`apt-get install -y ${b.pkg}\` (Debian package ${b.pkg}).`;
    process.stderr.write(`\n${'!'.repeat(line.length)}\n${line}\n${'!'.repeat(line.length)}\n\n`);
  }
  return `${kind} is not installed (Debian package ${b.pkg})`;
}

export interface DbServer {
  kind: ServerKind;
  /** URL in OpenSIPS's syntax for the database `opensips` (redis://host:port for Redis). */
  url: string;
  host: string;
  port: number;
  /** The server's process (PostgreSQL's postmaster: its backends are its children). */
  pid: number;
  stop(): Promise<void>;
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

const asRoot = process.getuid?.() === 0;
/** As root: the process runs as nobody (uid/gid 65534), which owns `dir` (signals then reach the server itself, no runuser between). */
function unprivileged(dir: string): { uid?: number; gid?: number } {
  if (!asRoot) return {};
  chownSync(dir, 65534, 65534);
  return { uid: 65534, gid: 65534 };
}

function tempDir(kind: string): string {
  return mkdtempSync(join(tmpdir(), `ots-${kind}-`));
}

/** Runs a set-up command without blocking the event loop (the other server starts meanwhile). */
function run(cmd: string, args: string[], what: string, ids: { uid?: number; gid?: number } = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const out: string[] = [];
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...ids });
    child.stdout!.on('data', (d: Buffer) => out.push(d.toString()));
    child.stderr!.on('data', (d: Buffer) => out.push(d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60000);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`${what} failed: ${err.message}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${what} failed (${code}): ${out.join('').slice(-4000)}`));
    });
  });
}

/** Resolves once `host:port` accepts TCP connections (the child's death or 120 s reject: a loaded machine is slow to start a DB). */
function listening(child: ChildProcess, host: string, port: number, log: () => string): Promise<void> {
  const deadline = Date.now() + 120_000;
  return new Promise((resolve, reject) => {
    let dead = false;
    child.once('exit', (code) => {
      dead = true;
      reject(new Error(`server exited (${code}) before listening:\n${log()}`));
    });
    const attempt = (): void => {
      if (dead) return;
      const s = net.connect(port, host);
      s.once('connect', () => {
        s.destroy();
        resolve();
      });
      s.once('error', () => {
        s.destroy();
        if (Date.now() > deadline) {
          child.kill('SIGKILL');
          reject(new Error(`server did not listen on ${host}:${port}:\n${log()}`));
        } else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

function stopper(child: ChildProcess, dir: string, signal: NodeJS.Signals = 'SIGTERM'): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      const done = (): void => {
        rmSync(dir, { recursive: true, force: true });
        resolve();
      };
      if (child.exitCode !== null || child.signalCode !== null) {
        done();
        return;
      }
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => {
        clearTimeout(t);
        done();
      });
      child.kill(signal);
    });
}

function spawnServer(
  cmd: string,
  args: string[],
  ids: { uid?: number; gid?: number } = {},
): { child: ChildProcess; log: () => string } {
  const out: string[] = [];
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: false, ...ids });
  child.stdout!.on('data', (d: Buffer) => out.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => out.push(d.toString()));
  return { child, log: () => out.join('').slice(-4000) };
}

/**
 * An initdb data directory made once per machine and PostgreSQL build, in the
 * temporary directory, and copied for each server: initdb's bootstrap costs
 * seconds on a busy CI machine, a copy of its 40 MB a fraction of that. Made
 * under a temporary name and renamed into place, so concurrent test files
 * never see half of one.
 */
async function pgTemplate(): Promise<string> {
  const tpl = join(tmpdir(), `ots-pg-template-${PG_BIN.replace(/[^A-Za-z0-9]+/g, '_')}-${process.getuid?.() ?? 0}`);
  if (existsSync(join(tpl, 'PG_VERSION'))) return tpl;
  const work = tempDir('pg-tpl');
  const ids = unprivileged(work);
  try {
    await run(
      `${PG_BIN}/initdb`,
      ['-D', join(work, 'data'), '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C'],
      'initdb',
      ids,
    );
    try {
      renameSync(join(work, 'data'), tpl);
    } catch (err) {
      if (!existsSync(join(tpl, 'PG_VERSION'))) throw err; // another test file made it first: use theirs
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return tpl;
}

/**
 * PostgreSQL 15 with a database `opensips` owned by `opensips` (password `opensipsrw`);
 * `settings` are more `name=value` server settings (the benchmark loads pg_stat_statements).
 */
export async function startPostgres(host = '127.0.0.1', settings: readonly string[] = []): Promise<DbServer> {
  const dir = tempDir('pg');
  const data = join(dir, 'data');
  const port = await freePort(host);
  const ids = unprivileged(dir);
  await run('cp', ['-a', await pgTemplate(), data], 'copying the initdb template');
  const { child, log } = spawnServer(
    `${PG_BIN}/postgres`,
    [
      '-D',
      data,
      '-p',
      String(port),
      '-c',
      `listen_addresses=${host}`,
      '-c',
      `unix_socket_directories=${dir}`,
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'max_connections=50',
      ...settings.flatMap((x) => ['-c', x]),
    ],
    ids,
  );
  const stop = stopper(child, dir, 'SIGINT');
  try {
    await listening(child, host, port, log);
    const pg = (await import('pg')).default;
    // Listening is not accepting yet ("the database system is starting up"): a new client per attempt (pg clients are single-use).
    for (let i = 0; ; i++) {
      const admin = new pg.Client({ host, port, user: 'postgres', database: 'postgres' });
      try {
        await admin.connect();
        await admin.query(`CREATE ROLE opensips LOGIN PASSWORD 'opensipsrw'`);
        await admin.query('CREATE DATABASE opensips OWNER opensips');
        await admin.end();
        break;
      } catch (err) {
        await admin.end().catch(() => undefined);
        if (i > 600) throw err; // about a minute: startup is slow on a loaded machine
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    kind: 'postgres',
    url: `postgres://opensips:opensipsrw@${host}:${port}/opensips`,
    host,
    port,
    pid: child.pid!,
    stop,
  };
}

/** MariaDB with grant tables skipped (any user connects) and a database `opensips`. */
export async function startMariadb(host = '127.0.0.1'): Promise<DbServer> {
  const dir = tempDir('maria');
  const data = join(dir, 'data');
  const port = await freePort(host);
  const user = asRoot ? ['--user=nobody'] : [];
  if (asRoot) chownSync(dir, 65534, 65534);
  await run(
    which('mariadb-install-db'),
    [
      '--no-defaults',
      `--datadir=${data}`,
      ...user,
      '--skip-test-db',
      '--auth-root-authentication-method=normal',
      '--skip-name-resolve',
      '--innodb-flush-log-at-trx-commit=2',
      '--innodb-log-file-size=8M',
      '--innodb-buffer-pool-size=32M',
    ],
    'mariadb-install-db',
  );
  const { child, log } = spawnServer(which('mariadbd') || '/usr/sbin/mariadbd', [
    '--no-defaults',
    `--datadir=${data}`,
    ...user,
    `--socket=${join(dir, 'mysqld.sock')}`,
    `--port=${port}`,
    `--bind-address=${host}`,
    '--skip-grant-tables',
    '--skip-name-resolve',
    `--pid-file=${join(dir, 'mysqld.pid')}`,
    '--innodb-flush-log-at-trx-commit=2',
    '--innodb-log-file-size=8M',
    '--innodb-buffer-pool-size=32M',
    '--skip-log-bin',
    // Tables in the system tablespace: a CREATE TABLE makes no file (tests create many small ones).
    '--innodb-file-per-table=0',
    '--log-error=' + join(dir, 'error.log'),
  ]);
  const stop = stopper(child, dir);
  try {
    await listening(child, host, port, () => {
      try {
        return log() + spawnSync('tail', ['-30', join(dir, 'error.log')], { encoding: 'utf8' }).stdout;
      } catch {
        return log();
      }
    });
    const mysql = (await import('mysql2/promise')).default;
    for (let i = 0; ; i++) {
      try {
        const c = await mysql.createConnection({ host, port, user: 'root' });
        await c.query('CREATE DATABASE opensips');
        await c.end();
        break;
      } catch (err) {
        if (i > 600) throw err; // about a minute: startup is slow on a loaded machine
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    kind: 'mariadb',
    url: `mysql://opensips:opensipsrw@${host}:${port}/opensips`,
    host,
    port,
    pid: child.pid!,
    stop,
  };
}

/** redis-server without persistence. */
export async function startRedis(host = '127.0.5.9'): Promise<DbServer> {
  const dir = tempDir('redis');
  const port = await freePort(host);
  const { child, log } = spawnServer(which('redis-server'), [
    '--port',
    String(port),
    '--bind',
    host,
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    '--unixsocket',
    '',
    '--protected-mode',
    'no',
    '--daemonize',
    'no',
  ]);
  await listening(child, host, port, log);
  return { kind: 'redis', url: `redis://${host}:${port}/`, host, port, pid: child.pid!, stop: stopper(child, dir) };
}

export function startServerOf(kind: ServerKind): Promise<DbServer> {
  return kind === 'postgres' ? startPostgres() : kind === 'mariadb' ? startMariadb() : startRedis();
}
