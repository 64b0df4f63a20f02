// rtpengine: the ng dictionaries the functions send (flags, tags, call-id,
// received-from), what they do with the reply (the SDP replaced, error_pv),
// rtpengine_manage's choice, node selection and failover, and the blocking
// UDP channel `run` uses, against a responder in another thread.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { coreMi } from '../../src/core/mi-core.js';
import { BlockingUdp } from '../../src/net/blocking-udp.js';
import { bdecode, bencode, type BValue } from '../../src/modules/rtpengine/bencode.js';
import { parseRtpeFlags } from '../../src/modules/rtpengine/flags.js';
import { parseSocks } from '../../src/modules/rtpengine/nodes.js';
import type { ControlChannel } from '../../src/net/types.js';
import { sipEngine } from '../helpers/engine.js';

const SDP = 'v=0\r\no=- 1 1 IN IP4 127.0.0.50\r\ns=-\r\nc=IN IP4 127.0.0.50\r\nt=0 0\r\nm=audio 30000 RTP/AVP 0\r\n';

function invite(id: string, opts: { sdp?: boolean; toTag?: string; method?: string } = {}): Buffer {
  const method = opts.method ?? 'INVITE';
  const body = opts.sdp === false ? '' : SDP;
  return Buffer.from(
    `${method} sip:1001@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.11:5060;branch=z9hG4bK-${id}\r\nFrom: <sip:1002@127.0.0.11>;tag=ft-${id}\r\n` +
      `To: <sip:1001@127.0.0.1>${opts.toTag ? ';tag=' + opts.toTag : ''}\r\nCall-ID: ${id}\r\nCSeq: 1 ${method}\r\nMax-Forwards: 70\r\n` +
      `${body ? 'Content-Type: application/sdp\r\n' : ''}Content-Length: ${body.length}\r\n\r\n${body}`,
  );
}

function reply(id: string, status: string, opts: { sdp?: boolean; method?: string } = {}): Buffer {
  const body = opts.sdp === false ? '' : SDP;
  return Buffer.from(
    `SIP/2.0 ${status}\r\nVia: SIP/2.0/UDP 127.0.0.11:5060;branch=z9hG4bK-${id}\r\nFrom: <sip:1002@127.0.0.11>;tag=ft-${id}\r\nTo: <sip:1001@127.0.0.1>;tag=tt-${id}\r\n` +
      `Call-ID: ${id}\r\nCSeq: 1 ${opts.method ?? 'INVITE'}\r\n${body ? 'Content-Type: application/sdp\r\n' : ''}Content-Length: ${body.length}\r\n\r\n${body}`,
  );
}

/** A control channel that records each request and answers with `answer(dict)` (undefined: no answer) from the node at `port`. */
function recorder(answer: (dict: Record<string, BValue>, port: number) => Record<string, BValue> | undefined) {
  const seen: { port: number; dict: Record<string, BValue> }[] = [];
  const channel: ControlChannel = {
    request: (_host, port, payload, prefix) => {
      const dict = bdecode(payload.subarray(prefix.length)) as Record<string, BValue>;
      seen.push({ port, dict });
      const r = answer(dict, port);
      return r ? Buffer.concat([prefix, bencode(r)]) : undefined;
    },
  };
  return { seen, channel };
}

function engine(body: string, extra: string[] = [], channel?: ControlChannel) {
  const e = sipEngine(
    [
      'socket=udp:127.0.0.1:5060',
      'loadmodule "rtpengine.so"',
      'modparam("rtpengine", "rtpengine_sock", "udp:127.0.0.1:22333")',
      ...extra,
      'route {',
      body,
      '}',
      '',
    ].join('\n'),
  );
  if (channel) e.rt.control = channel;
  return e;
}

const REWRITTEN = SDP.replace(/127\.0\.0\.50/g, '127.0.0.1').replace('30000', '40000');
const ok = (d: Record<string, BValue>): Record<string, BValue> =>
  d.command === 'ping'
    ? { result: 'pong' }
    : typeof d.sdp === 'string'
      ? { result: 'ok', sdp: REWRITTEN }
      : { result: 'ok' };

test('bencode: strings by byte length, integers, lists, dictionaries in insertion order; bad input is an error text', () => {
  const v = { sdp: 'é', n: 3, l: ['a', 2], d: { x: 'y' } };
  assert.equal(bencode(v).toString('utf8'), 'd3:sdp2:é1:ni3e1:ll1:ai2ee1:dd1:x1:yee');
  assert.deepEqual(bdecode(bencode(v)), v);
  assert.equal(typeof bdecode(Buffer.from('d3:abc')), 'string');
});

test('flags: transport bits and profiles, replace-* and rtcp-mux-* lists, interfaces, generic words and key=value pairs; errors', () => {
  const f = parseRtpeFlags(
    'trust-address replace-origin replace-session-connection ICE=remove RTP AVPF rtcp-mux-demux in-iface=pub out-iface=priv address-family=IP4 delete-delay=5 =ignored rest',
    'offer',
  );
  assert.ok(typeof f !== 'string');
  assert.deepEqual(f.flags, ['trust-address']);
  assert.deepEqual(f.replace, ['origin', 'session-connection']);
  assert.deepEqual(f.rtcpMux, ['demux']);
  assert.deepEqual(f.direction, ['pub', 'priv']);
  assert.equal(f.transport, 'RTP/AVPF');
  assert.deepEqual(f.entries, [
    ['ICE', 'remove'],
    ['address family', 'IP4'],
    ['delete-delay', 5],
  ]);
  assert.equal((parseRtpeFlags('UDP/TLS/RTP/SAVPF', 'offer') as { transport: string }).transport, 'UDP/TLS/RTP/SAVPF');
  assert.equal(typeof parseRtpeFlags('trust-address', 'delete'), 'string', 'a bare word fails a delete');
  assert.equal(typeof parseRtpeFlags('in-iface=a', 'offer'), 'string');
  assert.equal(typeof parseRtpeFlags('force-answer', 'delete'), 'string');
  assert.equal(typeof parseRtpeFlags('via-branch=zz', 'offer'), 'string');
});

test('rtpengine_offer: the dictionary 3.3 sends, and the SDP rtpengine returns replaces the body', () => {
  const r = recorder(ok);
  const e = engine(
    '\t$var(rc) = rtpengine_offer("trust-address replace-origin ICE=remove", $var(node));\n\tforward("udp:127.0.0.60:5060");',
    ['loadmodule "tm.so"'],
    r.channel,
  );
  const run = e.send(invite('o1'));
  assert.equal(run.vars.get('rc'), 1);
  assert.equal(run.vars.get('node'), 'udp:127.0.0.1:22333');
  const out = run.sent.find((m) => m.text.startsWith('INVITE'))!.text;
  assert.ok(out.endsWith(`Content-Length: ${REWRITTEN.length}\r\n\r\n${REWRITTEN}`), out);
  const d = r.seen.find((s) => s.dict.command === 'offer')!.dict;
  assert.deepEqual(Object.keys(d), [
    'sdp',
    'ICE',
    'flags',
    'replace',
    'call-id',
    'received-from',
    'from-tag',
    'command',
  ]);
  assert.deepEqual(
    [d.flags, d.replace, d['call-id'], d['received-from'], d['from-tag']],
    [['trust-address'], ['origin'], 'o1', ['IP4', '127.0.0.1'], 'ft-o1'],
  );
});

test('return codes: -1 without SDP, on result error (error_pv gets the reason), answer on an INVITE; an sdp variable leaves the body alone', () => {
  const r = recorder((d) => (d['call-id'] === 'bad' ? { result: 'error', 'error-reason': 'Unknown call-id' } : ok(d)));
  const e = engine(
    `\tif ($var(sdpvar) == 1) { $var(c) = rtpengine_offer("", , $var(sdp)); forward("udp:127.0.0.60:5060"); exit; }
\t$var(a) = rtpengine_offer();
\t$var(e1) = $var(err);
\t$var(b) = rtpengine_answer();`,
    ['modparam("rtpengine", "error_pv", "$var(err)")'],
    r.channel,
  );
  const v = e.send(invite('s1')).vars;
  assert.deepEqual([v.get('a'), v.get('b')], [1, -1]);
  e.rt.vars.set('sdpvar', 1);
  const kept = e.send(invite('s2'));
  assert.deepEqual([kept.vars.get('c'), kept.vars.get('sdp')], [1, REWRITTEN]);
  assert.ok(kept.sent.find((m) => m.text.startsWith('INVITE'))!.text.endsWith(SDP), 'the body is left alone');
  e.rt.vars.set('sdpvar', 0);
  assert.equal(e.send(invite('n1', { sdp: false })).vars.get('a'), -1);
  const bad = e.send(invite('bad')).vars;
  assert.deepEqual(
    [bad.get('a'), bad.get('e1'), bad.get('err')],
    [-1, 'Unknown call-id', 'Unknown call-id'],
    'the bare reason; an answer on an INVITE leaves error_pv alone',
  );
});

test('tags: an offer on a reply and an answer on an ACK swap them; an answer on a reply does not; a delete names the from-tag only unless to-tag', () => {
  const r = recorder(ok);
  const e = engine(
    '\tif ($var(op) == "delete") rtpengine_delete($var(flags)); else if ($var(op) == "answer") rtpengine_answer(); else rtpengine_offer();',
    [],
    r.channel,
  );
  const run = (msg: Buffer, op: string, flags = '') => {
    e.rt.vars.set('op', op);
    e.rt.vars.set('flags', flags);
    r.seen.length = 0;
    e.send(msg);
    const d = r.seen[0]!.dict;
    return [d['from-tag'], d['to-tag']];
  };
  assert.deepEqual(run(invite('t1', { method: 'ACK', toTag: 'tt-t1' }), 'answer'), ['tt-t1', 'ft-t1']);
  assert.deepEqual(run(invite('t2', { toTag: 'tt-t2' }), 'offer'), ['ft-t2', 'tt-t2']);
  assert.deepEqual(run(invite('t3', { toTag: 'tt-t3', method: 'BYE', sdp: false }), 'delete'), ['ft-t3', undefined]);
  assert.deepEqual(run(invite('t4', { toTag: 'tt-t4', method: 'BYE', sdp: false }), 'delete', 'to-tag'), [
    'ft-t4',
    'tt-t4',
  ]);
});

test('rtpengine_manage: offer for an INVITE with SDP, answer for its 200, delete for BYE and for a negative reply; a late offer (SDP in the 200) is an offer', () => {
  const r = recorder(ok);
  const e = engine('\trtpengine_manage();', [], r.channel);
  const cmd = (msg: Buffer): BValue | undefined => {
    r.seen.length = 0;
    e.send(msg);
    return r.seen[0]?.dict.command;
  };
  assert.equal(cmd(invite('m1')), 'offer');
  assert.equal(cmd(invite('m2', { method: 'BYE', sdp: false, toTag: 'x' })), 'delete');
  assert.equal(cmd(invite('m3', { sdp: false })), undefined, 'an INVITE without SDP: nothing sent');
  assert.equal(cmd(reply('m1', '200 OK')), 'answer');
  assert.equal(cmd(reply('m1', '486 Busy Here', { sdp: false })), 'delete');
  assert.equal(cmd(reply('m3', '200 OK')), 'offer', 'the INVITE had no SDP');
});

test('nodes: sets, weights and the default port from rtpengine_sock; a node that does not answer is disabled and the next one used (MI rtpengine_show, rtpengine_enable)', () => {
  const parsed = parseSocks([
    'udp:127.0.0.1:2223=2 udp:127.0.0.2',
    '1 == udp6:[::1]:2224',
    'unix:/run/rtpengine.sock',
    'x == udp:127.0.0.3',
  ]);
  assert.deepEqual(
    parsed.sets.map((s) => [s.id, s.nodes.map((n) => `${n.host}:${n.port}/${n.weight}`)]),
    [
      [0, ['127.0.0.1:2223/2', '127.0.0.2:22222/1']],
      [1, ['::1:2224/1']],
    ],
  );
  assert.equal(parsed.problems.length, 2);
  const r = recorder((d, port) => (port === 22333 ? undefined : ok(d)));
  const e = engine(
    '\t$var(rc) = rtpengine_offer("", $var(node));',
    ['modparam("rtpengine", "rtpengine_sock", "udp:127.0.0.1:22334")', 'modparam("rtpengine", "rtpengine_retr", 1)'],
    r.channel,
  );
  for (const start of e.rt.onStart) start(); // the start-up pings find 22333 dead
  const v = e.send(invite('f1')).vars;
  assert.equal(v.get('rc'), 1);
  assert.equal(v.get('node'), 'udp:127.0.0.1:22334');
  const mi = coreMi('test');
  const show = () =>
    (
      mi.handle({ jsonrpc: '2.0', method: 'rtpengine_show', id: 1 }, e.rt) as {
        result: { Nodes: { url: string; disabled: number }[] }[];
      }
    ).result[0]!.Nodes.map((n) => `${n.url}:${n.disabled}`);
  assert.deepEqual(show(), ['udp:127.0.0.1:22333:1', 'udp:127.0.0.1:22334:0']);
  mi.handle({ jsonrpc: '2.0', method: 'rtpengine_enable', params: ['udp:127.0.0.1:22334', 0], id: 2 }, e.rt);
  assert.equal(e.send(invite('f2')).vars.get('rc'), -1, 'no node left');
});

test('the blocking UDP channel: waits for the reply with the cookie from a responder in another thread; gives up after its attempts', async () => {
  const responder = new Worker(
    `
    const dgram = require('node:dgram');
    const { parentPort } = require('node:worker_threads');
    const s = dgram.createSocket('udp4');
    s.on('message', (m, r) => { const c = m.toString().split(' ')[0]; s.send(Buffer.from('stale d6:result4:ponge'), r.port, r.address); s.send(Buffer.from(c + ' d6:result4:ponge'), r.port, r.address); });
    s.bind(0, '127.0.0.1', () => parentPort.postMessage(s.address().port));
    parentPort.on('message', () => s.close(() => process.exit(0)));
  `,
    { eval: true },
  );
  const port = await new Promise<number>((resolve) => responder.once('message', resolve));
  const channel = new BlockingUdp();
  try {
    const got = channel.request('127.0.0.1', port, Buffer.from('c1 d7:command4:pinge'), Buffer.from('c1 '), 1000, 2);
    assert.equal(got?.toString(), 'c1 d6:result4:ponge');
    assert.equal(
      (
        await channel.requestAsync('127.0.0.1', port, Buffer.from('a1 d7:command4:pinge'), Buffer.from('a1 '), 1000, 2)
      )?.toString(),
      'a1 d6:result4:ponge',
    );
    const t0 = Date.now();
    assert.equal(channel.request('127.0.0.1', 9, Buffer.from('c2 x'), Buffer.from('c2 '), 100, 2), undefined);
    assert.ok(Date.now() - t0 >= 150, 'two attempts of 100 ms');
  } finally {
    channel.close();
    responder.postMessage('stop');
  }
});

test('the timer pings a disabled node without blocking: a pong enables it again', async () => {
  let up = false;
  const r = recorder((d) => (up ? ok(d) : undefined));
  const asyncAnswers: string[] = [];
  const channel: ControlChannel = {
    request: r.channel.request,
    requestAsync: async (h, port, payload, prefix, ms, attempts) => {
      asyncAnswers.push(String(port));
      return r.channel.request(h, port, payload, prefix, ms, attempts);
    },
  };
  const e = engine(
    '\t$var(rc) = rtpengine_offer();',
    ['modparam("rtpengine", "rtpengine_disable_tout", 10)', 'modparam("rtpengine", "rtpengine_timer_interval", 5)'],
    channel,
  );
  for (const start of e.rt.onStart) start();
  assert.equal(e.send(invite('w1')).vars.get('rc'), -1, 'down at start-up: disabled');
  up = true;
  e.advance(5);
  assert.deepEqual(asyncAnswers, [], 'not before rtpengine_disable_tout');
  e.advance(5);
  assert.deepEqual(asyncAnswers, ['22333']);
  await new Promise((res) => setImmediate(res));
  assert.equal(e.send(invite('w2')).vars.get('rc'), 1);
});

test("$rtpstat and $rtpquery: one query per message (a delete's answer serves too); totals line, MOS figures, JSON", () => {
  const stats = {
    result: 'ok',
    created: 1000,
    totals: { RTP: { bytes: 1600, packets: 10, errors: 0 }, RTCP: { bytes: 80, packets: 1, errors: 0 } },
    SSRC: {
      1: {
        'average MOS': { MOS: 41 },
        'highest MOS': { MOS: 44, 'reported at': 1010 },
        'lowest MOS': { MOS: 30, 'reported at': 1003 },
      },
      2: {
        'average MOS': { MOS: 38 },
        'highest MOS': { MOS: 43, 'reported at': 1020 },
        'lowest MOS': { MOS: 35, 'reported at': 1005 },
      },
    },
  };
  const r = recorder((d) => (d.command === 'query' || d.command === 'delete' ? stats : ok(d)));
  const e = engine(
    `\tif ($var(del) == 1) rtpengine_delete();
\t$var(t) = $rtpstat;
\t$var(avg) = $rtpstat(MOS-average);
\t$var(max) = $rtpstat(mos-max);
\t$var(maxat) = $rtpstat(MOS-max-at);
\t$var(min) = $rtpstat(MOS-min);
\t$var(q) = $rtpquery;`,
    [],
    r.channel,
  );
  const v = e.send(invite('st1', { method: 'BYE', sdp: false, toTag: 'tt' })).vars;
  assert.equal(v.get('t'), 'RTP: 1600 bytes, 10 packets, 0 errors; RTCP: 80 bytes, 1 packets, 0 errors');
  assert.deepEqual(
    ['avg', 'max', 'maxat', 'min'].map((k) => v.get(k)),
    [39, 44, 10, 30],
  );
  assert.equal(JSON.parse(String(v.get('q'))).totals.RTP.packets, 10);
  assert.deepEqual(
    r.seen.filter((s) => s.dict.command !== 'ping').map((s) => s.dict.command),
    ['query'],
    'one query for all the reads',
  );
  r.seen.length = 0;
  e.rt.vars.set('del', 1);
  e.send(invite('st2', { method: 'BYE', sdp: false, toTag: 'tt' }));
  assert.deepEqual(
    r.seen.map((s) => s.dict.command),
    ['delete'],
    "the delete's answer is read, no query",
  );
});

test('return codes of the call commands: 1 and the command sent for the call; -1 on an error result (-2 for rtpengine_play_dtmf); play_media sets the duration', () => {
  const r = recorder((d) =>
    d['call-id'] === 'bad'
      ? { result: 'error', 'error-reason': 'Unknown call-id' }
      : d.command === 'play media'
        ? { result: 'ok', duration: 4200 }
        : ok(d),
  );
  const calls: [fn: string, command: string][] = [
    ['rtpengine_start_recording()', 'start recording'],
    ['rtpengine_stop_recording()', 'stop recording'],
    ['rtpengine_stop_media()', 'stop media'],
    ['rtpengine_block_media()', 'block media'],
    ['rtpengine_unblock_media()', 'unblock media'],
    ['rtpengine_block_dtmf()', 'block DTMF'],
    ['rtpengine_unblock_dtmf()', 'unblock DTMF'],
    ['rtpengine_start_forwarding()', 'start forwarding'],
    ['rtpengine_stop_forwarding()', 'stop forwarding'],
    ['rtpengine_play_media("file=/tmp/x.wav", $var(dur))', 'play media'],
    ['rtpengine_play_dtmf("5")', 'play DTMF'],
  ];
  const e = engine(calls.map(([fn], i) => `\t$var(r${i}) = ${fn};`).join('\n'), [], r.channel);
  const good = e.send(invite('c1', { toTag: 'tt' })).vars;
  assert.deepEqual(
    calls.map((_, i) => good.get(`r${i}`)),
    calls.map(() => 1),
  );
  assert.equal(good.get('dur'), 4200);
  const sent = r.seen.filter((s) => s.dict['call-id'] === 'c1');
  assert.deepEqual(
    sent.map((s) => s.dict.command),
    calls.map(([, c]) => c),
  );
  // As 3.3's rtpe_function_call: the media/DTMF-blocking/forwarding commands name the from-tag only with "directional".
  assert.deepEqual(
    sent.map((s) => s.dict['from-tag'] ?? null),
    [...['ft-c1', 'ft-c1'], ...calls.slice(2, -1).map(() => null), 'ft-c1'],
  );
  assert.equal(sent.at(-1)!.dict.code, '5', 'play DTMF names the code');
  const bad = e.send(invite('bad', { toTag: 'tt' })).vars;
  assert.deepEqual(
    calls.map((_, i) => bad.get(`r${i}`)),
    [...calls.slice(0, -1).map(() => -1), -2],
  );
});

test('rtpengine_use_set: 1 and the next command goes to that set; -1 for a set that does not exist (the default set stays)', () => {
  const r = recorder((d) => ok(d));
  const e = engine(
    '\t$var(u) = rtpengine_use_set($var(set));\n\t$var(rc) = rtpengine_offer();',
    [
      'modparam("rtpengine", "rtpengine_sock", "udp:127.0.0.1:22333")',
      'modparam("rtpengine", "rtpengine_sock", "2 == udp:127.0.0.1:22335")',
    ],
    r.channel,
  );
  e.rt.vars.set('set', 2);
  const two = e.send(invite('u1')).vars;
  assert.deepEqual([two.get('u'), two.get('rc')], [1, 1]);
  assert.equal(r.seen.filter((s) => s.dict['call-id'] === 'u1').at(-1)!.port, 22335);
  e.rt.vars.set('set', 9);
  const none = e.send(invite('u2')).vars;
  assert.deepEqual([none.get('u'), none.get('rc')], [-1, 1]);
  assert.equal(r.seen.filter((s) => s.dict['call-id'] === 'u2').at(-1)!.port, 22333);
});
