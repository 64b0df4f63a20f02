// rtpproxy: the U/L/D commands offer, answer and unforce send (modifiers,
// tags and their order, stream numbers), the SDP rewritten with rtpproxy's
// port and address (c=, m=, a=rtcp, o= with `o`, hold kept), the nortpproxy
// marker, failover and the start-up probe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRtppSocks } from '../../src/modules/rtpproxy/nodes.js';
import { parseProxyFlags } from '../../src/modules/rtpproxy/sdp-proxy.js';
import type { ControlChannel } from '../../src/net/types.js';
import { sipEngine } from '../helpers/engine.js';

const SDP =
  'v=0\r\no=- 1 1 IN IP4 10.9.9.9\r\ns=-\r\nc=IN IP4 10.9.9.9\r\nt=0 0\r\nm=audio 30000 RTP/AVP 0\r\na=rtcp:30001\r\nm=video 0 RTP/AVP 31\r\nm=image 30010 udptl t38\r\n';

function msg(first: string, id: string, body = SDP, toTag = ''): Buffer {
  const isReply = first.startsWith('SIP/');
  return Buffer.from(
    `${first}\r\nVia: SIP/2.0/UDP 127.0.0.11:5060;branch=z9hG4bK-${id}\r\nFrom: <sip:1002@127.0.0.11>;tag=ft\r\nTo: <sip:1001@127.0.0.1>${toTag || isReply ? ';tag=' + (toTag || 'tt') : ''}\r\n` +
      `Call-ID: ${id}\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n${body ? 'Content-Type: application/sdp\r\n' : ''}Content-Length: ${body.length}\r\n\r\n${body}`,
  );
}

/** Records each command; answers V/VF as a 2.x rtpproxy, U/L with `answer(cmd, port)`. */
function rtpproxyAt(answer: (cmd: string, port: number) => string | undefined = () => '40000') {
  const seen: { port: number; cmd: string }[] = [];
  const channel: ControlChannel = {
    request: (_h, port, payload, prefix) => {
      const cmd = payload.subarray(prefix.length).toString();
      seen.push({ port, cmd });
      const a = cmd === 'V' ? '20040107' : cmd.startsWith('VF') ? '1' : answer(cmd, port);
      return a === undefined ? undefined : Buffer.concat([prefix, Buffer.from(a + '\n')]);
    },
  };
  return { seen, channel };
}

function engine(body: string, channel: ControlChannel, extra: string[] = []) {
  const e = sipEngine(
    [
      'socket=udp:127.0.0.1:5060',
      'loadmodule "rtpproxy.so"',
      'modparam("rtpproxy", "rtpproxy_sock", "udp:127.0.0.1:7890")',
      ...extra,
      'route {',
      body,
      '\tforward("udp:127.0.0.60:5060");',
      '}',
      '',
    ].join('\n'),
  );
  e.rt.control = channel;
  return e;
}

const bodyOf = (text: string): string => text.slice(text.indexOf('\r\n\r\n') + 4);

test('rtpproxy_sock: sets (default_set without ==), weights, advertised addresses, the default port; tcp and unix sockets are reported', () => {
  const p = parseRtppSocks(
    [
      'udp:127.0.0.1:7890=2 udp:127.0.0.2|203.0.113.9',
      '2 == udp:127.0.0.3:7892',
      'tcp:127.0.0.4:7893',
      '/run/rtpproxy.sock',
    ],
    1,
  );
  assert.deepEqual(
    p.sets.map((s) => [s.id, s.nodes.map((n) => `${n.url}/${n.host}:${n.port}/${n.weight}/${n.advertised ?? '-'}`)]),
    [
      [1, ['udp:127.0.0.1:7890/127.0.0.1:7890/2/-', 'udp:127.0.0.2/127.0.0.2:22222/1/203.0.113.9']],
      [2, ['udp:127.0.0.3:7892/127.0.0.3:7892/1/-']],
    ],
  );
  assert.equal(p.problems.length, 2);
});

test('rtpproxy_offer: one U per RTP stream (numbered, port 0 skipped), the source address sent, the SDP pointed at rtpproxy and marked', () => {
  const r = rtpproxyAt((cmd) => (cmd.includes(' 30010 ') ? '40010 127.0.0.5' : '40000 127.0.0.5'));
  const e = engine('\t$var(rc) = rtpproxy_offer("", , , $var(node), $var(ret));', r.channel);
  const run = e.send(msg('INVITE sip:1001@127.0.0.1 SIP/2.0', 'o1'));
  assert.deepEqual(
    [run.vars.get('rc'), run.vars.get('node'), run.vars.get('ret')],
    [1, 'udp:127.0.0.1:7890', '127.0.0.5:40010'],
  );
  assert.deepEqual(
    r.seen.filter((s) => /^[UL]/.test(s.cmd)).map((s) => s.cmd),
    ['U o1 127.0.0.1 30000 ft;1', 'U o1 127.0.0.1 30010 ft;3'],
  );
  const out = bodyOf(run.sent.find((m) => m.text.startsWith('INVITE'))!.text);
  assert.equal(
    out,
    'v=0\r\no=- 1 1 IN IP4 10.9.9.9\r\ns=-\r\nc=IN IP4 127.0.0.5\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtcp:40001 IN IP4 127.0.0.5\r\nm=video 0 RTP/AVP 31\r\nm=image 40010 udptl t38\r\na=nortpproxy:yes\r\n',
  );
});

test('rtpproxy_answer on a 200: L with both tags, modifiers from the flags (a trusts the SDP address), o= rewritten with `o`, ip_address wins; body_var in and out', () => {
  const r = rtpproxyAt(() => '41000');
  const e = engine(
    '\t$var(b) = $rb;\n\t$var(rc) = rtpproxy_answer("FAIEo", "198.51.100.7", , , , $var(b));',
    r.channel,
  );
  const run = e.send(msg('SIP/2.0 200 OK', 'a1', SDP.replace(/m=video[^\n]*\n|m=image[^\n]*\n/g, '')));
  assert.equal(run.vars.get('rc'), 1);
  assert.deepEqual(
    r.seen.filter((s) => /^[UL]/.test(s.cmd)).map((s) => s.cmd),
    ['LAIE a1 10.9.9.9 30000 ft;1 tt;1'],
  );
  const out = String(run.vars.get('b')); // body_var: the SDP in a variable, rewritten there
  assert.match(out, /^v=0\r\no=- 1 1 IN IP4 198\.51\.100\.7\r\ns=-\r\nc=IN IP4 198\.51\.100\.7\r\n/);
  assert.match(out, /m=audio 41000 RTP\/AVP 0\r\na=rtcp:41001 IN IP4 198\.51\.100\.7\r\n/);
});

test('tags swap for an offer in a reply and an answer in a request; a hold address stays null; the marker stops a second pass unless `f`', () => {
  const r = rtpproxyAt(() => '42000');
  const e = engine(
    '\tif ($var(op) == "answer") $var(rc) = rtpproxy_answer($var(flags)); else $var(rc) = rtpproxy_offer($var(flags));',
    r.channel,
  );
  const cmds = () => r.seen.filter((s) => /^[UL]/.test(s.cmd)).map((s) => s.cmd);
  e.rt.vars.set('op', 'offer');
  e.send(
    msg(
      'SIP/2.0 200 OK',
      's1',
      'v=0\r\no=- 1 1 IN IP4 10.9.9.9\r\ns=-\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\nm=audio 30000 RTP/AVP 0\r\n',
    ),
  );
  assert.deepEqual(cmds(), ['U s1 127.0.0.1 30000 tt;1 ft;1']);
  r.seen.length = 0;
  e.rt.vars.set('op', 'answer');
  const ack = e.send(msg('ACK sip:1001@127.0.0.1 SIP/2.0', 's2', SDP.split('m=video')[0]!, 'tt'));
  assert.deepEqual(cmds(), ['L s2 127.0.0.1 30000 tt;1 ft;1']);
  assert.match(
    bodyOf(ack.sent[0]!.text),
    /c=IN IP4 127\.0\.0\.1\r\n/,
    "no address in the reply: the receiving socket's",
  );
  const held = e.send(
    msg(
      'ACK sip:1001@127.0.0.1 SIP/2.0',
      's3',
      'v=0\r\no=- 1 1 IN IP4 10.9.9.9\r\ns=-\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\nm=audio 30000 RTP/AVP 0\r\n',
      'tt',
    ),
  );
  assert.match(bodyOf(held.sent[0]!.text), /c=IN IP4 0\.0\.0\.0\r\nt=0 0\r\nm=audio 42000 /);
  e.rt.vars.set('op', 'offer');
  const marked = SDP + 'a=nortpproxy:yes\r\n';
  assert.equal(e.send(msg('INVITE sip:1001@127.0.0.1 SIP/2.0', 's4', marked)).vars.get('rc'), -1);
  e.rt.vars.set('flags', 'f');
  const forced = e.send(msg('INVITE sip:1001@127.0.0.1 SIP/2.0', 's5', marked));
  assert.equal(forced.vars.get('rc'), 1);
  assert.equal(bodyOf(forced.sent[0]!.text).match(/a=nortpproxy:yes/g)!.length, 1);
  assert.equal(e.send(msg('INVITE sip:1001@127.0.0.1 SIP/2.0', 's6', '')).vars.get('rc'), -1, 'no body');
});

test('failover: an offer goes on to the next node when one does not answer (E7-E10 too); another error fails; unforce sends D', () => {
  const r = rtpproxyAt((cmd, port) => (port === 7890 ? undefined : cmd.startsWith('U f3') ? 'E2' : '43000'));
  const e = engine(
    '\tif ($var(op) == "d") $var(rc) = rtpproxy_unforce(); else $var(rc) = rtpproxy_offer("", , , $var(node));',
    r.channel,
    ['modparam("rtpproxy", "rtpproxy_sock", "udp:127.0.0.1:7891")', 'modparam("rtpproxy", "rtpproxy_retr", 1)'],
  );
  const v = e.send(msg('INVITE sip:1001@127.0.0.1 SIP/2.0', 'f1')).vars;
  assert.equal(v.get('rc'), 1);
  assert.equal(v.get('node'), 'udp:127.0.0.1:7891');
  assert.equal(e.send(msg('INVITE sip:1001@127.0.0.1 SIP/2.0', 'f3')).vars.get('rc'), -1);
  e.rt.vars.set('op', 'd');
  r.seen.length = 0;
  assert.equal(e.send(msg('BYE sip:1001@127.0.0.1 SIP/2.0', 'f1', '', 'tt')).vars.get('rc'), 1);
  assert.deepEqual(
    r.seen.map((s) => s.cmd),
    ['D f1 ft tt'],
  );
});

test('start-up probe: V and VF 20050322; a node answering another version is disabled', () => {
  const r = rtpproxyAt();
  const wrong: ControlChannel = {
    request: (h, port, payload, prefix) =>
      port === 7890 && payload.subarray(prefix.length).toString() === 'V'
        ? Buffer.concat([prefix, Buffer.from('19990101\n')])
        : r.channel.request(h, port, payload, prefix, 1, 1),
  };
  const e = engine('\t$var(rc) = rtpproxy_offer("", , , $var(node));', wrong, [
    'modparam("rtpproxy", "rtpproxy_sock", "udp:127.0.0.1:7891")',
  ]);
  for (const start of e.rt.onStart) start();
  assert.deepEqual(
    r.seen.map((s) => `${s.port} ${s.cmd}`),
    ['7891 V', '7891 VF 20050322'],
  );
  assert.equal(e.send(msg('INVITE sip:1001@127.0.0.1 SIP/2.0', 'p1')).vars.get('node'), 'udp:127.0.0.1:7891');
});

test('flags: n takes a <socket> only when one follows; unknown characters go to the modifiers', () => {
  assert.deepEqual(
    ['nco', 'n<tcp:127.0.0.1:9999>r', 'FA2'].map((f) => {
      const p = parseProxyFlags(f);
      return [p.sessionC, p.origin, p.trustSdp, p.mods];
    }),
    [
      [true, true, false, ''],
      [false, false, true, ''],
      [false, false, true, 'A2'],
    ],
  );
});
