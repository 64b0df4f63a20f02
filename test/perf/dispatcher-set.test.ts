// The dispatcher's per-message loop grows linearly with the set (issue 14):
// ds_select_dst + ds_next_dst over a set of N and 4N destinations. The
// harness is the engine alone (no server, no tm): nothing starts a timer (the
// dispatcher's pinger and reload run only from a server's start), the SQLite
// file is closed once loaded and removed after, so the process exits on its
// own. Each engine and its database are made outside the timing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sipEngine } from '../helpers/engine.js';
import { request } from '../helpers/server.js';
import { fmtGrowth, growth } from '../helpers/linear.js';

const MAX_RATIO = 8;
const REPEAT = 20;

/** A dispatcher table with `n` destinations in set 1, in a directory of its own. */
function dispatcherDb(n: number): { path: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ds-perf-'));
  const path = join(dir, 'ds.db');
  const db = new Database(path);
  db.exec(
    `CREATE TABLE dispatcher (id INTEGER PRIMARY KEY, setid INTEGER NOT NULL DEFAULT 0, destination TEXT NOT NULL DEFAULT '', socket TEXT,
    state INTEGER NOT NULL DEFAULT 0, weight TEXT NOT NULL DEFAULT '1', priority INTEGER NOT NULL DEFAULT 0, attrs TEXT NOT NULL DEFAULT '', description TEXT NOT NULL DEFAULT '')`,
  );
  const add = db.prepare('INSERT INTO dispatcher (setid, destination, weight) VALUES (1, ?, ?)');
  db.transaction(() => {
    for (let i = 0; i < n; i++) add.run(`sip:127.0.${(i >> 8) & 255}.${i & 255}:5060`, String(1 + (i % 3)));
  })();
  db.close();
  return { path, dir };
}

test('dispatcher: ds_select_dst and ds_next_dst over N and 4N destinations cost linear CPU', () => {
  const small = 500;
  const dirs: string[] = [];
  const g = growth((n) => {
    const { path, dir } = dispatcherDb(n);
    dirs.push(dir);
    const e = sipEngine(
      [
        'socket=udp:127.0.0.1:5060',
        'loadmodule "db_sqlite.so"',
        'loadmodule "dispatcher.so"',
        `modparam("dispatcher", "db_url", "sqlite://${path}")`,
        'route {',
        '\tif (!ds_select_dst(1, 0, "f")) exit;',
        '\twhile (ds_next_dst()) { $var(n) = $var(n) + 1; }',
        '}',
        '',
      ].join('\n'),
    );
    assert.deepEqual(e.diagnostics, []);
    const msgs = Array.from({ length: REPEAT }, (_, i) => Buffer.from(request('INVITE', `ds${n}-${i}`)));
    return () => {
      for (const m of msgs) e.send(m);
    };
  }, small);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  console.log(fmtGrowth('dispatcher set', small, g));
  assert.ok(g.ratio < MAX_RATIO, `4x the destinations cost x${g.ratio.toFixed(1)} CPU`);
});
