// sipmsgops' SDP codec functions and is_audio_on_hold, with OpenSIPS's
// order of visit (the m= line backwards, then RFC 3551's static types).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sipEngine } from '../helpers/engine.js';
import { request } from '../helpers/server.js';
import { parseSdp } from '../../src/sip/sdp.js';

const MODULES = 'socket=udp:127.0.0.1:5060\nloadmodule "tm.so"\nloadmodule "sl.so"\nloadmodule "sipmsgops.so"\n';

const SDP = [
  'v=0',
  'o=alice 1 1 IN IP4 127.0.0.11',
  's=-',
  'c=IN IP4 127.0.0.11',
  't=0 0',
  'm=audio 4000 RTP/AVP 0 8 96 97 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:96 opus/48000/2',
  'a=fmtp:96 useinbandfec=1',
  'a=rtcp-fb:96 nack',
  'a=rtpmap:97 rtx/48000',
  'a=fmtp:97 apt=96',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-16',
  'a=sendrecv',
  'm=video 5000 RTP/AVP 31',
  '',
].join('\r\n');

/** Runs `body` as the route on an INVITE carrying `sdp`; the variables and the body t_relay sends. */
function runOn(body: string, sdp = SDP): { vars: Map<string, unknown>; sdp: string } {
  const e = sipEngine(`${MODULES}route {\n${body}\n\t$du = "sip:127.0.0.20:5060";\n\tt_relay();\n}\n`);
  const msg = request('INVITE', 'c1').replace(
    'Content-Length: 0\r\n\r\n',
    `Content-Type: application/sdp\r\nContent-Length: ${sdp.length}\r\n\r\n${sdp}`,
  );
  const r = e.send(Buffer.from(msg));
  const out = r.sent.find((m) => m.kind === 'request')!.text;
  return { vars: r.vars, sdp: out.slice(out.indexOf('\r\n\r\n') + 4) };
}

const mLine = (sdp: string, media = 'audio'): string => sdp.split('\r\n').find((l) => l.startsWith(`m=${media}`))!;

test('parseSdp: streams, payloads in m= order with rtpmap/fmtp/custom lines, apt= links, hold', () => {
  const [s] = parseSdp(SDP);
  assert.deepEqual(
    s!.streams.map((x) => [x.media, x.payloads.map((p) => `${p.pt}:${p.enc ?? ''}/${p.clock ?? ''}`)]),
    [
      ['audio', ['0:PCMU/8000', '8:/', '96:opus/48000', '97:rtx/48000', '101:telephone-event/8000']],
      ['video', ['31:/']],
    ],
  );
  const opus = s!.streams[0]!.payloads[2]!;
  assert.deepEqual(
    [opus.fmtp?.text, opus.custom.map((l) => l.text), opus.linked?.pt],
    ['a=fmtp:96 useinbandfec=1', ['a=rtcp-fb:96 nack'], '97'],
  );
  assert.equal(s!.streams[0]!.onHold, 0);
});

test('codec_exists by name (clock ignored, but payloads without a clock are skipped when one is given), static types without rtpmap, regex', () => {
  const { vars } = runOn(
    [
      '$var(a) = codec_exists("pcmu");',
      '$var(b) = codec_exists("PCMA");',
      '$var(c) = codec_exists("opus", "8000");',
      '$var(d) = codec_exists("G729");',
      '$var(e) = codec_exists_re("tele.*event");',
      '$var(f) = codec_exists_re("^speex");',
      '$var(g) = codec_exists("H261");',
    ].join('\n'),
  );
  assert.deepEqual(
    ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((k) => vars.get(k)),
    [1, 1, 1, -1, 1, -1, 1],
  );
});

test('codec_delete takes the payload off the m= line with its a= lines, and its apt= companion; the clock must match when given', () => {
  const r = runOn('$var(a) = codec_delete("opus", "8000");\n$var(b) = codec_delete("opus");');
  assert.deepEqual([r.vars.get('a'), r.vars.get('b')], [-1, 1]);
  assert.equal(mLine(r.sdp), 'm=audio 4000 RTP/AVP 0 8 101');
  for (const gone of ['a=rtpmap:96', 'a=fmtp:96', 'a=rtcp-fb:96', 'a=rtpmap:97', 'a=fmtp:97'])
    assert.ok(!r.sdp.includes(gone), gone);
  assert.ok(r.sdp.includes('a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n'));
});

test('codec_delete_except_re keeps the matching codecs only; a stream left empty gets port 0', () => {
  const r = runOn('$var(a) = codec_delete_except_re("PCMA|telephone-event");');
  assert.equal(r.vars.get('a'), 1);
  assert.equal(mLine(r.sdp), 'm=audio 4000 RTP/AVP 8 101');
  assert.ok(!r.sdp.includes('a=rtpmap:0 '), 'the static PCMU lost its rtpmap line too');
  assert.equal(mLine(r.sdp, 'video'), 'm=video 0 RTP/AVP', 'H261 did not match: the video stream is disabled');
});

test('codec_move_up / codec_move_down: the moved ones in the order OpenSIPS visits them (m= line backwards)', () => {
  assert.equal(mLine(runOn('codec_move_up("telephone-event");').sdp), 'm=audio 4000 RTP/AVP 101 0 8 96 97');
  assert.equal(
    mLine(runOn('codec_move_up_re("PCM");').sdp),
    'm=audio 4000 RTP/AVP 0 8 96 97 101',
    'PCMA has no rtpmap: found in the static table, after PCMU',
  );
  const withRtpmap = SDP.replace('a=rtpmap:0 PCMU/8000', 'a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000');
  assert.equal(
    mLine(runOn('codec_move_up_re("PCM");', withRtpmap).sdp),
    'm=audio 4000 RTP/AVP 8 0 96 97 101',
    'both described: visited backwards',
  );
  assert.equal(mLine(runOn('codec_move_down("PCMU");').sdp), 'm=audio 4000 RTP/AVP 8 96 97 101 0');
  const none = runOn('$var(a) = codec_move_down_re("^AMR");');
  assert.equal(none.vars.get('a'), -1);
  assert.equal(none.sdp, SDP, 'nothing matched: the body is untouched');
});

test('edits chain: a codec deleted is gone for the next function', () => {
  const r = runOn('codec_delete("PCMU");\n$var(a) = codec_exists("PCMU");\n$var(b) = codec_delete_re("PCMU");');
  assert.deepEqual([r.vars.get('a'), r.vars.get('b')], [-1, -1]);
  assert.equal(mLine(r.sdp), 'm=audio 4000 RTP/AVP 8 96 97 101');
});

test('is_audio_on_hold: 2 for a=sendonly/inactive in the audio stream, 1 for c=0.0.0.0 (stream or session), -1 otherwise or without SDP', () => {
  const hold = (sdp: string): unknown => runOn('$var(h) = is_audio_on_hold();', sdp).vars.get('h');
  assert.equal(hold(SDP), -1);
  assert.equal(hold(SDP.replace('a=sendrecv', 'a=sendonly')), 2);
  assert.equal(hold(SDP.replace('a=sendrecv', 'a=inactive')), 2);
  assert.equal(hold(SDP.replace('c=IN IP4 127.0.0.11', 'c=IN IP4 0.0.0.0')), 1);
  assert.equal(
    hold(
      SDP.replace(
        'm=audio 4000 RTP/AVP 0 8 96 97 101\r\n',
        'm=audio 4000 RTP/AVP 0 8 96 97 101\r\nc=IN IP4 0.0.0.0\r\n',
      ),
    ),
    1,
  );
  assert.equal(
    hold(SDP.replace('s=-\r\n', 's=-\r\na=sendonly\r\n')),
    -1,
    'a session-level a=sendonly is not looked at',
  );
  const e = sipEngine(`${MODULES}route {\n$var(h) = is_audio_on_hold();\n}\n`);
  assert.equal(e.send(Buffer.from(request('INVITE', 'c2'))).vars.get('h'), -1);
});

test('stream_exists / stream_delete: media and optional transport regexes; the last matching stream goes, up to the next one or the end', () => {
  const r = runOn(
    [
      '$var(a) = stream_exists("video");',
      '$var(b) = stream_exists("audio", "SAVP");',
      '$var(c) = stream_exists("^aud", "RTP/AVP");',
      '$var(d) = stream_delete("audio");',
      '$var(e) = stream_exists("audio");',
      '$var(f) = stream_delete("audio");',
    ].join('\n'),
  );
  assert.deepEqual(
    ['a', 'b', 'c', 'd', 'e', 'f'].map((k) => r.vars.get(k)),
    [1, -1, 1, 1, -1, -1],
  );
  assert.equal(
    r.sdp,
    'v=0\r\no=alice 1 1 IN IP4 127.0.0.11\r\ns=-\r\nc=IN IP4 127.0.0.11\r\nt=0 0\r\nm=video 5000 RTP/AVP 31\r\n',
  );
  const v = runOn('$var(a) = stream_delete("video");');
  assert.equal(v.vars.get('a'), 1);
  assert.ok(v.sdp.endsWith('a=sendrecv\r\n'), 'the last stream goes up to the end of the body');
});
