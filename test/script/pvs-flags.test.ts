import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engineFor, fakeMessage, out, run } from '../helpers/engine.js';

test('message flags by name: set, test, reset; names allocate bits in order', () => {
  const r = run(
    'route { setflag("A"); setflag("B"); if (isflagset("B")) $var(b) = 1; resetflag("A"); if (!isflagset("A")) $var(a) = 0; }',
  );
  assert.equal(r.runtime.vars.get('b'), 1);
  assert.equal(r.runtime.vars.get('a'), 0);
  assert.deepEqual(r.runtime.flags.known('msg'), ['A', 'B']);
  assert.equal(r.ctx.msgFlags, 2);
});

test('branch flags are a separate namespace, per branch index', () => {
  const r = run(
    'route { setbflag("DST_WS"); if (isbflagset("DST_WS", 0)) $var(x) = 1; if (isflagset("DST_WS")) $var(y) = 1; if (!setbflag("DST_WS", 3)) $var(z) = "no branch 3"; }',
  );
  assert.equal(r.runtime.vars.get('x'), 1);
  assert.equal(r.runtime.vars.get('y'), undefined);
  assert.equal(r.runtime.vars.get('z'), 'no branch 3');
  assert.equal(r.ctx.branchFlags[0], 1);
});

test('flags used in the script are allocated at start-up, before any message', () => {
  const { runtime } = engineFor('route { if (isflagset("SRC_WS")) setbflag("DST_WS"); setflag("TCP_PERSIST"); }');
  assert.deepEqual(runtime.flags.known('msg'), ['SRC_WS', 'TCP_PERSIST']);
  assert.deepEqual(runtime.flags.known('branch'), ['DST_WS']);
});

test('$avp: stacks, indexes, := and NULL deletion', () => {
  assert.equal(out('$avp(a) = 1; $avp(a) = 2; $var(out) = $avp(a);'), 2);
  assert.equal(out('$avp(a) = 1; $avp(a) = 2; $var(out) = $(avp(a)[1]);'), 1);
  assert.equal(out('$avp(a) = 1; $avp(a) = 2; $avp(a) = 3; $var(out) = $(avp(a)[-1]);'), 1);
  assert.equal(out('$avp(a) = 1; $avp(a) = 2; $avp(a) := 9; $var(out) = $(avp(a)[1]);'), null);
  assert.equal(out('$avp(a) = 1; $avp(a) = 2; $avp(a) = NULL; $var(out) = $avp(a);'), 1);
  assert.equal(out('$avp(a) = 1; $avp(a) = 2; $(avp(a)[*]) = NULL; $var(out) = $avp(a);'), null);
  assert.equal(out('$avp(a) = "x"; $avp(a) = "y"; $var(out) = $(avp(a)[*]);'), 'y,x');
  assert.equal(out('$var(n) = "dyn"; $avp($var(n)) = 5; $var(out) = $avp(dyn);'), 5);
});

test('R-URI pseudo-variables read and write parts of the current R-URI', () => {
  const r = run(
    'route { $var(u) = $rU; $var(d) = $rd; $var(p) = $rp; $rU = "carol"; $rd = "10.1.1.1"; $rp = 5080; $var(ru) = $ru; }',
  );
  assert.deepEqual(
    ['u', 'd', 'p', 'ru'].map((k) => r.runtime.vars.get(k)),
    ['bob', 'example.com', 5060, 'sip:carol@10.1.1.1:5080;transport=udp'],
  );
  assert.equal(r.ctx.msg.ruri, 'sip:bob@example.com:5060;transport=udp', 'the original R-URI is untouched ($ou)');
});

test('$rp defaults to 5060 (5061 for sips) when the URI has no port', () => {
  assert.equal(out('$var(out) = $rp;', fakeMessage({ ruri: 'sip:a@b' })), 5060);
  assert.equal(out('$var(out) = $rp;', fakeMessage({ ruri: 'sips:a@b' })), 5061);
});

test('$du can be set and cleared with NULL', () => {
  assert.equal(out('$du = "sip:10.0.0.1:5070"; $var(out) = $du;'), 'sip:10.0.0.1:5070');
  assert.equal(out('$du = "sip:x"; $du = NULL; $var(out) = $du;'), null);
});

test('From/To/Call-ID/method/headers', () => {
  const msg = fakeMessage({ hdrs: { Via: ['SIP/2.0/UDP 1.1.1.1', 'SIP/2.0/UDP 2.2.2.2'], 'User-Agent': ['Zoiper'] } });
  const r = run(
    'route { $var(a) = $fu; $var(b) = $fU; $var(c) = $ft; $var(d) = $tu; $var(e) = $ci; $var(f) = $rm; $var(g) = $(hdr(Via)[1]); $var(h) = $hdr(via); $var(i) = $ua; $var(j) = $(hdr(Via)[-1]); $var(k) = $hdrcnt(Via); }',
    msg,
  );
  assert.deepEqual(
    ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k'].map((k) => r.runtime.vars.get(k)),
    [
      'sip:alice@example.com',
      'alice',
      'f1',
      'sip:bob@example.com',
      'call-1',
      'INVITE',
      'SIP/2.0/UDP 2.2.2.2',
      'SIP/2.0/UDP 1.1.1.1',
      'Zoiper',
      'SIP/2.0/UDP 2.2.2.2',
      2,
    ],
  );
});

test('$socket_in fields and $socket_out assignment to a declared socket', () => {
  const r = run(
    'socket=udp:127.0.0.1:5060\nsocket=tcp:127.0.0.1:5061\nroute { $var(p) = $socket_in(proto); $var(port) = $socket_in(port); $socket_out = "tcp:127.0.0.1:5061"; $var(o) = $socket_out; $var(f) = $socket_out(forced); $socket_out = "udp:9.9.9.9:1"; $var(o2) = $socket_out; }',
  );
  assert.deepEqual(
    ['p', 'port', 'o', 'f', 'o2'].map((k) => r.runtime.vars.get(k)),
    ['udp', 5060, 'tcp:127.0.0.1:5061', 'tcp:127.0.0.1:5061', 'tcp:127.0.0.1:5061'],
  );
  assert.match(r.logs.join(''), /not a listening socket/);
});

test('$cfg_line, $Ts on the virtual clock, $retcode', () => {
  const r = run('route {\n\t$var(l) = $cfg_line;\n\t$var(t) = $Ts;\n}');
  assert.equal(r.runtime.vars.get('l'), 2);
  assert.equal(r.runtime.vars.get('t'), Date.UTC(2026, 10, 25, 12, 0, 0) / 1000);
});

test('read-only pseudo-variables cannot be assigned (a start-up error)', () => {
  const { diagnostics } = engineFor('route { $ci = "x"; $si = "1.2.3.4"; }');
  assert.deepEqual(
    diagnostics.filter((d) => d.startsWith('readonly')),
    [
      'readonly-assign@1: `$ci` is read-only: it cannot be assigned',
      'readonly-assign@1: `$si` is read-only: it cannot be assigned',
    ],
  );
});

test('unknown pseudo-variables are start-up errors; 2.x names like $proto too', () => {
  const { diagnostics } = engineFor('route { $var(a) = $proto; $var(b) = $Ri; }');
  assert.deepEqual(
    diagnostics.filter((d) => d.startsWith('pvar-unknown')),
    ['pvar-unknown@1: unknown pseudo-variable `$proto`', 'pvar-unknown@1: unknown pseudo-variable `$Ri`'],
  );
});

test('transformations', () => {
  assert.equal(out('$var(out) = $(ru{uri.user});'), 'bob');
  assert.equal(out('$var(out) = $(ru{uri.host}{s.toupper});'), 'EXAMPLE.COM');
  assert.equal(out('$var(out) = $(rU{s.len});'), 3);
  assert.equal(out('$var(s) = "abcdef"; $var(out) = $(var(s){s.substr,1,3});'), 'bcd');
  assert.equal(out('$var(out) = $(ru{uri.param,transport});'), 'udp');
  assert.equal(out('$var(p) = "a=1;b=2"; $var(out) = $(var(p){param.value,b});'), '2');
  assert.equal(out('$var(s) = "12abc"; $var(out) = $(var(s){s.int}) + 1;'), 13);
});

test('core R-URI functions: sethostport keeps user and params, drops maddr; strip/prefix', () => {
  assert.equal(
    out(
      'sethostport("172.16.4.114:5060"); $var(out) = $ru;',
      fakeMessage({ ruri: 'sip:172.16.4.111:5360;transport=udp' }),
    ),
    'sip:172.16.4.114:5060;transport=udp',
  );
  assert.equal(
    out('sethostport("h2"); $var(out) = $ru;', fakeMessage({ ruri: 'sip:u@h:1;maddr=x;lr' })),
    'sip:u@h2;lr',
  );
  assert.equal(out('strip(2); prefix("+49"); $var(out) = $rU;', fakeMessage({ ruri: 'sip:0030123@h' })), '+4930123');
  assert.equal(out('seturi("sip:x@y"); revert_uri(); $var(out) = $ru;'), 'sip:bob@example.com:5060;transport=udp');
});
