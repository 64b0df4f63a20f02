// `run --check` / `check --runnable`: what `run` would refuse on this host,
// found without binding anything, with an exit status a deploy pipeline can
// gate on (0 runnable, 1 not), diagnostics on stderr.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/io.js';

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (s) => out.push(s), err: (s) => err.push(s), color: false, cwd: process.cwd() };
  const code = await main(args, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

test('run --check lists every refusal of run: functions without a native implementation, foreign addresses, database URLs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ots-runcheck-'));
  try {
    const cfg = join(dir, 'bad.cfg');
    writeFileSync(
      cfg,
      'socket=udp:192.0.2.7:5060\nloadmodule "proto_udp.so"\nloadmodule "sl.so"\nloadmodule "usrloc.so"\n' +
        'modparam("usrloc", "db_url", "oracle://u:secret@db/opensips")\nloadmodule "rest_client.so"\n' +
        'route {\n\trest_append_hf("X-A: b");\n\tsl_send_reply(200, "OK");\n}\n',
    );
    for (const args of [
      ['run', cfg, '--check'],
      ['check', '--runnable', cfg],
    ]) {
      const r = await run(...args);
      assert.equal(r.code, 1, r.err);
      assert.equal(r.out, '', 'diagnostics go to stderr');
      assert.match(r.err, /bad\.cfg:1:1: error: 192\.0\.2\.7 is not an address of this host \[socket-not-local\]/);
      assert.match(r.err, /`rest_append_hf` \(module rest_client\) has no native implementation/);
      assert.match(r.err, /usrloc db_url: unsupported database URL scheme "oracle".*\[url-unsupported\]/);
      assert.match(r.err, /'oracle:\/\/u:\*\*\*@db\/opensips'/, 'the password is masked in the message');
      assert.match(r.err, /run would refuse to start/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('run --check binds nothing: it passes while another process holds the port', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ots-runcheck-'));
  const holder = createSocket('udp4');
  try {
    await new Promise<void>((r) => holder.bind(5060, '127.0.114.20', () => r()));
    const cfg = join(dir, 'ok.cfg');
    writeFileSync(cfg, 'socket=udp:127.0.114.20:5060\nloadmodule "sl.so"\nroute {\n\tsl_send_reply(200, "OK");\n}\n');
    const r = await run('run', cfg, '--check');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /ok\.cfg: runnable on this host \(nothing was bound\)/);
  } finally {
    holder.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
