// `opensips-ts modules NAME` shows what the module's export table offers
// beside its functions: MI commands, statistics and timers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/io.js';

function modules(name: string): { code: number; out: string } {
  const out: string[] = [];
  const io: Io = { out: (s) => out.push(s), err: (s) => out.push(s), color: false, cwd: process.cwd() };
  const code = main(['modules', name], io) as number;
  return { code, out: out.join('\n') };
}

test("modules usrloc: native MI commands with their recipes, OpenSIPS's others marked, and the statistics", () => {
  const r = modules('usrloc');
  assert.equal(r.code, 0);
  assert.match(r.out, /\nMI commands:\n/);
  assert.match(r.out, /\n  ul_dump +\(\) \(brief\) +\[native\]/);
  assert.match(r.out, /\n  ul_cluster_sync +\(\) +\[not implemented\]/);
  assert.match(r.out, /\nstatistics:\n/);
  assert.match(r.out, /\n  registered_users +computed +\[native\]/);
  assert.match(r.out, /\n  <table>-\{users,contacts,expires\} +one per table +\[native\]/);
});

test('modules registrar: counters and settings among the statistics; modules nathelper: its timers', () => {
  const reg = modules('registrar').out;
  assert.match(reg, /\n  accepted_regs +counter +\[native\]/);
  assert.match(reg, /\n  max_expires +no reset +\[native\]/);
  assert.doesNotMatch(reg, /MI commands:/, 'registrar has none');
  const nh = modules('nathelper').out;
  assert.match(nh, /\n  nh_enable_ping +\(\) \(status\) +\[native\]/);
  assert.match(nh, /\ntimers:\n  nh-timer +every natping_interval/);
});

test("modules of a catalog-only module lists OpenSIPS's MI commands as not implemented", () => {
  const r = modules('dialplan');
  assert.equal(r.code, 0);
  assert.match(r.out, /\n  dp_reload +.*\[not implemented\]/);
  assert.doesNotMatch(r.out, /\[native\]/);
});
