// speeddial: sd_lookup() on an SQLite table: the caller's short number
// becomes the R-URI ("sip:" added when missing); use_domain and
// domain_prefix; -1 when there is no entry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sipEngine } from '../helpers/engine.js';
import { request } from '../helpers/server.js';

function db(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'sd-')), 'sd.db');
  const d = new Database(path);
  d.exec(
    'CREATE TABLE speed_dial (id INTEGER PRIMARY KEY, username TEXT, domain TEXT, sd_username TEXT, sd_domain TEXT, new_uri TEXT, fname TEXT, lname TEXT, description TEXT)',
  );
  const add = d.prepare(
    'INSERT INTO speed_dial (username, domain, sd_username, sd_domain, new_uri) VALUES (?, ?, ?, ?, ?)',
  );
  add.run('1002', '127.0.0.11', '21', '127.0.0.1', 'sip:alice@127.0.0.30');
  add.run('1002', 'other.example.net', '22', '127.0.0.1', 'bob@127.0.0.31:5070');
  add.run('2000', '127.0.0.11', '21', '127.0.0.1', 'sip:carol@127.0.0.32');
  d.close();
  return path;
}

const engine = (path: string, body: string, extra: string[] = []) =>
  sipEngine(
    [
      'socket=udp:127.0.0.1:5060',
      'loadmodule "db_sqlite.so"',
      'loadmodule "speeddial.so"',
      `modparam("speeddial", "db_url", "sqlite://${path}")`,
      ...extra,
      'route {',
      body,
      '\t$var(ru) = $ru;',
      '}',
      '',
    ].join('\n'),
  );

test('sd_lookup: the From user\'s entry for the R-URI user; "sip:" added; an owner argument; -1 without an entry', () => {
  const path = db();
  const e = engine(path, '\t$var(rc) = sd_lookup("speed_dial");');
  const hit = e.send(Buffer.from(request('INVITE', 's1', 'sip:21@127.0.0.1'))).vars;
  assert.deepEqual([hit.get('rc'), hit.get('ru')], [1, 'sip:alice@127.0.0.30']);
  const scheme = e.send(Buffer.from(request('INVITE', 's2', 'sip:22@127.0.0.1'))).vars;
  assert.deepEqual([scheme.get('rc'), scheme.get('ru')], [1, 'sip:bob@127.0.0.31:5070']);
  const miss = e.send(Buffer.from(request('INVITE', 's3', 'sip:99@127.0.0.1'))).vars;
  assert.deepEqual([miss.get('rc'), miss.get('ru')], [-1, 'sip:99@127.0.0.1']);
  const owner = engine(path, '\t$var(rc) = sd_lookup("speed_dial", "sip:2000@127.0.0.11");').send(
    Buffer.from(request('INVITE', 's4', 'sip:21@127.0.0.1')),
  ).vars;
  assert.deepEqual([owner.get('rc'), owner.get('ru')], [1, 'sip:carol@127.0.0.32']);
});

test("use_domain 1 matches the caller's domain (domain_prefix stripped), 2 the R-URI's too", () => {
  const path = db();
  const one = engine(path, '\t$var(rc) = sd_lookup("speed_dial");', ['modparam("speeddial", "use_domain", 1)']);
  assert.equal(one.send(Buffer.from(request('INVITE', 'd1', 'sip:21@127.0.0.1'))).vars.get('rc'), 1);
  assert.equal(
    one.send(Buffer.from(request('INVITE', 'd2', 'sip:22@127.0.0.1'))).vars.get('rc'),
    -1,
    'that entry is for another domain',
  );
  const two = engine(path, '\t$var(rc) = sd_lookup("speed_dial");', [
    'modparam("speeddial", "use_domain", 2)',
    'modparam("speeddial", "domain_prefix", "sip.")',
  ]);
  assert.equal(two.send(Buffer.from(request('INVITE', 'd3', 'sip:21@sip.127.0.0.1'))).vars.get('rc'), 1);
});
