// A CLI that never surprises: COMMAND --help is that command's help, lint's
// report goes to stdout (so `lint x.cfg > report` keeps it), NO_COLOR and
// FORCE_COLOR are honoured, and a taken port names its holder and a --map.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { colorFor, type Io } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (s) => out.push(s), err: (s) => err.push(s), color: false, cwd: process.cwd() };
  const code = await main(args, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

test('COMMAND --help prints that command’s help, not the global one', async () => {
  const lint = await run('lint', '--help');
  assert.equal(lint.code, 0);
  assert.match(lint.out, /^usage: opensips-ts lint/);
  assert.match(lint.out, /--format pretty\|json\|sarif/);
  assert.doesNotMatch(lint.out, /dry-run FILE --msg/);
  const dry = await run('dry-run', '--help');
  assert.match(dry.out, /dry-run FILE --msg/);
  assert.match(dry.out, /dry-run --scenario/);
  assert.doesNotMatch(dry.out, /lint FILE/);
  assert.match((await run('run', '--help')).out, /--check \(or `check --runnable FILE`\)/);
  assert.match((await run('--help')).out, /^usage: opensips-ts <command>/);
});

test('NO_COLOR and FORCE_COLOR decide colours before the terminal does', () => {
  assert.equal(colorFor({ isTTY: true }, { NO_COLOR: '1' }), false);
  assert.equal(colorFor({ isTTY: false }, { FORCE_COLOR: '1' }), true);
  assert.equal(colorFor({ isTTY: false }, { FORCE_COLOR: '' }), true);
  assert.equal(colorFor({ isTTY: true }, { FORCE_COLOR: '0' }), false);
  assert.equal(colorFor({ isTTY: true }, { NO_COLOR: '1', FORCE_COLOR: '1' }), false);
  assert.equal(colorFor({ isTTY: true }, { TERM: 'dumb' }), false);
  assert.equal(colorFor({ isTTY: true }, {}), true);
  assert.equal(colorFor({ isTTY: false }, {}), false);
});

test('lint x.cfg > report: the report is on stdout, coloured only when FORCE_COLOR asks', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ots-lint-out-'));
  try {
    const cfg = join(dir, 'x.cfg');
    writeFileSync(cfg, 'route {\n\txlog("a")\n}\n');
    const lint = (env: NodeJS.ProcessEnv) =>
      spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/bin.ts'), 'lint', cfg], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '', FORCE_COLOR: undefined, ...env },
      });
    const plain = lint({});
    assert.equal(plain.status, 1);
    assert.match(plain.stdout, /x\.cfg:3:1: error: /);
    assert.equal(plain.stderr, '');
    assert.doesNotMatch(plain.stdout, /\x1b\[/);
    assert.match(lint({ FORCE_COLOR: '1' }).stdout, /\x1b\[/);
    assert.doesNotMatch(lint({ FORCE_COLOR: '1', NO_COLOR: '1' }).stdout, /\x1b\[/);
    // check's diagnostics stay on stderr, as a compiler's do.
    const check = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/bin.ts'), 'check', cfg], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    assert.equal(check.stdout, '');
    assert.match(check.stderr, /x\.cfg:3:1: error: /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test(
  'run on a taken port says which process holds it and which --map moves the socket',
  { timeout: 120_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ots-port-'));
    // The holder is a separate process, as in real life (a running OpenSIPS, another opensips-ts).
    const holder = spawn(
      process.execPath,
      [
        '-e',
        "const s=require('dgram').createSocket('udp4');s.bind(5060,'127.0.114.40',()=>console.log('bound'));setTimeout(()=>s.close(),115000)",
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((r) => holder.stdout.once('data', () => r()));
      const cfg = join(dir, 'x.cfg');
      writeFileSync(cfg, 'socket=udp:127.0.114.40:5060\nloadmodule "sl.so"\nroute {\n\tsl_send_reply(200, "OK");\n}\n');
      const r = await run('run', cfg);
      assert.equal(r.code, 1);
      assert.match(r.err, /cannot listen: bind EADDRINUSE 127\.0\.114\.40:5060/);
      assert.match(r.err, new RegExp(`127\\.0\\.114\\.40:5060 \\(udp\\) is held by process ${holder.pid}: .*node -e`));
      assert.match(r.err, /hint: stop it, or move this socket: --map 127\.0\.114\.40=127\.0\.114\.40:5061/);
    } finally {
      holder.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test('npm start with the upstream registrar port taken says who holds it', { timeout: 120_000 }, async () => {
  const holder = spawn(
    process.execPath,
    [
      '-e',
      "const s=require('dgram').createSocket('udp4');s.bind(5060,'127.0.4.114',()=>console.log('bound'));setTimeout(()=>s.close(),115000)",
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    await new Promise<void>((r) => holder.stdout.once('data', () => r()));
    const job = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main-job.ts'), '--seconds=1'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 90_000,
    });
    assert.notEqual(job.status, 0);
    assert.match(job.stderr, new RegExp(`127\\.0\\.4\\.114:5060 \\(udp\\) is held by process ${holder.pid}`));
    assert.match(job.stderr, /--map 172\.16\.4\.114=127\.0\.4\.114:5061/);
    assert.match(job.stderr, /the embedded upstream registrar did not start/);
  } finally {
    holder.kill();
  }
});
