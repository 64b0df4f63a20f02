// cache_* over cachedb_local: store/fetch/remove, expiry on the clock,
// counters, groups from cachedb_url, return codes (1, -2 not found, -1 error).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sipEngine } from '../helpers/engine.js';
import { request } from '../helpers/server.js';

const cfg = (body: string, extra = ''): string =>
  `socket=udp:127.0.0.1:5060\nloadmodule "cachedb_local.so"\n${extra}\nroute {\n${body}\n}\n`;

test('cache_store / cache_fetch / cache_remove with expiry; -2 for a missing or expired key', () => {
  const e = sipEngine(
    cfg(
      `\tif ($rm == "MESSAGE") { $var(s) = cache_store("local", "k", "v-$ci", 10); }\n\t$var(f) = cache_fetch("local", "k", $var(v));\n\tif ($rm == "BYE") $var(r) = cache_remove("local", "k");`,
    ),
  );
  const first = e.send(Buffer.from(request('MESSAGE', 'c1'))).vars;
  assert.deepEqual(
    ['s', 'f', 'v'].map((k) => first.get(k)),
    [1, 1, 'v-c1'],
  );
  e.advance(11);
  assert.equal(e.send(Buffer.from(request('OPTIONS', 'c2'))).vars.get('f'), -2, 'expired after 10 s');
  e.send(Buffer.from(request('MESSAGE', 'c3')));
  const bye = e.send(Buffer.from(request('BYE', 'c4'))).vars;
  assert.equal(bye.get('r'), 1);
  assert.equal(e.send(Buffer.from(request('OPTIONS', 'c5'))).vars.get('f'), -2, 'removed');
});

test('cache_add / cache_sub counters and cache_counter_fetch; -1 on a non-numeric value or an unknown storage', () => {
  const e = sipEngine(
    cfg(
      '\tcache_add("local", "n", 5, 0, $var(a));\n\tcache_sub("local", "n", 2, 0, $var(b));\n\t$var(c) = cache_counter_fetch("local", "n", $var(n));\n\tcache_store("local", "s", "text");\n\t$var(d) = cache_add("local", "s", 1, 0);\n\t$var(e) = cache_fetch("redis", "n", $var(x));',
    ),
  );
  const v = e.send(Buffer.from(request('OPTIONS', 'n1'))).vars;
  assert.deepEqual(
    ['a', 'b', 'c', 'n', 'd', 'e'].map((k) => v.get(k)),
    [5, 3, 1, 3, -1, -1],
  );
  assert.equal(e.send(Buffer.from(request('OPTIONS', 'n2'))).vars.get('n'), 6, 'the counter lives on across requests');
});

test('groups: "local:g1" reaches the collection its cachedb_url names; an unknown group is -1', () => {
  const e = sipEngine(
    cfg(
      '\t$var(a) = cache_store("local:g1", "k", "v");\n\t$var(b) = cache_fetch("local:g1", "k", $var(v));\n\t$var(c) = cache_store("local:nope", "k", "v");',
      'modparam("cachedb_local", "cachedb_url", "local:g1:///one")',
    ),
  );
  const v = e.send(Buffer.from(request('OPTIONS', 'g1'))).vars;
  assert.deepEqual(
    ['a', 'b', 'v', 'c'].map((k) => v.get(k)),
    [1, 1, 'v', -1],
  );
});

test('cache_remove_chunk: every key matching the glob goes (default collection, or a named one); -1 for an unknown collection', () => {
  const e = sipEngine(
    cfg(
      [
        '\tcache_store("local", "user_1", "a");',
        '\tcache_store("local", "user_2", "b");',
        '\tcache_store("local", "other", "c");',
        '\t$var(r) = cache_remove_chunk("user_*");',
        '\t$var(f1) = cache_fetch("local", "user_1", $var(x));',
        '\t$var(f2) = cache_fetch("local", "other", $var(y));',
        '\t$var(n) = cache_remove_chunk("nosuch", "*");',
        '\t$var(d) = cache_remove_chunk("default", "oth*");',
        '\t$var(f3) = cache_fetch("local", "other", $var(z));',
      ].join('\n'),
    ),
  );
  const v = e.send(Buffer.from(request('OPTIONS', 'rc1'))).vars;
  assert.deepEqual(
    ['r', 'f1', 'f2', 'y', 'n', 'd', 'f3'].map((k) => v.get(k)),
    [1, -2, 1, 'c', -1, 1, -2],
  );
});

test('a storage id whose cachedb module is not loaded is -1 with OpenSIPS\'s "no cachedb system" line (the engines register at init)', () => {
  const e = sipEngine(
    'socket=udp:127.0.0.1:5060\nroute {\n\t$var(a) = cache_store("local", "k", "v");\n\t$var(b) = cache_fetch("redis", "k", $var(x));\n\t$var(c) = cache_raw_query("redis", "GET k", "$avp(r)");\n}\n',
  );
  const sent = e.send(Buffer.from(request('OPTIONS', 'nc1')));
  assert.deepEqual(
    ['a', 'b', 'c'].map((k) => sent.vars.get(k)),
    [-1, -1, -1],
  );
  const wrong = e.logs.filter((l) => l.includes('no cachedb system with this name registered'));
  assert.equal(wrong.length, 2, wrong.join('\n'));
  assert.match(wrong[0]!, /Wrong argument <local>/);
  assert.match(wrong[1]!, /Wrong argument <redis>/);
});
