// permissions' allow/deny rule files: allow_routing, allow_register, allow_uri.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sipEngine } from '../helpers/engine.js';
import { parseRuleLine } from '../../src/modules/permissions/rules.js';

const dir = mkdtempSync(join(tmpdir(), 'perm-'));
writeFileSync(
  join(dir, 'permissions.allow'),
  '# who may call whom\n"^sip:alice@" : "^sip:[0-9]+@" EXCEPT "^sip:900"\nALL : "^sip:support@"\n',
);
writeFileSync(join(dir, 'permissions.deny'), 'ALL : ALL   # everything else\n');
writeFileSync(join(dir, 'reg.allow'), '"^sip:1001@" : "^sip:1001@127\\.0\\.0\\."\n');
writeFileSync(join(dir, 'reg.deny'), 'ALL : ALL\n');

const LOAD = `socket=udp:127.0.0.1:5060\nloadmodule "sl.so"\nloadmodule "permissions.so"\nmodparam("permissions", "default_allow_file", "${join(dir, 'permissions.allow')}")\nmodparam("permissions", "default_deny_file", "${join(dir, 'permissions.deny')}")\n`;

function msg(method: string, from: string, ruri: string, extra: string[] = []): Buffer {
  return Buffer.from(
    [
      `${method} ${ruri} SIP/2.0`,
      'Via: SIP/2.0/UDP 127.0.0.11:5060;branch=z9hG4bK-p',
      `From: <${from}>;tag=1`,
      `To: <${method === 'REGISTER' ? from : ruri}>`,
      'Call-ID: p1',
      `CSeq: 1 ${method}`,
      ...extra,
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  );
}

test('rule lines: ALL, quoted lists, EXCEPT, comments; a line without a colon does not parse', () => {
  assert.equal(parseRuleLine('   # only a comment'), undefined);
  assert.equal(parseRuleLine('"^sip:a" "^sip:b"'), 'bad');
  const r = parseRuleLine('"^sip:a@", "^sip:b@" : ALL EXCEPT "^sip:x"');
  assert.ok(r && r !== 'bad');
  assert.deepEqual([r.left.list?.length, r.right.list, r.right.except?.length], [2, undefined, 1]);
});

test('allow_routing(): the allow file first, then the deny file, else allowed; appended branches checked too (check_all_branches)', () => {
  const e = sipEngine(
    `${LOAD}route {\n\t$var(r) = allow_routing();\n\tif ($rm == "MESSAGE") { append_branch("sip:bob@127.0.0.9"); $var(b) = allow_routing(); }\n}\n`,
  );
  const rc = (from: string, ruri: string, method = 'INVITE'): unknown =>
    e.send(msg(method, from, ruri)).vars.get(method === 'MESSAGE' ? 'b' : 'r');
  assert.equal(rc('sip:alice@127.0.0.11', 'sip:123@127.0.0.1'), 1);
  assert.equal(rc('sip:alice@127.0.0.11', 'sip:900123@127.0.0.1'), -1, 'EXCEPT');
  assert.equal(rc('sip:bob@127.0.0.11', 'sip:support@127.0.0.1'), 1, 'ALL on the left');
  assert.equal(rc('sip:bob@127.0.0.11', 'sip:123@127.0.0.1'), -1, 'denied by ALL : ALL');
  assert.equal(rc('sip:alice@127.0.0.11', 'sip:123@127.0.0.1', 'MESSAGE'), -1, 'the appended branch to bob is denied');
});

test('allow_register(basename): To against each Contact; a star or no Contact passes; allow_uri(basename, uri): From against the URI', () => {
  const e = sipEngine(
    `${LOAD}route {\n\t$var(r) = allow_register("${join(dir, 'reg')}");\n\t$var(u) = allow_uri("${join(dir, 'reg')}", "sip:1001@127.0.0.5");\n\t$var(n) = allow_routing("${join(dir, 'none')}");\n}\n`,
  );
  const reg = (contact: string | undefined): Map<string, unknown> =>
    e.send(msg('REGISTER', 'sip:1001@127.0.0.1', 'sip:127.0.0.1', contact ? [`Contact: ${contact}`] : [])).vars;
  assert.equal(reg('<sip:1001@127.0.0.11:5062>').get('r'), 1);
  assert.equal(reg('<sip:1001@example.com>').get('r'), -1);
  assert.equal(reg('*').get('r'), 1);
  assert.equal(reg(undefined).get('r'), 1);
  assert.equal(reg(undefined).get('u'), 1);
  assert.equal(reg(undefined).get('n'), 1, 'files that are not there: everything allowed');
});
