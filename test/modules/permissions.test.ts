// permissions: the address table from SQLite; check_source_address,
// check_address (groups, subnets, ports, protocols, patterns, context_info)
// and get_source_group, with 3.3's return codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sipEngine } from '../helpers/engine.js';
import { request } from '../helpers/server.js';

function addressDb(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'perm-')), 'address.db');
  const db = new Database(path);
  db.exec(
    'CREATE TABLE address (id INTEGER PRIMARY KEY, grp INTEGER, ip TEXT, mask INTEGER, port INTEGER, proto TEXT, pattern TEXT, context_info TEXT)',
  );
  const add = db.prepare(
    'INSERT INTO address (grp, ip, mask, port, proto, pattern, context_info) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  add.run(1, '127.0.0.11', 32, 0, 'any', null, 'trunk-a');
  add.run(2, '127.0.1.0', 24, 5060, 'udp', null, 'office');
  add.run(3, '127.0.2.1', 32, 0, 'any', 'sip:*@trusted.example', 'pattern');
  db.close();
  return path;
}

const engine = (body: string) =>
  sipEngine(
    `socket=udp:127.0.0.1:5060\nloadmodule "db_sqlite.so"\nloadmodule "permissions.so"\nmodparam("permissions", "db_url", "sqlite://${addressDb()}")\nroute {\n${body}\n}\n`,
  );

test('check_source_address: 1 with context_info for a listed source, -1 for another, -2 for a group that does not exist; get_source_group', () => {
  const e = engine(
    '\t$var(a) = check_source_address(1, $var(info));\n\t$var(b) = check_source_address(9);\n\t$var(c) = check_source_address(0);\n\tget_source_group($var(g));',
  );
  const from = (ip: string) => e.send(Buffer.from(request('OPTIONS', ip)), { ip, port: 5060, proto: 'udp' }).vars;
  const listed = from('127.0.0.11');
  assert.deepEqual(
    ['a', 'info', 'b', 'c', 'g'].map((k) => listed.get(k)),
    [1, 'trunk-a', -2, 1, 1],
  );
  const other = from('127.0.0.12');
  assert.deepEqual(
    ['a', 'c'].map((k) => other.get(k)),
    [-1, -1],
  );
});

test('check_address: subnets, ports, protocols and patterns', () => {
  const e = engine(`\t$var(a) = check_address(2, "127.0.1.77", 5060, "udp");
\t$var(b) = check_address(2, "127.0.1.77", 5070, "udp");
\t$var(c) = check_address(2, "127.0.1.77", 5060, "tcp");
\t$var(d) = check_address(2, "127.0.1.77", 0, "any");
\t$var(e) = check_address(2, "127.0.3.1", 5060, "udp");
\t$var(f) = check_address(3, "127.0.2.1", 0, "any", , "sip:alice@trusted.example");
\t$var(g) = check_address(3, "127.0.2.1", 0, "any", , "sip:alice@other.example");`);
  const v = e.send(Buffer.from(request('OPTIONS', 'p1'))).vars;
  assert.deepEqual(
    ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((k) => v.get(k)),
    [1, -1, -1, 1, -1, 1, -1],
  );
});
