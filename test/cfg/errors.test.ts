import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildScript } from '../../src/cfg/script.js';
import { validateItems } from '../../src/cfg/validate.js';
import { codeFrame } from '../../src/lint/pretty.js';
import { parse } from '../helpers/cfg.js';

/** Every diagnostic of a text: syntax, builder and validation, as `rule@line:col`. */
function problems(text: string, strict = false): string[] {
  const r = parse(text, strict);
  const all = [...r.diagnostics, ...validateItems(r.ast.items, { strict }), ...buildScript(r.ast.items).diagnostics];
  return all.map((d) => `${d.rule}@${d.span.line}:${d.span.col}`);
}
function messages(text: string): string[] {
  const r = parse(text);
  return [...r.diagnostics, ...validateItems(r.ast.items, { strict: false })].map((d) => d.message);
}

test('a missing `)` names the bracket it should close', () => {
  const [m] = messages('route {\n\tif (is_method("REGISTER") {\n\t\texit;\n\t}\n}');
  assert.match(m!, /^expected `\)` to close `if \(` opened at 2:5, found `{`/);
});

test('a missing `;` is reported at the next token, as OpenSIPS does', () => {
  assert.deepEqual(problems('route {\n\tif ($rm=="INVITE") route(1)\n\telse exit;\n}'), ['syntax@3:2']);
  assert.match(messages('route { xlog("a") exit; }')[0]!, /expected `;` to end the statement, found `exit`/);
});

test('the parser recovers and reports every syntax error, not only the first', () => {
  const lines = problems('route {\n\tf(;\n\tg();\n\th(;\n}')
    .filter((x) => x.startsWith('syntax'))
    .map((x) => x.split('@')[1]!.split(':')[0]);
  assert.ok(lines.includes('2') && lines.includes('4'), lines.join(' '));
});

test('unknown and legacy global parameters', () => {
  assert.deepEqual(problems('port=5060\nchildren=4\nfoo=1'), [
    'legacy-global@1:1',
    'legacy-global@2:1',
    'unknown-global@3:1',
  ]);
  const lax = validateItems(parse('children=4').ast.items, { strict: false });
  const strict = validateItems(parse('children=4').ast.items, { strict: true });
  assert.deepEqual(
    [lax[0]!.severity, strict[0]!.severity],
    ['warning', 'error'],
    'a renamed 2.x global: warning with the fix, error under --strict',
  );
  const r = parse('children=4');
  const [d] = validateItems(r.ast.items, { strict: false });
  assert.match(d!.hint!, /udp_workers/);
});

test('global value types are checked against 3.3 (number vs string vs name)', () => {
  assert.deepEqual(problems('log_level="2"\nserver_header=Foo\nlog_facility=LOG_LOCAL0\nudp_workers=-1'), [
    'global-value-type@1:11',
    'global-value-type@2:15',
    'global-value-type@4:13',
  ]);
});

test('a socket needs a protocol, and a known one', () => {
  assert.deepEqual(problems('socket=192.168.2.16'), ['socket-protocol@1:8']);
  assert.deepEqual(problems('socket=foo:127.0.0.1:5060'), ['socket-protocol@1:8']);
  assert.deepEqual(problems('socket=udp:127.0.0.1:5060 use_children 4'), ['legacy-use-children@1:27']);
  assert.deepEqual(problems('listen=udp:127.0.0.1:5060'), ['legacy-listen@1:1']);
});

test('break outside switch/while/for is an error; inside them (and their ifs) it is fine', () => {
  assert.deepEqual(problems('route {\n\tif ($x) { break; }\n}'), ['break-outside-loop@2:12']);
  assert.deepEqual(problems('route { switch ($x) { case 1: if ($y) { break; } } while ($z) break; }'), []);
});

test('route headers: names where needed, none where not, intervals, empty bodies, duplicates', () => {
  assert.deepEqual(problems('failure_route { exit; }'), ['route-name@1:1']);
  assert.deepEqual(problems('error_route[x] { exit; }'), ['route-name@1:13']);
  assert.deepEqual(problems('timer_route[t] { exit; }'), ['route-name@1:13']);
  assert.deepEqual(problems('route {}'), ['route-empty@1:8']);
  assert.deepEqual(problems('route { exit; }\nroute[0] { exit; }\nroute[a] { exit; }\nroute[a] { exit; }'), [
    'route-duplicate@2:7',
    'route-duplicate@4:7',
  ]);
});

test('argument forms: bare words, NULL, folded strings (fine in xlog only), xlog/log/error', () => {
  assert.deepEqual(
    problems(
      'route { t_on_failure(missed); f(NULL); f("a" "b"); xlog("a" "b"); xlog($var(x)); log(1, "x"); error("a"); exit; }',
    ),
    [
      'bare-word-argument@1:22',
      'null-argument@1:33',
      'folded-string@1:42',
      'command-arguments@1:67',
      'command-arguments@1:95',
    ],
  );
});

test('comparisons and assignments 3.3 rejects', () => {
  assert.deepEqual(problems('route { if ($x =~ 5 || $y < NULL) exit; $(ru{uri.user}) = "a"; $var(a) += NULL; }'), [
    'compare-operands@1:19',
    'compare-operands@1:29',
    'assign-transformation@1:41',
    'assign-null@1:75',
  ]);
});

test('pseudo-variable syntax errors and the 3.3 index form', () => {
  // An unclosed `$(` swallows the rest of the input, as 3.3's lexer does; the end is then missing.
  assert.deepEqual(problems('route { $var(x) = $(ru; exit; }'), ['syntax@1:32', 'pvar-syntax@1:19']);
  assert.deepEqual(problems('route { $var(x) = $avp(a)[1]; }'), ['pvar-loose-index@1:19']);
  assert.equal(parse('route { $var(x) = $avp(a)[1]; }', true).errors.length, 1);
});

test('unterminated strings and comments', () => {
  assert.deepEqual(
    problems('route { xlog("oops); }').filter((p) => !p.startsWith('syntax@1:23')),
    ['unterminated-string@1:14'],
  );
  assert.ok(problems('/* open /* nested */\nroute { exit; }').includes('syntax@1:1'));
});

test('unknown characters are reported and the rest still parses', () => {
  const r = parse('route { @ exit; }');
  assert.deepEqual(
    r.errors.map((e) => e.message),
    ['unexpected character `@`'],
  );
});

test('a code frame shows the line and a caret under the span', () => {
  const r = parse('socket=udp:1.2.3.4:5060\nroute {\n\tif (is_method("X") {\n\t\texit;\n\t}\n}');
  const d = r.errors[0]!;
  assert.deepEqual(codeFrame(d, 'socket=udp:1.2.3.4:5060\nroute {\n\tif (is_method("X") {\n\t\texit;\n\t}\n}', false), [
    ' 3 | \tif (is_method("X") {',
    '   | \t                   ^',
  ]);
});
