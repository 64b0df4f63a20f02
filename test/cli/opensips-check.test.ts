// `-C -f FILE` / `-c -f FILE` print what `opensips -C` prints, so that the
// opensips-lsp editor plugin (github.com/NormB/opensips-lsp, src/diag.rs) and
// CI scripts written for OpenSIPS read opensips-ts's verdict. The plugin's
// parsing rules, written down here as facts:
//  - it runs `BIN -C -f FILE` and reads stdout and stderr together;
//  - a positioned error is a line matching
//      (CRITICAL|ERROR|WARNING):core:yyerror: parse error in (.+?):(\d+):(\d+)-(\d+): ?(.*)
//    (file, 1-based line, 1-based start column, end column one past the last character, message);
//  - when no line is positioned and the exit status is not 0, it shows the last line matching
//      (?:ERROR|CRITICAL):[^:]*:[^:]*: (.+)
//    at the top of the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/io.js';

const LINT_DIR = new URL('../../conformance/lint/', import.meta.url).pathname;
const POSITIONED = /(CRITICAL|ERROR|WARNING):core:yyerror: parse error in (.+?):(\d+):(\d+)-(\d+): ?(.*)/;
const GENERIC = /(?:ERROR|CRITICAL):[^:]*:[^:]*: (.+)/;

function run(...args: string[]): { code: number; all: string } {
  const lines: string[] = [];
  const io: Io = { out: (s) => lines.push(s), err: (s) => lines.push(s), color: false, cwd: LINT_DIR };
  return { code: main(args, io) as number, all: lines.join('\n') };
}

/** What the plugin makes of the output (diag.rs parse_check_output, restated). */
function pluginDiagnostics(
  output: string,
  rc: number,
): { file: string; line: number; colStart: number; colEnd: number; severity: string; message: string }[] {
  const out = [];
  for (const l of output.split('\n')) {
    const m = POSITIONED.exec(l);
    if (!m) continue;
    out.push({
      file: m[2]!,
      line: Number(m[3]) - 1,
      colStart: Number(m[4]) - 1,
      colEnd: Math.max(Number(m[5]) - 1, Number(m[4])),
      severity: m[1] === 'WARNING' ? 'warning' : 'error',
      message: m[6]!.trim(),
    });
  }
  if (!out.length && rc !== 0) {
    const msg = output
      .split('\n')
      .reverse()
      .map((l) => GENERIC.exec(l)?.[1])
      .find((x) => x !== undefined);
    out.push({
      file: '',
      line: 0,
      colStart: 0,
      colEnd: 1,
      severity: 'error',
      message: msg ?? `opensips -C failed (rc=${rc})`,
    });
  }
  return out;
}

test('-C -f: a syntax error is one positioned yyerror line, at the token, exit 255 like OpenSIPS', () => {
  const r = run('-C', '-f', 'syntax.cfg');
  assert.equal(r.code, 255);
  assert.match(
    r.all,
    // The `{` is character 26 of `\tif (is_method("INVITE") {`; cfg.lex does not count the 6 characters inside the
    // string, so OpenSIPS says 20-21 (opensips-columns.ts).
    /^\w{3} [ \d]\d \d\d:\d\d:\d\d \[\d+\] CRITICAL:core:yyerror: parse error in syntax\.cfg:4:20-21: expected `\)` to close `if \(`/m,
  );
  assert.match(r.all, /ERROR:core:parse_opensips_cfg: bad config file \(1 errors\)/);
  assert.match(r.all, /ERROR:core:main: failed to parse config file syntax\.cfg$/m);
  const d = pluginDiagnostics(r.all, r.code);
  assert.deepEqual(d, [
    { file: 'syntax.cfg', line: 3, colStart: 19, colEnd: 20, severity: 'error', message: d[0]!.message },
  ]);
  assert.match(d[0]!.message, /^expected `\)` to close/);
});

test('-c -f is the same check and output; only the first error is printed, as OpenSIPS stops there', () => {
  const r = run('-c', '-f', 'mixed.cfg', '--strict');
  assert.equal(r.code, 255);
  const d = pluginDiagnostics(r.all, r.code);
  assert.equal(d.length, 1);
  assert.equal(d[0]!.file, 'mixed.cfg');
  assert.equal(d[0]!.line + 1, 7); // fork=no: the first error in file order
});

test('a modparam the module does not have: the plugin places it at the parameter', () => {
  const r = run('-C', '-f', 'modparam-unknown.cfg');
  const d = pluginDiagnostics(r.all, r.code);
  assert.equal(r.code, 255);
  assert.equal(d.length, 1);
  assert.match(d[0]!.message, /parameter .* not found in module/);
});

test('a start-up error is an ERROR:core line that the plugin shows as the fallback message', () => {
  const r = run('-C', '-f', 'route-undefined.cfg', '--strict');
  assert.equal(r.code, 255);
  assert.doesNotMatch(r.all, POSITIONED);
  assert.match(r.all, /ERROR:core:\w+: /);
  const d = pluginDiagnostics(r.all, r.code);
  assert.equal(d.length, 1);
  assert.ok(!/Exiting/.test(d[0]!.message));
});

test('a valid cfg: NOTICE config file ok, exit 0, nothing for the plugin', () => {
  const r = run('-C', '-f', 'retcode-after-log.cfg');
  assert.equal(r.code, 0);
  assert.match(r.all, /NOTICE:core:main: config file ok, exiting\.\.\.$/);
  assert.deepEqual(pluginDiagnostics(r.all, r.code), []);
});

test('-C without a file is a usage error', () => {
  assert.equal(run('-C').code, 2);
});
