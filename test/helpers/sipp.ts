// Running `opensips-ts run` and real SIPp on loopback for the conformance tests.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { waitFor } from './wait.js';

export const ROOT = new URL('../../', import.meta.url).pathname;
export const SIP_DIR = `${ROOT}conformance/sip/`;
export const SIPP = spawnSync('sh', ['-c', 'command -v sipp'], { encoding: 'utf8' }).stdout.trim();

let warned = false;
/** The skip reason for node:test when SIPp is missing; under CI=true the cases run and fail instead. */
export function sippSkip(): string | false {
  if (SIPP || process.env.CI) return false;
  if (!warned) {
    warned = true;
    const line =
      'SIPp not found: the SIPp conformance cases are SKIPPED. Install it with `apt-get install -y sip-tester` (Debian package sip-tester).';
    process.stderr.write(`\n${'!'.repeat(line.length)}\n${line}\n${'!'.repeat(line.length)}\n\n`);
  }
  return 'sipp is not installed (Debian package sip-tester)';
}

export interface Server {
  cfg: string;
  maps?: string[];
  sockets: number;
}
export interface Sipp {
  /** A file of conformance/sip/, or an absolute path. */
  scenario: string;
  ip: string;
  port: number;
  transport: 'u1' | 't1';
  target?: string;
  service?: string;
  calls?: number;
  keys?: Record<string, string>;
  /** Default pause (-d), ms. */ pauseMs?: number;
  /** Where SIPp logs every message (-trace_msg). */ messageFile?: string;
  /** Call-ID of every call (SIPp matches replies to calls by it). */ callId?: string;
  /** Digest credentials for [authentication] (-au, -ap). */ auth?: { user: string; password: string };
}
export interface Case {
  name: string;
  servers: Server[];
  uas?: Sipp;
  uac: Sipp;
  before?: () => Promise<void>;
  /** Extra assertions on the server logs (one string per server). */ after?: (logs: string[]) => void;
}

export function startServer(s: Server): Promise<{ child: ChildProcess; log: string[] }> {
  const args = [
    '--import',
    'tsx',
    `${ROOT}src/cli/bin.ts`,
    'run',
    s.cfg,
    ...(s.maps ?? []).flatMap((m) => ['--map', m]),
  ];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const log: string[] = [];
  return new Promise((resolve, reject) => {
    let listening = 0;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server ${s.cfg} did not start:\n${log.join('')}`));
    }, 120_000); // generous: tsx compiles the server on start (~5 s CPU); a loaded machine took 45 s and more
    const onData = (d: Buffer): void => {
      const text = d.toString();
      log.push(text);
      listening += (text.match(/listening on |MI over HTTP on |MI over the FIFO /g) ?? []).length;
      if (listening >= s.sockets) {
        clearTimeout(timer);
        resolve({ child, log });
      }
    };
    child.stderr!.on('data', onData);
    child.stdout!.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (listening < s.sockets) reject(new Error(`server exited with ${code}:\n${log.join('')}`));
    });
  });
}

export function runSipp(p: Sipp, uac: boolean): Promise<{ code: number | null; out: string }> {
  const args = [
    ...(uac ? [p.target!, '-s', p.service ?? 'service'] : []),
    '-sf',
    p.scenario.startsWith('/') ? p.scenario : `${SIP_DIR}${p.scenario}`,
    '-m',
    String(p.calls ?? 1),
    '-i',
    p.ip,
    '-p',
    String(p.port),
    '-t',
    p.transport,
    '-timeout',
    '20s',
    '-timeout_error',
    '-nostdin',
    '-buff_size',
    '4194304',
    '-max_recv_loops',
    '1000',
    ...Object.entries(p.keys ?? {}).flatMap(([k, v]) => ['-key', k, v]),
    ...(p.callId ? ['-cid_str', p.callId] : []),
    ...(p.auth ? ['-au', p.auth.user, '-ap', p.auth.password] : []),
    ...(p.pauseMs !== undefined ? ['-d', String(p.pauseMs)] : []),
    ...(p.messageFile ? ['-trace_msg', '-message_file', p.messageFile] : []),
  ];
  const child = spawn(SIPP, args, { cwd: '/tmp', stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    out += d.toString();
  });
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 30000);
    child.on('exit', (code) => {
      clearTimeout(kill);
      resolve({ code, out });
    });
  });
}

/**
 * Whether a UDP socket is bound to ip:port ('u1') or a TCP socket listens on it ('t1'), read from
 * /proc/net of this network namespace: the way to know that a SIPp UAS is ready without sending it anything.
 */
export function bound(ip: string, port: number, transport: 'u1' | 't1'): boolean {
  const bytes = ip.split('.').map((b) => Number(b).toString(16).padStart(2, '0'));
  if (endianness() === 'LE') bytes.reverse();
  const want = `${bytes.join('')}:${port.toString(16).padStart(4, '0')}`.toUpperCase();
  const table = readFileSync(transport === 't1' ? '/proc/net/tcp' : '/proc/net/udp', 'utf8');
  return table
    .split('\n')
    .slice(1)
    .some((line) => {
      const f = line.trim().split(/\s+/);
      return f[1] === want && (transport === 'u1' || f[3] === '0A');
    });
}

/**
 * Starts a SIPp UAS and resolves once its socket is bound (or SIPp has already exited: `done` then
 * says why), so that the UAC started next finds it: a fixed sleep was too short on a loaded machine.
 */
export async function startUas(p: Sipp): Promise<{ done: Promise<{ code: number | null; out: string }> }> {
  let exited = false;
  const done = runSipp(p, false).finally(() => {
    exited = true;
  });
  await waitFor(() => exited || bound(p.ip, p.port, p.transport), `SIPp UAS ${p.scenario} on ${p.ip}:${p.port}`);
  return { done };
}

/**
 * Stops servers and waits until they have exited (SIGTERM, then SIGKILL after 5 s), so that the
 * next case can bind the same addresses: a server still running then made the next case fail.
 */
export async function stopServers(servers: { child: ChildProcess }[]): Promise<void> {
  const exited = (c: ChildProcess): Promise<void> =>
    c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise((r) => c.once('exit', () => r()));
  await Promise.all(
    servers.map(async ({ child }) => {
      const gone = exited(child);
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), 5000)));
      if ((await Promise.race([gone, late])) === 'late') {
        child.kill('SIGKILL');
        await gone;
      }
      clearTimeout(timer);
    }),
  );
}

/** Garbage and torn messages over UDP and TCP: the server must answer 400 or drop, and keep serving. */
export async function sendGarbage(ip: string, port: number): Promise<void> {
  const junk = [
    Buffer.from('this is not SIP at all\r\n\r\n'),
    Buffer.from(
      'INVITE sip:x@y SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK1\r\nContent-Length: 99999\r\n\r\nabc',
    ),
    Buffer.from([0, 1, 2, 3, 255, 254, 13, 10, 13, 10]),
    Buffer.from(
      'OPTIONS sip:ping@127.0.20.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.20.3:5099;branch=z9hG4bK-torn\r\nFrom: <sip:a@b>;tag=1\r\nCSeq: 1 OPTIONS\r\n',
    ),
  ];
  const udp = dgram.createSocket('udp4');
  await new Promise<void>((r) => udp.bind(0, '127.0.20.3', () => r()));
  for (const j of junk) udp.send(j, port, ip);
  await new Promise((r) => setTimeout(r, 200));
  udp.close();
  await new Promise<void>((resolve) => {
    const c = net.connect({ host: ip, port, localAddress: '127.0.20.3' }, () => {
      c.write('REGISTER sip:x SIP/2.0\r\nContent-Length: abc\r\n\r\n');
      c.write(Buffer.from([0xff, 0xfe, 0x00, 0x0d, 0x0a]));
      setTimeout(() => {
        c.destroy();
        resolve();
      }, 200);
    });
    c.on('error', () => resolve());
  });
}

/**
 * Waits until the servers' logs stop growing (150 ms of quiet, at most 2 s): a server's last
 * log lines can still be in the pipe when SIPp exits.
 */
export async function logsSettled(servers: { log: string[] }[]): Promise<void> {
  const size = (): number => servers.reduce((n, s) => n + s.log.join('').length, 0);
  let last = size();
  let quietSince = Date.now();
  const deadline = Date.now() + 2000;
  while (Date.now() < deadline && Date.now() - quietSince < 150) {
    await new Promise((r) => setTimeout(r, 25));
    const now = size();
    if (now !== last) {
      last = now;
      quietSince = Date.now();
    }
  }
}
