// uac_auth for INVITEs (issue 21 §3), live and without a dialog:
// conformance/sip/uac-auth.cfg (moved to 127.0.118.31/.32) between a SIPp
// caller and a SIPp trunk that challenges the INVITE with 401 or 407, with
// qop=auth or qop=auth-int (the SDP body in the digest). The proxy answers
// with CSeq 2; the caller's ACK and BYE follow with 2 and 3 (the `aci`
// Record-Route parameter) while the caller sees its own numbers; this test
// checks the digest itself. A realm without credential: the 407 goes back to
// the caller. Addresses: 127.0.118.0/24.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logsSettled, runSipp, SIP_DIR, SIPP, sippSkip, startServer, startUas, stopServers } from '../helpers/sipp.js';

const md5 = (s: string | Buffer): string => createHash('md5').update(s).digest('hex');
const HA1 = md5('trunk:sip.example.net:s3cr:et');

interface Case {
  name: string;
  code: 401 | 407;
  qop: '' | 'auth' | 'auth-int';
  realm: string;
  port: number;
}

const CASES: Case[] = [
  { name: '407 with qop=auth', code: 407, qop: 'auth', realm: 'sip.example.net', port: 5391 },
  { name: '401 with qop=auth-int (the SDP in the digest)', code: 401, qop: 'auth-int', realm: 'sip.example.net', port: 5392 },
  { name: 'a 407 for a realm without credential goes back to the caller', code: 407, qop: '', realm: 'other.example', port: 5393 },
];

function scenarioCopy(file: string, code: 401 | 407, dir: string): string {
  if (code === 401) return file;
  const copy = join(dir, file);
  writeFileSync(
    copy,
    readFileSync(`${SIP_DIR}${file}`, 'utf8').replace('SIP/2.0 401 Unauthorized', 'SIP/2.0 407 Proxy Authentication Required'),
  );
  return copy;
}

/** The raw text of every message in a SIPp -trace_msg file (CRLF line ends kept as SIPp wrote them). */
function messages(file: string): string[] {
  try {
    return readFileSync(file, 'latin1')
      .split(/^-{20,}.*$/m)
      .map((m) => m.replace(/^\s*(UDP|TCP) message (sent|received)[^\n]*\n\s*\n/, '').replace(/^\s+/, ''))
      .filter((m) => /^[A-Z]+ \S+ SIP\/2\.0|^SIP\/2\.0/.test(m));
  } catch {
    return [];
  }
}

function digestParams(header: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of header.replace(/^Digest\s+/i, '').matchAll(/(\w+)=("([^"]*)"|[^,\s]+)/g)) out[m[1]!] = m[3] ?? m[2]!;
  return out;
}

for (const c of CASES) {
  test(`SIPp uac_auth, INVITE: ${c.name}`, { skip: sippSkip(), timeout: 120000 }, async () => {
    assert.ok(SIPP, 'CI=true: SIPp must be installed (apt-get install -y sip-tester)');
    const dir = mkdtempSync(join(tmpdir(), 'osts-uacinv-'));
    const cfg = join(dir, 'uac-auth.cfg');
    writeFileSync(
      cfg,
      readFileSync(`${SIP_DIR}uac-auth.cfg`, 'utf8').replaceAll('127.0.24.1', '127.0.118.31').replaceAll('127.0.24.2', '127.0.118.32'),
    );
    const trunkTrace = join(dir, 'trunk.log');
    const servers: { child: ChildProcess; log: string[] }[] = [];
    try {
      servers.push(await startServer({ cfg, sockets: 1 }));
      const positive = c.realm === 'sip.example.net';
      const trunk = (await startUas(
        {
          scenario: scenarioCopy(positive ? 'uas-invite-challenge.xml' : 'uas-invite-challenge-only.xml', c.code, dir),
          ip: '127.0.118.32',
          port: 5070,
          transport: 'u1',
          keys: {
            hdr: c.code === 401 ? 'WWW-Authenticate' : 'Proxy-Authenticate',
            realm: c.realm,
            qop: c.qop ? `, qop="${c.qop}"` : '',
          },
          messageFile: trunkTrace,
        },
      )).done;
      const caller = await runSipp(
        {
          scenario: positive ? 'uac-invite.xml' : 'uac-invite-407.xml',
          ip: '127.0.118.33',
          port: c.port,
          transport: 'u1',
          target: '127.0.118.31:5060',
          service: 'trunk',
        },
        true,
      );
      const t = await trunk;
      await logsSettled(servers);
      const log = servers[0]!.log.join('');
      const detail = `proxy:\n${log.slice(-2000)}\ntrunk:\n${messages(trunkTrace).join('\n--\n').slice(-5000)}`;
      assert.equal(caller.code, 0, `caller failed:\n${caller.out.slice(-1200)}\n${detail}`);
      assert.equal(t.code, 0, `trunk failed:\n${t.out.slice(-1200)}\n${detail}`);
      const invites = messages(trunkTrace).filter((m) => m.startsWith('INVITE '));
      if (!positive) {
        assert.equal(invites.length, 1, detail);
        return;
      }
      const second = invites[1]!;
      const name = c.code === 401 ? 'Authorization' : 'Proxy-Authorization';
      const line = new RegExp(`^${name}: (.*?)\\r?$`, 'm').exec(second)?.[1];
      assert.ok(line, `${name} on the second INVITE:\n${second}`);
      const p = digestParams(line!);
      assert.equal(p.username, 'trunk');
      assert.equal(p.qop, c.qop);
      // The trace ends lines with LF and may add blank lines after the body: CRLF back, cut at Content-Length.
      const length = Number(/^Content-Length:\s*(\d+)/im.exec(second)?.[1]);
      const text = second.replace(/\r?\n/g, '\r\n');
      const body = Buffer.from(text.slice(text.indexOf('\r\n\r\n') + 4), 'latin1').subarray(0, length);
      assert.match(body.toString('latin1'), /^v=0\r\n[\s\S]*a=rtpmap:0 PCMU\/8000\r\n$/, 'the SDP as sent');
      const ha2 = md5(`INVITE:${p.uri}${c.qop === 'auth-int' ? `:${md5(body)}` : ''}`);
      assert.equal(p.response, md5(`${HA1}:${p.nonce}:${p.nc}:${p.cnonce}:${c.qop}:${ha2}`), line);
    } finally {
      await stopServers(servers);
    }
  });
}
