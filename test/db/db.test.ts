// The DB layer on every backend: OpenSIPS's URL syntax, the db_func_t calls,
// the standard tables and their version rows, a lost connection.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkTableVersion,
  createTables,
  DbError,
  maskDbUrl,
  openDb,
  parseDbUrl,
  type Db,
} from '../../src/db/index.js';
import { waitFor } from '../helpers/wait.js';
import { serverSkip, startMariadb, startPostgres, type DbServer } from '../helpers/db-servers.js';

test('URLs in 3.3 syntax: user, password, host, port, database, parameters, percent escapes', () => {
  assert.deepEqual(parseDbUrl('mysql://opensips:opensipsrw@localhost/opensips'), {
    scheme: 'mysql',
    user: 'opensips',
    password: 'opensipsrw',
    host: 'localhost',
    database: 'opensips',
    text: 'mysql://opensips:opensipsrw@localhost/opensips',
  });
  const u = parseDbUrl('postgres://us%40er:p%3Aa@ss/w@10.0.0.1:5433/db?sslmode=disable');
  assert.ok(typeof u !== 'string');
  assert.equal(u.user, 'us@er');
  assert.equal(u.password, 'p:a@ss/w');
  assert.equal(u.host, '10.0.0.1');
  assert.equal(u.port, 5433);
  assert.equal(u.database, 'db');
  assert.equal(u.parameters, 'sslmode=disable');
  const v6 = parseDbUrl('mysql://root@[::1]:3307/opensips');
  assert.ok(typeof v6 !== 'string');
  assert.deepEqual([v6.host, v6.port, v6.user, v6.password], ['::1', 3307, 'root', undefined]);
  const hostOnly = parseDbUrl('mysql://dbhost/opensips');
  assert.ok(typeof hostOnly !== 'string' && hostOnly.host === 'dbhost' && hostOnly.user === undefined);
  const lite = parseDbUrl('sqlite:///var/lib/opensips/db.sqlite');
  assert.ok(typeof lite !== 'string' && lite.database === '/var/lib/opensips/db.sqlite');
  assert.match(parseDbUrl('oracle://u@h/db') as string, /unsupported database URL scheme "oracle"/);
  assert.match(parseDbUrl('mysql://localhost') as string, /error while parsing database URL/);
  assert.equal(maskDbUrl('mysql://opensips:secret@h/db'), 'mysql://opensips:***@h/db');
});

test('an unreachable server: the error names the URL with the password masked and the driver reason', () => {
  const db = openDb('postgres://opensips:secret@127.0.5.77:1/opensips');
  assert.ok(db instanceof DbError);
  assert.match(db.message, /^cannot connect to postgres:\/\/opensips:\*\*\*@127\.0\.5\.77:1\/opensips: .*ECONNREFUSED/);
  assert.doesNotMatch(db.message, /secret/);
  const my = openDb('mysql://opensips:secret@127.0.5.77:1/opensips');
  assert.ok(my instanceof DbError);
  assert.match(my.message, /^cannot connect to mysql:\/\/opensips:\*\*\*@127\.0\.5\.77:1\/opensips: .*ECONNREFUSED/);
});

/** The same checks on each backend. */
function apiChecks(db: Db): void {
  const made = createTables(db, ['subscriber', 'location', 'acc']);
  assert.ok(!(made instanceof DbError), String(made));
  assert.deepEqual(made.created, ['location', 'subscriber', 'acc']);
  assert.equal(checkTableVersion(db, 'location', 1013), undefined);
  assert.equal(checkTableVersion(db, 'subscriber', 7), 'invalid version 8 for table subscriber found, expected 7');
  assert.equal(checkTableVersion(db, 'dialog', 11), 'invalid version 0 for table dialog found, expected 11');
  const again = createTables(db, ['subscriber']);
  assert.ok(!(again instanceof DbError));
  assert.deepEqual(again, { created: [], kept: ['subscriber'] });

  const ins = db.insert('subscriber', { username: 'alice', domain: 'example.com', password: 'pw', ha1: 'x' });
  assert.ok(!(ins instanceof DbError), String(ins));
  const firstId = db.lastInsertId();
  assert.equal(Number(firstId), 1);
  db.insert('subscriber', { username: 'bob', domain: 'example.com', password: 'pw2' });
  assert.equal(Number(db.lastInsertId()), 2);
  const rows = db.query('subscriber', {
    keys: ['domain'],
    vals: ['example.com'],
    cols: ['username', 'password'],
    order: 'username DESC',
  });
  assert.deepEqual(rows, [
    { username: 'bob', password: 'pw2' },
    { username: 'alice', password: 'pw' },
  ]);
  const gt = db.query('subscriber', { keys: ['id', 'rpid'], ops: ['>', '='], vals: [1, null], cols: ['username'] });
  assert.deepEqual(gt, [{ username: 'bob' }]);
  const up = db.update('subscriber', { keys: ['username'], vals: ['alice'] }, { rpid: '<sip:1@x>' });
  assert.ok(!(up instanceof DbError));
  assert.equal(db.affectedRows(), 1);
  assert.equal(up.affected, 1);
  // replace: same contact_id overwrites
  const row = {
    contact_id: 1234567890123,
    username: 'alice',
    contact: 'sip:a@1.2.3.4',
    expires: 100,
    callid: 'c1',
    cseq: 1,
  };
  assert.ok(!(db.replace('location', row, ['contact_id']) instanceof DbError));
  assert.ok(
    !(db.replace('location', { ...row, cseq: 2, contact: 'sip:a@5.6.7.8' }, ['contact_id']) instanceof DbError),
  );
  const loc = db.query('location', {
    keys: ['username'],
    vals: ['alice'],
    cols: ['contact_id', 'contact', 'cseq', 'q', 'last_modified'],
  });
  assert.ok(!(loc instanceof DbError));
  assert.equal(loc.length, 1);
  assert.equal(String(loc[0].contact_id), '1234567890123');
  assert.equal(loc[0].contact, 'sip:a@5.6.7.8');
  assert.equal(Number(loc[0].cseq), 2);
  assert.equal(Number(loc[0].q), 1);
  assert.equal(String(loc[0].last_modified), '1900-01-01 00:00:01');
  const del = db.delete('subscriber', { keys: ['username'], vals: ['bob'] });
  assert.ok(!(del instanceof DbError) && del.affected === 1);
  const raw = db.raw('SELECT COUNT(*) AS n FROM subscriber WHERE domain = ?', ['example.com']);
  assert.ok(!(raw instanceof DbError));
  assert.equal(Number(raw.rows[0].n), 1);
  const bad = db.raw('SELECT nope FROM nowhere');
  assert.ok(bad instanceof DbError && !bad.lost);
  // a transaction: all or nothing
  const b = db.batch([
    db.sql.insert('acc', { method: 'INVITE', callid: 'x', time: '2026-01-01 00:00:00' }),
    db.rawStmt('SELECT nope FROM nowhere'),
  ]);
  assert.ok(b instanceof DbError);
  assert.deepEqual(db.query('acc', { cols: ['callid'] }), []);
}

test('SQLite: the DB API and the standard tables', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ots-db-'));
  try {
    assert.ok(openDb(`sqlite://${dir}/missing.db`) instanceof DbError, 'a missing file is an error, as db_sqlite');
    const db = openDb(`sqlite://${dir}/t.db`, undefined, { create: true });
    assert.ok(!(db instanceof DbError), String(db));
    apiChecks(db);
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

for (const [kind, start] of [
  ['postgres', startPostgres],
  ['mariadb', startMariadb],
] as const) {
  describe(`${kind}: the DB API through the worker`, { skip: serverSkip(kind) }, () => {
    let server: DbServer;
    before(async () => {
      server = await start();
    });
    after(async () => {
      await server?.stop();
    });

    test('query, insert, update, delete, replace, raw, last id, affected rows, tables and versions', () => {
      const db = openDb(server.url);
      assert.ok(!(db instanceof DbError), String(db));
      apiChecks(db);
      db.close();
    });

    test('a lost connection: calls fail with `lost`, one log line per state change, then it comes back', async () => {
      const lines: string[] = [];
      const db = openDb(server.url, (_lvl, t) => lines.push(t));
      assert.ok(!(db instanceof DbError));
      const killer = openDb(server.url);
      assert.ok(!(killer instanceof DbError));
      const others =
        kind === 'postgres'
          ? "SELECT pid AS id FROM pg_stat_activity WHERE datname = 'opensips' AND pid <> pg_backend_pid()"
          : "SELECT ID AS id FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND DB = 'opensips'";
      const ids = killer.raw(others);
      assert.ok(!(ids instanceof DbError));
      assert.ok(ids.rows.length > 0, 'the connection to kill');
      for (const r of ids.rows)
        killer.raw(kind === 'postgres' ? `SELECT pg_terminate_backend(${Number(r.id)})` : `KILL ${Number(r.id)}`);
      // The server ends the connection asynchronously: wait until it is gone rather than a fixed 300 ms.
      await waitFor(() => {
        const left = killer.raw(others);
        return !(left instanceof DbError) && left.rows.length === 0;
      }, 'the killed connection to be gone');
      const failed = db.query('version', {});
      assert.ok(failed instanceof DbError && failed.lost, `expected a lost connection, got ${String(failed)}`);
      const again = db.query('version', {});
      assert.ok(again instanceof DbError && again.lost, 'no reconnect before the back-off');
      await waitFor(() => !(db.query('version', {}) instanceof DbError), 'a reconnect after the back-off', 20_000, 100);
      assert.ok(!(db.query('version', {}) instanceof DbError), 'reconnected');
      // the state lines arrive on the event loop
      await waitFor(
        () => lines.some((l) => /re-established/.test(l)),
        () => `the re-established line:\n${lines.join('\n')}`,
      );
      assert.equal(lines.filter((l) => /lost/.test(l)).length, 1, lines.join('\n'));
      assert.equal(lines.filter((l) => /re-established/.test(l)).length, 1, lines.join('\n'));
      assert.ok(lines.every((l) => !l.includes('opensipsrw')));
      db.close();
      killer.close();
    });
  });
}

describe('opensips-ts db create', () => {
  test('creates the standard tables with their version rows, keeps existing ones, refuses unknown names', async () => {
    const { runDb } = await import('../../src/cli/db.js');
    const dir = mkdtempSync(join(tmpdir(), 'ots-dbc-'));
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (s: string) => out.push(s), err: (s: string) => err.push(s), color: false, cwd: dir };
    try {
      const url = `sqlite://${dir}/o.db`;
      assert.equal(runDb(['create', url], undefined, io), 0, err.join('\n'));
      assert.ok(out.includes('created location (version 1013)'));
      assert.ok(out.includes('created dialog (version 11)'));
      out.length = 0;
      assert.equal(runDb(['create', url], 'location,grp', io), 0);
      assert.deepEqual(out, ['kept location (exists)', 'kept grp (exists)']);
      assert.equal(runDb(['create', url], 'nosuch', io), 1);
      assert.match(err.join('\n'), /unknown table\(s\): nosuch/);
      const db = openDb(url);
      assert.ok(!(db instanceof DbError));
      assert.deepEqual(db.query('version', { keys: ['table_name'], vals: ['grp'], cols: ['table_version'] }), [
        { table_version: 3 },
      ]);
      db.close();
      assert.equal(runDb(['create', 'mysql://u:pw@127.0.5.77:1/x'], undefined, io), 1);
      assert.match(err.at(-1)!, /cannot connect to mysql:\/\/u:\*\*\*@127\.0\.5\.77:1\/x/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
