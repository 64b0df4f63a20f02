import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeMessage, out, run } from '../helpers/engine.js';

test('a function returning 0 stops the whole script, even from a sub-route', () => {
  const r = run('route { $var(a) = 1; route(sub); $var(a) = 3; }\nroute[sub] { $var(a) = 2; return(0); $var(a) = 9; }');
  assert.equal(r.runtime.vars.get('a'), 2);
});

test('return(n) leaves only the current route; the caller sees n as $retcode', () => {
  assert.equal(out('route(sub); $var(out) = $retcode;\n}\nroute[sub] { return(-3); '), -3);
  assert.equal(out('route(sub); $var(out) = $rc;\n}\nroute[sub] { return; '), 1);
  assert.equal(out('route(sub); $var(out) = $rc;\n}\nroute[sub] { return($var(nothing)); '), -1, 'NULL -> -1');
  assert.equal(
    out('route(sub); $var(out) = $rc;\n}\nroute[sub] { $var(s) = "x"; return($var(s)); '),
    1,
    'non-integer -> 1',
  );
});

test('a route value is its last statement when it does not return', () => {
  assert.equal(out('route(sub); $var(out) = $rc;\n}\nroute[sub] { $var(x) = $var(y) + "a"; '), -1);
});

test('route parameters are $param(n), 1-based', () => {
  assert.equal(out('route(sub, "a", 7);\n}\nroute[sub] { $var(out) = $param(1) + $param(2); '), 'a7');
});

test('exit stops; drop stops and marks the message dropped', () => {
  const r = run('route { $var(a) = 1; exit; $var(a) = 2; }');
  assert.equal(r.runtime.vars.get('a'), 1);
  assert.equal(run('route { drop; }').ctx.dropped, true);
});

test('switch falls through until break, and default runs when nothing matched', () => {
  const sw = (v: string): unknown =>
    out(
      `$var(v) = ${v}; $var(out) = ""; switch ($var(v)) { case 1: $var(out) = $var(out) + "1"; case 2: $var(out) = $var(out) + "2"; break; case "x": $var(out) = $var(out) + "x"; default: $var(out) = $var(out) + "d"; }`,
    );
  assert.equal(sw('1'), '12');
  assert.equal(sw('2'), '2');
  assert.equal(sw('"X"'), 'xd', 'string cases ignore case; falling past the last case reaches default');
  assert.equal(sw('7'), 'd');
  assert.equal(sw('"1"'), 'd', 'a string "1" has no integer form: case 1 does not match');
});

test('switch on $retcode after a function, as the blog does', () => {
  assert.equal(
    out(
      'isflagset("NONE"); switch ($retcode) { case 1: $var(out) = "one"; break; case -1: $var(out) = "minus one"; break; default: $var(out) = "other"; }',
    ),
    'minus one',
  );
});

test('$retcode after if: the taken branch, else the condition value', () => {
  assert.equal(
    out('if (isflagset("X")) { $var(a) = 1; } $var(out) = $rc;'),
    0,
    'no branch taken: the condition value (action.c IF_T)',
  );
  assert.equal(out('if (!isflagset("X")) { $var(x) = $var(y) + "a"; } $var(out) = $rc;'), -1);
  assert.equal(out('if (1) { $var(a) = 1; } $var(out) = $rc;'), 1);
});

test('$rc inside an if branch is still the code of the function the condition called', () => {
  assert.equal(out('if (!isflagset("X")) { $var(out) = $rc; }'), -1);
  assert.equal(out('setflag("Y"); if (isflagset("Y")) { $var(out) = $rc; }'), 1);
  assert.equal(
    out('isflagset("X"); if ($var(none) == 1) { $var(a) = 1; } else { $var(out) = $rc; }'),
    -1,
    'a comparison leaves $rc as it was',
  );
});

test('while loops and max_while_loops stops a runaway loop', () => {
  assert.equal(out('$var(i) = 0; while ($var(i) < 5) { $var(i) = $var(i) + 1; } $var(out) = $var(i);'), 5);
  assert.equal(
    out('$var(i) = 0; while ($var(i) < 5) { $var(i) = $var(i) + 1; if ($var(i) == 3) break; } $var(out) = $var(i);'),
    3,
  );
  const r = run('max_while_loops=10\nroute { $var(i) = 0; while (1) { $var(i) = $var(i) + 1; } }');
  assert.equal(r.runtime.vars.get('i'), 10);
  assert.match(r.logs.join(''), /runaway while/);
});

test('for each over AVP values, newest first', () => {
  assert.equal(
    out(
      '$avp(l) = "a"; $avp(l) = "b"; $avp(l) = "c"; $var(out) = ""; for ($var(x) in $(avp(l)[*])) { $var(out) = $var(out) + $var(x); }',
    ),
    'cba',
  );
});

test('a failed assignment leaves the variable unchanged and returns -1', () => {
  assert.equal(out('$var(out) = 5; $var(out) = $var(out) + "x";'), 5);
  assert.equal(out('$var(out) = 5; $var(out) = $var(out) + "x"; $var(out) = $rc;'), -1);
});

test('$var survives across messages in the same runtime; AVPs do not', () => {
  const first = run('route { $var(n) = $var(n) + 1; $avp(a) = 1; }');
  first.runtime.vars.set('n', 1);
  const second = run('', undefined, first.runtime);
  assert.equal(second.runtime.vars.get('n'), 2);
  assert.equal(second.ctx.avps.get('a')?.length, 1);
});

test('pv_printf, get_timestamp, construct_uri, remove_branch', () => {
  assert.equal(
    out('pv_printf($var(out), "$rm to $ru");', fakeMessage({ method: 'INVITE', ruri: 'sip:bob@127.0.0.1' })),
    'INVITE to sip:bob@127.0.0.1',
  );
  assert.equal(out('get_timestamp($avp(s), $avp(u)); $var(out) = $avp(s);'), Date.UTC(2026, 10, 25, 12) / 1000);
  assert.equal(out('get_timestamp($avp(s), $avp(u)); $var(out) = $avp(u);'), 0);
  assert.equal(
    out('construct_uri("sip", "alice", "127.0.0.1", "5070", "transport=tcp", $avp(u)); $var(out) = $avp(u);'),
    'sip:alice@127.0.0.1:5070;transport=tcp',
  );
  assert.equal(out('construct_uri("sip", "", "127.0.0.1", "", "", $avp(u)); $var(out) = $avp(u);'), 'sip:127.0.0.1');
  assert.equal(
    out(
      'append_branch("sip:a@127.0.0.2"); append_branch("sip:b@127.0.0.3"); $var(a) = remove_branch(0); $var(b) = remove_branch(5); $var(out) = $var(a) * 10 + $var(b);',
    ),
    9,
  );
});
