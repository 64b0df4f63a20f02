import { test } from 'node:test';
import assert from 'node:assert/strict';
import type * as A from '../../src/cfg/ast.js';
import { expr } from '../../src/cfg/print.js';
import { mainBody, parse, stripSpans } from '../helpers/cfg.js';

const route = (body: string): A.Statement[] => mainBody(`route {\n${body}\n}`);
const cond = (c: string): A.Expr => (route(`if (${c}) exit;`)[0] as A.If).cond;

test('if / else if / else, with and without braces', () => {
  const [s] = route('if ($rU == "a") xlog("a"); else if ($rU == "b") { xlog("b"); } else { xlog("c"); exit; }');
  assert.equal(s!.kind, 'If');
  const i = s as A.If;
  assert.equal(i.then.length, 1);
  const elseIf = i.otherwise![0] as A.If;
  assert.equal(elseIf.kind, 'If');
  assert.equal(elseIf.otherwise!.length, 2);
});

test('an empty if body is allowed, as in cfg.y', () => {
  const [s] = route('if (is_method("ACK")) {}');
  assert.deepEqual((s as A.If).then, []);
});

test('switch with number and string cases, empty cases and default', () => {
  const [s] = route('switch ($retcode) { case 1: xlog("one"); break; case -2: case "x": break; default: exit; }');
  const sw = s as A.Switch;
  assert.deepEqual(
    sw.cases.map((c) =>
      c.value?.kind === 'Number' ? c.value.value : c.value?.kind === 'String' ? c.value.value : 'default',
    ),
    [1, -2, 'x', 'default'],
  );
  assert.deepEqual(
    sw.cases.map((c) => c.body.map((b) => b.kind)),
    [['Call', 'Break'], [], ['Break'], ['Exit']],
  );
});

test('while and for each', () => {
  const [w, f] = route(
    'while ($var(i) < 10) { $var(i) = $var(i) + 1; } for ($var(c) in $(avp(list)[*])) xlog("$var(c)");',
  );
  assert.equal(w!.kind, 'While');
  assert.equal((f as A.ForEach).iterator.spec!.name, 'var');
  assert.equal((f as A.ForEach).source.spec!.index, '*');
});

test('every assignment operator, and NULL', () => {
  const ops = ['=', ':=', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^='];
  const body = route(ops.map((op) => `$var(x) ${op} 1;`).join(' ') + ' $avp(a) = NULL; $du := NULL;');
  assert.deepEqual(
    body.map((b) => (b as A.Assign).op),
    [...ops, '=', ':='],
  );
  assert.equal((body[10] as A.Assign).value.kind, 'Null');
});

test('exit, drop, return in all its 3.3 forms', () => {
  const body = route('exit; exit(); drop; drop(); return; return(); return(-1); return 2; return($var(r));');
  assert.deepEqual(
    body.map((b) => b.kind),
    ['Exit', 'Exit', 'Drop', 'Drop', 'Return', 'Return', 'Return', 'Return', 'Return'],
  );
  assert.deepEqual(
    body.slice(4).map((b) => {
      const v = (b as A.Return).value;
      return v?.kind === 'Number' ? v.value : v?.kind === 'PVar' ? v.text : null;
    }),
    [null, null, -1, 2, '$var(r)'],
  );
});

test('route calls by name, number, string and variable, with arguments', () => {
  const body = route('route(relay); route(1); route("x y"); route($var(r)); route(r, "a", 1, $var(x), NULL);');
  const calls = body as A.RouteCall[];
  assert.deepEqual(
    calls.map((c) => ('kind' in c.target ? c.target.text : c.target.text)),
    ['relay', '1', 'x y', '$var(r)', 'r'],
  );
  assert.deepEqual(
    calls[4]!.args.map((a) => a.kind),
    ['String', 'Number', 'PVar', 'Null'],
  );
});

test('function arguments: strings, signed numbers, pseudo-variables, empty slots', () => {
  const [c] = route('save("location", , "p0v", -5, $var(x), );') as A.Call[];
  assert.equal(c!.name, 'save');
  assert.deepEqual(
    c!.args.map((a) => a?.kind ?? 'empty'),
    ['String', 'empty', 'String', 'Number', 'PVar', 'empty'],
  );
  assert.deepEqual((route('t_relay();')[0] as A.Call).args, []);
  assert.deepEqual((route('f(,);')[0] as A.Call).args, [undefined, undefined]);
});

test('async and launch', () => {
  const [a, l] = route(
    'async(rest_get("http://x", $var(b)), resume, 5); launch(exec("ls"), done, "p");',
  ) as A.AsyncCall[];
  assert.equal(a!.keyword, 'async');
  assert.equal(a!.call.name, 'rest_get');
  assert.equal(a!.resumeRoute!.text, 'resume');
  assert.equal(l!.keyword, 'launch');
});

test('&& and || share one precedence level, left to right', () => {
  assert.equal(expr(cond('$a == 1 || $b == 2 && $c == 3')), '$a == 1 || $b == 2 && $c == 3');
  const c = cond('$a == 1 || $b == 2 && $c == 3') as A.Logical;
  assert.equal(c.op, '&&', '(a || b) && c');
  assert.equal((c.left as A.Logical).op, '||');
});

test('`!` binds tighter than && and ||', () => {
  const c = cond('!is_method("ACK") && $rU') as A.Logical;
  assert.equal(c.left.kind, 'Not');
});

test('+ and * share one level; bitwise operators bind looser', () => {
  const v = (route('$var(x) = 1 + 2 * 3;')[0] as A.Assign).value as A.Binary;
  assert.equal(v.op, '*', '(1 + 2) * 3 = 9 in OpenSIPS');
  const b = (route('$var(x) = 1 | 2 + 3;')[0] as A.Assign).value as A.Binary;
  assert.equal(b.op, '|');
  assert.equal((b.right as A.Binary).op, '+');
  const n = (route('$var(x) = ~1 + 2;')[0] as A.Assign).value as A.Binary;
  assert.equal(n.left.kind, 'BitNot');
});

test('comparisons with every right-hand side', () => {
  const kinds = [
    '$x == $y',
    '$x != "s"',
    '$x < 5',
    '$x >= -1',
    '$x =~ "^a"',
    '$x !~ "b"',
    '$x == NULL',
    '$si == 10.0.0.0/8',
    '$si != 127.0.0.1',
  ].map((s) => {
    const c = cond(s) as A.Compare;
    return `${c.op}:${c.right.kind}`;
  });
  assert.deepEqual(kinds, [
    '==:PVar',
    '!=:String',
    '<:Number',
    '>=:Number',
    '=~:String',
    '!~:String',
    '==:Null',
    '==:Net',
    '!=:Net',
  ]);
});

test('conditions: bare pseudo-variable, number, [ ] arithmetic, function, assignment', () => {
  assert.equal(cond('$var(a)').kind, 'PVar');
  assert.equal(cond('1').kind, 'Number');
  assert.equal(cond('[$var(a) + 1]').kind, 'Bracket');
  assert.equal(cond('t_check_trans()').kind, 'StatementExpr');
  assert.equal((cond('$var(r) = f()') as A.StatementExpr).statement.kind, 'Assign');
  assert.equal(cond('($a == 1)').kind, 'Group');
});

test('the `...` elision is a placeholder statement with a warning; an error under --strict', () => {
  const text = 'route {\n    ...\n    exit;\n}';
  const lax = parse(text);
  assert.deepEqual(lax.errors, []);
  assert.deepEqual(
    lax.diagnostics.map((d) => [d.rule, d.severity, d.span.line, d.span.col]),
    [['placeholder', 'warning', 2, 5]],
  );
  const strict = parse(text, true);
  assert.deepEqual(
    strict.errors.map((d) => [d.rule, d.span.line]),
    [['placeholder', 2]],
  );
  assert.deepEqual(stripSpans((lax.ast.items[0] as A.RouteDecl).body.map((s) => s.kind)), ['Placeholder', 'Exit']);
});
