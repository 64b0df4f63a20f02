// OpenSIPS 3.3's command line on real processes: the daemon (detached, pid
// file, exit 0 once serving, 255 when it cannot start), -F in the foreground,
// -u/-w/-d/-m, and the signals as OpenSIPS's main process handles them
// (SIGHUP/SIGUSR1 ignored, SIGTERM/SIGINT stop it with status 0).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseOpensipsArgs, isOpensipsStyle } from '../../src/cli/opensips-args.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'src/cli/bin.ts');

function cfg(dir: string, socket: string, extra = ''): string {
  const path = join(dir, 'opensips.cfg');
  writeFileSync(
    path,
    `${extra}socket=${socket}\nloadmodule "proto_udp.so"\nloadmodule "sl.so"\nroute {\n\tsl_send_reply(200, "OK");\n}\n`,
  );
  return path;
}

interface Cli {
  child: ChildProcess;
  out: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function cli(args: string[]): Cli {
  const child = spawn(process.execPath, ['--import', 'tsx', BIN, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, out: () => out, exited };
}

async function until(what: string, ok: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** One OPTIONS over UDP; resolves with the reply's status line, or undefined after 20 s (a loaded machine is slow, not lossy). */
function options(ip: string, port: number): Promise<string | undefined> {
  const s = createSocket('udp4');
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      s.close();
      resolve(undefined);
    }, 20_000);
    s.on('message', (m) => {
      clearTimeout(timer);
      s.close();
      resolve(m.toString().split('\r\n')[0]);
    });
    s.bind(0, '127.0.0.1', () => {
      const { port: local } = s.address();
      s.send(
        `OPTIONS sip:${ip}:${port} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${local};branch=z9hG4bK${Date.now()}\r\n` +
          `From: <sip:t@127.0.0.1>;tag=1\r\nTo: <sip:${ip}>\r\nCall-ID: ${Math.random()}\r\nCSeq: 1 OPTIONS\r\n` +
          `Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n`,
        port,
        ip,
      );
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('OpenSIPS options: clustered and glued as getopt does; unknown ones and bad sizes are errors', () => {
  assert.ok(isOpensipsStyle(['-FE', '-f', 'x.cfg']));
  assert.ok(!isOpensipsStyle(['run', 'x.cfg']));
  assert.ok(!isOpensipsStyle(['--strict', 'check', 'x.cfg']));
  const a = parseOpensipsArgs(['-FE', '-fmy.cfg', '-P', '/run/o.pid', '-ddd', '-u', 'opensips', '-gsip', '-m', '256']);
  assert.ok(typeof a !== 'string');
  assert.deepEqual(
    [a.file, a.foreground, a.stderr, a.pidFile, a.debugLevels, a.user, a.group, a.shmMb],
    ['my.cfg', true, true, '/run/o.pid', 3, 'opensips', 'sip', 256],
  );
  const b = parseOpensipsArgs(['-F', '-n', '4', '-f', 'x.cfg', '--map', '10.0.0.1=127.0.0.1', '--strict']);
  assert.ok(typeof b !== 'string');
  assert.deepEqual(b.maps, ['10.0.0.1=127.0.0.1']);
  assert.ok(b.strict);
  assert.match(b.ignored[0]!, /^-n 4: UDP worker processes/);
  assert.equal(parseOpensipsArgs(['-F', '-x']), 'Unknown option `-x`.');
  assert.equal(parseOpensipsArgs(['-F', '-f']), 'Option `-f` requires an argument.');
  assert.equal(parseOpensipsArgs(['-m', '12x']), 'bad shmem size number: -m 12x');
  // -b sets the UDP receive buffer (maxbuffer); 0 leaves the kernel's default.
  assert.equal((parseOpensipsArgs(['-F', '-b', '1048576']) as { maxBuffer?: number }).maxBuffer, 1048576);
  assert.equal((parseOpensipsArgs(['-F', '-b', '0']) as { maxBuffer?: number }).maxBuffer, undefined);
  assert.equal(parseOpensipsArgs(['-b', '1M']), 'bad max buffer size number: -b 1M');
  assert.match(parseOpensipsArgs(['-l', 'udp:1.2.3.4']) as string, /^-l udp:1\.2\.3\.4: listen addresses come from/);
});

test(
  'without -F: a detached daemon with a pid file; the starter exits 0 once it serves; a second start and a broken cfg exit 255',
  { timeout: 240_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ots-daemon-'));
    const pidFile = join(dir, 'opensips.pid');
    const file = cfg(dir, 'udp:127.0.114.1:5060');
    let pid = 0;
    try {
      const starter = cli(['-f', file, '-P', pidFile]);
      const started = await starter.exited;
      assert.equal(started.code, 0, starter.out());
      pid = Number(readFileSync(pidFile, 'utf8').trim());
      assert.ok(pid > 0 && pid !== starter.child.pid, 'the pid file names the daemon, not the starter');
      assert.ok(alive(pid));
      // Its own session (setsid): no controlling terminal, not in the starter's process group.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      assert.equal(Number(stat[3]), pid, 'the daemon leads its own session');
      assert.equal(await options('127.0.114.1', 5060), 'SIP/2.0 200 OK');

      // SIGHUP and SIGUSR1 change nothing (Node.js would die on SIGHUP and open its inspector on SIGUSR1).
      process.kill(pid, 'SIGHUP');
      process.kill(pid, 'SIGUSR1');
      assert.equal(await options('127.0.114.1', 5060), 'SIP/2.0 200 OK');
      assert.ok(alive(pid));

      const second = cli(['-f', file, '-P', pidFile]);
      assert.equal((await second.exited).code, 255);
      assert.match(second.out(), /CRITICAL:core:main: running process found in the pid file/);

      process.kill(pid, 'SIGTERM');
      await until('the daemon to stop', () => !alive(pid));
      assert.ok(!existsSync(pidFile), 'the pid file is removed on shutdown');
      pid = 0;

      // A cfg that cannot start: the daemon reports the failure and the starter exits 255, printing why.
      const broken = cfg(dir, 'udp:192.0.2.7:5060');
      const failed = cli(['-f', broken, '-P', pidFile]);
      assert.equal((await failed.exited).code, 255);
      assert.match(failed.out(), /192\.0\.2\.7 is not an address of this host/);
      assert.ok(!existsSync(pidFile));
    } finally {
      if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test(
  '-F stays in the foreground: -d raises the log level, -w sets the working dir, -u gives up root after binding a privileged port, SIGTERM exits 0',
  { timeout: 180_000 },
  async (t) => {
    const root = process.getuid?.() === 0;
    if (!root) t.diagnostic('not root: -u is not exercised (it needs root to give up)');
    const dir = mkdtempSync(join(tmpdir(), 'ots-fg-'));
    const pidFile = join(dir, 'opensips.pid');
    // Port 960 needs root to bind: serving on it after -u nobody shows the order (bind, then setuid).
    const port = root ? 960 : 5060;
    const file = cfg(dir, `udp:127.0.114.2:${port}`);
    const server = cli(['-F', '-f', file, '-P', pidFile, '-ddd', '-w', dir, ...(root ? ['-u', 'nobody'] : [])]);
    try {
      await until('the pid file and the socket', () => existsSync(pidFile) && /listening on/.test(server.out()));
      assert.equal(
        Number(readFileSync(pidFile, 'utf8')),
        server.child.pid,
        'foreground: the pid file names this process',
      );
      await until(
        'privileges to be dropped',
        () => !root || /Uid:\s+65534\b/.test(readFileSync(`/proc/${server.child.pid}/status`, 'utf8')),
      );
      assert.equal(await options('127.0.114.2', port), 'SIP/2.0 200 OK');
      assert.match(server.out(), /DBG:/, '-ddd: debug lines when the cfg sets no log_level');
      assert.equal(readlinkSync(`/proc/${server.child.pid}/cwd`), dir);
      if (root) assert.equal(statSync(pidFile).uid, 65534, 'the pid file belongs to the new user');
      process.kill(server.child.pid!, 'SIGHUP');
      assert.equal(await options('127.0.114.2', port), 'SIP/2.0 200 OK');
      server.child.kill('SIGTERM');
      assert.deepEqual(await server.exited, { code: 0, signal: null });
    } finally {
      server.child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test(
  '-F -m 96: the server runs with a 96 MB V8 heap limit; SIGINT stops it with status 0',
  { timeout: 180_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ots-heap-'));
    const pidFile = join(dir, 'opensips.pid');
    const file = cfg(dir, 'udp:127.0.114.3:5060');
    const server = cli(['-F', '-m', '96', '-M', '8', '-f', file, '-P', pidFile]);
    try {
      await until('the server', () => existsSync(pidFile) && /listening on/.test(server.out()));
      const pid = Number(readFileSync(pidFile, 'utf8'));
      assert.ok(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes('--max-old-space-size=96'));
      assert.match(server.out(), /WARNING:core:main: ignoring -M 8/);
      assert.equal(await options('127.0.114.3', 5060), 'SIP/2.0 200 OK');
      server.child.kill('SIGINT');
      assert.deepEqual(await server.exited, { code: 0, signal: null });
      assert.ok(!alive(pid));
    } finally {
      server.child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
