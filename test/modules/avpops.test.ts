// avpops: AVP operations with OpenSIPS 3.3's stack order (newest first), types
// and return codes; avp_db_query over SQLite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sipEngine } from '../helpers/engine.js';
import { request } from '../helpers/server.js';
import type { Val } from '../../src/script/values.js';

const LOAD = 'socket=udp:127.0.0.1:5060\nloadmodule "sl.so"\nloadmodule "avpops.so"\n';

/** Runs `body`; returns $var values and the AVP stacks newest first. */
function run(
  body: string,
  pre = '',
): {
  v: (k: string) => unknown;
  avp: (n: string) => Val[];
  ruri: string;
  du: string | null;
  branches: string[];
  logs: string[];
} {
  const e = sipEngine(`${LOAD}${pre}route {\n${body}\n}\n`);
  assert.deepEqual(e.diagnostics, []);
  const r = e.send(Buffer.from(request('INVITE', 'avp1')));
  return {
    v: (k) => r.vars.get(k),
    avp: (n) => [...(r.ctx.avps.get(n) ?? [])].reverse(),
    ruri: r.ctx.ruri,
    du: r.ctx.du,
    branches: r.ctx.branches.map((b) => b.uri),
    logs: e.logs,
  };
}

test('is_avp_set: any value, e (empty), n (int), s (string), $(avp(a)[idx]) (negative = newest); an index outside $( ) is ignored, as 3.3 reads it', () => {
  const r = run(
    [
      '$avp(a) = 3;',
      '$avp(a) = "";',
      ...[
        '$avp(a)',
        '$avp(a)/e',
        '$avp(a)/n',
        '$(avp(a)[1])/n',
        '$(avp(a)[2])',
        '$(avp(a)[-1])/s',
        '$avp(none)',
        '$avp(a)[2]',
      ].map((s, i) => `$var(r${i}) = is_avp_set("${s}");`),
    ].join('\n'),
  );
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5, 6, 7].map((i) => r.v(`r${i}`)),
    [1, 1, -1, 1, -1, 1, -1, 1],
  );
});

test('avp_delete: the newest value, all with /g, every AVP with "*"; -1 when nothing went', () => {
  const r = run(
    [
      '$avp(a) = 3;',
      '$avp(a) = 2;',
      '$avp(a) = 1;',
      '$avp(b) = "x";',
      '$var(r1) = avp_delete("$avp(a)");',
      '$var(n1) = $(avp(a)[*]);',
      '$var(r2) = avp_delete("$avp(a)/g");',
      '$var(r3) = avp_delete("$avp(a)/g");',
      '$var(r4) = avp_delete("*");',
      '$var(r5) = avp_delete("*");',
    ].join('\n'),
  );
  assert.deepEqual(['r1', 'n1', 'r2', 'r3', 'r4', 'r5'].map(r.v), [1, '2,3', 1, -1, 1, -1]);
});

test('avp_copy: /g reverses the order, /d moves, /s and /n cast (unsigned 64-bit form, digits only)', () => {
  const r = run(
    [
      '$avp(src) = "a";',
      '$avp(src) = "b";',
      '$avp(src) = "c";',
      '$avp(n) = -5;',
      '$avp(v) = "12x";',
      '$var(r1) = avp_copy("$avp(src)", "$avp(dst)/g");',
      '$var(r2) = avp_copy("$avp(src)", "$avp(dst2)/gd");',
      '$var(r3) = avp_copy("$avp(n)", "$avp(t)/s");',
      '$var(r4) = avp_copy("$avp(v)", "$avp(w)/n");',
      '$var(r5) = avp_copy("$avp(none)", "$avp(w)");',
    ].join('\n'),
  );
  assert.deepEqual(['r1', 'r2', 'r3', 'r4', 'r5'].map(r.v), [1, 1, 1, -1, -1]);
  assert.deepEqual(r.avp('dst'), ['a', 'b', 'c']);
  assert.deepEqual(r.avp('dst2'), ['a', 'b', 'c']);
  assert.deepEqual(r.avp('src'), []);
  assert.deepEqual(r.avp('t'), ['18446744073709551611']);
  assert.ok(r.logs.some((l) => l.includes('cannot convert str to int')));
});

test('avp_pushto: $ru with /g makes the older values branches; ints refused for $du; $ru/username and /domain', () => {
  const r = run(
    [
      '$avp(r) = "sip:b@y";',
      '$avp(r) = "sip:a@x";',
      '$avp(i) = 5;',
      '$var(r1) = avp_pushto("$ru", "$avp(r)/g");',
      '$var(r2) = avp_pushto("$du", "$avp(i)");',
    ].join('\n'),
  );
  assert.deepEqual([r.v('r1'), r.v('r2'), r.ruri, r.branches], [1, -1, 'sip:b@y', ['sip:a@x']]);
  const u = run(
    [
      '$avp(i) = 5;',
      '$avp(h) = "example.org";',
      'avp_pushto("$ru/username", "$avp(i)");',
      'avp_pushto("$ru/domain", "$avp(h)");',
      'avp_pushto("$du", "$ru");',
    ].join('\n'),
  );
  assert.deepEqual([u.ruri, u.du], ['sip:5@example.org', 'sip:5@example.org']);
});

test('avp_check: strict types, /g over the AVP, every value of an AVP operand, string case rules, re and fm', () => {
  const r = run(
    [
      '$avp(x) = 7;',
      '$avp(x) = 1;',
      '$avp(y) = 0;',
      '$avp(y) = 9;',
      '$avp(s) = "Alice";',
      ...[
        ['$avp(x)', 'eq/1'],
        ['$avp(x)', 'eq/i:1'],
        ['$avp(x)', 'and/i:0x1'],
        ['$avp(x)', 'gt/i:5'],
        ['$avp(x)', 'gt/i:5/g'],
        ['$avp(x)', 'eq/$avp(y)'],
        ['$avp(x)', 'lt/$avp(y)'],
        ['$avp(s)', 'eq/alice'],
        ['$avp(s)', 'eq/alice/i'],
        ['$avp(s)', 'lt/BOB'],
        ['$avp(s)', 're/^ALI'],
        ['$avp(s)', 'fm/al*'],
        ['$avp(s)', 'fm/al*/i'],
        ['$rm', 'eq/INVITE'],
      ].map(([a, b], i) => `$var(c${i}) = avp_check("${a}", "${b}");`),
    ].join('\n'),
  );
  assert.deepEqual(
    [...Array(14).keys()].map((i) => r.v(`c${i}`)),
    [-1, 1, 1, -1, 1, -1, 1, -1, 1, 1, 1, -1, 1, 1],
  );
  assert.ok(r.logs.some((l) => l.includes("value types don't match")));
});

test('avp_op: results on top (the old value stays without /d), every int value, division by 0 stores 0; plain constants refused by lint', () => {
  const r = run(
    [
      '$avp(a) = 3;',
      '$avp(a) = 5;',
      '$avp(b) = 5;',
      '$avp(c) = 7;',
      '$var(r1) = avp_op("$avp(a)", "add/i:1/d");',
      '$var(r2) = avp_op("$avp(b)", "add/i:10");',
      '$var(r3) = avp_op("$avp(c)/$avp(r)", "div/i:0");',
      '$var(r4) = avp_op("$avp(b)", "mul/$avp(c)");',
      '$var(r5) = avp_op("$avp(none)", "add/i:1");',
    ].join('\n'),
  );
  assert.deepEqual(['r1', 'r2', 'r3', 'r4', 'r5'].map(r.v), [1, 1, 1, 1, -1]);
  assert.deepEqual(r.avp('a'), [4, 6]);
  assert.deepEqual(r.avp('b'), [35, 105, 15, 5]);
  assert.deepEqual([r.avp('r'), r.avp('c')], [[0], [7]]);
  assert.ok(r.logs.some((l) => l.includes('division by 0')));
  const bad = sipEngine(`${LOAD}route {\n\tavp_op("$avp(a)", "add/345/g");\n}\n`);
  assert.ok(bad.diagnostics.length === 0, 'the engine builds; lint reports it (conformance/lint/avpops-args.cfg)');
});

test('avp_subst: the first matching string value (moved on top without a destination), /g all of them reversed, -1 without a match', () => {
  const pre = ['$avp(a) = "v@old.com";', '$avp(a) = "u@old.com";', '$avp(a) = "x";'].join('\n');
  const one = run(`${pre}\n$var(r) = avp_subst("$avp(a)", "/@old/@new/");`);
  assert.deepEqual([one.v('r'), one.avp('a')], [1, ['u@new.com', 'x', 'v@old.com']]);
  const all = run(`${pre}\n$var(r) = avp_subst("$avp(a)/g", "/@old/@new/");`);
  assert.deepEqual([all.v('r'), all.avp('a')], [1, ['v@new.com', 'u@new.com', 'x']]);
  const to = run(`${pre}\n$var(r) = avp_subst("$avp(a)/$avp(b)", "/@old/@new/");`);
  assert.deepEqual(
    [to.avp('b'), to.avp('a')],
    [['u@new.com'], ['x', 'u@old.com', 'v@old.com']],
    'with a destination the source stays',
  );
  const none = run(`${pre}\n$var(r) = avp_subst("$avp(a)", "/zzz/q/");`);
  assert.deepEqual([none.v('r'), none.avp('a')], [-1, ['x', 'u@old.com', 'v@old.com']]);
});

test('avp_print logs every AVP at INFO', () => {
  const r = run('$avp(a) = 1;\n$avp(b) = "hi";\navp_print();', 'log_level=3\n');
  const lines = r.logs
    .filter((l) => l.includes('ops_print_avp'))
    .map((l) => l.replace(/^.*ops_print_avp: /, '').trimEnd());
  assert.deepEqual(
    lines.filter((l) => /name=|val_/.test(l)),
    ['    name=<b>', '    val_str=<hi / 2>', '    name=<a>', '    val_int=<1>'],
  );
});

test('avp_db_query: rows stacked with the first one newest, NULL as "<null>", default $avp(1..n), -2 with no rows, -1 on an SQL error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'avpdb-'));
  const path = join(dir, 'db.sqlite');
  const db = new Database(path);
  db.exec("CREATE TABLE t (id INTEGER, name TEXT); INSERT INTO t VALUES (1, 'a'), (2, NULL);");
  db.close();
  const pre = `modparam("avpops", "db_url", "sqlite://${path}")\n`;
  const r = run(
    [
      '$avp(id) = 99;',
      '$var(r1) = avp_db_query("SELECT id, name FROM t ORDER BY id", "$avp(id);$avp(name)");',
      '$var(r2) = avp_db_query("SELECT id, name FROM t ORDER BY id");',
      '$var(r3) = avp_db_query("SELECT id FROM t WHERE id > 5", "$avp(z)");',
      '$var(r4) = avp_db_query("SELEC nonsense", "$avp(z)");',
      '$var(r5) = avp_db_query("UPDATE t SET name = \'b\' WHERE id = 2");',
    ].join('\n'),
    pre,
  );
  assert.deepEqual(['r1', 'r2', 'r3', 'r4', 'r5'].map(r.v), [1, 1, -2, -1, -2]);
  assert.deepEqual(
    [r.avp('id'), r.avp('name'), r.avp('1'), r.avp('2'), r.avp('z')],
    [[1, 2, 99], ['a', '<null>'], [1, 2], ['a', '<null>'], []],
  );
  assert.ok(r.logs.some((l) => l.includes('raw_query failed')));
});
