// cfgutils: every native function's return codes, and its variables. The
// engine's virtual clock stands at 2026-11-25 12:00:00 UTC, a Wednesday.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintCfg } from '../../src/lint/lint.js';
import { run } from '../helpers/engine.js';

const cfg = (body: string, params: string[] = []) =>
  ['loadmodule "cfgutils.so"', ...params, 'route {', body, '}', ''].join('\n');
const vars = (body: string, params: string[] = []) => run(cfg(body, params)).runtime.vars;

test('check_time_rec: 1 inside the recurrence, -1 outside, -2 unparsable; the optional timestamp', () => {
  const v = vars(
    [
      '$var(in) = check_time_rec("UTC|20260101T080000|20260101T180000||WEEKLY|||MO,TU,WE,TH,FR");',
      '$var(weekend) = check_time_rec("UTC|20260101T080000|20260101T180000||WEEKLY|||SA,SU");',
      '$var(bad) = check_time_rec("UTC|2026|x");',
      '$var(then) = check_time_rec("UTC|20260101T080000|20260101T180000||WEEKLY|||SA,SU", 1795867200);',
    ].join('\n'),
  );
  assert.deepEqual([v.get('in'), v.get('weekend'), v.get('bad'), v.get('then')], [1, -1, -2, 1]);
});

test('rand_event: certain with 100, never with 0; rand_set_prob/rand_get_prob/rand_reset_prob', () => {
  const v = vars(
    [
      '$var(always) = rand_event(100);',
      '$var(never) = rand_event(0);',
      'rand_set_prob(100);',
      '$var(set) = rand_event();',
      '$var(p) = rand_get_prob();',
      'rand_reset_prob();',
      '$var(reset) = rand_get_prob();',
    ].join('\n'),
    ['modparam("cfgutils", "initial_probability", 15)'],
  );
  assert.deepEqual([v.get('always'), v.get('never'), v.get('set'), v.get('p'), v.get('reset')], [1, -1, 1, 100, 15]);
});

test('lint: an initial_probability above 100 is an error (3.3 refuses to start)', () => {
  const text = cfg('exit;', ['modparam("cfgutils", "initial_probability", 101)']);
  const found = lintCfg('/t/p.cfg', {
    profile: { strict: false },
    readFile: () => text,
    fileExists: () => true,
    cwd: '/t',
  }).diagnostics;
  assert.ok(
    found.some((d) => d.severity === 'error' && d.message.includes('invalid probability <101>')),
    found.map((d) => d.message).join('\n'),
  );
});

test('usleep blocks the script for the time asked', () => {
  const start = process.hrtime.bigint();
  const v = vars('$var(rc) = usleep(30000);');
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  assert.equal(v.get('rc'), 1);
  assert.ok(ms >= 29, `blocked ${ms} ms`);
});

test("set_count counts an AVP's values; set_select_weight picks an index by weight (0 ends the script)", () => {
  const v = vars(
    [
      '$avp(w) = 0;',
      '$avp(w) = 5;',
      '$avp(w) = 0;',
      'set_count($avp(w), $var(n));',
      '$var(pick) = set_select_weight($avp(w));',
      '$avp(one) = 7;',
      'set_count($avp(none), $var(zero));',
    ].join('\n'),
  );
  assert.equal(v.get('n'), 3);
  assert.equal(v.get('zero'), 0);
  assert.equal(v.get('pick'), 1, 'the only weighted value, index 1 counting from the newest');
  const single = vars('$avp(s) = 3;\n$var(before) = 1;\nset_select_weight($avp(s));\n$var(after) = 1;');
  assert.equal(single.get('after'), undefined, 'one value: index 0, which ends the script as a 0 return does');
  assert.equal(vars('$var(rc) = set_select_weight($avp(nothing));').get('rc'), -1);
  assert.equal(
    vars('$avp(t) = "x";\n$avp(t) = 2;\n$var(rc) = set_select_weight($avp(t));').get('rc'),
    -1,
    'not only integers',
  );
});

test('ts_usec_delta and get_accurate_time', () => {
  const v = vars(
    ['ts_usec_delta(10, 500, 8, 200, $var(d));', 'get_accurate_time($var(s), $var(us), $var(both));'].join('\n'),
  );
  assert.equal(v.get('d'), 2000300);
  assert.equal(v.get('s'), Date.UTC(2026, 10, 25, 12, 0, 0) / 1000);
  assert.equal(v.get('us'), 0);
  assert.equal(v.get('both'), `${v.get('s')}.000000`);
});

test('$ctime, $env, $RANDOM; $shv set by shvset and written by the script; varset presets $var', () => {
  process.env.OTS_CFGUTILS_TEST = 'hello';
  const v = vars(
    [
      '$var(year) = $ctime(year);',
      '$var(wday) = $ctime(wday);',
      '$var(hour) = $ctime(hour);',
      '$var(env) = $env(OTS_CFGUTILS_TEST);',
      '$var(r) = $RANDOM;',
      '$var(limit) = $shv(limit);',
      '$shv(limit) = 20;',
      '$var(limit2) = $shv(limit);',
    ].join('\n'),
    ['modparam("cfgutils", "shvset", "limit=i:10")', 'modparam("cfgutils", "varset", "greeting=s:hi")'],
  );
  assert.equal(v.get('year'), 2026);
  assert.equal(v.get('wday'), 4, '$ctime(wday) counts from 1 = Sunday: Wednesday is 4');
  assert.equal(typeof v.get('hour'), 'number');
  assert.equal(v.get('env'), 'hello');
  assert.ok(Number.isInteger(v.get('r')) && (v.get('r') as number) >= 0);
  assert.deepEqual([v.get('limit'), v.get('limit2'), v.get('greeting')], [10, 20, 'hi']);
});

test('script locks are never contended in one process: 1', () => {
  const v = vars(
    '$var(a) = get_static_lock("x");\n$var(b) = release_static_lock("x");\n$var(c) = get_dynamic_lock("$ci");\n$var(d) = release_dynamic_lock("$ci");',
  );
  assert.deepEqual([v.get('a'), v.get('b'), v.get('c'), v.get('d')], [1, 1, 1, 1]);
});

test('pkg_status and shm_status: 1, and each logs the memory state under its function name', () => {
  const r = run(cfg(['$var(pkg) = pkg_status();', '$var(shm) = shm_status();'].join('\n')));
  assert.deepEqual([r.runtime.vars.get('pkg'), r.runtime.vars.get('shm')], [1, 1]);
  const mem = r.logs.filter((l) => /heap used \d+ of \d+ bytes/.test(l));
  assert.equal(mem.length, 2, r.logs.join('\n'));
  assert.match(mem[0]!, /dbg_pkg_status/);
  assert.match(mem[1]!, /dbg_shm_status/);
});
