// The core MI answers from the loaded modules' export tables: a module's
// commands and statistics exist exactly when the cfg loads the module.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coreMi } from '../../src/core/mi-core.js';
import { sipEngine } from '../helpers/engine.js';
import { engineFor } from '../helpers/engine.js';
import { register } from '../helpers/sip.js';

const mi = coreMi('test');
const call = (rt: Parameters<typeof mi.handle>[1], method: string, params?: unknown) =>
  mi.handle({ jsonrpc: '2.0', method, ...(params === undefined ? {} : { params }), id: 1 }, rt)!;

const BARE = 'socket=udp:127.0.100.1:5060\nloadmodule "sl.so"\nroute { exit; }';
const WITH_DS =
  'socket=udp:127.0.100.1:5060\nloadmodule "sl.so"\nloadmodule "tm.so"\nloadmodule "dispatcher.so"\nmodparam("dispatcher", "db_url", "")\nroute { exit; }';

test("a module's MI command exists only when the module is loaded (which lists it, the call answers)", () => {
  const bare = engineFor(BARE).runtime;
  assert.deepEqual(call(bare, 'ds_list').error, { code: -32601, message: 'Method not found' });
  assert.deepEqual(call(bare, 'nh_enable_ping').error, { code: -32601, message: 'Method not found' });
  const bareNames = call(bare, 'which').result as string[];
  assert.ok(!bareNames.includes('ds_list') && !bareNames.includes('ul_dump'));
  assert.ok(
    bareNames.includes('get_statistics') && bareNames.includes('version'),
    "the core's commands are always there",
  );

  const ds = engineFor(WITH_DS).runtime;
  assert.ok((call(ds, 'which').result as string[]).includes('ds_list'));
  assert.deepEqual(call(ds, 'ds_list').result, { PARTITIONS: [{ name: 'default' }] });
  assert.deepEqual(
    call(ds, 'ul_dump').error,
    { code: -32601, message: 'Method not found' },
    'usrloc is not loaded here',
  );
});

const REG = `socket=udp:127.0.0.1:5060
loadmodule "usrloc.so"
loadmodule "signaling.so"
loadmodule "sl.so"
loadmodule "registrar.so"
modparam("registrar", "max_contacts", 3)
route { save("location"); }`;

test("get_statistics lists each loaded module's statistics from its table; none of an unloaded module", () => {
  const e = sipEngine(REG);
  e.send(register({ contacts: ['<sip:1001@127.0.0.1:5062>'], expires: 600 }));
  e.advance(1);
  const all = call(e.rt, 'get_statistics', { statistics: ['all'] }).result as Record<string, number>;
  const ofModules = Object.fromEntries(Object.entries(all).filter(([k]) => /^(registrar|usrloc):/.test(k)));
  assert.deepEqual(ofModules, {
    'registrar:max_expires': 0,
    'registrar:max_contacts': 3,
    'registrar:default_expire': 3600,
    'registrar:accepted_regs': 1,
    'registrar:rejected_regs': 0,
    'usrloc:location-users': 1,
    'usrloc:location-contacts': 1,
    'usrloc:location-expires': 0,
    'usrloc:registered_users': 1,
  });
  assert.deepEqual(call(e.rt, 'get_statistics', { statistics: ['usrloc:registered_users'] }).result, {
    'usrloc:registered_users': 1,
  });
  assert.deepEqual(
    call(e.rt, 'get_statistics', { statistics: ['dialog:'] }).error,
    { code: 404, message: 'Statistics Not Found' },
    'dialog is not loaded',
  );
  const bare = call(engineFor(BARE).runtime, 'get_statistics', { statistics: ['all'] }).result as Record<
    string,
    number
  >;
  assert.deepEqual(
    [...new Set(Object.keys(bare).map((k) => k.split(':')[0]))],
    ['shmem', 'core', 'net', 'pkmem', 'sl'],
    "the core's groups and sl's, the one module loaded",
  );
});

test('list_statistics says which statistics count (incremental); reset_statistics zeroes those and leaves the others', () => {
  const e = sipEngine(REG);
  e.send(register({ contacts: ['<sip:1001@127.0.0.1:5062>'], expires: 600 }));
  e.advance(1);
  const kinds = call(e.rt, 'list_statistics', { statistics: ['registrar:'] }).result as Record<string, string>;
  assert.deepEqual(kinds, {
    'registrar:max_expires': 'non-incremental',
    'registrar:max_contacts': 'non-incremental',
    'registrar:default_expire': 'non-incremental',
    'registrar:accepted_regs': 'incremental',
    'registrar:rejected_regs': 'incremental',
  });
  assert.equal(
    (call(e.rt, 'list_statistics').result as Record<string, string>)['usrloc:registered_users'],
    'non-incremental',
  );
  assert.equal(
    call(e.rt, 'reset_statistics', { statistics: ['registrar:accepted_regs', 'registrar:max_contacts'] }).result,
    'OK',
  );
  const after = call(e.rt, 'get_statistics', { statistics: ['registrar:'] }).result as Record<string, number>;
  assert.deepEqual([after['registrar:accepted_regs'], after['registrar:max_contacts']], [0, 3]);
  assert.deepEqual(
    call(e.rt, 'reset_statistics', { statistics: ['registrar:'] }).error,
    { code: 404, message: 'Statistics Not Found' },
    'no groups here, as OpenSIPS',
  );
});
