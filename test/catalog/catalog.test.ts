// Facts about the committed OpenSIPS 3.3 catalog, each checked by hand
// against the 3.3 sources the catalog was extracted from.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  coreGlobals,
  findAsyncFunction,
  findFunction,
  findFunctions,
  findGlobal,
  findModParam,
  findModule,
  findPv,
  findTransformation,
  keywordCommands,
  loadCatalog,
  removedGlobals,
} from '../../src/catalog/index.js';

test('catalog covers the whole module tree', () => {
  const cat = loadCatalog();
  assert.ok(cat.modules.length > 120, `only ${cat.modules.length} modules`);
  assert.equal(cat.source.version.split('.').slice(0, 2).join('.'), '3.3');
  assert.deepEqual(cat.extraction.failed, []);
  for (const m of cat.modules) {
    assert.ok(m.name.length > 0, `module in ${m.dir} has no name`);
    assert.deepEqual(m.problems, [], `${m.dir}: ${m.problems.join('; ')}`);
  }
  // the built-in transports live under net/ but are loaded like modules
  assert.equal(findModule('proto_udp')?.path, 'net/proto_udp');
  assert.equal(findModParam('proto_udp', 'udp_port')?.default, 5060);
  assert.equal(findModule('registrar')?.path, 'modules/registrar');
  // sorted, stable output
  const dirs = cat.modules.map((m) => m.dir);
  assert.deepEqual(
    dirs,
    [...dirs].sort((a, b) => a.localeCompare(b)),
  );
});

test('registrar save(): one mandatory static domain + three optional strings, request/onreply only', () => {
  const ref = findFunction('save', ['registrar']);
  assert.ok(ref);
  assert.equal(ref.module, 'registrar');
  const save = ref.fn;
  assert.equal(save.minArgs, 1);
  assert.equal(save.maxArgs, 4);
  assert.deepEqual(save.params[0]!.kinds, ['str']);
  assert.equal(save.params[0]!.static, true);
  assert.deepEqual(save.params[0]!.flags, ['CMD_PARAM_STR', 'CMD_PARAM_STATIC']);
  assert.ok(save.params.slice(1).every((p) => p.optional && p.kinds.join() === 'str'));
  // 3.3 exports save() with REQUEST_ROUTE|ONREPLY_ROUTE (not failure_route)
  assert.deepEqual(save.routes, ['request', 'onreply']);
  assert.deepEqual(save.routeFlags, ['REQUEST_ROUTE', 'ONREPLY_ROUTE']);
  assert.deepEqual(findFunction('lookup', ['registrar'])!.fn.routes, ['request', 'failure', 'onreply']);
});

test('registrar and mid_registrar dependencies', () => {
  const deps = (name: string): Record<string, string> =>
    Object.fromEntries(findModule(name)!.deps.modules.map((d) => [d.module ?? `<${d.modType}>`, d.onMissing]));
  assert.deepEqual(deps('mid_registrar'), { usrloc: 'abort', signaling: 'abort', tm: 'abort' });
  assert.deepEqual(deps('registrar'), { usrloc: 'abort', signaling: 'abort', tm: 'silent' });
  const pn = findModule('registrar')!.deps.params.find((p) => p.param === 'pn_enable');
  assert.ok(pn?.possible.some((d) => d.module === 'event_routing'));
});

test('tm t_relay([flags[, proxy]]) in request and failure routes; timer defaults', () => {
  const ref = findFunction('t_relay');
  assert.equal(ref?.module, 'tm');
  const fn = ref!.fn;
  assert.equal(fn.minArgs, 0);
  assert.deepEqual(
    fn.params.map((p) => [p.kinds, p.optional]),
    [
      [['int'], true],
      [['str'], true],
    ],
  );
  assert.deepEqual(fn.routes, ['request', 'failure']);
  assert.equal(findModParam('tm', 'fr_timeout')?.default, 30);
  assert.equal(findModParam('tm', 'fr_inv_timeout')?.default, 120);
  assert.equal(findModParam('tm', 'tw_append')?.useFunc, true);
});

test('usrloc modparams', () => {
  const dbMode = findModParam('usrloc', 'db_mode');
  assert.deepEqual(dbMode?.types, ['int']);
  assert.equal(dbMode?.default, -1);
  assert.deepEqual(findModParam('usrloc', 'working_mode_preset')?.types, ['str']);
  assert.equal(findModParam('usrloc', 'hash_size')?.default, 9);
  const depParams = findModule('usrloc')!.deps.params.map((p) => p.param);
  assert.ok(depParams.includes('working_mode_preset'));
  assert.ok(depParams.includes('db_mode'));
});

test('sl / signaling reply functions', () => {
  const sl = findFunction('sl_send_reply')!.fn;
  assert.deepEqual(
    sl.params.map((p) => p.kinds[0]),
    ['int', 'str'],
  );
  assert.deepEqual(sl.routes, ['request', 'error']);
  assert.deepEqual(findFunction('send_reply')!.fn.routes, ['request', 'failure', 'error']);
});

test('function look-up honours the loaded module list', () => {
  assert.equal(findFunction('t_relay', ['sl', 'rr']), undefined);
  assert.equal(findFunction('t_relay', ['tm.so'])?.module, 'tm');
  // several DB modules export the same API hook
  assert.ok(findFunctions('db_bind_api').length > 5);
  assert.equal(findAsyncFunction('sleep')?.module, 'cfgutils');
});

test('core script functions, PVs and transformations', () => {
  const setflag = findFunction('setflag');
  assert.equal(setflag?.module, null);
  assert.deepEqual(
    setflag!.fn.params.map((p) => [p.kinds, p.static]),
    [[['str'], true]],
  );
  assert.equal(setflag!.fn.routes.length, 9);
  assert.equal(findFunction('sethostport')?.module, null);
  // xlog is grammar, not a cmd_export_t function
  assert.equal(findFunction('xlog'), undefined);
  const xlog = keywordCommands().find((k) => k.names.includes('xlog'));
  assert.ok(xlog);
  assert.ok(xlog.forms.some((f) => f.join(' ') === 'LPAREN STRING COMMA STRING RPAREN'));
  for (const kw of ['drop', 'exit', 'return', 'route', 'assert', 'async', 'launch']) {
    assert.ok(
      keywordCommands().some((k) => k.names.includes(kw)),
      kw,
    );
  }
  assert.equal(findPv('ru')[0]?.pv.writable, true);
  assert.equal(findPv('si')[0]?.pv.writable, false);
  assert.equal(findPv('avp')[0]?.pv.takesName, true);
  assert.ok(findPv('T_reply_code').some((x) => x.module === 'tm'));
  assert.ok(findTransformation('s')?.tr.methods.includes('len'));
  assert.ok(findTransformation('uri')?.tr.methods.includes('user'));
  assert.equal(findTransformation('rest')?.module, 'rest_client');
});

test('global parameters of the 3.3 grammar', () => {
  const names = new Set(coreGlobals().map((g) => g.name));
  for (const n of ['log_level', 'udp_workers', 'socket', 'listen', 'tcp_workers', 'workdir', 'wdir', 'xlog_level']) {
    assert.ok(names.has(n), `missing ${n}`);
  }
  for (const n of ['port', 'children', 'fork', 'debug', 'tcp_children', 'user', 'group']) {
    assert.ok(!names.has(n), `${n} should not be a 3.3 global`);
  }
  assert.deepEqual(findGlobal('log_level')?.valueKinds, ['signed-number']);
  assert.deepEqual(findGlobal('udp_workers')?.valueKinds, ['number', 'number-with-scaling-profile']);
  assert.deepEqual(findGlobal('socket')?.valueKinds, ['socket']);
  assert.deepEqual(findGlobal('wdir')?.aliases, ['workdir']);
  assert.equal(findGlobal('listen')?.deprecated, true);
  assert.equal(findGlobal('dns_try_ipv6')?.boolean, true);
  const removed = new Map(removedGlobals().map((r) => [r.name, r.acceptedIn]));
  assert.ok(removed.get('children')?.includes('2.4'));
  assert.ok(removed.get('fork')?.includes('2.4'));
  assert.ok(removed.get('debug')?.includes('2.4'));
  assert.ok(removed.has('port'));
});
