// mid_registrar mode 0 (the blog's config): the forwarded REGISTER, the 2xx
// processing, the answer to the UA, usrloc, and mid_registrar_lookup by ctid.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCfg } from '../../src/cfg/load.js';
import { VirtualClock } from '../../src/base/clock.js';
import { Logger } from '../../src/base/logger.js';
import { SipServer } from '../../src/core/server.js';
import { usrlocOf } from '../../src/modules/usrloc/api.js';
import { buildEngine } from '../../src/core/engine.js';
import type { Runtime } from '../../src/script/runtime.js';
import { BLOG_DIR } from '../helpers/cfg.js';
import { register } from '../helpers/sip.js';
import { sipEngine } from '../helpers/engine.js';
import { ExecContext } from '../../src/script/context.js';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { attachUsrlocPersistence } from '../../src/modules/usrloc/sql.js';

/** The blog mid_registrar cfg (or `text`, a variant of it) behind a SipServer on a recording network, on a virtual clock. */
function blogServer(text?: string) {
  const loaded =
    text === undefined
      ? loadCfg(BLOG_DIR + 'blog-mid-registrar.cfg', { profile: { strict: false } })
      : loadCfg('/t/mid.cfg', { profile: { strict: false }, readFile: () => text, fileExists: () => true, cwd: '/t' });
  const clock = new VirtualClock(Date.UTC(2026, 10, 25, 12));
  const map = new Map([
    ['172.16.4.111', { ip: '127.0.4.111' }],
    ['172.16.4.114', { ip: '127.0.4.114' }],
  ]);
  const engine = buildEngine(loaded, {
    profile: { strict: false },
    clock,
    logger: new Logger(clock, { write: () => undefined }),
    addressMap: map,
  });
  const sent: { to: string; text: string }[] = [];
  const net = {
    listen: async () => undefined,
    close: async () => undefined,
    send: (_f: unknown, to: { ip: string; port: number }, data: Buffer) =>
      sent.push({ to: `${to.ip}:${to.port}`, text: data.toString() }),
  };
  const server = new SipServer(engine.runtime, net as never, map);
  const socket = engine.runtime.sockets.find((s) => s.port === 5360 && s.proto === 'udp')!;
  const upstream = engine.runtime.sockets.find((s) => s.port === 5361)!;
  return { server, sent, rt: engine.runtime, socket, upstream, clock };
}

test('mode 0: the REGISTER goes upstream with <sip:USER@our-socket;ctid=ID>;expires=e_raw; the 2xx is rewritten for the UA (min(130, e_out)) and stored locally under the UA URI', () => {
  const { server, sent, rt, socket, upstream } = blogServer();
  server.onInbound({
    data: register({ contacts: ['<sip:1001@127.0.0.1:5062;rinstance=x>'], expires: 200 }),
    src: { proto: 'udp', ip: '127.0.0.1', port: 5062 },
    socket,
  });
  assert.equal(sent.length, 1);
  const fwd = sent[0]!;
  assert.equal(fwd.to, '127.0.4.114:5060');
  const ct = /\r\nContact: <sip:1001@127\.0\.4\.111:5361;ctid=(\d+)>;expires=200\r\n/.exec(fwd.text);
  assert.ok(ct, fwd.text);
  assert.match(fwd.text, /\r\nExpires: 200\r\n/, 'mode 0 keeps the Expires header');
  assert.deepEqual(usrlocOf(rt).domain('location').get('1001')?.bindings, [], 'nothing stored before the 2xx');
  // The main registrar answers: it keeps 200.
  const ourVia = /\r\nVia: ([^\r]+)\r\n/.exec(fwd.text)![1]!;
  const ok = `SIP/2.0 200 OK\r\nVia: ${ourVia}\r\nVia: SIP/2.0/UDP 127.0.0.1:5062;received=127.0.0.1;branch=z9hG4bK-t;rport=5062\r\nTo: <sip:1001@127.0.0.1>;tag=up1\r\nFrom: <sip:1001@127.0.0.1>;tag=t1\r\nCall-ID: call-1\r\nCSeq: 1 REGISTER\r\nContact: <sip:1001@127.0.4.111:5361;ctid=${ct![1]}>;expires=200\r\nExpires: 200\r\nContent-Length: 0\r\n\r\n`;
  server.onInbound({ data: Buffer.from(ok), src: { proto: 'udp', ip: '127.0.4.114', port: 5060 }, socket: upstream });
  const toUa = sent[1]!;
  assert.equal(toUa.to, '127.0.0.1:5062');
  assert.match(toUa.text, /^SIP\/2\.0 200 OK\r\nVia: SIP\/2\.0\/UDP 127\.0\.0\.1:5062;received/);
  assert.match(toUa.text, /\r\nContact: <sip:1001@127\.0\.0\.1:5062;rinstance=x>;expires=130\r\n/);
  assert.doesNotMatch(toUa.text, /\r\nExpires:/, 'the Expires header is removed');
  const [b] = usrlocOf(rt).domain('location').get('1001')!.bindings;
  assert.deepEqual(
    [b!.uri, b!.contactId, b!.expires - Math.floor(rt.clock.now() / 1000), b!.socket],
    ['sip:1001@127.0.0.1:5062;rinstance=x', ct![1], 130, 'udp:127.0.4.111:5360'],
  );
});

test('mid_registrar_save return codes: 2 for a query (200 without contacts), -1 and 501 for a non-REGISTER', () => {
  const e = sipEngine(`socket=udp:127.0.0.1:5060
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "signaling.so"
loadmodule "usrloc.so"
loadmodule "mid_registrar.so"
route { mid_registrar_save("location"); $var(rc) = $retcode; }`);
  const q = e.send(register({ contacts: [] }));
  assert.equal(q.vars.get('rc'), 2);
  assert.match(q.sent[0]!.text, /^SIP\/2\.0 200 OK\r\n/);
  assert.doesNotMatch(q.sent[0]!.text, /Contact:/);
  const fwd = e.send(register({ expires: 100, cseq: 2 }));
  assert.equal(fwd.vars.get('rc'), 1, 'mode 0 forwards');
  const inv = e.send(
    Buffer.from(
      'INVITE sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK-i\r\nFrom: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:x@127.0.0.1>\r\nCall-ID: i1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n',
    ),
  );
  assert.equal(inv.vars.get('rc'), -1);
  assert.match(inv.sent.at(-1)!.text, /^SIP\/2\.0 501 Not Implemented\r\n/);
});

test('mid_registrar_lookup: the ctid in the R-URI names the local contact; -1 without a ctid or for an unknown one', () => {
  const { server, sent, rt, socket, upstream } = blogServer();
  server.onInbound({
    data: register({ contacts: ['<sip:1001@127.0.0.1:5062>'], expires: 200 }),
    src: { proto: 'udp', ip: '127.0.0.1', port: 5062 },
    socket,
  });
  const ctid = /;ctid=(\d+)>/.exec(sent[0]!.text)![1]!;
  const ourVia = /\r\nVia: ([^\r]+)\r\n/.exec(sent[0]!.text)![1]!;
  server.onInbound({
    data: Buffer.from(
      `SIP/2.0 200 OK\r\nVia: ${ourVia}\r\nVia: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK-t\r\nTo: <sip:1001@127.0.0.1>;tag=u\r\nFrom: <sip:1001@127.0.0.1>;tag=t1\r\nCall-ID: call-1\r\nCSeq: 1 REGISTER\r\nContact: <sip:1001@127.0.4.111:5361;ctid=${ctid}>;expires=200\r\nContent-Length: 0\r\n\r\n`,
    ),
    src: { proto: 'udp', ip: '127.0.4.114', port: 5060 },
    socket: upstream,
  });
  const ctxFor = (ruri: string) =>
    new ExecContext(
      rt,
      {
        isRequest: true,
        method: 'INVITE',
        ruri,
        header: () => undefined,
        headers: () => [],
        contacts: () => ({ star: false, list: [] }),
        body: '',
        text: '',
      },
      { ip: '127.0.4.114', port: 5060, proto: 'udp' },
      upstream,
    );
  const ctx = new ExecContext(
    rt,
    {
      isRequest: true,
      method: 'INVITE',
      ruri: `sip:1001@127.0.4.111:5361;ctid=${ctid}`,
      header: () => undefined,
      headers: () => [],
      contacts: () => ({ star: false, list: [] }),
      body: '',
      text: '',
    },
    { ip: '127.0.4.114', port: 5060, proto: 'udp' },
    upstream,
  );
  const impl = rt.functions.get('mid_registrar_lookup')!.behaviour!.impl!;
  assert.equal(impl(ctx, [{ given: true, str: 'location' }]), 1);
  assert.equal(ctx.ruri, 'sip:1001@127.0.0.1:5062');
  assert.equal(ctx.du, null, 'no received URI stored (the blog never calls fix_nated_register): $du untouched');
  assert.equal(ctx.socketOut?.port, 5360, 'the socket the REGISTER arrived on');
  assert.equal(
    impl(ctxFor('sip:1001@127.0.4.111:5361'), [{ given: true, str: 'location' }]),
    -1,
    'an AoR-style R-URI has no ctid',
  );
  assert.equal(
    impl(ctxFor('sip:1001@127.0.4.111:5361;ctid=42'), [{ given: true, str: 'location' }]),
    -1,
    'unknown ctid',
  );
});

function modeServer(mode: number, outgoing: number, extraModules = '', extraBlocks = '') {
  const text = (readFileSync(BLOG_DIR + 'blog-mid-registrar.cfg', 'utf8') + extraBlocks)
    .replace('loadmodule "mid_registrar.so"', `${extraModules}loadmodule "mid_registrar.so"`)
    .replace('modparam("mid_registrar", "mode", 0)', `modparam("mid_registrar", "mode", ${mode})`)
    .replace(
      'modparam("mid_registrar", "outgoing_expires", 80)',
      `modparam("mid_registrar", "outgoing_expires", ${outgoing})`,
    );
  const { server, sent, rt, socket, upstream, clock } = blogServer(text);
  /** The UA registers; if forwarded, the main registrar grants what it was asked. */
  const registerOnce = (
    cseq: number,
    expires = 200,
  ): { forwarded: boolean; toUa?: string; upstreamExpires?: string } => {
    const before = sent.length;
    server.onInbound({
      data: register({
        contacts: ['<sip:1001@127.0.0.1:5062>'],
        expires,
        cseq,
        via: `SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK-m${cseq};rport`,
      }),
      src: { proto: 'udp', ip: '127.0.0.1', port: 5062 },
      socket,
    });
    const out = sent.slice(before);
    const fwd = out.find((m) => m.to === '127.0.4.114:5060');
    if (!fwd) return { forwarded: false, toUa: out[0]?.text };
    const ct = /\r\nContact: (<[^>]+>)(?:;expires=(\d+))?\r\n/.exec(fwd.text)!;
    const granted = ct[2] ?? /\r\nExpires: (\d+)\r\n/.exec(fwd.text)![1]!; // mode 2 leaves ;expires= out when there is an Expires header
    const via = /\r\nVia: ([^\r]+)\r\n/.exec(fwd.text)![1]!;
    server.onInbound({
      data: Buffer.from(
        `SIP/2.0 200 OK\r\nVia: ${via}\r\nVia: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK-m${cseq};rport=5062\r\nTo: <sip:1001@127.0.0.1>;tag=up\r\nFrom: <sip:1001@127.0.0.1>;tag=t1\r\nCall-ID: call-1\r\nCSeq: ${cseq} REGISTER\r\nContact: ${ct[1]};expires=${granted}\r\nContent-Length: 0\r\n\r\n`,
      ),
      src: { proto: 'udp', ip: '127.0.4.114', port: 5060 },
      socket: upstream,
    });
    return { forwarded: true, toUa: sent.at(-1)!.text, upstreamExpires: granted };
  };
  return { sent, rt, clock, registerOnce, server, upstream };
}

/** Moves the clock on by `ms`, runs usrloc's expiry, and returns what was sent meanwhile (the De-REGISTERs). */
function sentAfterExpiry(
  m: { sent: { to: string; text: string }[]; rt: Runtime; clock: VirtualClock },
  ms: number,
): { to: string; text: string }[] {
  m.clock.advance(ms);
  const before = m.sent.length;
  usrlocOf(m.rt)
    .domain('location')
    .expire(Math.floor(m.clock.now() / 1000));
  return m.sent.slice(before);
}

test('mode 1 (contact throttling), outgoing_expires 3600 > 130: forwarded with 3600, refreshes absorbed until now - LRTs >= expO - e, then forwarded again', () => {
  const m = modeServer(1, 3600);
  const first = m.registerOnce(1);
  assert.deepEqual([first.forwarded, first.upstreamExpires], [true, '3600']);
  assert.match(first.toUa!, /\r\nContact: <sip:1001@127\.0\.0\.1:5062>;expires=130\r\n/);
  m.clock.advance(60_000);
  const absorbed = m.registerOnce(2);
  assert.equal(absorbed.forwarded, false, 'absorbed');
  assert.match(absorbed.toUa!, /^SIP\/2\.0 200 OK\r\n/);
  assert.match(absorbed.toUa!, /\r\nContact: <sip:1001@127\.0\.0\.1:5062>;expires=130\r\n/);
  m.clock.advance((3470 - 60) * 1000); // now - LRTs = 3470 = expO - e
  assert.equal(
    m.registerOnce(3).forwarded,
    true,
    'the upstream binding would outlive the local one no more: forwarded',
  );
});

test('mode 1 with outgoing_expires 80 < 130: every REGISTER is forwarded (expO - e < 0), the UA is told 80', () => {
  const m = modeServer(1, 80);
  const first = m.registerOnce(1);
  assert.deepEqual([first.forwarded, first.upstreamExpires], [true, '80']);
  assert.match(first.toUa!, /;expires=80\r\n/);
  m.clock.advance(10_000);
  assert.equal(m.registerOnce(2).forwarded, true);
});

test('mode 1: a local contact that expires is De-REGISTERed upstream (Contact as returned, expires=0, CSeq + 1, new From tag)', () => {
  const m = modeServer(1, 3600);
  m.registerOnce(1);
  const dereg = sentAfterExpiry(m, 131_000);
  assert.equal(dereg.length, 1);
  assert.equal(dereg[0]!.to, '127.0.4.114:5060');
  assert.match(dereg[0]!.text, /^REGISTER sip:172\.16\.4\.114:5060 SIP\/2\.0\r\n/);
  assert.match(dereg[0]!.text, /\r\nCSeq: 2 REGISTER\r\n/);
  assert.match(dereg[0]!.text, /\r\nContact: <sip:1001@127\.0\.4\.111:5361;ctid=\d+>;expires=0\r\n/);
  assert.doesNotMatch(dereg[0]!.text, /tag=t1\r\n/, 'a new From tag');
});

test('the De-REGISTER is sent statefully: retransmitted on Timer E until the main registrar answers, the reply consumed', () => {
  const m = modeServer(1, 3600);
  m.registerOnce(1);
  const before = m.sent.length;
  sentAfterExpiry(m, 131_000);
  m.clock.advance(1600); // T1 = 500 ms: retransmissions at +0.5 s and +1.5 s
  const dereg = m.sent.slice(before);
  assert.equal(dereg.length, 3);
  assert.ok(dereg.every((d) => d.text === dereg[0]!.text && d.to === '127.0.4.114:5060'));
  const text = dereg[0]!.text;
  const header = (n: string): string => new RegExp(`\r\n${n}: ([^\r]+)`).exec(text)![1]!;
  const ok = `SIP/2.0 200 OK\r\nVia: ${header('Via')}\r\nFrom: ${header('From')}\r\nTo: ${header('To')};tag=up\r\nCall-ID: ${header('Call-ID')}\r\nCSeq: ${header('CSeq')}\r\nContent-Length: 0\r\n\r\n`;
  m.server.onInbound({
    data: Buffer.from(ok),
    src: { proto: 'udp', ip: '127.0.4.114', port: 5060 },
    socket: m.upstream,
  });
  const after = m.sent.length;
  m.clock.advance(40_000);
  assert.equal(m.sent.length, after, 'no more retransmissions, and the 200 is not relayed anywhere');
});

test('mode 1 with usrloc in SQLite: the throttling and De-REGISTER state (kv_store) survives a restart', () => {
  const db = join(mkdtempSync(join(tmpdir(), 'mid-kv-')), 'ul.db');
  const dbLines = `loadmodule "db_sqlite.so"\nloadmodule "usrloc.so"\nmodparam("usrloc", "db_mode", 1)\nmodparam("usrloc", "db_url", "sqlite://${db}")\n`;
  const first = modeServer(1, 3600, dbLines);
  const p1 = attachUsrlocPersistence(first.rt, ['location']);
  if ('error' in p1) throw new Error(p1.error);
  first.registerOnce(1);
  const row = new Database(db, { readonly: true }).prepare('SELECT kv_store FROM location').get() as {
    kv_store: string;
  };
  const kv = JSON.parse(row.kv_store) as Record<string, unknown>;
  assert.deepEqual([kv.expO, kv.exp, kv.Seq, typeof kv.LRTs], [3600, 130, 1, 'number']);
  assert.match(String(kv.Con), /^sip:1001@127\.0\.4\.111:5361;ctid=\d+$/);
  p1.close();
  // A new process on the same DB: the refresh is absorbed (LRTs/expO came back) and the expiry De-REGISTERs with the stored keys.
  const second = modeServer(1, 3600, dbLines);
  const p2 = attachUsrlocPersistence(second.rt, ['location']);
  if ('error' in p2) throw new Error(p2.error);
  assert.equal(p2.loaded, 1);
  second.clock.set(first.clock.now() + 60_000);
  assert.equal(second.registerOnce(2).forwarded, false, 'absorbed after the restart');
  const dereg = sentAfterExpiry(second, 131_000);
  assert.equal(dereg.length, 1);
  assert.match(dereg[0]!.text, /\r\nCSeq: 3 REGISTER\r\n/);
  assert.match(dereg[0]!.text, /\r\nContact: <sip:1001@127\.0\.4\.111:5361;ctid=\d+>;expires=0\r\n/);
  p2.close();
});

test('mode 0 sends no De-REGISTER when a local contact expires', () => {
  const m = modeServer(0, 80);
  m.registerOnce(1);
  assert.deepEqual(sentAfterExpiry(m, 131_000), []);
});

test("mode 2 with usrloc in SQLite: the AoR's own state rides on its first contact (_urec_kvs) and survives a restart", () => {
  const db = join(mkdtempSync(join(tmpdir(), 'mid-kv2-')), 'ul.db');
  const dbLines = `loadmodule "db_sqlite.so"\nloadmodule "usrloc.so"\nmodparam("usrloc", "db_mode", 1)\nmodparam("usrloc", "db_url", "sqlite://${db}")\n`;
  const first = modeServer(2, 3600, dbLines);
  const p1 = attachUsrlocPersistence(first.rt, ['location']);
  if ('error' in p1) throw new Error(p1.error);
  assert.equal(first.registerOnce(1).forwarded, true);
  const row = new Database(db, { readonly: true }).prepare('SELECT kv_store FROM location').get() as {
    kv_store: string;
  };
  const aorKv = JSON.parse(String((JSON.parse(row.kv_store) as Record<string, unknown>)._urec_kvs)) as Record<
    string,
    unknown
  >;
  assert.deepEqual([aorKv.expO, aorKv.Seq, aorKv.CID, typeof aorKv.LRTs], [3600, 1, 'call-1', 'number']);
  p1.close();
  const second = modeServer(2, 3600, dbLines);
  const p2 = attachUsrlocPersistence(second.rt, ['location']);
  if ('error' in p2) throw new Error(p2.error);
  assert.equal(
    usrlocOf(second.rt).domain('location').get('1001')?.kv?.get('expO'),
    '3600',
    "the AoR's keys are back in memory",
  );
  assert.equal(
    [...(usrlocOf(second.rt).domain('location').get('1001')!.bindings[0]!.kv?.keys() ?? [])].includes('_urec_kvs'),
    false,
  );
  second.clock.set(first.clock.now() + 60_000);
  assert.equal(second.registerOnce(2).forwarded, false, 'absorbed after the restart');
  const dereg = sentAfterExpiry(second, 131_000);
  assert.equal(dereg.length, 1, 'the lapsed AoR is De-REGISTERed with the stored keys');
  assert.match(dereg[0]!.text, /\r\nCall-ID: call-1\r\n/);
  assert.match(dereg[0]!.text, /\r\nContact: <sip:1001@127\.0\.4\.111:5361>;expires=0\r\n/);
  p2.close();
});

test('local_route runs on the De-REGISTER: its header edits and $du apply, drop() does not stop it (3.3)', () => {
  const m = modeServer(
    1,
    3600,
    '',
    '\nlocal_route {\n\txlog("L_NOTICE", "local_route $rm $ru\\n");\n\tappend_hf("X-Local: $rm\\r\\n");\n\t$du = "sip:127.0.4.115:5070";\n\tdrop();\n}\n',
  );
  m.registerOnce(1);
  const dereg = sentAfterExpiry(m, 131_000);
  assert.equal(dereg.length, 1);
  assert.equal(dereg[0]!.to, '127.0.4.115:5070');
  assert.match(dereg[0]!.text, /^REGISTER sip:172\.16\.4\.114:5060 SIP\/2\.0\r\n/);
  assert.match(dereg[0]!.text, /\r\nX-Local: REGISTER\r\n/);
  assert.match(dereg[0]!.text, /\r\nContact: <sip:1001@127\.0\.4\.111:5361;ctid=\d+>;expires=0\r\n/);
});
