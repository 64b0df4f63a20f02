// `opensips-ts modules --coverage`: which cfgs would start under `run`, and
// the modules blocking the others, ranked, with the functions that block.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/io.js';

function coverage(args: string[]): { code: number; out: string[] } {
  const out: string[] = [];
  const io: Io = { out: (s) => out.push(s), err: (s) => out.push(s), color: false, cwd: process.cwd() };
  const code = main(['modules', '--coverage', ...args], io) as number;
  return { code, out };
}

test('modules --coverage: starts, blocked (ranked by module) and refused cfgs of a folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cov-'));
  const head = 'socket=udp:127.0.0.1:5060\nloadmodule "sl.so"\n';
  writeFileSync(join(dir, 'a.cfg'), `${head}route { sl_send_reply(404, "Not Found"); }\n`);
  writeFileSync(join(dir, 'b.cfg'), `${head}loadmodule "xmpp.so"\nroute { xmpp_send_message(); }\n`);
  writeFileSync(
    join(dir, 'c.cfg'),
    `${head}loadmodule "xmpp.so"\nloadmodule "sipcapture.so"\nroute { xmpp_send_message(); sip_capture(); }\n`,
  );
  writeFileSync(join(dir, 'd.cfg'), `${head}route { no_such_function(); }\n`);
  const r = coverage([dir]);
  assert.equal(r.code, 0);
  assert.equal(
    r.out[0],
    '4 cfgs: 1 would start under `run`, 2 stop at functions not native yet, 1 have cfg errors (OpenSIPS 3.3 refuses them too)',
  );
  assert.match(r.out[3]!, /^xmpp\s+2\s+xmpp_send_message$/);
  assert.match(r.out[4]!, /^sipcapture\s+1\s+sip_capture$/);
});

test('modules --coverage without files is a usage error', () => {
  assert.equal(coverage([]).code, 2);
});
