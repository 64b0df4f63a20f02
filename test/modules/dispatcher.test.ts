// dispatcher: sets from a `dispatcher` table (db create's, on each DB backend), the selection
// algorithms and flags of ds_select_dst/_domain, failover with ds_next_dst,
// ds_mark_dst, ds_is_in_list, ds_count, probing and the MI commands.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DbError, type Db } from '../../src/db/index.js';
import { dbFor } from '../../src/modules/common/db.js';
import type { Runtime } from '../../src/script/runtime.js';
import { dbModuleFor, forEachBackend, type Backend } from '../helpers/db-backends.js';
import { coreMi } from '../../src/core/mi-core.js';
import { dsHash } from '../../src/modules/common/core-hash.js';
import { consumePingReply, pingRound } from '../../src/modules/dispatcher/probe.js';
import type { Outbound } from '../../src/script/runtime.js';
import { sipEngine } from '../helpers/engine.js';
import { request } from '../helpers/server.js';

type Row = [setid: number, destination: string, state?: number, weight?: string, priority?: number, attrs?: string];

/** The backend of the suite running now (suites run one after the other). */
let backend: Backend;
/** Each database dsDb made: its handle, and the runtimes using it (see stateOf). */
const made = new Map<string, { db: Db; runtimes: Runtime[] }>();

/** A new database whose dispatcher table holds `rows`: its URL. */
function dsDb(rows: Row[]): string {
  const { url, db } = backend.fresh(['dispatcher']);
  for (const [setid, destination, state, weight, priority, attrs] of rows) {
    const r = db.insert('dispatcher', {
      setid,
      destination,
      state: state ?? 0,
      weight: weight ?? '1',
      priority: priority ?? 0,
      attrs: attrs ?? '',
    });
    if (r instanceof DbError) throw new Error(r.message);
  }
  made.set(url, { db, runtimes: [] });
  return url;
}

/** `dest`'s state column. The module writes it asynchronously: a waited statement on each runtime's own connection comes after its writes. */
function stateOf(url: string, dest: string): unknown {
  const m = made.get(url)!;
  for (const rt of m.runtimes) {
    const conn = dbFor(rt, url);
    if (!(conn instanceof DbError)) conn.raw('SELECT 1');
  }
  const rows = m.db.query('dispatcher', { keys: ['destination'], vals: [dest], cols: ['state'] });
  return rows instanceof DbError ? rows.message : rows[0]?.state;
}

const THREE: Row[] = [
  [1, 'sip:127.0.0.21:5060'],
  [1, 'sip:127.0.0.22:5060'],
  [1, 'sip:127.0.0.23:5060'],
];

function engine(url: string, body: string, extra: string[] = []) {
  const e = sipEngine(
    [
      'socket=udp:127.0.0.1:5060',
      `loadmodule "${dbModuleFor(url)}.so"`,
      'loadmodule "tm.so"',
      'loadmodule "dispatcher.so"',
      `modparam("dispatcher", "db_url", "${url}")`,
      ...extra,
      'route {',
      body,
      '}',
      '',
    ].join('\n'),
  );
  made.get(url)?.runtimes.push(e.rt);
  return e;
}

const call = (id: string, ruri?: string): Buffer => Buffer.from(request('INVITE', id, ruri));

test("the hash is OpenSIPS's: test vectors computed with the C code", () => {
  assert.equal(dsHash('abc'), 7167810);
  assert.equal(dsHash('a84b4c76e66710@pc33.server.org'), 2533977714);
  assert.equal(dsHash('alice', 'example.com'), 1442294598);
  assert.equal(dsHash('alice', ''), dsHash('alice'));
  assert.equal(dsHash('\u00e9t\u00e9x'), 3139040003); // bytes above 0x7f count as signed chars
});

forEachBackend('dispatcher', (b) => {
  before(() => {
    backend = b;
  });

  test('algorithm 0: the Call-ID hash over the cumulative weights picks $du; the same call always goes to the same place', () => {
    const e = engine(
      dsDb([
        [1, 'sip:127.0.0.21:5060', 0, '1'],
        [1, 'sip:127.0.0.22:5060', 0, '2'],
        [1, 'sip:127.0.0.23:5060', 0, '1'],
      ]),
      '\t$var(rc) = ds_select_dst(1, 0);\n\t$var(du) = $du;',
    );
    for (const id of ['c-1', 'c-2', 'c-3', 'c-4', 'c-5', 'c-6']) {
      const r = e.send(call(id));
      const slot = dsHash(id) % 4; // weights 1, 2, 1: slots 0 | 1 2 | 3
      assert.equal(r.vars.get('rc'), 1);
      assert.equal(
        r.vars.get('du'),
        ['sip:127.0.0.21:5060', 'sip:127.0.0.22:5060', 'sip:127.0.0.22:5060', 'sip:127.0.0.23:5060'][slot],
        id,
      );
      assert.equal(e.send(call(id)).vars.get('du'), r.vars.get('du'));
    }
  });

  test('algorithm 4: round robin, each destination weight times in a row; an inactive one is passed over', () => {
    const e = engine(
      dsDb([
        [1, 'sip:127.0.0.21', 0, '2'],
        [1, 'sip:127.0.0.22', 1, '1'],
        [1, 'sip:127.0.0.23', 0, '1'],
      ]),
      '\tds_select_dst(1, 4);\n\t$var(du) = $du;',
    );
    const seq = Array.from({ length: 6 }, (_, i) => String(e.send(call(`rr-${i}`)).vars.get('du')).slice(-2));
    assert.deepEqual(seq, ['21', '21', '23', '21', '21', '23']);
  });

  test('algorithm 8 takes the first by priority (higher first); ds_select_domain rewrites the R-URI host:port instead of $du', () => {
    const path = dsDb([
      [1, 'sip:127.0.0.21:5070', 0, '1', 0],
      [1, 'sip:127.0.0.22:5080', 0, '1', 5],
    ]);
    const e = engine(path, '\t$var(rc) = ds_select_domain(1, 8);\n\t$var(ru) = $ru;\n\t$var(du) = $du;');
    const v = e.send(call('d-1', 'sip:1001@example.com;maddr=10.0.0.1;transport=udp')).vars;
    assert.equal(v.get('rc'), 1);
    assert.equal(v.get('ru'), 'sip:1001@127.0.0.22:5080;transport=udp');
    assert.equal(v.get('du'), null);
  });

  test('return codes: -1 for a set that does not exist and for a set with no active destination', () => {
    const e = engine(
      dsDb([
        [1, 'sip:127.0.0.21', 1],
        [2, 'sip:127.0.0.22'],
      ]),
      '\t$var(a) = ds_select_dst(7, 0);\n\t$var(b) = ds_select_dst(1, 0);\n\t$var(c) = ds_select_dst(2, 0);',
    );
    const v = e.send(call('x')).vars;
    assert.deepEqual(
      ['a', 'b', 'c'].map((k) => v.get(k)),
      [-1, -1, 1],
    );
  });

  test('flag f: the others in set order after the chosen one, then ds_next_dst walks them and says -1 at the end', () => {
    const e = engine(
      dsDb(THREE),
      `\tds_select_dst(1, 8, "f");
  \t$var(cnt) = $avp(ds_cnt_failover);
  \t$var(grp) = $avp(ds_grp_failover);
  \t$var(d0) = $du;
  \t$var(n1) = ds_next_dst(); $var(d1) = $du;
  \t$var(n2) = ds_next_dst(); $var(d2) = $du;
  \t$var(n3) = ds_next_dst();`,
    );
    const v = e.send(call('f-1')).vars;
    assert.deepEqual(
      ['cnt', 'grp', 'd0', 'n1', 'd1', 'n2', 'd2', 'n3'].map((k) => v.get(k)),
      [3, 1, 'sip:127.0.0.21:5060', 1, 'sip:127.0.0.22:5060', 1, 'sip:127.0.0.23:5060', -1],
    );
  });

  test("ds_next_domain: the next destination's host:port into the R-URI (not $du), -1 at the end of the list", () => {
    const e = engine(
      dsDb(THREE),
      `\tds_select_domain(1, 8, "f");
  \t$var(r0) = $ru;
  \t$var(n1) = ds_next_domain(); $var(r1) = $ru;
  \t$var(n2) = ds_next_domain(); $var(r2) = $ru;
  \t$var(n3) = ds_next_domain(); $var(r3) = $ru; $var(du) = $du;`,
    );
    const v = e.send(call('nd-1')).vars;
    assert.deepEqual(
      ['r0', 'n1', 'r1', 'n2', 'r2', 'n3', 'r3', 'du'].map((k) => v.get(k)),
      [
        'sip:1001@127.0.0.21:5060',
        1,
        'sip:1001@127.0.0.22:5060',
        1,
        'sip:1001@127.0.0.23:5060',
        -1,
        'sip:1001@127.0.0.23:5060',
        null,
      ],
    );
  });

  test('ds_push_script_attrs / ds_get_script_attrs: 1 and the attributes of the matching destination; push is 1 even when nothing matches, -1 for a bad IP; get is -1 for an unknown URI or set', () => {
    const e = engine(
      dsDb(THREE),
      `\t$var(p1) = ds_push_script_attrs("tier=gold", "127.0.0.22", 5060, 1);
  \t$var(p2) = ds_push_script_attrs("x", "127.0.0.99", 0);
  \t$var(p3) = ds_push_script_attrs("x", "not-an-ip", 0);
  \t$var(g1) = ds_get_script_attrs("sip:127.0.0.22:5060", 1, , $var(a1));
  \t$var(g2) = ds_get_script_attrs("sip:127.0.0.21:5060", 1, , $var(a2));
  \t$var(g3) = ds_get_script_attrs("sip:127.0.0.99:5060", 1, , $var(a3));
  \t$var(g4) = ds_get_script_attrs("sip:127.0.0.22:5060", 7, , $var(a4));`,
    );
    const v = e.send(call('sa-1')).vars;
    assert.deepEqual(
      ['p1', 'p2', 'p3', 'g1', 'a1', 'g2', 'a2', 'g3', 'g4'].map((k) => v.get(k)),
      [1, 1, -1, 1, 'tier=gold', 1, '', -1, -1],
    );
  });

  test('max_results limits the failover list (the chosen one included); flag d keeps the last entry as the backup', () => {
    const four: Row[] = [...THREE, [1, 'sip:127.0.0.24:5060']];
    const limited = engine(
      dsDb(four),
      '\tds_select_dst(1, 8, "f", , 2);\n\t$var(cnt) = $avp(ds_cnt_failover);\n\tds_next_dst(); $var(d1) = $du;\n\t$var(n2) = ds_next_dst();',
    );
    const v = limited.send(call('m-1')).vars;
    assert.deepEqual([v.get('cnt'), v.get('d1'), v.get('n2')], [2, 'sip:127.0.0.22:5060', -1]);
    const backup = engine(
      dsDb([
        [1, 'sip:127.0.0.21', 1],
        [1, 'sip:127.0.0.22', 1],
        [1, 'sip:127.0.0.29'],
      ]),
      '\t$var(rc) = ds_select_dst(1, 0, "d");\n\t$var(du) = $du;\n\t$var(plain) = ds_select_dst(1, 0);',
    );
    const b = backup.send(call('m-2')).vars;
    assert.deepEqual([b.get('rc'), b.get('du'), b.get('plain')], [1, 'sip:127.0.0.29', 1]);
  });

  test('ds_mark_dst: the destination in use goes inactive (state column and E_DISPATCHER_STATUS); "p" needs ds_probing_threshold failures', () => {
    const path = dsDb(THREE);
    const e = engine(
      path,
      '\tds_select_dst(1, 8, "f");\n\tif ($var(mark) == "p") ds_mark_dst("p");\n\telse if ($var(mark) == "i") $var(rc) = ds_mark_dst();\n\t$var(du) = $du;',
      [
        'loadmodule "event_route.so"',
        'event_route[E_DISPATCHER_STATUS] { xlog("L_NOTICE", "ds $param(group) $param(address) $param(status) $param(reason)\\n"); }',
      ],
    );
    e.rt.vars.set('mark', 'i');
    assert.equal(e.send(call('k-1')).vars.get('rc'), 1);
    e.rt.vars.set('mark', '');
    e.advance(0.001);
    assert.ok(
      e.logs.some((l) => l.includes('ds 1 sip:127.0.0.21:5060 inactive script function ds_mark()')),
      e.logs.join('\n'),
    );
    assert.equal(stateOf(path, 'sip:127.0.0.21:5060'), 1);
    assert.equal(e.send(call('k-2')).vars.get('du'), 'sip:127.0.0.22:5060');
    e.rt.vars.set('mark', 'p');
    e.send(call('k-3'));
    e.send(call('k-4'));
    assert.equal(stateOf(path, 'sip:127.0.0.22:5060'), 0, 'two failures of three: still active');
    e.send(call('k-4b'));
    assert.equal(stateOf(path, 'sip:127.0.0.22:5060'), 2);
    const none = engine(dsDb(THREE), '\tds_select_dst(1, 8);\n\t$var(rc) = ds_mark_dst();')
      .send(call('k-5'))
      .vars.get('rc');
    assert.equal(none, -1, 'without the f flag there is nothing to mark');
  });

  test('ds_is_in_list: address, port (0 any), set, active only, attrs pattern; setid_pvar names the set', () => {
    const e = engine(
      dsDb([
        [1, 'sip:127.0.0.21:5060', 0, '1', 0, 'gw=a'],
        [2, 'sip:127.0.0.22:5070', 1],
      ]),
      `\t$var(a) = ds_is_in_list("127.0.0.21", 5060);
  \t$var(set) = $avp(setid);
  \t$var(b) = ds_is_in_list("127.0.0.21", 5061);
  \t$var(c) = ds_is_in_list("127.0.0.22", 0, 2);
  \t$var(d) = ds_is_in_list("127.0.0.22", 0, 2, , 1);
  \t$var(e) = ds_is_in_list("127.0.0.21", 0, -1, , 0, "gw=*");
  \t$var(f) = ds_is_in_list("127.0.0.21", 0, -1, , 0, "x*");
  \t$var(g) = ds_is_in_list("not-an-ip", 0);`,
      ['modparam("dispatcher", "setid_pvar", "$avp(setid)")'],
    );
    const v = e.send(call('l-1')).vars;
    assert.deepEqual(
      ['a', 'set', 'b', 'c', 'd', 'e', 'f', 'g'].map((k) => v.get(k)),
      [1, 1, -1, 1, -1, 1, -1, -1],
    );
  });

  test('ds_count by state; MI ds_set_state, ds_list and ds_reload (a reloaded destination keeps its state)', () => {
    const path = dsDb([
      [1, 'sip:127.0.0.21', 0],
      [1, 'sip:127.0.0.22', 1],
      [1, 'sip:127.0.0.23', 2],
      [3, 'sip:127.0.0.31', 0, '5', 0, 'x'],
    ]);
    const e = engine(
      path,
      '\tds_count(1, "a", $var(a));\n\tds_count(1, "ip", $var(ip));\n\tds_count(1, "", $var(all));\n\t$var(none) = ds_count(9, "a", $var(z));',
    );
    const v = e.send(call('n-1')).vars;
    assert.deepEqual(
      ['a', 'ip', 'all', 'none'].map((k) => v.get(k)),
      [1, 2, 3, -1],
    );
    const mi = coreMi('test');
    const ask = (method: string, params?: unknown) =>
      mi.handle({ jsonrpc: '2.0', method, id: 1, ...(params ? { params } : {}) }, e.rt) as {
        result?: unknown;
        error?: { code: number; message: string };
      };
    assert.deepEqual(ask('ds_set_state', ['a', '1', 'sip:127.0.0.22']).result, 'OK');
    assert.deepEqual(ask('ds_set_state', ['a', '1', 'sip:127.0.0.99']).error, {
      code: 404,
      message: 'destination not found',
    });
    assert.equal(ask('ds_set_state', ['z', '1', 'sip:127.0.0.22']).error?.message, 'Bad state value');
    assert.deepEqual(ask('ds_list', { full: 1 }).result, {
      PARTITIONS: [
        {
          name: 'default',
          SETS: [
            {
              id: 3,
              Destinations: [
                { URI: 'sip:127.0.0.31', state: 'Active', first_hit_counter: 0, attr: 'x', weight: 5, priority: 0 },
              ],
            },
            {
              id: 1,
              Destinations: [
                { URI: 'sip:127.0.0.21', state: 'Active', first_hit_counter: 0, weight: 1, priority: 0 },
                { URI: 'sip:127.0.0.22', state: 'Active', first_hit_counter: 0, weight: 1, priority: 0 },
                { URI: 'sip:127.0.0.23', state: 'Probing', first_hit_counter: 0, weight: 1, priority: 0 },
              ],
            },
          ],
        },
      ],
    });
    assert.ok(
      !(made.get(path)!.db.insert('dispatcher', { setid: 1, destination: 'sip:127.0.0.24' }) instanceof DbError),
    );
    assert.equal(ask('ds_reload').result, 'OK');
    const list = ask('ds_list').result as {
      PARTITIONS: { SETS: { id: number; Destinations: { URI: string; state: string }[] }[] }[];
    };
    const set1 = list.PARTITIONS[0]!.SETS.find((s) => s.id === 1)!;
    assert.deepEqual(
      set1.Destinations.map((d) => `${d.URI} ${d.state}`),
      ['sip:127.0.0.21 Active', 'sip:127.0.0.22 Active', 'sip:127.0.0.23 Probing', 'sip:127.0.0.24 Active'],
    );
  });

  test('probing: OPTIONS to probing destinations (all but inactive ones in mode 1), retransmitted; a 200 makes one active, timeouts count towards the threshold', () => {
    const path = dsDb([
      [1, 'sip:127.0.0.21:5060', 2],
      [1, 'sip:127.0.0.22:5060', 0],
      [1, 'sip:127.0.0.23:5060', 1],
    ]);
    const mode0 = engine(path, '\texit;', ['modparam("dispatcher", "ds_ping_interval", 10)']);
    const sent: Outbound[] = [];
    mode0.rt.transport = { send: (o) => sent.push(o) };
    assert.equal(pingRound(mode0.rt), 1);
    assert.match(
      sent[0]!.text,
      /^OPTIONS sip:127\.0\.0\.21:5060 SIP\/2\.0\r\n[\s\S]*From: <sip:dispatcher@localhost>;tag=[\s\S]*CSeq: 13 OPTIONS\r\n/,
    );
    assert.deepEqual(sent[0]!.to, { proto: 'udp', ip: '127.0.0.21', port: 5060 });
    const callId = /Call-ID: (\S+)/.exec(sent[0]!.text)![1]!;
    assert.equal(consumePingReply(mode0.rt, 'OPTIONS', callId, 200), true);
    assert.equal(stateOf(path, 'sip:127.0.0.21:5060'), 0, 'the 200 made it active');

    const path1 = dsDb([
      [1, 'sip:127.0.0.21:5060', 0],
      [1, 'sip:127.0.0.23:5060', 1],
    ]);
    const mode1 = engine(path1, '\texit;', [
      'modparam("dispatcher", "ds_ping_interval", 10)',
      'modparam("dispatcher", "ds_probing_mode", 1)',
      'modparam("dispatcher", "ds_probing_threshold", 2)',
      'modparam("tm", "fr_timeout", 2)',
    ]);
    const out: Outbound[] = [];
    mode1.rt.transport = { send: (o) => out.push(o) };
    for (const start of mode1.rt.onStart) start();
    mode1.advance(10);
    assert.equal(out.length, 1, 'the inactive destination is not pinged');
    mode1.advance(0.5);
    assert.deepEqual(
      out.map((o) => /Call-ID: (\S+)/.exec(o.text)![1]).filter((c, i, a) => a.indexOf(c) === i).length,
      1,
      'retransmitted after T1, same Call-ID',
    );
    assert.equal(out.length, 2);
    mode1.advance(1.5);
    assert.equal(stateOf(path1, 'sip:127.0.0.21:5060'), 0, 'one timeout of two');
    mode1.advance(10);
    assert.equal(stateOf(path1, 'sip:127.0.0.21:5060'), 2, 'the second timeout: probing');
    const last = /Call-ID: (\S+)/.exec(out[out.length - 1]!.text)![1]!;
    mode1.advance(8);
    const next = /Call-ID: (\S+)/.exec(out[out.length - 1]!.text)![1]!;
    assert.notEqual(next, last);
    consumePingReply(mode1.rt, 'OPTIONS', next, 100);
    assert.equal(stateOf(path1, 'sip:127.0.0.21:5060'), 2, 'a provisional reply changes nothing');
    consumePingReply(mode1.rt, 'OPTIONS', next, 200);
    assert.equal(stateOf(path1, 'sip:127.0.0.21:5060'), 0);
  });

  test('algorithms 9 and 10 and partitions other than the default are reported as not native (conformance/lint/dispatcher-args.cfg checks the flags)', async () => {
    const { engineFor } = await import('../helpers/engine.js');
    const { notNative } = await import('../../src/script/native-coverage.js');
    const { loadCfg } = await import('../../src/cfg/load.js');
    const cfg = [
      'loadmodule "dispatcher.so"',
      'route {',
      '\tds_select_dst(1, 0, "f");',
      '\tds_mark_dst("i");',
      '\tds_select_dst(1, 10);',
      '\tds_next_dst("other");',
      '}',
      '',
    ].join('\n');
    const built = engineFor(cfg);
    const loaded = loadCfg('/t/test.cfg', {
      profile: { strict: false },
      readFile: () => cfg,
      fileExists: () => true,
      cwd: '/t',
    });
    const nn = notNative(loaded, built.runtime).map((d) => `${d.span.line}: ${d.message}`);
    assert.deepEqual(nn, [
      '5: `ds_select_dst`: dispatcher algorithm 10 has no native implementation in opensips-ts yet (0-8 do)',
      '6: `ds_next_dst`: dispatcher partitions other than the default one have no native implementation in opensips-ts yet',
    ]);
  });

  test('failover through tm: a 503 and a timeout send the INVITE to the next destination, marked inactive on the way; the next call goes to the one left', async () => {
    const { serverFor, replyTo } = await import('../helpers/server.js');
    const path = dsDb(THREE);
    const h = serverFor(`socket=udp:127.0.0.1:5060
  loadmodule "tm.so"
  loadmodule "sl.so"
  loadmodule "${dbModuleFor(path)}.so"
  loadmodule "dispatcher.so"
  modparam("dispatcher", "db_url", "${path}")
  modparam("tm", "fr_timeout", 4)
  route {
  \tif (!ds_select_dst(1, 8, "f")) { send_reply(503, "Service Unavailable"); exit; }
  \tt_on_failure("next");
  \tt_relay();
  }
  failure_route[next] {
  \tif (t_was_cancelled()) exit;
  \tds_mark_dst("i");
  \tif (ds_next_dst()) { t_on_failure("next"); t_relay(); }
  }
  `);
    made.get(path)!.runtimes.push(h.server.rt);
    h.receive(request('INVITE', 'fo-1'), '127.0.0.11');
    assert.deepEqual(
      h.sent.filter((s) => s.text.startsWith('INVITE')).map((s) => s.to),
      ['127.0.0.21:5060'],
    );
    h.receive(replyTo(h, 'fo-1', '503 Service Unavailable'), '127.0.0.21');
    assert.deepEqual(
      h.sent.filter((s) => s.text.startsWith('INVITE')).map((s) => s.to),
      ['127.0.0.21:5060', '127.0.0.22:5060'],
    );
    h.clock.advance(5000);
    const invites = h.sent.filter((s) => s.text.startsWith('INVITE'));
    assert.deepEqual([...new Set(invites.map((s) => s.to))], ['127.0.0.21:5060', '127.0.0.22:5060', '127.0.0.23:5060']);
    assert.deepEqual(
      [
        stateOf(path, 'sip:127.0.0.21:5060'),
        stateOf(path, 'sip:127.0.0.22:5060'),
        stateOf(path, 'sip:127.0.0.23:5060'),
      ],
      [1, 1, 0],
    );
    h.receive(request('INVITE', 'fo-2'), '127.0.0.11');
    assert.equal(
      h.sent.filter((s) => s.text.startsWith('INVITE')).pop()!.to,
      '127.0.0.23:5060',
      'the next call goes straight to the one left',
    );
  });
});
