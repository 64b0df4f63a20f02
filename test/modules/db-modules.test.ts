// The DB modules on every backend of the DB layer (SQLite, PostgreSQL,
// MariaDB): tables made by `db create`, the same script on each.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTables, DbError, openDb, type Db } from '../../src/db/index.js';
import { serverSkip, startMariadb, startPostgres, type DbServer } from '../helpers/db-servers.js';
import { sipEngine } from '../helpers/engine.js';
import { request } from '../helpers/server.js';

function fill(db: Db): void {
  const made = createTables(db, ['subscriber', 'speed_dial', 'address', 'dispatcher']);
  assert.ok(!(made instanceof DbError), String(made));
  for (const r of [
    db.insert('subscriber', { username: '1001', domain: '127.0.0.1', password: 'secret', ha1: '' }),
    db.insert('speed_dial', { username: '1002', domain: '127.0.0.11', sd_username: '21', sd_domain: '127.0.0.1', new_uri: 'sip:alice@127.0.0.30' }),
    db.insert('address', { grp: 7, ip: '127.0.50.0', mask: 24, port: 0, proto: 'any', context_info: 'lab' }),
    db.insert('dispatcher', { setid: 1, destination: 'sip:127.0.50.9:5060', description: 'gw' }),
  ]) assert.ok(!(r instanceof DbError), String(r));
}

const script = (url: string): string => [
  'socket=udp:127.0.0.1:5060',
  `db_default_url="${url}"`,
  'loadmodule "auth.so"', 'loadmodule "auth_db.so"', 'loadmodule "speeddial.so"', 'loadmodule "permissions.so"', 'loadmodule "avpops.so"',
  'route {',
  '\t$var(exists) = db_does_uri_exist("sip:1001@127.0.0.1", "subscriber");',
  '\t$var(missing) = db_does_uri_exist("sip:9999@127.0.0.1", "subscriber");',
  '\t$var(sd) = sd_lookup("speed_dial");',
  '\t$var(ru) = $ru;',
  '\t$var(addr) = check_address(7, "127.0.50.44", 5060, "udp", $var(info));',
  '\t$var(noaddr) = check_address(7, "127.0.51.1", 5060, "udp");',
  '\t$var(q) = avp_db_query("SELECT destination, setid FROM dispatcher", "$avp(dst);$avp(set)");',
  '\t$var(dst) = $avp(dst);',
  '\t$var(set) = $avp(set);',
  '}', '',
].join('\n');

function checks(url: string): void {
  const e = sipEngine(script(url));
  assert.deepEqual(e.diagnostics, []);
  const msg = request('INVITE', 'm1', 'sip:21@127.0.0.1').replace(/^From: .*$/m, 'From: <sip:1002@127.0.0.11>;tag=a');
  const v = e.send(Buffer.from(msg)).vars;
  assert.deepEqual(Object.fromEntries(['exists', 'missing', 'sd', 'ru', 'addr', 'info', 'noaddr', 'q', 'dst', 'set'].map((k) => [k, v.get(k)])), {
    exists: 1, missing: -5, sd: 1, ru: 'sip:alice@127.0.0.30', addr: 1, info: 'lab', noaddr: -1, q: 1, dst: 'sip:127.0.50.9:5060', set: 1,
  });
}

test('SQLite: auth_db, speeddial, permissions, avpops on tables from db create', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ots-dbm-'));
  try {
    const url = `sqlite://${dir}/o.db`;
    const db = openDb(url, undefined, { create: true });
    assert.ok(!(db instanceof DbError));
    fill(db);
    db.close();
    checks(url);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

for (const [kind, start] of [['postgres', startPostgres], ['mariadb', startMariadb]] as const) {
  describe(`${kind}: the DB modules`, { skip: serverSkip(kind) }, () => {
    let server: DbServer;
    before(async () => { server = await start(); });
    after(async () => { await server?.stop(); });
    test('auth_db, speeddial, permissions, avpops on tables from db create', () => {
      const db = openDb(server.url);
      assert.ok(!(db instanceof DbError), String(db));
      fill(db);
      db.close();
      checks(server.url);
    });
  });
}
