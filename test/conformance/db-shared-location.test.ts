// Several opensips-ts nodes sharing one location table on a real PostgreSQL and
// MariaDB (usrloc sql-only), with real SIPp: a UA registers through node A, an
// INVITE through node B reaches it, a de-registration through B is seen by A's
// lookup at once, and a node C started afterwards serves the lookup. Then kill -9
// of a node during a REGISTER stream: every REGISTER that got a 200 is in the table.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDb } from '../../src/cli/db.js';
import { DbError, openDb } from '../../src/db/index.js';
import { serverSkip, startMariadb, startPostgres, type DbServer } from '../helpers/db-servers.js';
import { waitFor } from '../helpers/wait.js';
import { runSipp, SIP_DIR, sippSkip, startServer, type Sipp, startUas, stopServers } from '../helpers/sipp.js';

const quietIo = { out: () => undefined, err: (s: string) => process.stderr.write(`${s}\n`), color: false, cwd: '.' };

function nodeCfg(dir: string, ip: string, url: string, mode: string): string {
  const file = join(dir, `node-${ip}-${mode}.cfg`);
  writeFileSync(file, readFileSync(`${SIP_DIR}registrar-shared.cfg.in`, 'utf8').replaceAll('@IP@', ip).replaceAll('@URL@', url).replaceAll('@MODE@', mode));
  return file;
}

let port = 5600;
function reg(node: string, user: string, expires: number, contact: string, cseq: number): Sipp {
  port++;
  return { scenario: 'uac-reg.xml', ip: '127.0.5.4', port, transport: 'u1', target: `${node}:5060`, keys: { user, expires: String(expires), contact, reg_cseq: String(cseq) }, callId: `${user}-shared` };
}

async function ok(p: Sipp): Promise<void> {
  const r = await runSipp(p, true);
  assert.equal(r.code, 0, `SIPp ${p.scenario} via ${p.target} failed:\n${r.out.slice(-1500)}`);
}

async function call(node: string, user: string): Promise<void> {
  const uas = (await startUas({ scenario: 'uas-invite.xml', ip: '127.0.5.3', port: 5070, transport: 'u1' })).done;
  port++;
  await ok({ scenario: 'uac-invite-user.xml', ip: '127.0.5.5', port, transport: 'u1', target: `${node}:5060`, service: user });
  const u = await uas;
  assert.equal(u.code, 0, u.out.slice(-1500));
}

for (const [kind, start] of [['postgres', startPostgres], ['mariadb', startMariadb]] as const) {
  describe(`two nodes, one location table on ${kind}`, { skip: sippSkip() || serverSkip(kind), timeout: 240000 }, () => {
    let server: DbServer;
    let dir: string;
    before(async () => {
      server = await start();
      dir = mkdtempSync(join(tmpdir(), 'ots-shared-'));
      assert.equal(runDb(['create', server.url], 'location', quietIo), 0);
    });
    after(async () => { await server?.stop(); if (dir) rmSync(dir, { recursive: true, force: true }); });

    test('register via A, call via B, de-register via B, A answers 404, a later node C serves the lookup', async () => {
      const a = await startServer({ cfg: nodeCfg(dir, '127.0.5.1', server.url, 'sql-only'), sockets: 1 });
      const b = await startServer({ cfg: nodeCfg(dir, '127.0.5.2', server.url, 'sql-only'), sockets: 1 });
      let c: Awaited<ReturnType<typeof startServer>> | undefined;
      try {
        await ok(reg('127.0.5.1', '3001', 600, '127.0.5.3:5070', 1));
        await call('127.0.5.2', '3001');
        await ok(reg('127.0.5.2', '3001', 0, '127.0.5.3:5070', 2));
        port++;
        await ok({ scenario: 'uac-invite-404.xml', ip: '127.0.5.5', port, transport: 'u1', target: '127.0.5.1:5060', service: '3001' });
        await ok(reg('127.0.5.1', '3002', 600, '127.0.5.3:5070', 1));
        c = await startServer({ cfg: nodeCfg(dir, '127.0.5.6', server.url, 'sql-only'), sockets: 1 });
        await call('127.0.5.6', '3002');
      } finally {
        await stopServers(c ? [a, b, c] : [a, b]);
      }
    });

    for (const mode of ['single-instance-sql-write-through', 'sql-only']) {
      test(`kill -9 during a REGISTER stream (${mode}): every REGISTER that got a 200 is in the table`, async () => {
        const db = openDb(server.url);
        assert.ok(!(db instanceof DbError));
        db.delete('location', {});
        const node = await startServer({ cfg: nodeCfg(dir, '127.0.5.7', server.url, mode), sockets: 1 });
        const trace = join(dir, `trace-${mode}.log`);
        const load = runSipp({ scenario: 'uac-register-load.xml', ip: '127.0.5.8', port: 5790, transport: 'u1', target: '127.0.5.7:5060', calls: 3000, messageFile: trace,
          keys: {}, pauseMs: 0 }, true);
        // Killed 1.5 s into the stream, and not before a first 200 OK (a loaded machine is slow to start SIPp).
        const t0 = Date.now();
        await waitFor(() => Date.now() - t0 >= 1500 && existsSync(trace) && /SIP\/2\.0 200 OK/.test(readFileSync(trace, 'utf8')), 'a first 200 OK in the SIPp trace', 20_000, 100);
        node.child.kill('SIGKILL');
        await load;
        const ok200 = new Set<string>();
        for (const block of readFileSync(trace, 'utf8').split(/-{20,}/)) {
          if (!/message received/.test(block) || !/SIP\/2\.0 200 OK/.test(block)) continue;
          const to = /^To:\s*<sip:(u\d+)@/im.exec(block);
          if (to) ok200.add(to[1]!);
        }
        const rows = db.query('location', { cols: ['username'] });
        assert.ok(!(rows instanceof DbError));
        const stored = new Set(rows.map((r) => String(r.username)));
        const lost = [...ok200].filter((u) => !stored.has(u));
        assert.ok(ok200.size > 0, 'some REGISTERs were answered before the kill');
        assert.deepEqual(lost, [], `${lost.length} of ${ok200.size} acknowledged registrations lost`);
        db.close();
      });
    }
  });
}
