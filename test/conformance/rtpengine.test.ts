// rtpengine live: a real rtpengine daemon (Debian package rtpengine-daemon)
// on loopback, `opensips-ts run` sending it the offer and the answer of a
// SIPp call and a delete on BYE. The UAS must see the INVITE's SDP pointing
// at rtpengine (127.0.23.9, a port of its range), the UAC the 200's too.
// Without rtpengine the case is skipped loudly (a failure under CI=true).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../helpers/wait.js';
import { bound, logsSettled, runSipp, SIP_DIR, SIPP, sippSkip, startServer, startUas, stopServers } from '../helpers/sipp.js';

const RTPENGINE = spawnSync('sh', ['-c', 'command -v rtpengine'], { encoding: 'utf8' }).stdout.trim();

function skip(): string | false {
  const s = sippSkip();
  if (s) return s;
  if (RTPENGINE || process.env.CI) return false;
  const line = 'rtpengine not found: the rtpengine conformance case is SKIPPED. Install it with `apt-get install -y --no-install-recommends rtpengine-daemon`.';
  process.stderr.write(`\n${'!'.repeat(line.length)}\n${line}\n${'!'.repeat(line.length)}\n\n`);
  return 'rtpengine is not installed (Debian package rtpengine-daemon)';
}

/** The SDP media lines of every message of `kind` (a start line prefix) in a SIPp -trace_msg file. */
function sdpOf(file: string, startLine: RegExp): string[] {
  const text = readFileSync(file, 'utf8');
  return text.split(/^-{10,}.*$/m).filter((m) => startLine.test(m.replace(/^[\s\S]*?(bytes\)?\s*:?\s*\n)/, ''))).map((m) => (/\nc=IN IP4 (\S+)[\s\S]*?\nm=audio (\d+)/.exec(m) ?? []).slice(1).join(' '));
}

test('SIPp: rtpengine_offer/answer anchor a call\'s media in a real rtpengine; rtpengine_delete on BYE', { skip: skip(), timeout: 90000 }, async () => {
  assert.ok(SIPP, 'CI=true: SIPp must be installed (apt-get install -y sip-tester)');
  assert.ok(RTPENGINE, 'CI=true: rtpengine must be installed (apt-get install -y --no-install-recommends rtpengine-daemon)');
  const dir = mkdtempSync(join(tmpdir(), 'osts-rtpe-'));
  const rtpeLog: string[] = [];
  const rtpe = spawn(RTPENGINE, ['--interface=127.0.23.9', '--listen-ng=127.0.23.9:22233', '--foreground', '--log-stderr', '--table=-1', '--port-min=41000', '--port-max=41100', '--pidfile=' + join(dir, 'rtpe.pid')], { stdio: ['ignore', 'pipe', 'pipe'] });
  rtpe.stdout.on('data', (d: Buffer) => rtpeLog.push(d.toString()));
  rtpe.stderr.on('data', (d: Buffer) => rtpeLog.push(d.toString()));
  const stop = setTimeout(() => rtpe.kill('SIGKILL'), 60000);
  await waitFor(() => rtpe.exitCode !== null || bound('127.0.23.9', 22233, 'u1'), 'rtpengine to listen on 127.0.23.9:22233');
  const server = await startServer({ cfg: `${SIP_DIR}rtpengine.cfg`, sockets: 1 });
  try {
    const uasTrace = join(dir, 'uas.log');
    const uacTrace = join(dir, 'uac.log');
    const uas = (await startUas({ scenario: 'uas-invite.xml', ip: '127.0.23.2', port: 5070, transport: 'u1', messageFile: uasTrace })).done;
    const uac = await runSipp({ scenario: 'uac-invite.xml', ip: '127.0.23.3', port: 5314, transport: 'u1', target: '127.0.23.1:5060', service: 'media', messageFile: uacTrace }, true);
    const uasResult = await uas;
    await logsSettled([server]);
    const log = server.log.join('');
    assert.equal(uac.code, 0, `SIPp UAC failed:\n${uac.out.slice(-2000)}\n${log.slice(-2000)}\n${rtpeLog.join('').slice(-2000)}`);
    assert.equal(uasResult.code, 0, `SIPp UAS failed:\n${uasResult.out.slice(-2000)}`);
    const inviteSdp = sdpOf(uasTrace, /^INVITE /);
    const okSdp = sdpOf(uacTrace, /^SIP\/2\.0 200 OK[\s\S]*CSeq: 1 INVITE/);
    for (const s of [...inviteSdp, ...okSdp]) assert.match(s, /^127\.0\.23\.9 41\d\d\d$/, `media anchored in rtpengine: ${s}`);
    assert.ok(inviteSdp.length >= 1 && okSdp.length >= 1, `${inviteSdp} / ${okSdp}`);
    assert.match(log, /offer of \S+ anchored on udp:127\.0\.23\.9:22233/);
    assert.match(log, /answer of \S+ anchored/);
    assert.match(log, /media of \S+ released/);
    const commands = rtpeLog.join('').match(/Received command '(\w+)'/g)?.map((c) => c.slice(18, -1)) ?? [];
    assert.deepEqual(commands.filter((c) => c !== 'ping'), ['offer', 'answer', 'delete']);
  } finally {
    await stopServers([server]);
    clearTimeout(stop);
    rtpe.kill('SIGTERM');
  }
});
