// The deployment files: the systemd unit passes `systemd-analyze verify`; the
// Dockerfile's directives (Docker itself cannot run here) and its entrypoint
// and health check against a live server; docker-compose.yml's wiring.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = ['--import', 'tsx', join(ROOT, 'src/cli/bin.ts')];

const SYSTEMD_ANALYZE = spawnSync('systemd-analyze', ['--version']).status === 0;
const noSystemd = SYSTEMD_ANALYZE ? false : 'SKIPPED: systemd-analyze not found (Debian package systemd)';
if (noSystemd && process.env.CI === 'true') throw new Error(noSystemd);
if (noSystemd) console.error(`# ${noSystemd}`);

/** Dockerfile directives: continuation lines joined, comments dropped. */
function directives(text: string): { op: string; args: string }[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [op, ...rest] = l.split(/\s+/);
      return { op: op!.toUpperCase(), args: rest.join(' ') };
    });
}

function unitValues(text: string, key: string): string[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${key}=`))
    .map((l) => l.slice(key.length + 1));
}

test(
  'packaging/opensips-ts.service passes systemd-analyze verify and runs the CLI as OpenSIPS is run',
  { skip: noSystemd, timeout: 120_000 },
  () => {
    const unit = readFileSync(join(ROOT, 'packaging/opensips-ts.service'), 'utf8');
    assert.deepEqual(unitValues(unit, 'Type'), ['simple']);
    assert.deepEqual(unitValues(unit, 'Restart'), ['on-failure']);
    assert.deepEqual(unitValues(unit, 'AmbientCapabilities'), ['CAP_NET_BIND_SERVICE']);
    const [execStart] = unitValues(unit, 'ExecStart');
    assert.equal(execStart, '/usr/bin/opensips-ts -F -E -f /etc/opensips/opensips.cfg');
    const dir = mkdtempSync(join(tmpdir(), 'ots-unit-'));
    try {
      // verify checks that the commands exist: a stand-in for the installed bin runs this checkout's CLI.
      const bin = join(dir, 'opensips-ts');
      writeFileSync(bin, `#!/bin/sh\nexec "${process.execPath}" ${CLI.map((a) => `"${a}"`).join(' ')} "$@"\n`);
      chmodSync(bin, 0o755);
      const local = join(dir, 'opensips-ts.service');
      writeFileSync(local, unit.replaceAll('/usr/bin/opensips-ts', bin));
      const v = spawnSync('systemd-analyze', ['verify', local], { encoding: 'utf8' });
      assert.equal(v.status, 0, v.stderr);
      assert.equal(v.stderr.trim(), '', 'no warnings either (a misspelt value is only a warning)');
      // ExecStartPre, on the image's cfg: the check OpenSIPS's own unit files run.
      const [pre] = unitValues(unit, 'ExecStartPre');
      const args = pre!
        .split(' ')
        .slice(1)
        .map((a) => (a === '/etc/opensips/opensips.cfg' ? join(ROOT, 'packaging/opensips.cfg') : a));
      const r = spawnSync(bin, args, { encoding: 'utf8', cwd: ROOT });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stderr, /config file ok/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test('Dockerfile: a build stage and a slim Node.js 20 runtime, non-root, the OpenSIPS entrypoint, SIP ports, a health check', () => {
  const d = directives(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
  const froms = d.filter((x) => x.op === 'FROM').map((x) => x.args);
  assert.equal(froms.length, 2);
  assert.match(froms[0]!, /^node:20[-\w]* AS build$/);
  assert.match(froms[1]!, /^node:20-[\w-]*slim$/);
  const runtime = d.slice(d.findIndex((x) => x.op === 'FROM' && x.args === froms[1]));
  const user = runtime.filter((x) => x.op === 'USER').map((x) => x.args);
  assert.equal(user.length, 1);
  assert.notEqual(user[0], 'root');
  assert.deepEqual(JSON.parse(runtime.find((x) => x.op === 'ENTRYPOINT')!.args), [
    'opensips-ts',
    '-F',
    '-E',
    '-f',
    '/etc/opensips/opensips.cfg',
  ]);
  const exposed = runtime.filter((x) => x.op === 'EXPOSE').flatMap((x) => x.args.split(/\s+/));
  for (const port of ['5060/udp', '5060/tcp']) assert.ok(exposed.includes(port), port);
  assert.ok(
    exposed.some((p) => p.startsWith('5061')),
    '5061 (TLS)',
  );
  assert.match(
    runtime.find((x) => x.op === 'HEALTHCHECK')!.args,
    /CMD \["node", "\/opt\/opensips-ts\/healthcheck\.mjs"\]/,
  );
  // Every file copied from the build context exists; the bin the entrypoint names is package.json's.
  for (const c of d.filter((x) => x.op === 'COPY' && !x.args.startsWith('--from'))) {
    for (const src of c.args.split(/\s+/).slice(0, -1)) assert.ok(existsSync(join(ROOT, src)), `COPY ${src}`);
  }
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
  assert.match(
    runtime.find((x) => x.op === 'RUN')!.args,
    new RegExp(`ln -s /opt/opensips-ts/${pkg.bin['opensips-ts']} /usr/local/bin/opensips-ts`),
  );
});

test(
  'the entrypoint serves the image cfg and the HEALTHCHECK script finds it healthy',
  { timeout: 120_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ots-image-'));
    // The image's cfg, on one loopback address instead of every address of the container.
    const cfg = join(dir, 'opensips.cfg');
    writeFileSync(
      cfg,
      readFileSync(join(ROOT, 'packaging/opensips.cfg'), 'utf8').replaceAll(':*:5060', ':127.0.114.30:5060'),
    );
    const args = ['-F', '-E', '-f', cfg];
    const server = spawn(process.execPath, [...CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    server.stderr.on('data', (b: Buffer) => (log += b.toString()));
    const exited = new Promise<number | null>((r) => server.on('exit', (c) => r(c)));
    try {
      const end = Date.now() + 60_000;
      while ((log.match(/listening on/g) ?? []).length < 2) {
        if (Date.now() > end) throw new Error(`server did not start:\n${log}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const health = spawnSync(process.execPath, [join(ROOT, 'packaging/healthcheck.mjs')], {
        encoding: 'utf8',
        env: { ...process.env, HEALTHCHECK_TARGET: '127.0.114.30:5060' },
      });
      assert.equal(health.status, 0, health.stderr);
      assert.equal(health.stdout.trim(), 'SIP/2.0 200 OK');
      const unhealthy = spawnSync(process.execPath, [join(ROOT, 'packaging/healthcheck.mjs')], {
        encoding: 'utf8',
        env: { ...process.env, HEALTHCHECK_TARGET: '127.0.114.31:5060' },
      });
      assert.equal(unhealthy.status, 1);
      server.kill('SIGTERM');
      assert.equal(await exited, 0);
    } finally {
      server.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test('docker-compose.yml: PostgreSQL, the tables created once, then the registrar on its cfg', () => {
  const compose = parseYaml(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as {
    services: Record<
      string,
      { entrypoint?: string[]; volumes?: string[]; depends_on?: Record<string, { condition: string }> }
    >;
  };
  assert.deepEqual(Object.keys(compose.services).sort(), ['db-init', 'postgres', 'registrar']);
  const init = compose.services['db-init']!;
  assert.deepEqual(init.entrypoint!.slice(0, 3), ['opensips-ts', 'db', 'create']);
  assert.equal(compose.services.registrar!.depends_on!['db-init']!.condition, 'service_completed_successfully');
  const mount = compose.services.registrar!.volumes!.find((v) => v.includes(':/etc/opensips/opensips.cfg'))!;
  const cfg = join(ROOT, mount.split(':')[0]!);
  const url = init.entrypoint![3]!;
  assert.ok(readFileSync(cfg, 'utf8').includes(`"db_url", "${url}"`), 'the registrar uses the database db-init fills');
  const r = spawnSync(process.execPath, [...CLI, 'check', cfg], { encoding: 'utf8', cwd: ROOT });
  assert.equal(r.status, 0, r.stderr);
});
