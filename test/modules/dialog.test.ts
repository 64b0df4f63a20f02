// dialog: create_dialog() on an INVITE, the states its transaction and the
// in-dialog requests (matched by the did Record-Route parameter) move it
// through, the timeout from the 2xx, profiles for call limiting, dialog
// values and flags, $DLG_*.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { replyTo, request, scriptLines, serverFor } from '../helpers/server.js';
import { coreMi } from '../../src/core/mi-core.js';

const CFG = `socket=udp:127.0.0.1:5060
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "sipmsgops.so"
loadmodule "dialog.so"
modparam("dialog", "profiles_with_value", "caller")
modparam("dialog", "profiles_no_value", "inbound/s")
modparam("dialog", "default_timeout", 60)
route {
\tif (has_totag()) {
\t\tif (loose_route()) {
\t\t\txlog("L_NOTICE", "in-dialog $rm status $DLG_status val $dlg_val(who)\\n");
\t\t\tt_relay();
\t\t}
\t\texit;
\t}
\tget_profile_size("caller", "$fU", $var(calls));
\tif ($var(calls) >= 1) { send_reply(486, "Busy: one call at a time"); exit; }
\tcreate_dialog();
\tset_dlg_profile("caller", "$fU");
\tset_dlg_profile("inbound");
\t$dlg_val(who) = $fU;
\t$DLG_timeout = 30;
\tif (is_in_profile("caller", "$fU")) xlog("L_NOTICE", "in profile, status $DLG_status, count $DLG_count\\n");
\trecord_route();
\t$du = "sip:127.0.0.20:5060";
\tt_relay();
}
`;

const notices = scriptLines;

function inDialog(method: string, rr: string, id: string, cseq: number): string {
  return `${method} sip:1001@127.0.0.20 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.11:5060;branch=z9hG4bK-${method}${cseq}\r\nRoute: <${rr}>\r\nFrom: <sip:1002@127.0.0.11>;tag=a${id}\r\nTo: <sip:1001@127.0.0.1>;tag=b\r\nCall-ID: ${id}\r\nCSeq: ${cseq} ${method}\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n`;
}

test('a call: unconfirmed, confirmed by the 200, established by the ACK, deleted by the BYE; the profile limits the caller to one call meanwhile (MI profile_get_size)', () => {
  const h = serverFor(CFG);
  h.receive(request('INVITE', 'd1'), '127.0.0.11');
  const inv = h.sent.find((s) => s.text.startsWith('INVITE'))!.text;
  const rr = /\r\nRecord-Route: <([^>]+)>/.exec(inv)![1]!;
  assert.match(rr, /;did=[0-9a-f]+\.[0-9a-f]+$/);
  h.receive(replyTo(h, 'd1', '200 OK'), '127.0.0.20');
  h.receive(request('INVITE', 'd2'), '127.0.0.11');
  assert.match(h.sent.filter((s) => s.text.startsWith('SIP/2.0 486')).pop()!.text, /Busy: one call at a time/);
  const mi = coreMi('test');
  const size = (params: unknown) =>
    mi.handle({ jsonrpc: '2.0', method: 'profile_get_size', params, id: 1 }, h.server.rt) as {
      result?: unknown;
      error?: { code: number; message: string };
    };
  assert.deepEqual(size(['caller', '1002']).result, { Profile: { name: 'caller', value: '1002', count: 1 } });
  assert.deepEqual(size(['inbound']).result, { Profile: { name: 'inbound', value: null, count: 1, shared: 'yes' } });
  assert.deepEqual(size(['nosuch']).error, { code: 404, message: 'Profile not found' });
  h.receive(inDialog('ACK', rr, 'd1', 1), '127.0.0.11');
  h.receive(inDialog('BYE', rr, 'd1', 2), '127.0.0.11');
  h.receive(request('INVITE', 'd3'), '127.0.0.11');
  assert.deepEqual(notices(h.logs), [
    'in profile, status 1, count 1',
    'in-dialog ACK status 4 val 1002',
    'in-dialog BYE status 5 val 1002',
    'in profile, status 1, count 1',
  ]);
});

test('a failed call and a timed-out one leave the profile; the timeout counts from the 2xx ($DLG_timeout)', () => {
  const h = serverFor(CFG);
  h.receive(request('INVITE', 'f1'), '127.0.0.11');
  h.receive(replyTo(h, 'f1', '486 Busy Here'), '127.0.0.20');
  h.receive(request('INVITE', 'f2'), '127.0.0.11');
  h.receive(replyTo(h, 'f2', '200 OK'), '127.0.0.20');
  h.clock.advance(29_000);
  h.receive(request('INVITE', 'f3'), '127.0.0.11');
  assert.ok(
    h.sent.some((s) => s.text.startsWith('SIP/2.0 486 Busy: one call')),
    'still in its dialog at 29 s',
  );
  h.clock.advance(2_000);
  h.receive(request('INVITE', 'f4'), '127.0.0.11');
  assert.equal(
    notices(h.logs).filter((l) => l.startsWith('in profile')).length,
    3,
    'f1, f2 and, after the timeout, f4',
  );
});

test('return codes: create_dialog -1 on a non-INVITE; profile functions -1 without a dialog or for an undeclared profile', () => {
  const h = serverFor(`socket=udp:127.0.0.1:5060
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "dialog.so"
modparam("dialog", "profiles_no_value", "inbound")
route {
\t$var(a) = set_dlg_profile("inbound");
\t$var(b) = create_dialog();
\t$var(c) = set_dlg_profile("nosuch");
\t$var(d) = set_dlg_profile("inbound");
\t$var(e) = unset_dlg_profile("inbound");
\t$var(f) = unset_dlg_profile("inbound");
\txlog("L_NOTICE", "$var(a) $var(b) $var(c) $var(d) $var(e) $var(f)\\n");
\tsl_send_reply(200, "OK");
}
`);
  h.receive(request('INVITE', 'r1'), '127.0.0.11');
  h.receive(request('OPTIONS', 'r2'), '127.0.0.11');
  assert.deepEqual(notices(h.logs), ['-1 1 -1 1 1 -1', '-1 -1 -1 -1 -1 -1']);
});

test('a dialog whose INVITE is answered statelessly does not stay behind', () => {
  const h = serverFor(`socket=udp:127.0.0.1:5060
loadmodule "sl.so"
loadmodule "dialog.so"
route {
\tcreate_dialog();
\txlog("L_NOTICE", "count $DLG_count\\n");
\tsl_send_reply(404, "Not Found");
}
`);
  h.receive(request('INVITE', 'x1'), '127.0.0.11');
  h.clock.advance(200_000);
  h.receive(request('INVITE', 'x2'), '127.0.0.11');
  assert.deepEqual(notices(h.logs), ['count 1', 'count 1']);
});

test('return codes: match_dialog, get_profile_size, store/fetch_dlg_value and reset_dlg_flag, with and without a dialog', () => {
  const h = serverFor(`socket=udp:127.0.0.1:5060
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "dialog.so"
modparam("dialog", "profiles_with_value", "caller")
modparam("dialog", "profiles_no_value", "inbound")
route {
\tif (has_totag()) {
\t\t$var(m) = match_dialog();
\t\t$var(m2) = match_dialog();
\t\t$var(f) = fetch_dlg_value("who", $var(who));
\t\txlog("L_NOTICE", "seq match=$var(m) again=$var(m2) fetch=$var(f) who=$var(who) flag3=$DLG_flags\\n");
\t\tsl_send_reply(200, "OK");
\t\texit;
\t}
\t$var(m) = match_dialog();
\t$var(s) = store_dlg_value("who", "$fU");
\t$var(f) = fetch_dlg_value("who", $var(x));
\t$var(r) = reset_dlg_flag(3);
\t$var(p) = get_profile_size("nosuch", $var(n));
\tcreate_dialog();
\tset_dlg_profile("caller", "$fU");
\tset_dlg_profile("inbound");
\t$var(s2) = store_dlg_value("who", "$fU");
\t$var(f2) = fetch_dlg_value("who", $var(y));
\t$var(f3) = fetch_dlg_value("unset", $var(z));
\tset_dlg_flag(3);
\tset_dlg_flag(4);
\t$var(r2) = reset_dlg_flag(3);
\t$var(p2) = get_profile_size("caller", "$fU", $var(n2));
\t$var(p3) = get_profile_size("caller", "nobody", $var(n3));
\t$var(p4) = get_profile_size("inbound", "ignored", $var(n4));
\t$var(p5) = get_profile_size("caller", , $var(n5));
\txlog("L_NOTICE", "no dialog: match=$var(m) store=$var(s) fetch=$var(f) reset=$var(r) size-nosuch=$var(p)\\n");
\txlog("L_NOTICE", "dialog: store=$var(s2) fetch=$var(f2) y=$var(y) unset=$var(f3) reset=$var(r2) flags=$DLG_flags\\n");
\txlog("L_NOTICE", "sizes: $var(p2)/$var(n2) $var(p3)/$var(n3) $var(p4)/$var(n4) $var(p5)/$var(n5)\\n");
\trecord_route();
\t$du = "sip:127.0.0.20:5060";
\tt_relay();
}
`);
  h.receive(request('INVITE', 'rc1'), '127.0.0.11');
  const inv = h.sent.find((s) => s.text.startsWith('INVITE'))!.text;
  const rr = /\r\nRecord-Route: <([^>]+)>/.exec(inv)![1]!;
  h.receive(replyTo(h, 'rc1', '200 OK'), '127.0.0.20');
  // An in-dialog request matched by match_dialog() alone (no loose_route()); one of no dialog is not.
  h.receive(inDialog('INFO', rr, 'rc1', 2), '127.0.0.11');
  h.receive(inDialog('INFO', 'sip:127.0.0.1;lr', 'nodialog', 2), '127.0.0.11');
  assert.deepEqual(notices(h.logs), [
    'no dialog: match=-1 store=-1 fetch=-1 reset=-1 size-nosuch=-1',
    'dialog: store=1 fetch=1 y=1002 unset=-1 reset=1 flags=16',
    'sizes: 1/1 1/0 1/1 1/1',
    'seq match=1 again=1 fetch=1 who=1002 flag3=16',
    // $var keeps its value across messages (it is per process), as in OpenSIPS.
    'seq match=-1 again=-1 fetch=-1 who=1002 flag3=<null>',
  ]);
});
