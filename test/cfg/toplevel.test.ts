import { test } from 'node:test';
import assert from 'node:assert/strict';
import type * as A from '../../src/cfg/ast.js';
import { buildScript } from '../../src/cfg/script.js';
import { parse } from '../helpers/cfg.js';

function items(text: string): A.TopItem[] {
  const r = parse(text);
  assert.deepEqual(
    r.errors.map((e) => e.message),
    [],
  );
  return r.ast.items;
}

test('global parameters in all their value forms', () => {
  const got = items(
    'log_level=-1\nlog_stderror=yes\nlog_facility=LOG_LOCAL0\nserver_header="Server: x"\nadvertised_address=1.2.3.4\nudp_workers=4 use_auto_scaling_profile P\nmpath="/usr/lib"',
  ).map((i) => {
    const g = i as A.GlobalParam;
    return [g.name, g.value.kind, 'value' in g.value ? g.value.value : g.value.text];
  });
  assert.deepEqual(got, [
    ['log_level', 'Number', -1],
    ['log_stderror', 'Number', 1],
    ['log_facility', 'Id', 'LOG_LOCAL0'],
    ['server_header', 'String', 'Server: x'],
    ['advertised_address', 'Ip', '1.2.3.4'],
    ['udp_workers', 'Number', 4],
    ['mpath', 'String', '/usr/lib'],
  ]);
  assert.equal((items('udp_workers=4 use_auto_scaling_profile P')[0] as A.GlobalParam).autoScalingProfile, 'P');
});

test('socket lines: proto:host:port, *, any, IPv6, host names, as, use_workers, tag, anycast, frag', () => {
  const s = items(
    [
      'socket=udp:172.16.4.111:5360',
      'socket=tcp:*:5060',
      'socket=udp:127.0.0.1:any',
      'socket=udp:[::1]:5060',
      'socket=tls:sip.example.com',
      'socket=udp:10.0.0.1:5060 as 1.2.3.4:5080 use_workers 4 tag edge anycast frag',
      'listen=udp:127.0.0.1:5060',
    ].join('\n'),
  ) as A.SocketDecl[];
  assert.deepEqual(
    s.map((x) => [x.keyword, x.address.proto, x.address.host, x.address.port ?? null]),
    [
      ['socket', 'udp', '172.16.4.111', '5360'],
      ['socket', 'tcp', '*', '5060'],
      ['socket', 'udp', '127.0.0.1', 'any'],
      ['socket', 'udp', '[::1]', '5060'],
      ['socket', 'tls', 'sip.example.com', null],
      ['socket', 'udp', '10.0.0.1', '5060'],
      ['listen', 'udp', '127.0.0.1', '5060'],
    ],
  );
  const full = s[5]!;
  assert.deepEqual(
    [full.advertised?.host, full.advertised?.port, full.workers, full.tag, full.anycast, full.frag],
    ['1.2.3.4', '5080', 4, 'edge', true, true],
  );
});

test('loadmodule and modparam with string, int, negative and yes/no values', () => {
  const got = items(
    'loadmodule "usrloc.so"\nloadmodule "/usr/lib/opensips/modules/tm"\nmodparam("registrar|nathelper", "received_avp", "$avp(rcv)")\nmodparam("tm", "fr_timeout", 5)\nmodparam("x", "y", -1)\nmodparam("x", "z", yes)',
  );
  assert.deepEqual(
    got.map((i) =>
      i.kind === 'LoadModule' ? i.path : i.kind === 'ModParam' ? [i.module, i.param, i.value.value] : null,
    ),
    [
      'usrloc.so',
      '/usr/lib/opensips/modules/tm',
      ['registrar|nathelper', 'received_avp', '$avp(rcv)'],
      ['tm', 'fr_timeout', 5],
      ['x', 'y', -1],
      ['x', 'z', 1],
    ],
  );
});

test('every route type and name form', () => {
  const text = [
    'route { exit; }',
    'route[relay] { exit; }',
    'route[1] { exit; }',
    'route["x y"] { exit; }',
    'branch_route[b] { exit; }',
    'failure_route[f] { exit; }',
    'onreply_route { exit; }',
    'onreply_route[r] { exit; }',
    'local_route { exit; }',
    'startup_route { exit; }',
    'timer_route[t, 60] { exit; }',
    'event_route[E_UL_CONTACT_INSERT] { exit; }',
    'error_route { exit; }',
  ].join('\n');
  const rs = items(text) as A.RouteDecl[];
  assert.deepEqual(
    rs.map((r) => `${r.routeKind}[${r.name?.text ?? ''}${r.extra ? ',' + r.extra.text : ''}]`),
    [
      'route[]',
      'route[relay]',
      'route[1]',
      'route[x y]',
      'branch_route[b]',
      'failure_route[f]',
      'onreply_route[]',
      'onreply_route[r]',
      'local_route[]',
      'startup_route[]',
      'timer_route[t,60]',
      'event_route[E_UL_CONTACT_INSERT]',
      'error_route[]',
    ],
  );
  const { script } = buildScript(rs);
  assert.deepEqual(
    [...script.routes.route.keys()],
    ['0', 'relay', '1', 'x y'],
    'the main route is keyed "0"; route[1] is a named route',
  );
  assert.equal(script.routes.onreply_route.size, 2);
});

test('the script model keeps modules, modparams in order and module identity', () => {
  const { script } = buildScript(
    items('loadmodule "a/b/usrloc.so"\nloadmodule "tm"\nmodparam("tm","x",1)\nmodparam("usrloc","y","z")'),
  );
  assert.deepEqual(
    script.modules.map((m) => m.name),
    ['usrloc', 'tm'],
  );
  assert.deepEqual(
    script.modparams.map((m) => m.param),
    ['x', 'y'],
  );
});

test('the global parameter table agrees with the catalog extracted from the 3.3 sources', async () => {
  const { GLOBALS } = await import('../../src/cfg/globals.js');
  const { coreGlobals } = await import('../../src/catalog/index.js');
  const names = new Set<string>();
  for (const g of coreGlobals()) {
    names.add(g.name);
    for (const a of g.aliases) names.add(a);
  }
  assert.deepEqual([...names].sort(), Object.keys(GLOBALS).sort());
});
