// log_stderror=no: the live server logs to syslog as OpenSIPS 3.3 does, one
// datagram per line on the syslog socket, with the cfg's log_facility and
// log_name; checked with a private receiver socket the test creates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { syslogDatagram, syslogSink, SYSLOG_SOCKET_ENV } from '../../src/cli/syslog.js';
import { Logger } from '../../src/base/logger.js';
import { realClock } from '../../src/base/clock.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

// The receiver: Node.js has no Unix datagram sockets, so a three-line python3 script binds one and prints each
// datagram as a line.
const RECEIVER = [
  'import socket, sys',
  's = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1]); print("ready", flush=True)',
  'while True: print(s.recv(65536).decode(errors="replace").replace("\\n", "\\\\n"), flush=True)',
].join('\n');

interface Receiver {
  lines: string[];
  close(): void;
}
async function receiver(path: string): Promise<Receiver> {
  const py = spawn('python3', ['-c', RECEIVER, path], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  let buf = '';
  await new Promise<void>((resolve, reject) => {
    py.on('error', reject);
    py.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const parts = buf.split('\n');
      buf = parts.pop()!;
      for (const l of parts)
        if (l === 'ready') resolve();
        else lines.push(l);
    });
  });
  return { lines, close: () => py.kill('SIGKILL') };
}
const missing = ['python3', 'logger'].filter((b) => spawnSync(b, ['--version']).error);
const skip = missing.length ? `SKIPPED: ${missing.join(', ')} not found (Debian packages python3, bsdutils)` : false;
if (skip && process.env.CI === 'true') throw new Error(skip);
if (skip) console.error(`# ${skip}`);

test('the datagram is what glibc syslog() sends: <facility|severity>time ident[pid]: text', () => {
  const at = new Date(2026, 11, 8, 9, 3, 7).getTime();
  // LOG_LOCAL3 (19 << 3) | LOG_ERR (3) = 155; OpenSIPS's L_ERR is -1.
  assert.equal(
    syslogDatagram(19 << 3, -1, 'sipgw', 'ERROR:core:main: boom\n', at),
    `<155>Dec  8 09:03:07 sipgw[${process.pid}]: ERROR:core:main: boom`,
  );
  // LOG_DAEMON (3 << 3) | LOG_NOTICE (5) = 29; L_DBG becomes LOG_DEBUG.
  assert.match(syslogDatagram(3 << 3, 2, 'x', 't', at), /^<29>/);
  assert.match(syslogDatagram(3 << 3, 4, 'x', 't', at), /^<31>/);
});

test('no syslog socket: one warning, then the lines go to standard error (never lost)', () => {
  const lines: string[] = [];
  const sink = syslogSink({
    facility: 3 << 3,
    ident: 'x',
    path: join(tmpdir(), `no-such-syslog-${process.pid}`),
    stderr: (l) => lines.push(l),
  });
  assert.match(lines[0] ?? '', /no syslog socket there/);
  new Logger(realClock, sink).log(-1, 'core', 'main', 'still here');
  assert.match(lines[0]!, /WARNING:core:syslog: cannot log to .*no-such-syslog.*; logging to standard error/);
  assert.match(lines[1]!, /\[\d+\] ERROR:core:main: still here\n$/);
});

test(
  'log_stderror=no: the server logs to the syslog socket with log_facility and log_name, xlog at its level',
  { skip, timeout: 120_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ots-syslog-'));
    const sock = join(dir, 'log');
    const rx = await receiver(sock);
    const got = rx.lines;
    const cfg = join(dir, 'syslog.cfg');
    writeFileSync(
      cfg,
      'log_stderror=no\nlog_facility=LOG_LOCAL3\nlog_name="sipgw"\nsocket=udp:127.0.114.10:5060\n' +
        'loadmodule "proto_udp.so"\nloadmodule "sl.so"\nroute {\n\txlog("L_ERR", "request $rm from $si\\n");\n\tsl_send_reply(200, "OK");\n}\n',
    );
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/bin.ts'), '-F', '-E', '-f', cfg], {
      cwd: ROOT,
      env: { ...process.env, [SYSLOG_SOCKET_ENV]: sock },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    try {
      const until = async (ok: () => boolean): Promise<void> => {
        const end = Date.now() + 60_000;
        while (!ok()) {
          if (Date.now() > end) throw new Error(`timed out; syslog: ${got.join('\n')}\nstderr: ${stderr}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      };
      // LOG_LOCAL3 | LOG_NOTICE = 157
      await until(() => got.some((l) => /listening on udp:127\.0\.114\.10:5060/.test(l)));
      const listening = got.find((l) => /listening on/.test(l))!;
      assert.match(
        listening,
        new RegExp(
          `^<157>[A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d sipgw\\[${child.pid}\\]: NOTICE:core:main: listening on`,
        ),
      );
      const s = createSocket('udp4');
      await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
      s.send(
        'OPTIONS sip:127.0.114.10 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKsl1\r\nFrom: <sip:a@b>;tag=1\r\n' +
          'To: <sip:c@d>\r\nCall-ID: sl1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n',
        5060,
        '127.0.114.10',
      );
      // xlog's L_ERR: LOG_LOCAL3 | LOG_ERR = 155, the text as formatted.
      await until(() => got.some((l) => /request OPTIONS from 127\.0\.0\.1/.test(l)));
      s.close();
      assert.match(
        got.find((l) => /request OPTIONS/.test(l))!,
        /^<155>.* sipgw\[\d+\]: request OPTIONS from 127\.0\.0\.1$/,
      );
      assert.doesNotMatch(stderr, /listening on|request OPTIONS/, 'nothing of the log on standard error');
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    } finally {
      child.kill('SIGKILL');
      rx.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
