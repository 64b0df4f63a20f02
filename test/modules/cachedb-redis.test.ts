// cachedb_redis on a real redis-server: two servers (two runtimes) share keys
// and counters through one Redis; cachedb_url in 3.3's syntax with a group.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connectRedis, closeRedis, parseRedisUrl } from '../../src/modules/cachedb_redis/index.js';
import { serverSkip, startRedis, type DbServer } from '../helpers/db-servers.js';
import { sipEngine } from '../helpers/engine.js';
import { request } from '../helpers/server.js';

test('cachedb_url: redis[:GROUP]://[[USER]:PASSWORD@]HOST[:PORT]/[DB]', () => {
  assert.deepEqual(parseRedisUrl('redis://127.0.0.1:6379/'), { group: '', target: { host: '127.0.0.1', port: 6379 } });
  assert.deepEqual(parseRedisUrl('redis:cluster1://:s%40cret@10.0.0.1/2'), {
    group: 'cluster1',
    target: { host: '10.0.0.1', port: 6379, password: 's@cret', db: 2 },
  });
  assert.match(parseRedisUrl('redis//x') as string, /bad cachedb_url/);
});

describe('cachedb_redis against redis-server', { skip: serverSkip('redis') }, () => {
  let server: DbServer;
  before(async () => {
    server = await startRedis('127.0.5.9');
  });
  after(async () => {
    await server?.stop();
  });

  const node = (body: string) =>
    sipEngine(
      [
        'socket=udp:127.0.0.1:5060',
        'loadmodule "cachedb_redis.so"',
        `modparam("cachedb_redis", "cachedb_url", "redis:main://${server.host}:${server.port}/")`,
        'route {',
        body,
        '}',
        '',
      ].join('\n'),
    );

  test('two nodes share keys and counters: store/fetch/remove, add/sub/counter_fetch, raw query, -2 for a missing key', () => {
    const a = node(
      [
        '\t$var(s) = cache_store("redis:main", "k1", "hello", 60);',
        '\t$var(add) = cache_add("redis:main", "calls", 5, 0, $var(n1));',
        '\t$var(raw) = cache_raw_query("redis:main", "TTL k1", "$avp(ttl)");',
        '\t$var(ttl) = $avp(ttl);',
      ].join('\n'),
    );
    assert.deepEqual(a.diagnostics, []);
    assert.deepEqual(connectRedis(a.rt), []);
    const va = a.send(Buffer.from(request('OPTIONS', 'r1'))).vars;
    assert.deepEqual([va.get('s'), va.get('add'), va.get('n1'), va.get('raw')], [1, 1, 5, 1]);
    assert.ok(Number(va.get('ttl')) > 0 && Number(va.get('ttl')) <= 60);
    const b = node(
      [
        '\t$var(f) = cache_fetch("redis:main", "k1", $var(v));',
        '\t$var(sub) = cache_sub("redis:main", "calls", 2, 0, $var(n2));',
        '\t$var(cf) = cache_counter_fetch("redis:main", "calls", $var(n3));',
        '\t$var(rm) = cache_remove("redis:main", "k1");',
        '\t$var(gone) = cache_fetch("redis:main", "k1", $var(v2));',
      ].join('\n'),
    );
    const vb = b.send(Buffer.from(request('OPTIONS', 'r2'))).vars;
    assert.deepEqual(
      ['f', 'v', 'sub', 'n2', 'cf', 'n3', 'rm', 'gone'].map((k) => vb.get(k)),
      [1, 'hello', 1, 3, 1, 3, 1, -2],
    );
    closeRedis(a.rt);
    closeRedis(b.rt);
  });

  test('an unreachable server: start-up errors name the URL with the password masked', () => {
    const e = sipEngine(
      [
        'socket=udp:127.0.0.1:5060',
        'loadmodule "cachedb_redis.so"',
        'modparam("cachedb_redis", "cachedb_url", "redis://:pw@127.0.5.77:1/")',
        'route {',
        '}',
        '',
      ].join('\n'),
    );
    const errors = connectRedis(e.rt);
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /^cannot connect to redis:\/\/:\*\*\*@127\.0\.5\.77:1\/: /);
    closeRedis(e.rt);
  });
});
