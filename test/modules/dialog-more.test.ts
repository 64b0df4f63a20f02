// dialog beyond the basics: matching without the did (dlg_match_mode),
// validate_dialog/fix_route_dialog, dialog flags, get_dialog_info,
// get_dialogs_by_profile, dlg_on_answer/timeout/hangup, create_dialog's B
// flag, dlg_send_sequential, the MI commands, statistics and
// E_DLG_STATE_CHANGED.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scriptLines, serverFor, type Harness } from '../helpers/server.js';
import { coreMi } from '../../src/core/mi-core.js';
import { lintCfg } from '../../src/lint/lint.js';

const HEAD = `socket=udp:127.0.0.1:5060
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "dialog.so"
modparam("dialog", "profiles_with_value", "caller")
modparam("dialog", "profiles_no_value", "inbound")
`;

/** The caller (127.0.0.11) sends an INVITE with its Contact and a Record-Route of a proxy before us. */
function invite(id: string, cseq = 10): string {
  return (
    `INVITE sip:1001@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.11:5060;branch=z9hG4bK-${id}\r\n` +
    `Record-Route: <sip:127.0.0.9;lr>\r\n` +
    `From: <sip:1002@127.0.0.11>;tag=a${id}\r\nTo: <sip:1001@127.0.0.1>\r\nCall-ID: ${id}\r\nCSeq: ${cseq} INVITE\r\n` +
    `Contact: <sip:1002@127.0.0.11:5060>\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n`
  );
}

/** The callee's 200 to the forwarded INVITE: our Record-Route echoed, its Contact. */
function ok(h: Harness, id: string, code = '200 OK'): string {
  const fwd = h.sent.find((s) => s.text.startsWith('INVITE') && s.text.includes(`Call-ID: ${id}\r\n`))!.text;
  const vias = fwd.match(/\r\nVia: [^\r]+/g)!.join('');
  const rrs = (fwd.match(/\r\nRecord-Route: [^\r]+/g) ?? []).join('');
  return (
    `SIP/2.0 ${code}${vias}${rrs}\r\nFrom: <sip:1002@127.0.0.11>;tag=a${id}\r\nTo: <sip:1001@127.0.0.1>;tag=b${id}\r\n` +
    `Call-ID: ${id}\r\nCSeq: ${/CSeq: (\d+)/.exec(fwd)![1]} INVITE\r\nContact: <sip:1001@127.0.0.20:5060>\r\nContent-Length: 0\r\n\r\n`
  );
}

function ourRoute(h: Harness, id: string): string {
  const fwd = h.sent.find((s) => s.text.startsWith('INVITE') && s.text.includes(`Call-ID: ${id}\r\n`))!.text;
  return /\r\nRecord-Route: <([^>]+)>/.exec(fwd)![1]!;
}

/** A sequential request; `up` = from the callee. */
function seq(
  method: string,
  id: string,
  cseq: number,
  opts: { up?: boolean; route?: string; ruri?: string; extraRoute?: string } = {},
): string {
  const [from, to] = opts.up
    ? [`<sip:1001@127.0.0.1>;tag=b${id}`, `<sip:1002@127.0.0.11>;tag=a${id}`]
    : [`<sip:1002@127.0.0.11>;tag=a${id}`, `<sip:1001@127.0.0.1>;tag=b${id}`];
  const ruri = opts.ruri ?? (opts.up ? 'sip:1002@127.0.0.11:5060' : 'sip:1001@127.0.0.20:5060');
  const routes = [opts.route, opts.extraRoute]
    .filter(Boolean)
    .map((r) => `Route: <${r}>\r\n`)
    .join('');
  return (
    `${method} ${ruri} SIP/2.0\r\nVia: SIP/2.0/UDP ${opts.up ? '127.0.0.20' : '127.0.0.11'}:5060;branch=z9hG4bK-${method}${cseq}${id}\r\n` +
    `${routes}From: ${from}\r\nTo: ${to}\r\nCall-ID: ${id}\r\nCSeq: ${cseq} ${method}\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n`
  );
}

function mi(h: Harness, method: string, params?: unknown): { result?: any; error?: { code: number; message: string } } {
  return coreMi('test').handle({ jsonrpc: '2.0', method, params, id: 1 }, h.server.rt) as never;
}

test('dlg_match_mode 2: no did in the Record-Route; sequential requests from both sides match by Call-ID and tags ($DLG_dir)', () => {
  const h = serverFor(`${HEAD}modparam("dialog", "dlg_match_mode", 2)
route {
\tif (has_totag()) {
\t\tloose_route();
\t\txlog("L_NOTICE", "$rm status=$DLG_status dir=$DLG_dir did=$DLG_did\\n");
\t\tt_relay();
\t\texit;
\t}
\tcreate_dialog();
\trecord_route();
\t$du = "sip:127.0.0.20:5060";
\tt_relay();
}
`);
  h.receive(invite('m1'), '127.0.0.11');
  const rr = ourRoute(h, 'm1');
  assert.doesNotMatch(rr, /did=/);
  h.receive(ok(h, 'm1'), '127.0.0.20');
  h.receive(seq('ACK', 'm1', 10, { route: rr }), '127.0.0.11');
  h.receive(seq('INFO', 'm1', 5, { route: rr, up: true }), '127.0.0.20');
  h.receive(seq('BYE', 'm1', 6, { route: rr, up: true }), '127.0.0.20');
  h.receive(seq('BYE', 'm1', 7, { route: rr, up: true }), '127.0.0.20');
  assert.deepEqual(scriptLines(h.logs), [
    'ACK status=4 dir=downstream did=1.1',
    'INFO status=4 dir=upstream did=1.1',
    'BYE status=5 dir=upstream did=1.1',
    'BYE status=<null> dir=<null> did=<null>',
  ]);
});

test('dlg_match_mode 0: only the did matches; a Route without it, or a did whose tags differ, finds nothing', () => {
  const h = serverFor(`${HEAD}modparam("dialog", "dlg_match_mode", 0)
route {
\tif (has_totag()) {
\t\tloose_route();
\t\txlog("L_NOTICE", "$rm $ci status=$DLG_status\\n");
\t\texit;
\t}
\tcreate_dialog();
\trecord_route();
\t$du = "sip:127.0.0.20:5060";
\tt_relay();
}
`);
  h.receive(invite('z1'), '127.0.0.11');
  const rr = ourRoute(h, 'z1');
  assert.match(rr, /;did=1\.1$/);
  h.receive(ok(h, 'z1'), '127.0.0.20');
  h.receive(seq('INFO', 'z1', 11, { route: rr.replace(/;did=.*/, '') }), '127.0.0.11');
  h.receive(seq('INFO', 'zz', 11, { route: rr }), '127.0.0.11');
  h.receive(seq('INFO', 'z1', 12, { route: rr }), '127.0.0.11');
  assert.deepEqual(scriptLines(h.logs), [
    'INFO z1 status=<null>',
    'INFO zz status=<null>',
    'INFO z1 status=4'.replace('4', '3'),
  ]);
});

const VALIDATE = `${HEAD}route {
\tif (has_totag()) {
\t\t$var(pre) = validate_dialog();
\t\tloose_route();
\t\t$var(v) = validate_dialog();
\t\txlog("L_NOTICE", "$rm before=$var(pre) after=$var(v)\\n");
\t\tif ($rm == "INFO") {
\t\t\t$var(f) = fix_route_dialog();
\t\t\txlog("L_NOTICE", "fix=$var(f) ru=$ru du=$du\\n");
\t\t}
\t\texit;
\t}
\t$var(f) = fix_route_dialog();
\tcreate_dialog();
\txlog("L_NOTICE", "initial fix=$var(f)\\n");
\trecord_route();
\t$du = "sip:127.0.0.20:5060";
\tt_relay();
}
`;

test('validate_dialog: 1, -1 for an old CSeq, -2 for another R-URI, -3 for another route set, -4 without a dialog; fix_route_dialog rebuilds the R-URI and Route from the leg', () => {
  const h = serverFor(VALIDATE);
  h.receive(invite('v1'), '127.0.0.11');
  const rr = ourRoute(h, 'v1');
  h.receive(ok(h, 'v1'), '127.0.0.20');
  h.receive(seq('ACK', 'v1', 10, { route: rr }), '127.0.0.11');
  h.receive(seq('UPDATE', 'v1', 11, { route: rr }), '127.0.0.11');
  h.receive(seq('UPDATE', 'v1', 11, { route: rr }), '127.0.0.11');
  h.receive(seq('UPDATE', 'v1', 12, { route: rr, ruri: 'sip:1001@127.0.0.99' }), '127.0.0.11');
  h.receive(seq('UPDATE', 'v1', 13, { route: rr, extraRoute: 'sip:127.0.0.77;lr' }), '127.0.0.11');
  // From the callee: the caller leg's route set is the INVITE's Record-Route.
  h.receive(seq('UPDATE', 'v1', 20, { route: rr, up: true, extraRoute: 'sip:127.0.0.9;lr' }), '127.0.0.20');
  h.receive(seq('INFO', 'v1', 21, { route: rr, up: true, ruri: 'sip:someone@127.0.0.99' }), '127.0.0.20');
  assert.deepEqual(scriptLines(h.logs), [
    'initial fix=-1',
    'ACK before=-4 after=1',
    'UPDATE before=-4 after=1',
    'UPDATE before=-4 after=-1',
    'UPDATE before=-4 after=-2',
    'UPDATE before=-4 after=-3',
    'UPDATE before=-4 after=1',
    'INFO before=-4 after=-2',
    'fix=1 ru=sip:1002@127.0.0.11:5060 du=sip:127.0.0.9;lr',
  ]);
});

test('dialog flags: set/reset/is_dlg_flag_set, test_and_set_dlg_flag (1 flips a flag that had the value, -1 otherwise, -2 without a dialog)', () => {
  const h = serverFor(`${HEAD}route {
\t$var(none) = test_and_set_dlg_flag(3, 0);
\t$var(noset) = set_dlg_flag(3);
\tcreate_dialog();
\t$var(a) = test_and_set_dlg_flag(3, 1);
\t$var(b) = test_and_set_dlg_flag(3, 0);
\t$var(c) = is_dlg_flag_set(3);
\t$var(d) = test_and_set_dlg_flag(3, 1);
\t$var(e) = is_dlg_flag_set(3);
\tset_dlg_flag(31);
\t$var(f) = $DLG_flags;
\treset_dlg_flag(31);
\t$var(g) = test_and_set_dlg_flag(40, 1);
\txlog("L_NOTICE", "$var(none) $var(noset) $var(a) $var(b) $var(c) $var(d) $var(e) $var(f) $DLG_flags $var(g)\\n");
\tsl_send_reply(404, "Not Found");
}
`);
  h.receive(invite('f1'), '127.0.0.11');
  assert.deepEqual(scriptLines(h.logs), ['-2 -1 -1 1 1 1 -1 2147483648 0 -1']);
});

test('lint: set_dlg_flag with an index over 31 is an error (3.3 refuses to start)', () => {
  const text = `${HEAD}route {\n\tset_dlg_flag(32);\n}\n`;
  const found = lintCfg('/t/f.cfg', {
    profile: { strict: false },
    readFile: () => text,
    fileExists: () => true,
    cwd: '/t',
  }).diagnostics;
  assert.ok(
    found.some((d) => d.severity === 'error' && d.message.includes('flag index too high <32> (max=31)')),
    found.map((d) => d.message).join('\n'),
  );
});

test('get_dialog_info and get_dialogs_by_profile: the count (-1 for none), the values and the JSONs into AVPs', () => {
  const h = serverFor(`${HEAD}route {
\tif ($rm == "OPTIONS") {
\t\t$var(n) = get_dialog_info("who", $avp(who), "group", "sales", $var(count));
\t\t$var(m) = get_dialogs_by_profile("caller", "1002", $avp(js), $var(pcount));
\t\t$var(u) = get_dialogs_by_profile("caller", "nobody", $avp(none), $var(x));
\t\t$var(w) = get_dialog_info("who", $avp(w2), "group", "nobody", $var(y));
\t\txlog("L_NOTICE", "info=$var(n) count=$var(count) who=$(avp(who)[*]) prof=$var(m) pcount=$var(pcount) none=$var(u) w=$var(w)\\n");
\t\txlog("L_NOTICE", "$avp(js)\\n");
\t\tsl_send_reply(200, "OK");
\t\texit;
\t}
\tcreate_dialog();
\tset_dlg_profile("caller", "$fU");
\t$dlg_val(group) = "sales";
\t$dlg_val(who) = $ci;
\t$du = "sip:127.0.0.20:5060";
\tt_relay();
}
`);
  h.receive(invite('g1'), '127.0.0.11');
  h.receive(invite('g2'), '127.0.0.11');
  h.receive(
    'OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.11;branch=z9hG4bK-o\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: o\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n',
    '127.0.0.11',
  );
  const [line, json] = scriptLines(h.logs);
  assert.equal(line, 'info=2 count=2 who=g2,g1 prof=2 pcount=2 none=-1 w=-1');
  const d = JSON.parse(json!);
  assert.equal(d.callid, 'g2');
  assert.equal(d.state, '1');
  assert.deepEqual(d.values, { group: 'sales', who: 'g2' });
  assert.deepEqual(d.profiles, { caller: ['1002'] });
  assert.deepEqual(d.caller, {
    tag: 'ag2',
    contact: 'sip:1002@127.0.0.11:5060',
    cseq: '10',
    route_set: '<sip:127.0.0.9;lr>',
    bind_addr: 'udp:127.0.0.1:5060',
    sdp: '',
  });
});

test('dlg_on_answer, dlg_on_timeout (its route may extend the dialog with $DLG_timeout) and dlg_on_hangup run their routes on the dialog; $DLG_end_reason', () => {
  const h = serverFor(
    `${HEAD}modparam("dialog", "default_timeout", 10)
route {
\tif (has_totag()) {
\t\tloose_route();
\t\tt_relay();
\t\texit;
\t}
\tcreate_dialog();
\t$dlg_val(n) = "0";
\tdlg_on_answer("answered");
\tdlg_on_timeout("timedout");
\tdlg_on_hangup("hungup");
\trecord_route();
\t$du = "sip:127.0.0.20:5060";
\tt_relay();
}
route[answered] { xlog("L_NOTICE", "answered $DLG_status $DLG_did\\n"); }
route[timedout] {
\txlog("L_NOTICE", "timeout $dlg_val(n) $DLG_lifetime\\n");
\tif ($dlg_val(n) == "0") { $dlg_val(n) = "1"; $DLG_timeout = 5; }
}
route[hungup] { xlog("L_NOTICE", "hangup $DLG_status\\n"); }
event_route[E_DLG_STATE_CHANGED] { xlog("L_NOTICE", "event $param(callid) $param(old_state)->$param(new_state)\\n"); }
`.replace('loadmodule "dialog.so"', 'loadmodule "dialog.so"\nloadmodule "event_route.so"'),
  );
  h.receive(invite('t1'), '127.0.0.11');
  h.receive(ok(h, 't1'), '127.0.0.20');
  h.clock.advance(10_000);
  h.clock.advance(5_000);
  const lines = scriptLines(h.logs);
  assert.deepEqual(lines, ['answered 3 1.1', 'event t1 1->3', 'timeout 0 10', 'timeout 1 15', 'event t1 3->5']);
  assert.equal(mi(h, 'get_statistics', [['dialog:expired_dialogs']]).result?.['dialog:expired_dialogs'], 1);
  h.receive(invite('t2'), '127.0.0.11');
  const rr = ourRoute(h, 't2');
  h.receive(ok(h, 't2'), '127.0.0.20');
  h.clock.advance(1);
  h.receive(seq('BYE', 't2', 11, { route: rr }), '127.0.0.11');
  h.clock.advance(1);
  assert.deepEqual(scriptLines(h.logs).slice(5), ['answered 3 2.2', 'event t2 1->3', 'hangup 3', 'event t2 3->5']);
});

test('create_dialog("B"): when the dialog times out each side gets a BYE with the dialog\'s tags, the next CSeq and its route set', () => {
  const h = serverFor(`${HEAD}modparam("dialog", "default_timeout", 30)
route {
\tif (has_totag()) { loose_route(); t_relay(); exit; }
\tcreate_dialog("B");
\trecord_route();
\t$du = "sip:127.0.0.20:5060";
\tt_relay();
}
`);
  h.receive(invite('b1'), '127.0.0.11');
  const rr = ourRoute(h, 'b1');
  h.receive(ok(h, 'b1'), '127.0.0.20');
  h.receive(seq('ACK', 'b1', 10, { route: rr }), '127.0.0.11');
  h.receive(seq('INFO', 'b1', 30, { route: rr, up: true }), '127.0.0.20');
  const before = h.sent.length;
  h.clock.advance(30_000);
  const byes = h.sent.slice(before).filter((s) => s.text.startsWith('BYE'));
  assert.equal(byes.length, 2);
  const toCaller = byes.find((b) => b.text.startsWith('BYE sip:1002@127.0.0.11:5060 '))!;
  const toCallee = byes.find((b) => b.text.startsWith('BYE sip:1001@127.0.0.20:5060 '))!;
  assert.equal(toCaller.to, '127.0.0.9:5060', 'through the route set of the caller');
  assert.match(toCaller.text, /\r\nRoute: <sip:127\.0\.0\.9;lr>\r\n/);
  assert.match(toCaller.text, /\r\nFrom: <sip:1001@127\.0\.0\.1>;tag=bb1\r\nTo: <sip:1002@127\.0\.0\.11>;tag=ab1\r\n/);
  assert.match(toCaller.text, /\r\nCSeq: 31 BYE\r\n/);
  assert.equal(toCallee.to, '127.0.0.20:5060');
  assert.doesNotMatch(toCallee.text, /\r\nRoute:/);
  assert.match(toCallee.text, /\r\nFrom: <sip:1002@127\.0\.0\.11>;tag=ab1\r\nTo: <sip:1001@127\.0\.0\.1>;tag=bb1\r\n/);
  assert.match(toCallee.text, /\r\nCSeq: 11 BYE\r\n/);
  assert.equal(mi(h, 'dlg_list').result?.Dialogs.length, 0);
});

test('dlg_send_sequential: a request of the proxy to one leg (-1 without a dialog)', () => {
  const h = serverFor(`${HEAD}route {
\tif (has_totag()) {
\t\tloose_route();
\t\tif ($rm == "INFO") {
\t\t\t$var(r) = dlg_send_sequential("OPTIONS", "caller", "hello", "text/plain", "X-Why: test");
\t\t\txlog("L_NOTICE", "sent $var(r)\\n");
\t\t\tsl_send_reply(200, "OK");
\t\t\texit;
\t\t}
\t\tt_relay();
\t\texit;
\t}
\t$var(r) = dlg_send_sequential("OPTIONS", "callee");
\txlog("L_NOTICE", "without $var(r)\\n");
\tcreate_dialog();
\trecord_route();
\t$du = "sip:127.0.0.20:5060";
\tt_relay();
}
`);
  h.receive(invite('s1'), '127.0.0.11');
  const rr = ourRoute(h, 's1');
  h.receive(ok(h, 's1'), '127.0.0.20');
  h.receive(seq('INFO', 's1', 11, { route: rr }), '127.0.0.11');
  assert.deepEqual(scriptLines(h.logs), ['without -1', 'sent 1']);
  const opt = h.sent.find((s) => s.text.startsWith('OPTIONS sip:1002@127.0.0.11:5060 '))!;
  assert.match(opt.text, /\r\nCSeq: 11 OPTIONS\r\n/);
  // dlg_get_leg_hdrs: the callee's Contact, the Content-Type, then the script's headers.
  assert.match(
    opt.text,
    /\r\nContact: <sip:1001@127\.0\.0\.20:5060>\r\nContent-Type: text\/plain\r\nX-Why: test\r\nContent-Length: 5\r\n\r\nhello$/,
  );
});

test('MI: dlg_list / dlg_list_ctx, profile_list_dlgs, profile_get_values, list_all_profiles, dlg_end_dlg; statistics', () => {
  const h = serverFor(`${HEAD}route {
\tif (has_totag()) { loose_route(); t_relay(); exit; }
\tcreate_dialog();
\tset_dlg_profile("caller", "$fU");
\tset_dlg_profile("inbound");
\t$dlg_val(x) = "y";
\trecord_route();
\t$du = "sip:127.0.0.20:5060";
\tt_relay();
}
`);
  h.receive(invite('l1'), '127.0.0.11');
  h.receive(ok(h, 'l1'), '127.0.0.20');
  h.receive(invite('l2'), '127.0.0.11');
  h.receive(ok(h, 'l2', '180 Ringing'), '127.0.0.20');
  const list = mi(h, 'dlg_list').result;
  assert.equal(list.Dialogs.length, 2);
  const d = list.Dialogs[0];
  assert.equal(d.ID, '1.1');
  assert.equal(d.db_id, String((1n << 32n) | 1n));
  assert.equal(d.state, 3);
  assert.equal(d.callid, 'l1');
  assert.equal(d.caller_tag, 'al1');
  assert.equal(d.caller_contact, 'sip:1002@127.0.0.11:5060');
  assert.equal(d.caller_route_set, '<sip:127.0.0.9;lr>');
  assert.deepEqual(d.CALLEES, [
    {
      callee_tag: 'bl1',
      callee_contact: 'sip:1001@127.0.0.20:5060',
      caller_cseq: '10',
      callee_route_set: '',
      callee_bind_addr: 'udp:127.0.0.1:5060',
    },
  ]);
  assert.equal(d.context, undefined);
  assert.equal(mi(h, 'dlg_list', { callid: 'l2' }).result.Dialog.state, 2);
  assert.deepEqual(mi(h, 'dlg_list', { callid: 'nope' }).error, { code: 404, message: 'No such dialog' });
  assert.deepEqual(
    mi(h, 'dlg_list', { index: 1, counter: 5 }).result.Dialogs.map((x: any) => x.callid),
    ['l2'],
  );
  assert.deepEqual(mi(h, 'dlg_list_ctx', { callid: 'l1', from_tag: 'al1' }).result.Dialog.context, {
    values: [{ x: 'y' }],
    profiles: [{ caller: '1002' }, { inbound: '' }],
  });
  assert.deepEqual(mi(h, 'profile_list_dlgs', ['caller', '1002']).result.Dialogs.length, 2);
  assert.deepEqual(mi(h, 'profile_get_values', ['caller']).result, { Values: [{ value: '1002', count: 2 }] });
  assert.deepEqual(mi(h, 'profile_get_values', ['nope']).error, { code: 404, message: 'Profile not found' });
  assert.deepEqual(mi(h, 'list_all_profiles').result, {
    Profiles: [
      { name: 'caller', 'has value': true },
      { name: 'inbound', 'has value': false },
    ],
  });
  const stats = (names: string[]) => mi(h, 'get_statistics', [names]).result;
  assert.deepEqual(stats(['dialog:']), {
    'dialog:active_dialogs': 1,
    'dialog:early_dialogs': 1,
    'dialog:processed_dialogs': 2,
    'dialog:expired_dialogs': 0,
    'dialog:failed_dialogs': 0,
    'dialog:create_sent': 0,
    'dialog:update_sent': 0,
    'dialog:delete_sent': 0,
    'dialog:create_recv': 0,
    'dialog:update_recv': 0,
    'dialog:delete_recv': 0,
  });
  assert.deepEqual(mi(h, 'dlg_end_dlg', ['nope']).error, { code: 404, message: 'Requested Dialog not found' });
  const before = h.sent.length;
  const ended = mi(h, 'dlg_end_dlg', ['l1', 'X-Reason: admin']);
  assert.equal(ended.result, 'OK', JSON.stringify(ended));
  const byes = h.sent.slice(before).filter((s) => s.text.startsWith('BYE'));
  assert.equal(byes.length, 2);
  assert.ok(byes.every((b) => b.text.includes('\r\nX-Reason: admin\r\n')));
  assert.equal(mi(h, 'dlg_end_dlg', [list.Dialogs[1].db_id]).result, 'OK', 'by db_id; an early dialog gets no BYE');
  assert.equal(h.sent.length, before + 2);
  assert.deepEqual(mi(h, 'dlg_list').result, { Dialogs: [] });
  h.receive(ok(h, 'l2', '486 Busy Here'), '127.0.0.20');
  assert.equal(stats(['dialog:active_dialogs'])['dialog:active_dialogs'], 0);
});

test('a negative reply fails the dialog (failed_dialogs)', () => {
  const h = serverFor(`${HEAD}route {
\tcreate_dialog();
\t$du = "sip:127.0.0.20:5060";
\tt_relay();
}
`);
  h.receive(invite('n1'), '127.0.0.11');
  h.receive(ok(h, 'n1', '486 Busy Here'), '127.0.0.20');
  assert.equal(mi(h, 'get_statistics', [['dialog:failed_dialogs']]).result['dialog:failed_dialogs'], 1);
});

test('get_dialog_vals, get_dialogs_by_val: by Call-ID / by value (1 or the count; -1 for none)', () => {
  const h = serverFor(`${HEAD}route {
\tif ($rm == "OPTIONS") {
\t\t$var(a) = get_dialog_vals($avp(n), $avp(v), "v1");
\t\t$var(b) = get_dialog_vals($avp(n2), $avp(v2), "nosuch");
\t\t$var(c) = get_dialogs_by_val("group", "sales", $avp(js), $var(count));
\t\t$var(d) = get_dialogs_by_val("group", "nobody", $avp(js2), $var(c2));
\t\txlog("L_NOTICE", "vals=$var(a) names=$(avp(n)[*]) values=$(avp(v)[*]) none=$var(b) byval=$var(c) count=$var(count) nobyval=$var(d)\\n");
\t\txlog("L_NOTICE", "$avp(js)\\n");
\t\tsl_send_reply(200, "OK");
\t\texit;
\t}
\tcreate_dialog();
\t$dlg_val(group) = "sales";
\t$dlg_val(who) = $ci;
\t$dlg_val(group) = "sales";
\t$du = "sip:127.0.0.20:5060";
\tt_relay();
}
`);
  h.receive(invite('v1'), '127.0.0.11');
  h.receive(invite('v2'), '127.0.0.11');
  h.receive(
    'OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.11;branch=z9hG4bK-o\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: o\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n',
    '127.0.0.11',
  );
  const [line, json] = scriptLines(h.logs);
  // 3.3 keeps the values newest first and pushes each onto the AVP: [0] is the oldest.
  assert.equal(line, 'vals=1 names=group,who values=sales,v1 none=-1 byval=2 count=2 nobyval=-1');
  assert.equal(JSON.parse(json!).callid, 'v2');
});

test('load_dialog_ctx / unload_dialog_ctx: another dialog as the current one (by callid or did); -1 when none, nested or not loaded', () => {
  const h = serverFor(`${HEAD}modparam("dialog", "dialog_replication_cluster", 0)
route {
\tif ($rm == "OPTIONS") {
\t\t$var(u0) = unload_dialog_ctx();
\t\t$var(l0) = load_dialog_ctx("nosuch");
\t\t$var(l1) = load_dialog_ctx("x1");
\t\t$var(did) = $DLG_did;
\t\t$var(w) = $dlg_val(who);
\t\t$var(l2) = load_dialog_ctx("x2");
\t\t$var(u1) = unload_dialog_ctx();
\t\t$var(l3) = load_dialog_ctx("$var(did)", "did");
\t\t$var(w3) = $dlg_val(who);
\t\t$var(u2) = unload_dialog_ctx();
\t\t$var(s) = set_dlg_sharing_tag("vip");
\t\txlog("L_NOTICE", "u0=$var(u0) l0=$var(l0) l1=$var(l1) who=$var(w) nested=$var(l2) u1=$var(u1) bydid=$var(l3) who3=$var(w3) u2=$var(u2) after=$DLG_did shtag=$var(s)\\n");
\t\tsl_send_reply(200, "OK");
\t\texit;
\t}
\tcreate_dialog();
\t$dlg_val(who) = $ci;
\t$du = "sip:127.0.0.20:5060";
\tt_relay();
}
`);
  h.receive(invite('x1'), '127.0.0.11');
  h.receive(invite('x2'), '127.0.0.11');
  h.receive(
    'OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.11;branch=z9hG4bK-o\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: o\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n',
    '127.0.0.11',
  );
  assert.deepEqual(scriptLines(h.logs), [
    'u0=-1 l0=-1 l1=1 who=x1 nested=-1 u1=1 bydid=1 who3=x1 u2=1 after=<null> shtag=1',
  ]);
});

test('set_dlg_sharing_tag: 1 without dialog_replication_cluster; with it, -1 without a dialog and 1 with one', () => {
  const h = serverFor(`${HEAD}modparam("dialog", "dialog_replication_cluster", 1)
route {
\t$var(a) = set_dlg_sharing_tag("vip");
\tcreate_dialog();
\t$var(b) = set_dlg_sharing_tag("vip");
\txlog("L_NOTICE", "before=$var(a) after=$var(b)\\n");
\t$du = "sip:127.0.0.20:5060";
\tt_relay();
}
`);
  h.receive(invite('t1'), '127.0.0.11');
  assert.deepEqual(scriptLines(h.logs), ['before=-1 after=1']);
});

test('lint: load_dialog_ctx with a mode other than callid/did is an error (fixup_lmode)', () => {
  const text = `${HEAD}route {\n\tload_dialog_ctx("$ci", "tag");\n}\n`;
  const found = lintCfg('/t/f.cfg', {
    profile: { strict: false },
    readFile: () => text,
    fileExists: () => true,
    cwd: '/t',
  }).diagnostics;
  assert.ok(
    found.some((d) => d.severity === 'error' && d.message.includes('unsupported dialog indetifier <tag>')),
    found.map((d) => d.message).join('\n'),
  );
});
