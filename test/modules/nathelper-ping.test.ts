// nathelper NAT pinging: natping_interval rounds, ping_nated_only (usrloc
// nat_bflag), SIP pings for sipping_bflag contacts, 4-byte keep-alives for the
// others, remove_on_timeout_bflag after max_pings_lost, nh_enable_ping.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scenarioOf } from '../helpers/scenario.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { coreMi } from '../../src/core/mi-core.js';
import { VirtualClock } from '../../src/base/clock.js';
import { Runtime } from '../../src/script/runtime.js';
import { contactJson } from '../../src/modules/usrloc/mi.js';
import { shapedBinding } from '../../src/modules/usrloc/store.js';
import { loadScenario } from '../../src/scenario/load.js';
import { ScenarioRun } from '../../src/scenario/runner.js';
import { serverFor } from '../helpers/server.js';
import { countContinuations, fillDomain } from '../helpers/usrloc-table.js';
import { usrlocOf } from '../../src/modules/usrloc/api.js';
import { SLICE_ITEMS } from '../../src/base/sliced.js';

function cfg(extra: string[] = []): string {
  return `socket=udp:127.0.0.1:5060
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "signaling.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "nathelper.so"
modparam("usrloc", "nat_bflag", "NAT")
modparam("nathelper", "natping_interval", 30)
modparam("nathelper", "ping_nated_only", 1)
modparam("nathelper", "sipping_bflag", "SIPPING")
modparam("nathelper", "sipping_from", "sip:pinger@127.0.0.1")
${extra.join('\n')}
route {
	if ($si == "127.0.0.10" || $si == "127.0.0.11" || $si == "127.0.0.13") setbflag("NAT");
	if ($si == "127.0.0.10" || $si == "127.0.0.13") setbflag("SIPPING");
	if ($si == "127.0.0.13") setbflag("GONE");
	save("location");
}
`;
}

const UAS = `uas:
  SIP: { address: "udp:127.0.0.10:5060", user: "1001" }
  RAW: { address: "udp:127.0.0.11:5060", user: "1002" }
  PUBLIC: { address: "udp:127.0.0.12:5060", user: "1003" }
`;

test('every natping_interval: OPTIONS to sipping_bflag contacts, 4 zero bytes to other NATed ones, nothing to the rest', async () => {
  const r = await scenarioOf(
    cfg(),
    `${UAS}timeline:\n  - t=0 SIP REGISTER expires=3600\n  - t=0 RAW REGISTER expires=3600\n  - t=0 PUBLIC REGISTER expires=3600\nuntil: 95\n`,
  );
  const pings = r.messages.filter(
    (m) => (m.from === 'P' && m.isRequest === true) || (m.from === 'P' && m.label.startsWith('keep-alive')),
  );
  assert.deepEqual(
    pings.map((m) => `${m.t} ${m.to} ${m.label}`),
    [
      '30 SIP OPTIONS',
      '30 RAW keep-alive (4 bytes)',
      '60 SIP OPTIONS',
      '60 RAW keep-alive (4 bytes)',
      '90 SIP OPTIONS',
      '90 RAW keep-alive (4 bytes)',
    ],
  );
  const opt = pings[0]!.text;
  assert.match(
    opt,
    /^OPTIONS sip:1001@127\.0\.0\.10:5060 SIP\/2\.0\r\nVia: SIP\/2\.0\/UDP 127\.0\.0\.1:5060;branch=z9hG4bK\w+\r\nFrom: sip:pinger@127\.0\.0\.1;tag=\w+\r\nTo: sip:1001@127\.0\.0\.10:5060\r\nCall-ID: sipping-\w+-\w+@127\.0\.0\.1\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n$/,
  );
  assert.ok(
    r.messages.some((m) => m.from === 'SIP' && m.to === 'P' && m.status === 200),
    'the UA answers',
  );
  assert.ok(!r.logs.some((l) => /ERROR/.test(l)), 'the reply is consumed by nathelper, not an error');
});

test('ping_nated_only 0 pings every contact; natping_interval 0 pings none', async () => {
  const all = await scenarioOf(
    cfg().replace('modparam("nathelper", "ping_nated_only", 1)', ''),
    `${UAS}timeline:\n  - t=0 PUBLIC REGISTER expires=3600\nuntil: 31\n`,
  );
  assert.ok(all.messages.some((m) => m.to === 'PUBLIC' && m.label === 'keep-alive (4 bytes)'));
  const off = await scenarioOf(
    cfg().replace('"natping_interval", 30', '"natping_interval", 0'),
    `${UAS}timeline:\n  - t=0 SIP REGISTER expires=3600\nuntil: 200\n`,
  );
  assert.equal(
    off.messages.filter((m) => m.from === 'P' && m.to === 'SIP').length,
    1,
    'only the 200 OK to the REGISTER',
  );
});

test('remove_on_timeout_bflag: a contact that leaves max_pings_lost OPTIONS unanswered is deleted; one that answers stays', async () => {
  const r = await scenarioOf(
    cfg([
      'modparam("nathelper", "remove_on_timeout_bflag", "GONE")',
      'modparam("nathelper", "max_pings_lost", 2)',
    ]).replace('if ($si == "127.0.0.13") setbflag("GONE");', 'setbflag("GONE");'),
    `uas:\n  SIP: { address: "udp:127.0.0.10:5060", user: "1001" }\n  MUTE: { address: "udp:127.0.0.13:5060", user: "1004", answers: false }\ntimeline:\n  - t=0 SIP REGISTER expires=3600\n  - t=0 MUTE REGISTER expires=3600\nuntil: 125\n`,
  );
  const p = r.trace.tables.filter((t) => t.actor === 'P');
  const at = (t: number): string[] =>
    [...p]
      .reverse()
      .find((x) => x.t <= t)!
      .rows.map((x) => x.aor)
      .sort();
  assert.deepEqual(at(60), ['1001', '1004']);
  assert.deepEqual(at(120), ['1001'], 'two pings lost (30, 60)');
  assert.deepEqual(
    [at(62), at(63)],
    [['1001', '1004'], ['1001']],
    'removed when the second ping times out: 60 + ping_threshold (3)',
  );
  assert.equal(r.messages.filter((m) => m.to === 'MUTE' && m.method === 'OPTIONS').length, 2);
});

test('MI nh_enable_ping: reads the state; status 0 stops the pings', async () => {
  const body = `${UAS}timeline:\n  - t=0 SIP REGISTER expires=3600\nuntil: 100\n`;
  const d = mkdtempSync(join(tmpdir(), 'nh-'));
  writeFileSync(join(d, 'p.cfg'), cfg());
  writeFileSync(join(d, 's.yaml'), `cfg: p.cfg\n${body}`);
  const s = loadScenario(join(d, 's.yaml'));
  assert.ok(!('errors' in s));
  if ('errors' in s) return;
  const run = new ScenarioRun(s);
  assert.equal(await run.setUp(), undefined);
  const mi = coreMi('test');
  const rt = run.runtimeOf('P')!;
  assert.deepEqual(mi.handle({ jsonrpc: '2.0', method: 'nh_enable_ping', id: 1 }, rt), {
    jsonrpc: '2.0',
    result: { Status: 1 },
    id: 1,
  });
  assert.deepEqual(mi.handle({ jsonrpc: '2.0', method: 'nh_enable_ping', params: [0], id: 2 }, rt), {
    jsonrpc: '2.0',
    result: 'OK',
    id: 2,
  });
  const trace = run.run();
  await run.tearDown();
  assert.equal(
    trace.deliveries.filter((x) => x.fromActor === 'P' && x.toActor === 'SIP').length,
    1,
    'only the 200 OK: pinging is off',
  );
});

const TRACKED = (extra: string[]): string =>
  cfg(['loadmodule "event_route.so"', ...extra]).replace(
    'if ($si == "127.0.0.13") setbflag("GONE");',
    'setbflag("GONE");',
  );

test('sipping_ignore_rpl_codes: a ping answered with an ignored code stays unanswered and counts as lost; any other code answers it', async () => {
  const body = (code: number): string =>
    `uas:\n  SIP: { address: "udp:127.0.0.10:5060", user: "1001", answers: ${code} }\ntimeline:\n  - t=0 SIP REGISTER expires=3600\nuntil: 40\n`;
  const params = [
    'modparam("nathelper", "remove_on_timeout_bflag", "GONE")',
    'modparam("nathelper", "max_pings_lost", 1)',
    'modparam("nathelper", "sipping_ignore_rpl_codes", "408, 404")',
  ];
  const ignored = await scenarioOf(TRACKED(params), body(404));
  const last = (r: typeof ignored): string[] =>
    r.trace.tables
      .filter((t) => t.actor === 'P')
      .at(-1)!
      .rows.map((x) => x.aor);
  assert.ok(
    ignored.messages.some((m) => m.from === 'SIP' && m.status === 404),
    'the UA answered 404',
  );
  assert.deepEqual(last(ignored), [], 'a 404 is ignored: the ping timed out at 33 and the contact went');
  const counted = await scenarioOf(TRACKED(params), body(486));
  assert.deepEqual(last(counted), ['1001'], 'a 486 answers the ping');
});

test('sipping_latency_flag: the reply time lands in ul_dump (Ping-Latency, µs) and E_UL_LATENCY_UPDATE; a timeout records 1800 s', async () => {
  const r = await scenarioOf(
    TRACKED([
      'modparam("nathelper", "sipping_latency_flag", "SIPPING")',
      'event_route[E_UL_LATENCY_UPDATE] { xlog("L_NOTICE", "latency $param(aor) $param(latency)\\n"); }',
    ]),
    `uas:\n  SIP: { address: "udp:127.0.0.10:5060", user: "1001", delay: 150 }\n  MUTE: { address: "udp:127.0.0.13:5060", user: "1004", answers: false }\ntimeline:\n  - t=0 SIP REGISTER expires=3600\n  - t=0 MUTE REGISTER expires=3600\n  - t=31 P MI ul_dump\nuntil: 34\n`,
  );
  const events = r.logs.filter((l) => /latency \d/.test(l)).map((l) => l.replace(/^([\d.]+) P: /, '$1 '));
  assert.deepEqual(
    events,
    ['30.15 latency 1001 150000', '33 latency 1004 1800000000'],
    'the reply 150 ms after the ping at 30; the unanswered one at 30 + ping_threshold',
  );
  assert.ok(r.logs.some((l) => l.startsWith('31 P: (MI) ul_dump')));
});

test("ul_dump shows a contact's measured latency as Ping-Latency (µs), and nothing when none was measured", () => {
  const rt = new Runtime(new VirtualClock());
  const b = shapedBinding(
    {
      uri: 'sip:1001@127.0.0.10',
      expires: 0,
      q: -1,
      callid: 'c',
      cseq: 1,
      flags: 0,
      cflags: 0,
      userAgent: '',
      lastModified: 0,
      state: 'CS_NEW',
    },
    '1',
  );
  assert.equal(contactJson(b, rt)['Ping-Latency'], undefined);
  b.latency = 150000;
  assert.equal(contactJson(b, rt)['Ping-Latency'], 150000);
});

test("ping_threshold above natping_interval is cut to half the interval, with OpenSIPS's warning", async () => {
  const r = await scenarioOf(
    TRACKED([
      'modparam("nathelper", "remove_on_timeout_bflag", "GONE")',
      'modparam("nathelper", "max_pings_lost", 1)',
      'modparam("nathelper", "ping_threshold", 40)',
    ]),
    `uas:\n  MUTE: { address: "udp:127.0.0.13:5060", user: "1004", answers: false }\ntimeline:\n  - t=0 MUTE REGISTER expires=3600\nuntil: 50\n`,
  );
  assert.ok(r.logs.some((l) => /WARNING:nathelper:mod_init: Maximum ping threshold must be smaller/.test(l)));
  const p = r.trace.tables.filter((t) => t.actor === 'P');
  const at = (t: number): string[] =>
    [...p]
      .reverse()
      .find((x) => x.t <= t)!
      .rows.map((x) => x.aor);
  assert.deepEqual([at(44), at(45)], [['1004'], []], 'ping at 30, threshold 15: gone at 45');
});

test('natping_partitions: each contact is pinged once every natping_interval, in rounds of interval/partitions; a round over more contacts than one slice yields between slices', async () => {
  const h = serverFor(
    cfg(['modparam("nathelper", "natping_partitions", 3)']).replace('modparam("nathelper", "ping_nated_only", 1)', ''),
  );
  const d = usrlocOf(h.server.rt).domain('location');
  const now = Math.floor(h.clock.now() / 1000);
  const total = SLICE_ITEMS * 3 + 7;
  fillDomain(d, total, () => now + 3600, now);
  const continuations = countContinuations(h.clock);
  await h.server.start();
  try {
    const perRound: number[] = [];
    for (let round = 0; round < 3; round++) {
      const before = h.sent.length;
      h.clock.advance(10_000);
      perRound.push(h.sent.length - before);
    }
    const pinged = new Set(h.sent.map((s) => s.to));
    assert.equal(h.sent.length, total, 'every contact once over the three rounds');
    assert.equal(pinged.size, total, 'no contact twice');
    assert.ok(
      perRound.every((n) => n > total / 3 - 500 && n < total / 3 + 500),
      `about a third a round: ${perRound}`,
    );
    assert.ok(continuations.n >= 3, `the round went on after(0) between slices (${continuations.n})`);
  } finally {
    await h.server.stop();
  }
});
