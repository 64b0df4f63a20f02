import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/io.js';
import { BLOG_DIR, CORPUS_DIR } from '../helpers/cfg.js';

function run(...args: string[]): { code: number; out: string; err: string } {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (s) => out.push(s), err: (s) => err.push(s), color: false, cwd: process.cwd() };
  const code = main(args, io) as number;
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const registrar = BLOG_DIR + 'blog-registrar.cfg';

test('check: exit 0 on the blog config, the `...` warning shown with file:line:col and a code frame', () => {
  const r = run('check', registrar);
  assert.equal(r.code, 0);
  assert.match(r.err, /blog-registrar\.cfg:13:5: warning: `\.\.\.` is an elision/);
  assert.match(r.err, / 13 \|     \.\.\.\n    \|     \^\^\^/);
  assert.match(r.out, /config file ok/);
});

test('-c -f is the OpenSIPS spelling of check, printed as OpenSIPS prints it; --strict turns the elision into an error (exit 255)', () => {
  assert.equal(run('-c', '-f', registrar).code, 0);
  assert.match(run('-c', '-f', registrar).err, /NOTICE:core:main: config file ok, exiting\.\.\./);
  const strict = run('-c', '-f', registrar, '--strict');
  assert.equal(strict.code, 255);
  // OpenSIPS stops at the first error: the elision, at its line and columns.
  assert.match(
    strict.err,
    /CRITICAL:core:yyerror: parse error in .*blog-registrar\.cfg:13:5-8: `\.\.\.` is an elision/,
  );
  assert.equal(strict.err.match(/yyerror/g)!.length, 1);
  // check keeps the full list: what 3.3 refuses beyond the elision, modules never loaded, then start-up checks.
  const all = run('check', registrar, '--strict');
  assert.match(all.err, /14:9: error: `is_method` belongs to module `sipmsgops`, which is not loaded/);
  assert.match(all.err, /6:1: error: module `registrar` depends on `signaling`/);
  assert.match(all.err, /11 errors, 0 warnings/);
});

test('exit 1 with all errors for a broken cfg', () => {
  const r = run('check', CORPUS_DIR + 'OpenSIPS+opensips@3.3__modules__nathelper__nathelper.cfg');
  assert.equal(r.code, 1);
  assert.match(r.err, /:41:3: error: `break` is only allowed inside/);
});

test('usage errors exit 2', () => {
  assert.equal(run().code, 2);
  assert.equal(run('frobnicate', 'x.cfg').code, 2);
  assert.equal(run('check').code, 2);
  assert.equal(run('check', '--no-such-flag', registrar).code, 2);
  assert.equal(run('parse', registrar).code, 2);
  const compat = run('run', registrar, '--compat', 'mid_registrar:nope');
  assert.equal(compat.code, 2);
  assert.match(
    compat.err,
    /unknown --compat mid_registrar:nope \(known: mid_registrar:reply_match, mid_registrar:tcp_lifetime\)/,
  );
  assert.equal(run('--help').code, 0);
});

test('a missing file is a clear error, not a stack trace', () => {
  const r = run('check', 'does-not-exist.cfg');
  assert.equal(r.code, 2);
  assert.match(r.err, /cannot read .*does-not-exist\.cfg: ENOENT/);
  assert.doesNotMatch(r.err, /at .*\.ts:\d+/);
});

test('parse --ast prints the AST as JSON with spans', () => {
  const r = run('parse', '--ast', registrar);
  assert.equal(r.code, 0);
  const ast = JSON.parse(r.out);
  const route = ast.items.find((i: { kind: string }) => i.kind === 'Route');
  assert.equal(route.body[1].kind, 'If');
  assert.deepEqual([route.body[1].span.line, route.body[1].span.col], [14, 5]);
});

test('fmt prints, checks and rewrites', () => {
  const dir = mkdtempSync(join(tmpdir(), 'osts-'));
  const file = join(dir, 'x.cfg');
  writeFileSync(file, 'route{if(is_method("X"))exit;}');
  assert.equal(run('fmt', file, '--check').code, 1);
  const printed = run('fmt', file);
  assert.equal(printed.out, 'route {\n\tif (is_method("X")) {\n\t\texit;\n\t}\n}');
  assert.equal(run('fmt', file, '--write').code, 0);
  assert.equal(readFileSync(file, 'utf8'), printed.out + '\n');
  assert.equal(run('fmt', file, '--check').code, 0);
});

test('dry-run prints the trace, the messages it would send and the location table; --json is one document', () => {
  const msg = new URL('../../conformance/messages/register-udp.sip', import.meta.url).pathname;
  const r = run('dry-run', registrar, '--msg', msg, '--src', 'udp:127.0.0.1:5062', '--time', '2026-11-25T12:00:00Z');
  assert.equal(r.code, 0);
  assert.match(r.out, /blog-registrar\.cfg:20 +if \(!save\("location", "rfc1"\)\)/);
  assert.match(r.out, /call save\("location", "rfc1"\) -> 1/);
  assert.match(r.out, /#1 request by t_relay .*: udp:172\.16\.4\.111:5361 -> udp:172\.16\.4\.114:5060/);
  assert.match(r.out, /after:\n {4}location {2}1001 {2}<sip:1001@127\.0\.0\.1:5062;transport=udp> {2}expires in 3600s/);
  const j = JSON.parse(run('dry-run', registrar, '--msg', msg, '--json').out);
  assert.equal(j.runs[0].sent[0].to.ip, '172.16.4.114');
  assert.equal(j.runs[0].locationAfter[0].aor, '1001');
  assert.equal(run('dry-run', registrar).code, 2, '--msg is required');
  assert.equal(run('dry-run', registrar, '--msg', msg, '--stub', 'bad').code, 2);
  assert.equal(run('dry-run', registrar, '--msg', msg, '--src', 'nonsense').code, 2);
});

test('run refuses cfg addresses that are not on this host and says how to --map them, naming the line', async () => {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (s) => out.push(s), err: (s) => err.push(s), color: false, cwd: process.cwd() };
  const code = await main(['run', registrar], io);
  assert.equal(code, 1);
  assert.match(
    err.join('\n'),
    /blog-registrar\.cfg:1:1: error: 172\.16\.4\.111 is not an address of this host \[socket-not-local\]/,
  );
  assert.match(err.join('\n'), /--map 172\.16\.4\.111=127\.0\.0\.1/);
  assert.match(err.join('\n'), /not starting/);
});

test('run refuses functions without a native implementation, all listed at start-up', async () => {
  const err: string[] = [];
  const io: Io = { out: () => undefined, err: (s) => err.push(s), color: false, cwd: process.cwd() };
  const code = await main(['run', new URL('../../conformance/run/not-native.cfg', import.meta.url).pathname], io);
  assert.equal(code, 1);
  assert.match(
    err.join('\n'),
    /not-native\.cfg:9:2: error: `bm_start_timer` \(module benchmark\) has no native implementation/,
  );
  assert.match(
    err.join('\n'),
    /not-native\.cfg:10:2: error: `rest_append_hf` \(module rest_client\) has no native implementation/,
  );
});

test('run refuses to start when dispatcher cannot read its table (an unreachable MySQL here), naming the URL with the password masked, as OpenSIPS does', async () => {
  const err: string[] = [];
  const io: Io = { out: () => undefined, err: (s) => err.push(s), color: false, cwd: process.cwd() };
  const dir = mkdtempSync(join(tmpdir(), 'ds-run-'));
  const cfg = join(dir, 'ds.cfg');
  writeFileSync(
    cfg,
    'socket=udp:127.0.0.1:5960\nloadmodule "tm.so"\nloadmodule "db_mysql.so"\nloadmodule "dispatcher.so"\nmodparam("dispatcher", "db_url", "mysql://opensips:rw@127.0.5.77:1/opensips")\nroute {\n\tds_select_dst(1, 0);\n\tt_relay();\n}\n',
  );
  const code = await main(['run', cfg], io);
  assert.equal(code, 1);
  assert.match(
    err.join('\n'),
    /dispatcher: cannot load the destinations: cannot connect to mysql:\/\/opensips:\*\*\*@127\.0\.5\.77:1\/opensips: connect ECONNREFUSED/,
  );
});

function runWithStdin(stdin: string, ...args: string[]): { code: number; out: string; err: string } {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = {
    out: (s) => out.push(s),
    err: (s) => err.push(s),
    color: false,
    cwd: process.cwd(),
    stdin: () => stdin,
  };
  const code = main(args, io) as number;
  return { code, out: out.join('\n'), err: err.join('\n') };
}

test('a missing or unreadable cfg is one line and exit 2 for every command, no stack trace, no warnings about an empty cfg', () => {
  for (const args of [
    ['lint', 'missing.cfg'],
    ['check', 'missing.cfg'],
    ['-c', '-f', 'missing.cfg'],
    ['parse', '--ast', 'missing.cfg'],
    ['fmt', 'missing.cfg'],
    ['dry-run', 'missing.cfg', '--msg', 'x.sip'],
    ['lint', 'missing.cfg', '--format', 'json'],
  ]) {
    const r = run(...args);
    assert.equal(r.code, 2, args.join(' '));
    assert.equal(r.err, 'opensips-ts: cannot read missing.cfg: ENOENT', args.join(' '));
    assert.equal(r.out, '');
  }
  const dir = run('lint', tmpdir());
  assert.equal(dir.code, 2);
  assert.match(dir.err, /^opensips-ts: cannot read .*: EISDIR$/);
});

test('FILE `-` reads the cfg from standard input (check, lint, fmt, parse, dry-run)', () => {
  const cfg = 'route{if(is_method("X"))exit;}';
  const check = runWithStdin(cfg, 'check', '-');
  assert.equal(check.code, 0);
  assert.match(check.out, /<stdin>: config file ok/);
  assert.equal(runWithStdin('route { exit; }', 'lint', '-').out, 'no problems found');
  const bad = runWithStdin('route { xlog("a") }', 'lint', '-');
  assert.equal(bad.code, 1);
  assert.match(bad.out, /<stdin>:1:/);
  assert.equal(runWithStdin(cfg, 'fmt', '-').out, 'route {\n\tif (is_method("X")) {\n\t\texit;\n\t}\n}');
  assert.equal(runWithStdin(cfg, 'fmt', '-', '--write').code, 2);
  assert.equal(JSON.parse(runWithStdin(cfg, 'parse', '--ast', '-').out).items[0].kind, 'Route');
  const msg = new URL('../../conformance/messages/register-udp.sip', import.meta.url).pathname;
  const dry = runWithStdin(readFileSync(registrar, 'utf8'), 'dry-run', '-', '--msg', msg);
  assert.equal(dry.code, 0);
  assert.match(dry.out, /call save\("location", "rfc1"\) -> 1/);
  const empty = runWithStdin('', 'lint', '-');
  assert.match(empty.out, /<stdin>:1:1: warning: .*\[no-main-route\]/);
});
