// mid_registrar mode 2 (AoR throttling) and the parts shared by all modes that
// need a whole exchange: return codes seen by the script, the collapsed
// contact upstream, mid_registrar_lookup by AoR, tcp_persistent_flag.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { coreMi } from '../../src/core/mi-core.js';
import { loadScenario } from '../../src/scenario/load.js';
import { ScenarioRun } from '../../src/scenario/runner.js';
import { scenarioOf } from '../helpers/scenario.js';

function cfg(o: { mode?: number; flags?: string; params?: string[] } = {}): string {
  return `socket=udp:127.0.0.1:5360
socket=tcp:127.0.0.1:5360
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "signaling.so"
loadmodule "usrloc.so"
loadmodule "mid_registrar.so"
modparam("mid_registrar", "mode", ${o.mode ?? 2})
modparam("mid_registrar", "outgoing_expires", 3600)
modparam("mid_registrar", "max_expires", 130)
modparam("mid_registrar", "tcp_persistent_flag", "TCP_PERSIST")
${(o.params ?? []).join('\n')}
route {
	if (is_method("REGISTER")) {
		if ($socket_in(proto) == "tcp") setflag("TCP_PERSIST");
		mid_registrar_save("location"${o.flags ? `, "${o.flags}"` : ''});
		$var(rc) = $retcode;
		xlog("L_ERR", "save=$var(rc)\\n");
		if ($var(rc) == 1) { $ru = "sip:127.0.0.2:5060"; t_relay(); }
		exit;
	}
	mid_registrar_lookup("location");
	$var(rc) = $retcode;
	xlog("L_ERR", "lookup=$var(rc) ru=$ru\\n");
	if ($var(rc) < 0) { sl_send_reply(404, "Not Found"); exit; }
	t_relay();
}
`;
}

const UP = 'upstream: { name: UP, socket: "udp:127.0.0.2:5060" }\n';
const UAS =
  'uas:\n  UA1: { address: "udp:127.0.0.10:5060", user: "1001" }\n  UA2: { address: "udp:127.0.0.11:5060", user: "1001" }\n  C: { address: "udp:127.0.0.50:5060", user: "2000" }\n';

const saves = (logs: string[]): string[] =>
  logs.filter((l) => l.includes('save=')).map((l) => l.replace(/^.*save=/, ''));

test('mode 2 return codes: 1 (new AoR, forwarded), 2 (a second device absorbed), 2 (a refresh before max_diff)', async () => {
  const r = await scenarioOf(
    cfg(),
    `${UP}${UAS}timeline:\n  - t=0 UA1 REGISTER expires=200\n  - t=10 UA2 REGISTER expires=200\n  - t=20 UA1 REGISTER expires=200\n`,
  );
  assert.deepEqual(saves(r.logs), ['1', '2', '2']);
  assert.equal(r.messages.filter((m) => m.from === 'P' && m.to === 'UP' && m.isRequest).length, 1);
});

test('mode 2 max contacts: c1 rejects a second device with 503 (-1); c1f evicts the older one (2)', async () => {
  const strict = await scenarioOf(
    cfg({ flags: 'c1' }),
    `${UP}${UAS}timeline:\n  - t=0 UA1 REGISTER expires=200\n  - t=10 UA2 REGISTER expires=200\n`,
  );
  assert.deepEqual(saves(strict.logs), ['1', '-1']);
  assert.ok(strict.messages.some((m) => m.to === 'UA2' && m.status === 503));
  const forced = await scenarioOf(
    cfg({ flags: 'c1f' }),
    `${UP}${UAS}timeline:\n  - t=0 UA1 REGISTER expires=200\n  - t=10 UA2 REGISTER expires=200\n`,
  );
  assert.deepEqual(saves(forced.logs), ['1', '2']);
  const p = forced.trace.tables.filter((t) => t.actor === 'P').at(-1)!;
  assert.deepEqual(
    p.rows.map((x) => x.contact),
    ['sip:1001@127.0.0.11:5060'],
  );
});

test('mode 2 collapse: one <sip:AOR@ADV:PORT>, ;expires=OUT only without an Expires header; use_domain escapes the @', async () => {
  const noHeader = await scenarioOf(cfg(), `${UP}${UAS}timeline:\n  - t=0 UA1 REGISTER contact-expires=200\n`);
  const up = noHeader.messages.find((m) => m.from === 'P' && m.to === 'UP')!;
  assert.equal(up.contact, '<sip:1001@127.0.0.1:5360>;expires=3600');
  assert.equal(up.expires, undefined);
  const domain = await scenarioOf(
    cfg({ params: ['modparam("usrloc", "use_domain", 1)'] }),
    `${UP}${UAS}timeline:\n  - t=0 UA1 REGISTER expires=200\n`,
  );
  assert.equal(
    domain.messages.find((m) => m.from === 'P' && m.to === 'UP')!.contact,
    '<sip:1001%40127.0.0.1@127.0.0.1:5360>',
  );
  const extra = await scenarioOf(
    cfg({ mode: 1, params: ['modparam("mid_registrar", "extra_contact_params_avp", "$avp(extra)")'] }).replace(
      'mid_registrar_save("location");',
      '$avp(extra) = ";nat=yes"; mid_registrar_save("location");',
    ),
    `${UP}${UAS}timeline:\n  - t=0 UA1 REGISTER expires=200\n`,
  );
  assert.match(
    extra.messages.find((m) => m.from === 'P' && m.to === 'UP')!.contact!,
    /^<sip:1001@127\.0\.0\.1:5360;ctid=\d+;nat=yes>;expires=3600$/,
  );
});

test('mode 2 mid_registrar_lookup: the AoR in the R-URI user routes to the local contacts; -1 for an unknown AoR', async () => {
  const r = await scenarioOf(
    cfg(),
    `${UP}${UAS}timeline:\n  - t=0 UA1 REGISTER expires=200\n  - t=10 C INVITE 1001 via=UP\n  - t=20 C INVITE 9999 via=P\n`,
  );
  assert.ok(
    r.logs.some((l) => /^10 P: lookup=1 ru=sip:1001@127\.0\.0\.10:5060$/.test(l)),
    r.logs.join('\n'),
  );
  assert.ok(
    r.messages.some((m) => m.t === 10 && m.from === 'P' && m.to === 'UA1' && m.method === 'INVITE' && m.isRequest),
  );
  assert.ok(
    r.messages.some((m) => m.t === 10 && m.to === 'C' && m.status === 200),
    'the call is answered through UP and P',
  );
  assert.ok(r.logs.some((l) => /^20 P: lookup=-1 /.test(l)));
});

test('tcp_persistent_flag: the UA connection is kept until the upstream expiry + 10 s; --compat mid_registrar:tcp_lifetime keeps it for good', async () => {
  const body = `${UP}uas:\n  T1: { address: "tcp:127.0.0.12:5070", user: "1001" }\ntimeline:\n  - t=0 T1 REGISTER expires=200 contact=sip:1001@127.0.0.12:5070;transport=tcp\n`;
  const fixed = await scenarioOf(cfg({ mode: 1 }), body);
  assert.ok(
    fixed.logs.some((l) =>
      l.includes('P: (network) keeps the TCP connection to tcp:127.0.0.12:5070 open until t=3610s'),
    ),
    fixed.logs.join('\n'),
  );
  const compat = await scenarioOf(cfg({ mode: 1 }), `compat: [mid_registrar:tcp_lifetime]\n${body}`);
  assert.ok(compat.logs.some((l) => l.includes('keeps the TCP connection to tcp:127.0.0.12:5070 open for good')));
  const udp = await scenarioOf(cfg({ mode: 1 }), `${UP}${UAS}timeline:\n  - t=0 UA1 REGISTER expires=200\n`);
  assert.ok(!udp.logs.some((l) => l.includes('TCP connection')), 'UDP registrations keep nothing');
});

test('ul_dump shows the ContactID sent upstream as ctid; ct-username puts the id in the user part; attr_avp and received_avp are stored', async () => {
  const d = mkdtempSync(join(tmpdir(), 'mid-'));
  writeFileSync(
    join(d, 'p.cfg'),
    cfg({
      mode: 1,
      params: [
        'modparam("mid_registrar", "attr_avp", "$avp(attr)")',
        'modparam("mid_registrar", "received_avp", "$avp(rcv)")',
      ],
    }).replace(
      'mid_registrar_save("location");',
      '$avp(attr) = "vip"; $avp(rcv) = "sip:127.0.0.10:5060"; mid_registrar_save("location");',
    ),
  );
  writeFileSync(join(d, 's.yaml'), `cfg: p.cfg\n${UP}${UAS}timeline:\n  - t=0 UA1 REGISTER expires=200\nuntil: 5\n`);
  const s = loadScenario(join(d, 's.yaml'));
  if ('errors' in s) throw new Error('scenario');
  const run = new ScenarioRun(s);
  await run.setUp();
  const trace = run.run();
  const up = trace.deliveries.map((x) => x.data.toString()).find((t) => t.startsWith('REGISTER sip:127.0.0.2'))!;
  const ctid = /;ctid=(\d+)>/.exec(up)![1];
  const dump = coreMi('t').handle({ jsonrpc: '2.0', method: 'ul_dump', id: 1 }, run.runtimeOf('P')!) as {
    result: { Domains: { AORs: { Contacts: Record<string, unknown>[] }[] }[] };
  };
  const ct = dump.result.Domains[0]!.AORs[0]!.Contacts[0]!;
  assert.equal(String(ct.ContactID), ctid);
  assert.equal(ct.Attr, 'vip');
  assert.equal(ct.Received, 'sip:127.0.0.10:5060');
  await run.tearDown();
  const byUser = await scenarioOf(
    cfg({ mode: 1, params: ['modparam("mid_registrar", "contact_id_insertion", "ct-username")'] }),
    `${UP}${UAS}timeline:\n  - t=0 UA1 REGISTER expires=200\n  - t=10 C INVITE 1001 via=UP\n`,
  );
  assert.match(
    byUser.messages.find((m) => m.from === 'P' && m.to === 'UP')!.contact!,
    /^<sip:\d+@127\.0\.0\.1:5360>;expires=3600$/,
  );
  assert.ok(
    byUser.logs.some((l) => /P: lookup=1 ru=sip:1001@127\.0\.0\.10:5060$/.test(l)),
    'mid_registrar_lookup finds the contact by the id in the user part',
  );
});

test('modes 0/1 at the 2xx: c1 without f drops the local AoR (2xx relayed without Contacts); c1f evicts the oldest; o lists only the request contacts', async () => {
  const body = `${UP}${UAS}timeline:\n  - t=0 UA1 REGISTER expires=200\n  - t=10 UA2 REGISTER expires=200\n`;
  const strict = await scenarioOf(cfg({ mode: 1, flags: 'c1' }), body);
  const toUa2 = strict.messages.find((m) => m.to === 'UA2' && m.status === 200)!;
  assert.equal(toUa2.contact, undefined, 'Contacts stripped');
  assert.deepEqual(strict.trace.tables.filter((t) => t.actor === 'P').at(-1)!.rows, []);
  const forced = await scenarioOf(cfg({ mode: 0, flags: 'c1f' }), body);
  assert.deepEqual(
    forced.trace.tables
      .filter((t) => t.actor === 'P')
      .at(-1)!
      .rows.map((r) => r.contact),
    ['sip:1001@127.0.0.11:5060'],
  );
  const only = await scenarioOf(cfg({ mode: 0, flags: 'o' }), body);
  assert.equal(
    only.messages.find((m) => m.to === 'UA2' && m.status === 200)!.contact,
    '<sip:1001@127.0.0.11:5060>;expires=130',
  );
  const all = await scenarioOf(cfg({ mode: 0 }), body);
  assert.match(
    all.messages.find((m) => m.to === 'UA2' && m.status === 200)!.contact!,
    /127\.0\.0\.10:5060>;expires=120, <sip:1001@127\.0\.0\.11:5060>;expires=130|127\.0\.0\.11:5060>;expires=130, <sip:1001@127\.0\.0\.10:5060>;expires=120/,
  );
});

test('contact_id_param names the URI parameter that carries the contact id, both ways', async () => {
  const r = await scenarioOf(
    cfg({ mode: 1, params: ['modparam("mid_registrar", "contact_id_param", "cid")'] }),
    `${UP}${UAS}timeline:\n  - t=0 UA1 REGISTER expires=200\n  - t=10 C INVITE 1001 via=UP\n`,
  );
  assert.match(
    r.messages.find((m) => m.from === 'P' && m.to === 'UP')!.contact!,
    /^<sip:1001@127\.0\.0\.1:5360;cid=\d+>;expires=3600$/,
  );
  assert.ok(
    r.logs.some((l) => /P: lookup=1 ru=sip:1001@127\.0\.0\.10:5060$/.test(l)),
    r.logs.join('\n'),
  );
});
