// dialog persistence (db_mode) on every DB backend: a confirmed dialog is in the
// `dialog` table with its legs, values and profiles; after a restart it is
// back (MI, profiles, matching of its BYE) with its timeout re-armed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coreMi } from '../../src/core/mi-core.js';
import { dbText, type DbValue } from '../../src/db/index.js';
import { dbModuleFor, forEachBackend } from '../helpers/db-backends.js';
import { scriptLines, serverFor, type Harness } from '../helpers/server.js';

const cfg = (url: string, mode: number) => `socket=udp:127.0.0.1:5060
loadmodule "${dbModuleFor(url)}.so"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "dialog.so"
modparam("dialog", "db_url", "${url}")
modparam("dialog", "db_mode", ${mode})
modparam("dialog", "db_update_period", 10)
modparam("dialog", "default_timeout", 100)
modparam("dialog", "profiles_with_value", "caller")
route {
\tif (has_totag()) {
\t\tloose_route();
\t\txlog("L_NOTICE", "$rm status=$DLG_status who=$dlg_val(who)\\n");
\t\tt_relay();
\t\texit;
\t}
\tcreate_dialog("B");
\tset_dlg_profile("caller", "$fU");
\t$dlg_val(who) = $fU;
\trecord_route();
\t$du = "sip:127.0.0.20:5060";
\tt_relay();
}
`;

function invite(id: string): string {
  return `INVITE sip:1001@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.11:5060;branch=z9hG4bK-${id}\r\nFrom: <sip:1002@127.0.0.11>;tag=a${id}\r\nTo: <sip:1001@127.0.0.1>\r\nCall-ID: ${id}\r\nCSeq: 10 INVITE\r\nContact: <sip:1002@127.0.0.11:5060>\r\nContent-Length: 0\r\n\r\n`;
}

function answer(h: Harness, id: string): { rr: string } {
  const fwd = h.sent.find((s) => s.text.startsWith('INVITE') && s.text.includes(`Call-ID: ${id}\r\n`))!.text;
  const vias = fwd.match(/\r\nVia: [^\r]+/g)!.join('');
  const rr = /\r\nRecord-Route: <([^>]+)>/.exec(fwd)![1]!;
  h.receive(
    `SIP/2.0 200 OK${vias}\r\nRecord-Route: <${rr}>\r\nFrom: <sip:1002@127.0.0.11>;tag=a${id}\r\nTo: <sip:1001@127.0.0.1>;tag=b${id}\r\nCall-ID: ${id}\r\nCSeq: 10 INVITE\r\nContact: <sip:1001@127.0.0.20:5060>\r\nContent-Length: 0\r\n\r\n`,
    '127.0.0.20',
  );
  return { rr };
}

const bye = (id: string, rr: string) =>
  `BYE sip:1001@127.0.0.20:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.11:5060;branch=z9hG4bK-bye${id}\r\nRoute: <${rr}>\r\nFrom: <sip:1002@127.0.0.11>;tag=a${id}\r\nTo: <sip:1001@127.0.0.1>;tag=b${id}\r\nCall-ID: ${id}\r\nCSeq: 11 BYE\r\nContent-Length: 0\r\n\r\n`;

const mi = (h: Harness, method: string, params?: unknown) =>
  coreMi('test').handle({ jsonrpc: '2.0', method, params, id: 1 }, h.server.rt) as { result?: any };

forEachBackend('dialog persistence', (b) => {
  const freshDb = () => b.fresh(['dialog']);
  test('db_mode 1: the confirmed dialog is written at once; after a restart it is back with its profile and value, its BYE matches and the row goes', () => {
    const { url, db } = freshDb();
    const h1 = serverFor(cfg(url, 1));
    h1.receive(invite('p1'), '127.0.0.11');
    assert.deepEqual(db.query('dialog'), [], 'not before the 2xx');
    const { rr } = answer(h1, 'p1');
    const rows = db.query('dialog') as Record<string, unknown>[];
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.callid, 'p1');
    assert.equal(rows[0]!.from_tag, 'ap1');
    assert.equal(rows[0]!.to_tag, 'bp1');
    assert.equal(rows[0]!.callee_contact, 'sip:1001@127.0.0.20:5060');
    assert.equal(rows[0]!.state, 3);
    assert.equal(dbText(rows[0]!.vars as DbValue), 'who#1002\n');
    assert.equal(rows[0]!.profiles, 'caller#1002\n');
    assert.equal(rows[0]!.flags, 1 << 3, 'B (DLG_FLAG_BYEONTIMEOUT)');

    const h2 = serverFor(cfg(url, 1));
    const list = mi(h2, 'dlg_list').result.Dialogs;
    assert.equal(list.length, 1);
    assert.equal(list[0].callid, 'p1');
    assert.equal(list[0].CALLEES[0].callee_contact, 'sip:1001@127.0.0.20:5060');
    assert.equal(mi(h2, 'profile_get_size', ['caller', '1002']).result.Profile.count, 1);
    h2.receive(bye('p1', rr), '127.0.0.11');
    assert.deepEqual(scriptLines(h2.logs), ['BYE status=5 who=1002']);
    assert.deepEqual(db.query('dialog'), []);
  });

  test('db_mode 1: a restored dialog keeps its timeout; with B it ends with a BYE to each side', () => {
    const { url, db } = freshDb();
    const h1 = serverFor(cfg(url, 1));
    h1.receive(invite('p2'), '127.0.0.11');
    answer(h1, 'p2');
    const h2 = serverFor(cfg(url, 1));
    h2.clock.advance(99_000);
    assert.equal(mi(h2, 'dlg_list').result.Dialogs.length, 1);
    h2.clock.advance(2_000);
    assert.equal(mi(h2, 'dlg_list').result.Dialogs.length, 0);
    assert.equal(
      new Set(h2.sent.filter((s) => s.text.startsWith('BYE')).map((s) => s.text)).size,
      2,
      'one BYE each side (and its retransmissions)',
    );
    assert.deepEqual(db.query('dialog'), []);
  });

  test('db_mode 2: changes are written at the next db_update_period; db_mode 3 only when the server stops', async () => {
    const { url, db } = freshDb();
    const h = serverFor(cfg(url, 2));
    h.receive(invite('p3'), '127.0.0.11');
    answer(h, 'p3');
    assert.deepEqual(db.query('dialog'), []);
    await h.server.start();
    h.clock.advance(10_000);
    assert.equal((db.query('dialog') as unknown[]).length, 1);
    await h.server.stop();

    const other = freshDb();
    const h3 = serverFor(cfg(other.url, 3));
    await h3.server.start();
    h3.receive(invite('p4'), '127.0.0.11');
    answer(h3, 'p4');
    h3.clock.advance(20_000);
    assert.deepEqual(other.db.query('dialog'), []);
    await h3.server.stop();
    assert.equal((other.db.query('dialog') as unknown[]).length, 1);
  });

  test('a restored established dialog with create_dialog("p") is pinged again (load_dialog_info_from_db re-arms the ping timer)', () => {
    const { url } = freshDb();
    const pinged = (u: string) =>
      cfg(u, 1)
        .replace('create_dialog("B")', 'create_dialog("Bp")')
        .replace('route {', 'modparam("dialog", "options_ping_interval", 10)\nroute {');
    const h1 = serverFor(pinged(url));
    h1.receive(invite('p5'), '127.0.0.11');
    const { rr } = answer(h1, 'p5');
    h1.receive(bye('p5', rr).replace(/BYE/g, 'ACK').replace('CSeq: 11 ACK', 'CSeq: 10 ACK'), '127.0.0.11');
    const h2 = serverFor(pinged(url));
    assert.equal(mi(h2, 'dlg_list').result.Dialogs.length, 1);
    h2.clock.advance(10_000);
    const ping = h2.sent.find((s) => s.text.startsWith('OPTIONS sip:1001@127.0.0.20:5060 '));
    assert.ok(ping, h2.sent.map((s) => s.text.split('\r\n')[0]).join('\n'));
    assert.match(ping.text, /\r\nCSeq: 11 OPTIONS\r\n/);
  });

  test('MI dlg_db_sync loads the dialogs another node wrote meanwhile (once each); without db_mode it is refused', () => {
    const { url } = freshDb();
    const h2 = serverFor(cfg(url, 1));
    const h1 = serverFor(cfg(url, 1));
    h1.receive(invite('p5'), '127.0.0.11');
    answer(h1, 'p5');
    assert.equal(mi(h2, 'dlg_list').result.Dialogs.length, 0, 'started before the call');
    assert.equal(mi(h2, 'dlg_db_sync').result, 'OK');
    assert.deepEqual(
      mi(h2, 'dlg_list').result.Dialogs.map((d: { callid: string }) => d.callid),
      ['p5'],
    );
    assert.equal(mi(h2, 'dlg_db_sync').result, 'OK');
    assert.equal(mi(h2, 'dlg_list').result.Dialogs.length, 1, 'a second sync adds nothing');
    assert.equal(mi(h2, 'profile_get_size', ['caller', '1002']).result.Profile.count, 1);
    const off = serverFor(cfg(url, 0));
    assert.equal((mi(off, 'dlg_db_sync') as { error?: { code: number } }).error?.code, 400);
  });
});
