// dry-run --scenario: errors with file:line:col, the text ladder, --ladder svg/mmd, --json, exit codes.
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { loadScenario } from '../../src/scenario/load.js';
import { SimHub } from '../../src/scenario/sim-network.js';
import { VirtualClock } from '../../src/base/clock.js';
import { BLOG_DIR } from '../helpers/cfg.js';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s), cwd: process.cwd(), color: false },
    out,
    err,
  };
}

test('loader errors name file:line:col and what was expected', () => {
  const bad = loadScenario(
    '/s/bad.yaml',
    'cfg: x.cfg\nuas:\n  UA1: { address: "udp:127.0.0.1:5070" }\ntimeline:\n  - t=0 UA9 REGISTER\n  - at noon UA1 REGISTER\n',
  );
  assert.ok('errors' in bad);
  if (!('errors' in bad)) return;
  assert.deepEqual(
    bad.errors.map((e) => [e.line, e.col]),
    [
      [5, 5],
      [6, 5],
    ],
  );
  assert.match(bad.errors[0]!.message, /`UA9` is not an actor of this scenario \(UAs: UA1; cfgs: P\)/);
  assert.match(bad.errors[1]!.message, /t=SECONDS ACTOR VERB/);
  const yaml = loadScenario('/s/y.yaml', 'cfg: [unclosed\n');
  assert.ok('errors' in yaml && yaml.errors[0]!.line >= 1);
});

test('t=FROM..TO/EVERY expands into repeated steps', () => {
  const s = loadScenario(
    '/s/r.yaml',
    'cfg: x.cfg\nuas:\n  UA1: { address: "udp:127.0.0.1:5070" }\ntimeline:\n  - t=0..240/120 UA1 REGISTER expires=200\n  - t=10 UA1 UNREGISTER\n',
  );
  assert.ok(!('errors' in s));
  if ('errors' in s) return;
  assert.deepEqual(
    s.steps.map((x) => [x.at, x.action.kind, 'expires' in x.action ? x.action.expires : undefined]),
    [
      [0, 'register', 200],
      [10, 'register', 0],
      [120, 'register', 200],
      [240, 'register', 200],
    ],
  );
});

test('dry-run --scenario prints the ladder, the tables and the checks; exit 0 when they pass', async () => {
  const t = io();
  const rc = await main(['dry-run', '--scenario', join(BLOG_DIR, 'm1-moderately-larger.yaml')], t.io);
  const text = t.out.join('\n');
  assert.equal(rc, 0, t.err.join('\n'));
  assert.match(text, /^ +UA1 +P +UP$/m);
  assert.match(text, /360s +\| +\|-+ REGISTER Expires: 400 -+>\|/);
  assert.match(text, /location tables \(when they changed\):/);
  assert.match(text, /checks: 9 passed, 0 failed/);
});

test('a failing check is reported with what came close, and exits 1', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'scn-'));
  const text = readFileSync(join(BLOG_DIR, 'm1-below.yaml'), 'utf8')
    .replace(/^cfg: .*$/m, `cfg: ${join(BLOG_DIR, 'blog-mid-registrar.cfg')}`)
    .replace("expires: 80, contact: ';expires=80$', count: 5", 'expires: 81, count: 5');
  writeFileSync(join(dir, 's.yaml'), text);
  const t = io();
  const rc = await main(['dry-run', '--scenario', join(dir, 's.yaml')], t.io);
  assert.equal(rc, 1);
  assert.match(
    t.out.join('\n'),
    /FAIL line \d+: .*"expires":81[^\n]*\n +0 matching message\(s\), expected 5; close: t=0 P->UP REGISTER Expires: 80 Expires=80/,
  );
});

test('--ladder writes SVG and Mermaid; --json has messages, tables and checks', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'scn-'));
  const file = join(BLOG_DIR, 'm2-two-devices.yaml');
  assert.equal(await main(['dry-run', '--scenario', file, '--ladder', join(dir, 'l.svg')], io().io), 0);
  const svg = readFileSync(join(dir, 'l.svg'), 'utf8');
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.equal((svg.match(/marker-end/g) ?? []).length, 12, 'one arrow per message');
  assert.match(svg, />REGISTER Expires: 3600</);
  assert.equal(await main(['dry-run', '--scenario', file, '--ladder', join(dir, 'l.mmd')], io().io), 0);
  const mmd = readFileSync(join(dir, 'l.mmd'), 'utf8');
  assert.match(mmd, /^sequenceDiagram\n  participant UA1 as UA1 \(UA 1001\)/);
  assert.match(mmd, /\n  P->>UP: t=0s REGISTER Expires: 3600\n/);
  const t = io();
  assert.equal(await main(['dry-run', '--scenario', file, '--json'], t.io), 0);
  const j = JSON.parse(t.out.join('')) as {
    messages: { from: string; to: string; label: string }[];
    tables: { actor: string }[];
    checks: { ok: boolean }[];
  };
  assert.equal(j.messages.length, 12);
  assert.deepEqual(j.messages[1], { ...j.messages[1], from: 'P', to: 'UP', label: 'REGISTER Expires: 3600' });
  assert.ok(j.tables.some((x) => x.actor === 'UP'));
  assert.ok(j.checks.length === 10 && j.checks.every((c) => c.ok));
  assert.equal(await main(['dry-run', '--scenario', file, '--ladder', join(dir, 'l.gif')], io().io), 2);
  assert.equal(await main(['dry-run', '--scenario', file, '--compat', 'nope'], io().io), 2);
});

test('a scenario whose cfg has errors does not start: diagnostics with file:line:col', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'scn-'));
  writeFileSync(join(dir, 'bad.cfg'), 'loadmodule "nosuch.so"\nroute { exit; }\n');
  writeFileSync(
    join(dir, 's.yaml'),
    'cfg: bad.cfg\nuas:\n  UA1: { address: "udp:127.0.0.1:5070" }\ntimeline:\n  - t=0 UA1 REGISTER\n',
  );
  const t = io();
  assert.equal(await main(['dry-run', '--scenario', join(dir, 's.yaml')], t.io), 1);
  assert.match(t.err.join('\n'), /bad\.cfg:1:\d+/);
  assert.match(t.err.join('\n'), /cannot start/);
});

test('a forwarding loop is cut: messages over 65535 bytes are not sent, and the run stops at its message bound (exit 1)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'scn-'));
  writeFileSync(join(dir, 'loop.cfg'), 'socket=udp:127.0.0.1:5360\nloadmodule "tm.so"\nroute { t_relay(); }\n');
  writeFileSync(
    join(dir, 's.yaml'),
    'cfg: loop.cfg\nuas:\n  C: { address: "udp:127.0.0.50:5060" }\ntimeline:\n  - t=0 C INVITE 1001 via=P\n',
  );
  const t = io();
  assert.equal(await main(['dry-run', '--scenario', join(dir, 's.yaml'), '--json'], t.io), 1);
  const j = JSON.parse(t.out.join('')) as { messages: unknown[]; logs: { text: string }[]; aborted: string };
  // Logged as OpenSIPS's proto_udp logs a datagram the kernel refuses.
  assert.ok(
    j.logs.some((l) =>
      /^ERROR:core:proto_udp_send: sendto\(sock,655\d\d,udp:127\.0\.0\.1:5360\): Message too long\(90\)/.test(l.text),
    ),
  );
  assert.equal(j.messages.length, 10_000);
  assert.match(j.aborted, /^stopped at t=\d+s: more than 10000 messages: a forwarding loop\?/);
  assert.match(t.err.join('\n'), /the scenario stopped at/);
});

test('the simulated network stops a run that exceeds its message bound', () => {
  const clock = new VirtualClock(0);
  const hub = new SimHub(clock, 0, 50);
  const a = { proto: 'udp', ip: '127.0.0.1', port: 1 };
  const b = { proto: 'udp', ip: '127.0.0.1', port: 2 };
  hub.attach('A', a as never, (m) => hub.send('A', a, b, m.data));
  hub.attach('B', b as never, (m) => hub.send('B', b, a, m.data));
  hub.send('A', a, b, Buffer.from('ping'));
  clock.advance(1000);
  assert.equal(hub.deliveries.length, 50);
  assert.match(
    hub.aborted ?? '',
    /^more than 50 messages: a forwarding loop\? \(the last went from A to udp:127\.0\.0\.1:2\)$/,
  );
});

const RSVG = spawnSync('sh', ['-c', 'command -v rsvg-convert'], { encoding: 'utf8' }).stdout.trim();

test(
  '--ladder out.png renders the SVG ladder with rsvg-convert',
  { skip: RSVG || process.env.CI ? false : 'rsvg-convert is not installed (Debian package librsvg2-bin)' },
  async () => {
    assert.ok(RSVG, 'CI=true: rsvg-convert must be installed (apt-get install -y librsvg2-bin)');
    const dir = mkdtempSync(join(tmpdir(), 'scn-'));
    assert.equal(
      await main(
        ['dry-run', '--scenario', join(BLOG_DIR, 'm1-much-larger.yaml'), '--ladder', join(dir, 'l.png')],
        io().io,
      ),
      0,
    );
    const png = readFileSync(join(dir, 'l.png'));
    assert.deepEqual([...png.subarray(1, 4)], [...Buffer.from('PNG')]);
    assert.ok(png.readUInt32BE(16) >= 480 && png.readUInt32BE(20) > 400, 'the size of the SVG');
  },
);
