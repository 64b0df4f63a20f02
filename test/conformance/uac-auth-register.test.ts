// uac_auth for REGISTERs relayed upstream (issue 21 §3), live: a SIPp UA
// registers through conformance/sip/uac-auth-register.cfg with a SIPp
// registrar that challenges the first REGISTER (401 or 407, with or without
// qop) and answers 200 to the second. The proxy must answer the challenge
// itself: the UA sees only the 200, with its own CSeq; the registrar sees the
// same REGISTER with CSeq + 1 and credentials that this test checks with its
// own digest computation (RFC 2617 / RFC 8760 MD5). A challenge for a realm
// with no credential comes back to the UA. Addresses: 127.0.118.0/24.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logsSettled, runSipp, SIP_DIR, SIPP, sippSkip, startServer, startUas, stopServers } from '../helpers/sipp.js';

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

interface Case {
  name: string;
  code: 401 | 407;
  realm: string;
  qop: '' | 'auth' | 'auth-int';
  /** The HA1 the proxy must use, or undefined when it must not answer. */
  ha1?: string;
  user?: string;
  port: number;
}

const ALICE = md5('alice:sip.example.net:wonder:land');
const BOB = '3140b21315ec83ce674090ab6ba258af';
const CASES: Case[] = [
  { name: '401 without qop, plain password', code: 401, realm: 'sip.example.net', qop: '', ha1: ALICE, user: 'alice', port: 5361 },
  { name: '401 with qop=auth, plain password', code: 401, realm: 'sip.example.net', qop: 'auth', ha1: ALICE, user: 'alice', port: 5362 },
  { name: '407 with qop=auth-int, HA1 credential', code: 407, realm: 'ha1.example.net', qop: 'auth-int', ha1: BOB, user: 'bob', port: 5363 },
  { name: '407 without qop, HA1 credential', code: 407, realm: 'ha1.example.net', qop: '', ha1: BOB, user: 'bob', port: 5364 },
  { name: 'a realm with no credential: the 401 goes back to the UA', code: 401, realm: 'nobody.example.net', qop: '', port: 5365 },
];

/** The registrar's scenario, copied with a 407 status line when the case wants one (SIPp reads the code at load time). */
function challengeScenario(file: string, code: 401 | 407, dir: string): string {
  if (code === 401) return file;
  const copy = join(dir, file);
  writeFileSync(
    copy,
    readFileSync(`${SIP_DIR}${file}`, 'utf8').replace('SIP/2.0 401 Unauthorized', 'SIP/2.0 407 Proxy Authentication Required'),
  );
  return copy;
}

/** The SIP messages of a SIPp -trace_msg file. */
function messages(file: string): string[] {
  try {
    return readFileSync(file, 'utf8')
      .split(/^-{20,}.*$/m)
      .map((m) => m.replace(/^\s*(UDP|TCP) message (sent|received)[^\n]*\n\s*\n/, '').trim())
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
  test(`SIPp uac_auth, relayed REGISTER: ${c.name}`, { skip: sippSkip(), timeout: 120000 }, async () => {
    assert.ok(SIPP, 'CI=true: SIPp must be installed (apt-get install -y sip-tester)');
    const dir = mkdtempSync(join(tmpdir(), 'osts-uacreg-'));
    const upTrace = join(dir, 'registrar.log');
    const uaTrace = join(dir, 'ua.log');
    const servers: { child: ChildProcess; log: string[] }[] = [];
    try {
      servers.push(await startServer({ cfg: `${SIP_DIR}uac-auth-register.cfg`, sockets: 1 }));
      const hdr = c.code === 401 ? 'WWW-Authenticate' : 'Proxy-Authenticate';
      const keys = {
        hdr,
        realm: c.realm,
        qop: c.qop ? `, qop="${c.qop}"` : '',
      };
      const registrar = (await startUas(
        {
          scenario: challengeScenario(c.ha1 ? 'uas-reg-challenge.xml' : 'uas-reg-challenge-only.xml', c.code, dir),
          ip: '127.0.118.12',
          port: 5070,
          transport: 'u1',
          keys,
          messageFile: upTrace,
        },
      )).done;
      const ua = await runSipp(
        {
          scenario: c.ha1 ? 'uac-reg-upstream.xml' : 'uac-reg-upstream-401.xml',
          ip: '127.0.118.13',
          port: c.port,
          transport: 'u1',
          target: '127.0.118.11:5060',
          keys: { registrar: '127.0.118.12:5070' },
          messageFile: uaTrace,
        },
        true,
      );
      const up = await registrar;
      await logsSettled(servers);
      const log = servers[0]!.log.join('');
      const detail = `proxy:\n${log.slice(-2000)}\nUA:\n${messages(uaTrace).join('\n--\n')}\nregistrar:\n${messages(upTrace).join('\n--\n')}`;
      assert.equal(ua.code, 0, `UA failed:\n${ua.out.slice(-1200)}\n${detail}`);
      assert.equal(up.code, 0, `registrar failed:\n${up.out.slice(-1200)}\n${detail}`);
      const registers = messages(upTrace).filter((m) => m.startsWith('REGISTER '));
      if (!c.ha1) {
        assert.equal(registers.length, 1, detail);
        return;
      }
      assert.equal(registers.length, 2, detail);
      const [first, second] = registers as [string, string];
      assert.match(first, /^CSeq: 7 REGISTER$/m);
      assert.match(second, /^CSeq: 8 REGISTER$/m, 'the re-sent REGISTER has CSeq + 1');
      const name = c.code === 401 ? 'Authorization' : 'Proxy-Authorization';
      const line = new RegExp(`^${name}: (.*)$`, 'm').exec(second)?.[1];
      assert.ok(line, `${name} on the second REGISTER:\n${second}`);
      const p = digestParams(line!);
      assert.equal(p.username, c.user);
      assert.equal(p.realm, c.realm);
      assert.equal(p.uri, 'sip:127.0.118.12:5070');
      assert.equal(p.opaque, 'up-1');
      const body = second.split(/\r?\n\r?\n/)[1] ?? '';
      const ha2 = md5(`REGISTER:${p.uri}${c.qop === 'auth-int' ? `:${md5(body)}` : ''}`);
      const expected = c.qop
        ? md5(`${c.ha1}:${p.nonce}:${p.nc}:${p.cnonce}:${c.qop}:${ha2}`)
        : md5(`${c.ha1}:${p.nonce}:${ha2}`);
      if (c.qop) assert.equal(p.qop, c.qop);
      else assert.equal(p.qop, undefined);
      assert.equal(p.response, expected, `the digest response verifies:\n${line}`);
      assert.match(log, new RegExp(`answered the ${c.code} challenge of `));
    } finally {
      await stopServers(servers);
    }
  });
}
