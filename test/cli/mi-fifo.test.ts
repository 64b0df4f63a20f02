// mi_fifo: opensips-cli's protocol on a named pipe: `:REPLY:` and a JSON-RPC
// request in, the answer written to the reply FIFO in reply_dir; a command
// without a reply name runs silently.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../helpers/sipp.js';
import { nextCommand } from '../../src/net/fifo-mi.js';

test('the command parser: reply name, the JSON-RPC request, what is left; incomplete input waits', () => {
  const two =
    ':r1:{"jsonrpc":"2.0","method":"uptime","id":1}\n:r2:{"jsonrpc":"2.0","method":"version","params":{"a":"}"},"id":2}';
  const first = nextCommand(two);
  assert.ok(first && first !== 'bad');
  assert.equal(first.reply, 'r1');
  assert.deepEqual(first.request, { jsonrpc: '2.0', method: 'uptime', id: 1 });
  const second = nextCommand(first.rest);
  assert.ok(second && second !== 'bad');
  assert.deepEqual([second.reply, (second.request as { params: unknown }).params], ['r2', { a: '}' }]);
  assert.equal(nextCommand(':r3:{"jsonrpc":"2.0","meth'), undefined);
  assert.equal(nextCommand('version'), 'bad');
});

test('opensips-ts run with mi_fifo answers MI commands on the FIFO', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'osts-fifo-'));
  const fifo = join(dir, 'opensips_fifo');
  const cfg = join(dir, 'fifo.cfg');
  writeFileSync(
    cfg,
    `socket=udp:127.0.25.1:5060\nloadmodule "proto_udp.so"\nloadmodule "sl.so"\nloadmodule "mi_fifo.so"\nmodparam("mi_fifo", "fifo_name", "${fifo}")\nmodparam("mi_fifo", "fifo_mode", 0600)\nmodparam("mi_fifo", "reply_dir", "${dir}/")\nroute {\n\tsl_send_reply(200, "OK");\n}\n`,
  );
  const server = await startServer({ cfg, sockets: 2 });
  try {
    assert.equal(spawnSync('mkfifo', [join(dir, 'reply1')]).status, 0);
    const answer = readFile(join(dir, 'reply1'), 'utf8');
    await writeFile(fifo, ':reply1:{"jsonrpc":"2.0","method":"which","id":7}\n');
    const reply = JSON.parse(await answer) as { id: number; result: unknown };
    assert.equal(reply.id, 7);
    assert.ok(Array.isArray(reply.result) && (reply.result as string[]).includes('version'), JSON.stringify(reply));
  } finally {
    server.child.kill('SIGTERM');
  }
});

test('the FIFO is created with mode 0600 unless the cfg sets fifo_mode', async () => {
  const { statSync } = await import('node:fs');
  const { startLive } = await import('../../src/cli/run.js');
  const { fifoMode } = await import('../../src/net/fifo-mi.js');
  assert.equal(fifoMode(undefined), 0o600);
  assert.equal(fifoMode(0o640), 0o640);
  const dir = mkdtempSync(join(tmpdir(), 'osts-fifo-mode-'));
  const fifo = join(dir, 'opensips_fifo');
  const cfg = join(dir, 'fifo.cfg');
  writeFileSync(
    cfg,
    `socket=udp:127.0.70.5:5060\nloadmodule "sl.so"\nloadmodule "mi_fifo.so"\nmodparam("mi_fifo", "fifo_name", "${fifo}")\nroute {\n\tsl_send_reply(200, "OK");\n}\n`,
  );
  const live = await startLive(
    cfg,
    { maps: [], strict: false },
    { out: () => undefined, err: () => undefined, color: false, cwd: dir },
  );
  assert.notEqual(typeof live, 'number');
  try {
    const st = statSync(fifo);
    assert.ok(st.isFIFO());
    assert.equal(st.mode & 0o777, 0o600);
  } finally {
    if (typeof live !== 'number') await live.stop();
  }
});
