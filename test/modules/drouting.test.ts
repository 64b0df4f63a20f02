// drouting: gateways, carriers, rules and groups from tables made by db create
// (3.3's layout) on each DB backend; do_routing's prefix/priority/time/group choice and its flags,
// use_next_gw failover (also through tm's failure_route), the gateway
// checks, dr_match, dr_disable, route_to_*, probing, E_DROUTING_STATUS and
// the MI commands, each function's return codes.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DbError, openDb, type DbRow } from '../../src/db/index.js';
import { coreMi } from '../../src/core/mi-core.js';
import { probeRound } from '../../src/modules/drouting/probe.js';
import type { Outbound } from '../../src/script/runtime.js';
import { sipEngine } from '../helpers/engine.js';
import { request } from '../helpers/server.js';
import { dbModuleFor, forEachBackend, type Backend } from '../helpers/db-backends.js';

interface Tables {
  gws: [
    gwid: string,
    address: string,
    extra?: { type?: number; strip?: number; pri?: string; attrs?: string; probe?: number; state?: number },
  ][];
  carriers?: [id: string, gwlist: string, extra?: { flags?: number; sort?: string; state?: number; attrs?: string }][];
  rules: [
    groupid: string,
    prefix: string,
    gwlist: string,
    extra?: { priority?: number; timerec?: string; sort?: string; attrs?: string; routeid?: string },
  ][];
  groups?: [username: string, domain: string, groupid: number][];
}

/** The backend of the suite running now (suites run one after the other). */
let backend: Backend;

/** A new database with the four tables holding `t`: its URL. */
function drDb(t: Tables): string {
  const { url, db } = backend.fresh(['dr_gateways', 'dr_rules', 'dr_carriers', 'dr_groups']);
  const put = (table: string, row: DbRow): void => {
    const r = db.insert(table, row);
    if (r instanceof DbError) throw new Error(r.message);
  };
  for (const [gwid, address, x = {}] of t.gws)
    put('dr_gateways', {
      gwid,
      address,
      type: x.type ?? 0,
      strip: x.strip ?? 0,
      pri_prefix: x.pri ?? null,
      attrs: x.attrs ?? null,
      probe_mode: x.probe ?? 0,
      state: x.state ?? 0,
    });
  for (const [carrierid, gwlist, x = {}] of t.carriers ?? [])
    put('dr_carriers', {
      carrierid,
      gwlist,
      flags: x.flags ?? 0,
      sort_alg: x.sort ?? 'N',
      state: x.state ?? 0,
      attrs: x.attrs ?? null,
    });
  for (const [groupid, prefix, gwlist, x = {}] of t.rules)
    put('dr_rules', {
      groupid,
      prefix,
      gwlist,
      priority: x.priority ?? 0,
      timerec: x.timerec ?? null,
      sort_alg: x.sort ?? 'N',
      attrs: x.attrs ?? null,
      routeid: x.routeid ?? null,
    });
  for (const [username, domain, groupid] of t.groups ?? []) put('dr_groups', { username, domain, groupid });
  return url;
}

function engine(url: string, body: string, extra: string[] = [], routes = '') {
  return sipEngine(
    [
      'socket=udp:127.0.0.1:5060',
      `loadmodule "${dbModuleFor(url)}.so"`,
      'loadmodule "tm.so"',
      'loadmodule "drouting.so"',
      `modparam("drouting", "db_url", "${url}")`,
      ...extra,
      'route {',
      body,
      '}',
      routes,
      '',
    ].join('\n'),
  );
}

const call = (id: string, ruri = 'sip:4420123@127.0.0.1'): Buffer => Buffer.from(request('INVITE', id, ruri));

const BASIC: Tables = {
  gws: [
    ['gw1', '127.0.0.21:5060', { strip: 2, pri: '00', attrs: 'uk' }],
    ['gw2', 'sip:127.0.0.22', { type: 3 }],
    ['gw3', '127.0.0.23:5070;transport=tcp'],
  ],
  rules: [
    ['1', '44', 'gw1,gw2'],
    ['1', '4', 'gw3'],
    ['1,2', '', 'gw2'],
  ],
};

forEachBackend('drouting', (b) => {
  before(() => {
    backend = b;
  });

  test('do_routing: the longest prefix of the group wins; the R-URI gets the first gateway (strip, PRI prefix), the rest wait in the AVPs', () => {
    const e = engine(
      drDb(BASIC),
      '\t$var(rc) = do_routing(1, , , , $var(gwa));\n\t$var(ru) = $ru;\n\t$var(ids) = $(avp(___dr_gw_id__)[*]);\n\t$var(next) = $avp(___dr_ruri__);',
    );
    const v = e.send(call('p-1')).vars;
    assert.equal(v.get('rc'), 1);
    assert.equal(v.get('ru'), 'sip:0020123@127.0.0.21:5060', 'strip 2, then 00 in front');
    assert.equal(v.get('gwa'), 'uk');
    assert.equal(v.get('next'), 'sip:4420123@127.0.0.22');
    const v2 = e.send(call('p-2', 'sip:4999@127.0.0.1;user=phone')).vars;
    assert.equal(
      v2.get('ru'),
      'sip:4999@127.0.0.23:5070;transport=tcp;user=phone',
      'the R-URI parameters follow the gateway address',
    );
    const v3 = e.send(call('p-3', 'sip:1234@127.0.0.1')).vars;
    assert.equal(v3.get('rc'), 1, 'no prefix matches: the prefixless rule');
    assert.equal(v3.get('ru'), 'sip:1234@127.0.0.22');
  });

  test('do_routing return codes: -1 for a group without rules, a number without any rule, and an empty gateway table', () => {
    const e = engine(drDb(BASIC), '\t$var(a) = do_routing(7);\n\t$var(b) = do_routing(2);');
    const v = e.send(call('rc-1', 'sip:4420@127.0.0.1')).vars;
    assert.equal(v.get('a'), -1);
    assert.equal(v.get('b'), 1, 'group 2 has the prefixless rule');
    const empty = engine(
      drDb({ gws: [], rules: [['1', '44', '']] }),
      '\t$var(a) = do_routing(1);\n\t$var(c) = do_routing(1, "C");',
    );
    const w = empty.send(call('rc-2')).vars;
    assert.equal(w.get('a'), -1);
    assert.equal(w.get('c'), 1, 'C only checks the number: no gateway needed');
  });

  test('priority and time: the highest priority rule valid now; a rule outside its time recurrence is passed over', () => {
    // The virtual clock is 2026-11-25 12:00 UTC (a Wednesday).
    const url = drDb({
      gws: [
        ['a', '127.0.0.31'],
        ['b', '127.0.0.32'],
        ['c', '127.0.0.33'],
      ],
      rules: [
        ['1', '1', 'a', { priority: 1 }],
        ['1', '1', 'b', { priority: 5, timerec: '20260101T000000|20260101T010000||WEEKLY|||SA,SU' }],
        ['1', '1', 'c', { priority: 3 }],
      ],
    });
    const e = engine(url, '\tdo_routing(1, , , $var(ra));\n\t$var(ru) = $ru;');
    assert.equal(
      e.send(call('t-1', 'sip:100@x')).vars.get('ru'),
      'sip:100@127.0.0.33',
      'b is for weekends only; c beats a',
    );
  });

  test("do_routing's flags: L needs the whole number to match; C checks without touching the R-URI; F falls back to the next rule of the prefix", () => {
    const url = drDb({
      gws: [
        ['a', '127.0.0.31'],
        ['b', '127.0.0.32'],
      ],
      rules: [
        ['1', '44', 'a', { priority: 9, attrs: 'first' }],
        ['1', '44', 'b', { priority: 1, attrs: 'second' }],
      ],
    });
    const e = engine(
      url,
      '\t$var(l) = do_routing(1, "L");\n\t$var(c) = do_routing(1, "C", , $var(ra));\n\t$var(ru) = $ru;\n\t$var(f) = do_routing(1, "F");\n\t$var(n1) = use_next_gw($var(r1));\n\t$var(ru1) = $ru;\n\t$var(n2) = use_next_gw();',
    );
    const v = e.send(call('f-1', 'sip:4412@127.0.0.1')).vars;
    assert.equal(v.get('l'), -1);
    assert.equal(v.get('c'), 1);
    assert.equal(v.get('ra'), 'first');
    assert.equal(v.get('ru'), 'sip:4412@127.0.0.1', 'C leaves the R-URI alone');
    assert.equal(v.get('f'), 1);
    assert.equal(v.get('n1'), 1, 'no gateway left in the rule: the next rule of the prefix');
    assert.equal(v.get('ru1'), 'sip:4412@127.0.0.32');
    assert.equal(v.get('r1'), 'second');
    assert.equal(v.get('n2'), -1);
    assert.equal(e.send(call('f-2', 'sip:44@127.0.0.1')).vars.get('l'), 1);
  });

  test('the group of the caller from dr_groups (user and domain), else default_group; none: -1', () => {
    const t: Tables = { ...BASIC, groups: [['1002', '127.0.0.11', 2]] };
    const e = engine(drDb(t), '\t$var(rc) = do_routing();\n\t$var(ru) = $ru;');
    const v = e.send(call('g-1')).vars;
    assert.equal(v.get('rc'), 1);
    assert.equal(v.get('ru'), 'sip:4420123@127.0.0.22', 'group 2 has only the prefixless rule');
    const none = engine(drDb(BASIC), '\t$var(rc) = do_routing();');
    assert.equal(none.send(call('g-2')).vars.get('rc'), -1);
    const dflt = engine(drDb(BASIC), '\t$var(rc) = do_routing();\n\t$var(ru) = $ru;', [
      'modparam("drouting", "default_group", 1)',
    ]);
    assert.equal(dflt.send(call('g-3')).vars.get('ru'), 'sip:0020123@127.0.0.21:5060');
  });

  test('carriers: their gateways in place of #id, flag 1 keeps the first usable one, an off carrier and a disabled gateway are skipped', () => {
    const url = drDb({
      gws: [
        ['a', '127.0.0.31', { state: 2 }],
        ['b', '127.0.0.32'],
        ['c', '127.0.0.33'],
        ['d', '127.0.0.34'],
      ],
      carriers: [
        ['cr1', 'a,b,c', { flags: 1, attrs: 'cr1-attrs' }],
        ['cr2', 'd', { state: 1 }],
      ],
      rules: [['1', '', '#cr2,#cr1,d']],
    });
    const e = engine(
      url,
      '\tdo_routing(1, , , , $var(ga), $var(ca));\n\t$var(ru) = $ru;\n\t$var(ids) = $(avp(___dr_gw_id__)[*]);',
      ['modparam("drouting", "carrier_id_avp", "$avp(cr)")'],
    );
    const v = e.send(call('c-1', 'sip:9@x')).vars;
    assert.equal(v.get('ru'), 'sip:9@127.0.0.32', 'cr2 is off, a is disabled, b is the first usable one of cr1');
    assert.equal(v.get('ca'), 'cr1-attrs');
    assert.equal(v.get('ga'), '');
    const r = e.send(call('c-2', 'sip:9@x'));
    const ids = r.ctx.avps.get('___dr_gw_id__');
    assert.deepEqual([...(ids ?? [])].reverse(), ['b', 'd'], 'cr1 gives one gateway only');
    assert.deepEqual([...(r.ctx.avps.get('cr') ?? [])].reverse(), ['cr1', '']);
  });

  test('the gateway whitelist keeps only the listed gateways and carriers; W sorting picks by weight (a zero weight goes last)', () => {
    const url = drDb({
      gws: [
        ['a', '127.0.0.31'],
        ['b', '127.0.0.32'],
        ['c', '127.0.0.33'],
      ],
      rules: [
        ['1', '', 'a=0,b=10', { sort: 'W' }],
        ['2', '', 'a,b,c'],
      ],
    });
    const e = engine(
      url,
      '\tdo_routing(1);\n\t$var(w) = $ru;\n\tdo_routing(2, , "c,a");\n\t$var(wl) = $ru;\n\t$var(n) = use_next_gw();\n\t$var(wl2) = $ru;\n\t$var(n2) = use_next_gw();',
    );
    for (let i = 0; i < 5; i++) {
      const v = e.send(call(`w-${i}`, 'sip:1@x')).vars;
      assert.equal(v.get('w'), 'sip:1@127.0.0.32');
      assert.equal(v.get('wl'), 'sip:1@127.0.0.31', 'the rule order stays, filtered by the whitelist');
      assert.equal(v.get('wl2'), 'sip:1@127.0.0.33');
      assert.equal(v.get('n2'), -1);
    }
  });

  test('use_next_gw: -1 without do_routing; a gateway disabled meanwhile is passed over; dr_disable disables the one in use', () => {
    const url = drDb({
      gws: [
        ['a', '127.0.0.31'],
        ['b', '127.0.0.32'],
        ['c', '127.0.0.33'],
      ],
      rules: [['1', '', 'a,b,c']],
    });
    const e = engine(
      url,
      '\t$var(none) = use_next_gw();\n\t$var(d0) = dr_disable();\n\tdo_routing(1);\n\t$var(d) = dr_disable();\n\t$var(n) = use_next_gw();\n\t$var(ru) = $ru;',
    );
    const v = e.send(call('n-1', 'sip:1@x')).vars;
    assert.equal(v.get('none'), -1);
    assert.equal(v.get('d0'), -1, 'dr_disable without a gateway in use');
    assert.equal(v.get('d'), 1);
    assert.equal(v.get('ru'), 'sip:1@127.0.0.32');
    const v2 = e.send(call('n-2', 'sip:1@x')).vars;
    assert.equal(v2.get('ru'), 'sip:1@127.0.0.33', 'a is disabled: b first (disabled in turn), then c');
    assert.equal(v2.get('n'), 1);
    assert.equal(e.send(call('n-3', 'sip:1@x')).vars.get('n'), -1, 'only c was left, and it is disabled now');
  });

  test('failover through tm: a 503 from the first gateway, use_next_gw in failure_route relays to the next one', async () => {
    const { serverFor, replyTo } = await import('../helpers/server.js');
    const url = drDb({
      gws: [
        ['a', '127.0.0.31'],
        ['b', '127.0.0.32:5070'],
      ],
      rules: [['1', '', 'a,b']],
    });
    const h = serverFor(`socket=udp:127.0.0.1:5060
  loadmodule "tm.so"
  loadmodule "sl.so"
  loadmodule "${dbModuleFor(url)}.so"
  loadmodule "drouting.so"
  modparam("drouting", "db_url", "${url}")
  route {
  \tif (!do_routing(1)) { send_reply(404, "No Route"); exit; }
  \tt_on_failure("next");
  \tt_relay();
  }
  failure_route[next] {
  \tif (t_check_status("5[0-9][0-9]") && use_next_gw()) { t_on_failure("next"); t_relay(); }
  }
  `);
    h.receive(request('INVITE', 'fo-1'), '127.0.0.11');
    h.receive(replyTo(h, 'fo-1', '503 Service Unavailable'), '127.0.0.31');
    assert.deepEqual(
      h.sent.filter((s) => s.text.startsWith('INVITE')).map((s) => `${s.to} ${s.text.split(' ')[1]}`),
      ['127.0.0.31:5060 sip:1001@127.0.0.31', '127.0.0.32:5070 sip:1001@127.0.0.32:5070'],
    );
  });

  test('is_from_gw, goes_to_gw, dr_is_gw: by address, type, port (n ignores it), protocol (r); i/s/p/c act on a match', () => {
    const url = drDb({
      gws: [
        ['gwA', '127.0.0.21:5060', { type: 1, strip: 1, pri: '9', attrs: 'A' }],
        ['gwB', '127.0.0.22;transport=tcp', { type: 2 }],
      ],
      carriers: [['crX', 'gwA', { attrs: 'X' }]],
      rules: [['1', '', 'gwA']],
    });
    const e = engine(
      url,
      [
        '\t$var(f1) = is_from_gw();',
        '\t$var(f2) = is_from_gw(2);',
        '\t$var(f3) = is_from_gw(1, "n");',
        '\t$var(t1) = goes_to_gw(1, "ispc", $var(ga), $var(ca));',
        '\t$var(ru) = $ru;',
        '\t$var(t2) = goes_to_gw(2);',
        '\t$var(u1) = dr_is_gw("sip:x@127.0.0.22;transport=tcp", , "r");',
        '\t$var(u2) = dr_is_gw("sip:x@127.0.0.22;transport=udp", , "r");',
        '\t$var(u3) = dr_is_gw("sip:x@127.0.0.22:7000");',
        '\t$var(u4) = dr_is_gw("garbage");',
      ].join('\n'),
      ['modparam("drouting", "carrier_id_avp", "$avp(cr)")', 'modparam("drouting", "gw_priprefix_avp", "$avp(pri)")'],
    );
    const r = e.send(call('g-1', 'sip:123@127.0.0.21:5060'), { ip: '127.0.0.21', port: 5099, proto: 'udp' });
    const v = r.vars;
    assert.deepEqual(
      ['f1', 'f2', 'f3', 't1', 't2', 'u1', 'u2', 'u3', 'u4'].map((k) => v.get(k)),
      [-1, -1, 1, 1, -1, 1, -1, 1, -1],
    );
    assert.equal(v.get('ru'), 'sip:923@127.0.0.21:5060', 's strips one digit, p puts 9 in front');
    assert.equal(v.get('ga'), 'A');
    assert.equal(v.get('ca'), 'X');
    assert.deepEqual(r.ctx.avps.get('___dr_gw_id__'), ['gwA']);
    assert.deepEqual(r.ctx.avps.get('cr'), ['crX']);
    assert.deepEqual(r.ctx.avps.get('pri'), ['9']);
  });

  test('dr_match, route_to_gw, route_to_carrier: return codes and what they set', () => {
    const e = engine(
      drDb({ ...BASIC, carriers: [['cr', 'gw3,gw2']] }),
      [
        '\t$var(m1) = dr_match(1, , "4477", $var(ra));',
        '\t$var(m2) = dr_match(1, "L", "4477");',
        '\t$var(m3) = dr_match(9, , "4477");',
        '\t$var(g1) = route_to_gw("nope,gw2");',
        '\t$var(ru1) = $ru;',
        '\t$var(g2) = route_to_gw("nope");',
        '\t$var(c1) = route_to_carrier("cr");',
        '\t$var(ru2) = $ru;',
        '\t$var(c2) = route_to_carrier("none");',
      ].join('\n'),
      ['modparam("drouting", "rule_prefix_avp", "$avp(rp)")'],
    );
    const r = e.send(call('m-1', 'sip:5@x'));
    assert.deepEqual(
      ['m1', 'm2', 'm3', 'g1', 'g2', 'c1', 'c2'].map((k) => r.vars.get(k)),
      [1, -1, -1, 1, -1, 1, -1],
    );
    assert.equal(r.vars.get('ru1'), 'sip:5@127.0.0.22');
    assert.equal(r.vars.get('ru2'), 'sip:5@127.0.0.23:5070;transport=tcp');
    assert.deepEqual(r.ctx.avps.get('rp'), ['44']);
  });

  test('a rule with a script route runs it; `drop` there stops the routing', () => {
    const url = drDb({
      gws: [['a', '127.0.0.31']],
      rules: [
        ['1', '1', 'a', { routeid: 'mark' }],
        ['1', '2', 'a', { routeid: 'deny' }],
      ],
    });
    const e = engine(
      url,
      '\t$var(rc) = do_routing(1);',
      [],
      'route[mark] {\n\t$var(seen) = "yes";\n}\nroute[deny] {\n\tdrop;\n}',
    );
    const v = e.send(call('r-1', 'sip:1@x')).vars;
    assert.equal(v.get('rc'), 1);
    assert.equal(v.get('seen'), 'yes');
    assert.equal(e.send(call('r-2', 'sip:2@x')).vars.get('rc'), -1);
  });

  test('MI: dr_gw_status lists, reads and sets (E_DROUTING_STATUS, the state column), dr_carrier_status, dr_reload keeps states and reads new rows, dr_number_routing, dr_enable_probing', async () => {
    const url = drDb({ ...BASIC, carriers: [['cr', 'gw3', { attrs: 'c' }]] });
    const e = engine(url, '\texit;');
    const mi = coreMi('test');
    const ask = (method: string, params?: unknown) =>
      mi.handle({ jsonrpc: '2.0', method, id: 1, ...(params ? { params } : {}) }, e.rt) as {
        result?: unknown;
        error?: { code: number; message: string };
      };
    assert.deepEqual(ask('dr_gw_status').result, {
      Gateways: [
        { ID: 'gw1', IP: '127.0.0.21:5060', ATTRS: 'uk', State: 'Active' },
        { ID: 'gw2', IP: '127.0.0.22', State: 'Active' },
        { ID: 'gw3', IP: '127.0.0.23:5070;transport=tcp', State: 'Active' },
      ],
    });
    assert.deepEqual(ask('dr_gw_status', { gw_id: 'gw9' }).error, { code: 404, message: 'GW ID not found' });
    assert.equal(ask('dr_gw_status', { gw_id: 'gw2', status: 0 }).result, 'OK');
    assert.deepEqual(ask('dr_gw_status', { gw_id: 'gw2' }).result, { State: 'Disabled MI' });
    const db = openDb(url);
    assert.ok(!(db instanceof DbError));
    const state = () => {
      const rows = db.query('dr_gateways', { keys: ['gwid'], vals: ['gw2'], cols: ['state'] });
      return rows instanceof DbError ? rows.message : rows[0]?.state;
    };
    assert.deepEqual(ask('dr_carrier_status').result, { Carriers: [{ ID: 'cr', ATTRS: 'c', Enabled: 'yes' }] });
    assert.equal(ask('dr_carrier_status', { carrier_id: 'cr', status: 0 }).result, 'OK');
    assert.deepEqual(ask('dr_carrier_status', { carrier_id: 'cr' }).result, { ATTRS: 'c', Enabled: 'no ' });
    assert.deepEqual(ask('dr_carrier_status', { carrier_id: 'zz' }).error, {
      code: 404,
      message: 'Carrier ID not found',
    });
    assert.equal(ask('dr_reload').result, 'OK');
    assert.deepEqual(
      ask('dr_gw_status', { gw_id: 'gw2' }).result,
      { State: 'Disabled MI' },
      'a reload keeps the state',
    );
    assert.deepEqual(ask('dr_number_routing', { group_id: 1, number: '4471' }).result, {
      'Matched Prefix': '44',
      'GW List': [{ GATEWAY: 'gw1' }, { GATEWAY: 'gw2' }],
    });
    assert.equal(ask('dr_number_routing', { group_id: 5, number: '4471' }).result, 'No match');
    assert.deepEqual(ask('dr_enable_probing').result, { Status: 1 });
    assert.equal(ask('dr_enable_probing', { status: 0 }).result, 'OK');
    assert.deepEqual(ask('dr_enable_probing').result, { Status: 0 });
    assert.equal(ask('dr_reload', { partition_name: 'x' }).error?.code, 400);
    assert.match(
      String(ask('dr_reload_status').result && (ask('dr_reload_status').result as { Date: string }).Date),
      /^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}$/,
    );
    // The state column is written asynchronously (never blocking the script): polled, bounded.
    for (let i = 0; i < 100 && state() !== 1; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(state(), 1, 'disabled by MI is state 1 in the table');
    // dr_reload reads the tables again: a gateway and a rule added meanwhile are used.
    assert.ok(!(db.insert('dr_gateways', { gwid: 'gw9', address: '127.0.0.29' }) instanceof DbError));
    assert.ok(!(db.insert('dr_rules', { groupid: '7', prefix: '99', gwlist: 'gw9' }) instanceof DbError));
    assert.equal(ask('dr_number_routing', { group_id: 7, number: '991' }).result, 'No match', 'not before the reload');
    assert.equal(ask('dr_reload').result, 'OK');
    assert.deepEqual(ask('dr_number_routing', { group_id: 7, number: '991' }).result, {
      'Matched Prefix': '99',
      'GW List': [{ GATEWAY: 'gw9' }],
    });
    assert.deepEqual(ask('dr_gw_status', { gw_id: 'gw2' }).result, { State: 'Disabled MI' }, 'still kept');
    db.close();
  });

  test('probing: OPTIONS to probe_mode 2 gateways and to disabled probe_mode 1 ones; a 503 disables, a 200 re-enables', () => {
    const url = drDb({
      gws: [
        ['a', '127.0.0.31', { probe: 2 }],
        ['b', '127.0.0.32', { probe: 1, state: 2 }],
        ['c', '127.0.0.33', { probe: 1 }],
        ['d', '127.0.0.34', { probe: 2, state: 1 }],
      ],
      rules: [['1', '', 'a']],
    });
    const e = engine(url, '\texit;', ['modparam("drouting", "probing_interval", 10)']);
    const sent: Outbound[] = [];
    e.rt.transport = { send: (o) => sent.push(o) };
    assert.equal(probeRound(e.rt), 2);
    assert.deepEqual(
      sent.map((s) => s.text.split('\r\n')[0]),
      ['OPTIONS sip:127.0.0.31 SIP/2.0', 'OPTIONS sip:127.0.0.32 SIP/2.0'],
    );
    const callIdOf = (i: number) => /Call-ID: (\S+)/.exec(sent[i]!.text)![1]!;
    const filter = (callId: string, code: number) => e.rt.replyFilters.some((f) => f('OPTIONS', callId, code));
    assert.equal(filter(callIdOf(0), 503), true);
    assert.equal(filter(callIdOf(1), 200), true);
    const mi = coreMi('test');
    const st = (id: string) =>
      (
        mi.handle({ jsonrpc: '2.0', method: 'dr_gw_status', id: 1, params: { gw_id: id } }, e.rt) as {
          result: { State: string };
        }
      ).result.State;
    assert.deepEqual(['a', 'b', 'c', 'd'].map(st), ['Inactive', 'Active', 'Active', 'Disabled MI']);
  });

  test('a partition argument is not native: run refuses it, naming drouting', () => {
    const e = engine(drDb(BASIC), '\tdo_routing(1, , , , , , "pstn");');
    assert.ok(
      e.rt.functions.get('do_routing')!.behaviour?.notNativeFor?.([
        { kind: 'empty', text: '', dynamic: false, span: { line: 1, col: 1, endLine: 1, endCol: 1 } as never },
        { kind: 'empty', text: '', dynamic: false, span: undefined as never },
        { kind: 'empty', text: '', dynamic: false, span: undefined as never },
        { kind: 'empty', text: '', dynamic: false, span: undefined as never },
        { kind: 'empty', text: '', dynamic: false, span: undefined as never },
        { kind: 'empty', text: '', dynamic: false, span: undefined as never },
        { kind: 'string', text: 'pstn', dynamic: false, span: undefined as never },
      ]),
    );
  });
});
