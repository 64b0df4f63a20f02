// load_balancer: destinations from a `load_balancer` table made by db create,
// on each DB backend; lb_start
// picks the destination with the most free capacity, counted with dialog
// profiles; lb_next, lb_reset, lb_is_started, lb_disable_dst,
// lb_is_destination, lb_count_call; failover through tm; probing; MI; each
// function's return codes.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DbError, type Db } from '../../src/db/index.js';
import { coreMi } from '../../src/core/mi-core.js';
import { lbProbeRound } from '../../src/modules/load_balancer/probe.js';
import type { Outbound } from '../../src/script/runtime.js';
import { sipEngine } from '../helpers/engine.js';
import { request } from '../helpers/server.js';
import { dbModuleFor, forEachBackend, type Backend } from '../helpers/db-backends.js';

type Row = [id: number, group: number, uri: string, resources: string, probe?: number, attrs?: string];

/** The backend of the suite running now (suites run one after the other). */
let backend: Backend;
/** The open handle of each database lbDb made, by URL. */
const dbOf = new Map<string, Db>();

/** A new database whose load_balancer table holds `rows`: its URL. */
function lbDb(rows: Row[]): string {
  const { url, db } = backend.fresh(['load_balancer']);
  for (const [id, group_id, dst_uri, resources, probe, attrs] of rows) {
    const r = db.insert('load_balancer', {
      id,
      group_id,
      dst_uri,
      resources,
      probe_mode: probe ?? 0,
      attrs: attrs ?? null,
    });
    if (r instanceof DbError) throw new Error(r.message);
  }
  dbOf.set(url, db);
  return url;
}

function engine(url: string, body: string, extra: string[] = []) {
  return sipEngine(
    [
      'socket=udp:127.0.0.1:5060',
      `loadmodule "${dbModuleFor(url)}.so"`,
      'loadmodule "tm.so"',
      'loadmodule "rr.so"',
      'loadmodule "dialog.so"',
      'loadmodule "load_balancer.so"',
      `modparam("load_balancer", "db_url", "${url}")`,
      ...extra,
      'route {',
      body,
      '}',
      '',
    ].join('\n'),
  );
}

const call = (id: string): Buffer => Buffer.from(request('INVITE', id));

const TWO: Row[] = [
  [1, 1, 'sip:127.0.0.41:5060', 'pstn=2;transc=5', 0, 'a1'],
  [2, 1, 'sip:127.0.0.42:5060', 'pstn=3'],
  [3, 2, 'sip:127.0.0.43', 'pstn=9'],
];

forEachBackend('load_balancer', (b) => {
  before(() => {
    backend = b;
  });

  test('lb_start: the destination with the most free capacity; each call counts in its profile until the capacity is used up (-2)', () => {
    const e = engine(lbDb(TWO), '\t$var(rc) = lb_start(1, "pstn");\n\t$var(du) = $du;');
    const seq = Array.from({ length: 6 }, (_, i) => {
      const v = e.send(call(`s-${i}`)).vars;
      return `${v.get('rc')} ${v.get('du')}`;
    });
    assert.deepEqual(seq, [
      '1 sip:127.0.0.42:5060', // free: .41 2, .42 3
      '1 sip:127.0.0.41:5060', // 2 and 2: the first of equals
      '1 sip:127.0.0.42:5060', // 1 and 2
      '1 sip:127.0.0.41:5060',
      '1 sip:127.0.0.42:5060',
      '-2 null', // nothing free in group 1
    ]);
  });

  test('lb_start return codes: -3 for a group without destinations, -4 for an unknown resource; r compares free capacity in percent; n allows a full one', () => {
    const e = engine(
      lbDb(TWO),
      '\t$var(a) = lb_start(7, "pstn");\n\t$var(b) = lb_start(1, "video");\n\t$var(c) = lb_start(1, "pstn;transc", , $var(attrs));\n\t$var(du) = $du;',
    );
    const v = e.send(call('r-1')).vars;
    assert.deepEqual([v.get('a'), v.get('b'), v.get('c')], [-3, -4, 1]);
    assert.equal(v.get('du'), 'sip:127.0.0.41:5060', 'only .41 offers both resources');
    assert.equal(v.get('attrs'), 'a1');
    const rel = engine(
      lbDb([
        [1, 1, 'sip:127.0.0.41', 'pstn=10'],
        [2, 1, 'sip:127.0.0.42', 'pstn=2'],
      ]),
      '\tlb_start(1, "pstn", "r");\n\t$var(du) = $du;',
    );
    assert.equal(rel.send(call('r-2')).vars.get('du'), 'sip:127.0.0.41', '100% free each: the first');
    assert.equal(rel.send(call('r-3')).vars.get('du'), 'sip:127.0.0.42', '90% against 100%');
    const neg = engine(
      lbDb([[1, 1, 'sip:127.0.0.41', 'pstn=0']]),
      '\t$var(p) = lb_start(1, "pstn");\n\t$var(n) = lb_start(1, "pstn", "n");',
    );
    const nv = neg.send(call('r-4')).vars;
    assert.deepEqual([nv.get('p'), nv.get('n')], [-2, 1]);
  });

  test('lb_next skips the destinations tried already; lb_is_started, lb_reset and lb_disable_dst', () => {
    const e = engine(
      lbDb(TWO),
      [
        '\t$var(s0) = lb_is_started();',
        '\t$var(r0) = lb_reset();',
        '\t$var(d0) = lb_disable_dst();',
        '\t$var(x0) = lb_next();',
        '\tlb_start(1, "pstn");',
        '\t$var(first) = $du;',
        '\t$var(s1) = lb_is_started();',
        '\t$var(n1) = lb_next();',
        '\t$var(second) = $du;',
        '\t$var(n2) = lb_next();',
        '\t$var(d1) = lb_disable_dst();',
        '\t$var(r1) = lb_reset();',
        '\t$var(s2) = lb_is_started();',
      ].join('\n'),
    );
    const v = e.send(call('n-1')).vars;
    assert.deepEqual(
      ['s0', 'r0', 'd0', 'x0', 's1', 'n1', 'n2', 'd1', 'r1', 's2'].map((k) => v.get(k)),
      [-1, -1, -1, -1, 1, 1, -3, -1, 1, -1],
    );
    assert.equal(v.get('first'), 'sip:127.0.0.42:5060');
    assert.equal(v.get('second'), 'sip:127.0.0.41:5060');
    const mi = coreMi('test');
    const list = mi.handle({ jsonrpc: '2.0', method: 'lb_list', id: 1 }, e.rt) as {
      result: { Destinations: { id: number; Resources: { name: string; load: number }[] }[] };
    };
    assert.deepEqual(
      list.result.Destinations.map((d) => `${d.id}:${d.Resources.map((r) => `${r.name}=${r.load}`).join(',')}`),
      ['1:pstn=0,transc=0', '2:pstn=0', '3:pstn=0'],
      'lb_reset took the call out of the profiles',
    );
    const d = engine(
      lbDb(TWO),
      '\tlb_start(1, "pstn");\n\t$var(d) = lb_disable_dst();\n\t$var(n) = lb_next();\n\t$var(du) = $du;',
    );
    const dv = d.send(call('n-2')).vars;
    assert.deepEqual([dv.get('d'), dv.get('n'), dv.get('du')], [1, 1, 'sip:127.0.0.41:5060']);
    assert.equal(d.send(call('n-3')).vars.get('du'), 'sip:127.0.0.41:5060', '.42 is disabled now');
  });

  test('lb_start_or_next (and load_balance): the first call starts, the next one goes on', () => {
    const e = engine(
      lbDb(TWO),
      '\tlb_start_or_next(1, "pstn");\n\t$var(a) = $du;\n\tload_balance(1, "pstn");\n\t$var(b) = $du;\n\t$var(c) = lb_start_or_next(1, "pstn");',
    );
    const v = e.send(call('o-1')).vars;
    assert.deepEqual([v.get('a'), v.get('b'), v.get('c')], ['sip:127.0.0.42:5060', 'sip:127.0.0.41:5060', -3]);
  });

  test('lb_is_destination and lb_count_call: by IP, port (0 = any), group, active; the count shows in lb_list', () => {
    const e = engine(
      lbDb(TWO),
      [
        '\t$var(a) = lb_is_destination("127.0.0.41", 5060, , , $var(attrs));',
        '\t$var(b) = lb_is_destination("127.0.0.43", 0, 1);',
        '\t$var(c) = lb_is_destination("127.0.0.43", 5060);',
        '\t$var(d) = lb_is_destination("not-an-ip", 5060);',
        '\t$var(e) = lb_count_call("127.0.0.43", 0, 2, "pstn");',
        '\t$var(f) = lb_count_call("127.0.0.99", 0, -1, "pstn");',
        '\t$var(g) = lb_count_call("127.0.0.43", 0, 2, "video");',
      ].join('\n'),
    );
    const v = e.send(call('c-1')).vars;
    assert.deepEqual(
      ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((k) => v.get(k)),
      [1, -1, 1, -1, 1, -1, -1],
    );
    assert.equal(v.get('attrs'), 'a1');
    const mi = coreMi('test');
    const list = mi.handle({ jsonrpc: '2.0', method: 'lb_list', id: 1 }, e.rt) as {
      result: { Destinations: { id: number; Resources: { name: string; load: number; max: number }[] }[] };
    };
    assert.deepEqual(list.result.Destinations[2]!.Resources, [{ name: 'pstn', max: 9, load: 1 }]);
  });

  test('MI: lb_status reads and sets (E_LOAD_BALANCER_STATUS), lb_resize, lb_reload keeps the state and reads new rows, lb_list', () => {
    const url = lbDb(TWO);
    const e = engine(url, '\texit;');
    const mi = coreMi('test');
    const ask = (method: string, params?: unknown) =>
      mi.handle({ jsonrpc: '2.0', method, id: 1, ...(params ? { params } : {}) }, e.rt) as {
        result?: unknown;
        error?: { code: number; message: string };
      };
    assert.deepEqual(ask('lb_status', { destination_id: 1 }).result, { enable: 'yes', attrs: 'a1' });
    assert.equal(ask('lb_status', { destination_id: 2, new_status: 0 }).result, 'OK');
    assert.deepEqual(ask('lb_status', { destination_id: 2 }).result, { enable: 'no' });
    assert.deepEqual(ask('lb_status', { destination_id: 9 }).error, { code: 404, message: 'Destination ID not found' });
    assert.equal(ask('lb_resize', { destination_id: 1, res_name: 'pstn', new_capacity: 7 }).result, 'OK');
    assert.deepEqual(ask('lb_resize', { destination_id: 1, res_name: 'x', new_capacity: 7 }).error, {
      code: 404,
      message: 'Destination has no such resource',
    });
    const added = dbOf
      .get(url)!
      .insert('load_balancer', { id: 4, group_id: 2, dst_uri: 'sip:127.0.0.44', resources: 'pstn=4' });
    assert.ok(!(added instanceof DbError));
    assert.equal(ask('lb_reload').result, 'OK');
    assert.deepEqual(ask('lb_list').result, {
      Destinations: [
        {
          uri: 'sip:127.0.0.41:5060',
          id: 1,
          group: 1,
          enabled: 'yes',
          'auto-reenable': 'on',
          Resources: [
            { name: 'pstn', max: 2, load: 0 },
            { name: 'transc', max: 5, load: 0 },
          ],
          attrs: 'a1',
        },
        {
          uri: 'sip:127.0.0.42:5060',
          id: 2,
          group: 1,
          enabled: 'no',
          'auto-reenable': 'off',
          Resources: [{ name: 'pstn', max: 3, load: 0 }],
        },
        {
          uri: 'sip:127.0.0.43',
          id: 3,
          group: 2,
          enabled: 'yes',
          'auto-reenable': 'on',
          Resources: [{ name: 'pstn', max: 9, load: 0 }],
        },
        {
          uri: 'sip:127.0.0.44',
          id: 4,
          group: 2,
          enabled: 'yes',
          'auto-reenable': 'on',
          Resources: [{ name: 'pstn', max: 4, load: 0 }],
        },
      ],
    });
  });

  test('probing: OPTIONS to probe_mode 2 destinations and disabled probe_mode 1 ones; a 500 disables, a 200 re-enables', () => {
    const e = engine(
      lbDb([
        [1, 1, 'sip:127.0.0.41', 'pstn=1', 2],
        [2, 1, 'sip:127.0.0.42', 'pstn=1', 1],
        [3, 1, 'sip:127.0.0.43', 'pstn=1', 0],
      ]),
      '\tlb_start(1, "pstn");\n\tlb_disable_dst();',
      ['modparam("load_balancer", "probing_interval", 5)'],
    );
    e.send(call('p-1'));
    const sent: Outbound[] = [];
    e.rt.transport = { send: (o) => sent.push(o) };
    assert.equal(lbProbeRound(e.rt), 1, 'only .41: .42 is enabled, .43 never probed');
    const callId = /Call-ID: (\S+)/.exec(sent[0]!.text)![1]!;
    assert.equal(sent[0]!.text.split('\r\n')[0], 'OPTIONS sip:127.0.0.41 SIP/2.0');
    assert.ok(e.rt.replyFilters.some((f) => f('OPTIONS', callId, 200)));
    const mi = coreMi('test');
    const status = (id: number) =>
      (
        mi.handle({ jsonrpc: '2.0', method: 'lb_status', id: 1, params: { destination_id: id } }, e.rt) as {
          result: { enable: string };
        }
      ).result.enable;
    assert.deepEqual([1, 2, 3].map(status), ['yes', 'yes', 'yes'], 'the 200 re-enabled .41');
    assert.equal(lbProbeRound(e.rt), 1);
    const next = /Call-ID: (\S+)/.exec(sent[sent.length - 1]!.text)![1]!;
    assert.ok(e.rt.replyFilters.some((f) => f('OPTIONS', next, 500)));
    assert.deepEqual([1, 2, 3].map(status), ['no', 'yes', 'yes'], 'the 500 disabled it');
  });
});
