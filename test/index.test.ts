// The library entry point (package.json "main"): a cfg checked, linted and
// dry-run through src/index.ts alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as api from '../src/index.js';

const CFG = 'socket=udp:127.0.80.1:5060\nloadmodule "sl.so"\nroute {\n  sl_send_reply(200, "OK");\n}\n';

test('src/index.ts offers load, check, lint, dry-run and the server', () => {
  for (const name of [
    'loadCfg',
    'parseCfgText',
    'checkCfg',
    'lintCfg',
    'dryRun',
    'buildEngine',
    'SipServer',
    'startLive',
  ]) {
    assert.equal(typeof (api as Record<string, unknown>)[name], 'function', name);
  }
  assert.match(api.VERSION, /^\d+\.\d+\.\d+/);
});

test('a cfg checked, linted and dry-run through the library API', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ots-index-'));
  const file = join(dir, 'a.cfg');
  writeFileSync(file, CFG);
  const profile = { strict: false };
  const loaded = api.loadCfg(file, { profile });
  assert.deepEqual(
    loaded.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  assert.deepEqual(
    api.checkCfg(file, { profile }).diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  assert.ok(Array.isArray(api.lintCfg(file, { profile }).diagnostics));
  const msg = Buffer.from(
    'OPTIONS sip:127.0.80.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.80.2:5060;branch=z9hG4bK1\r\nFrom: <sip:a@127.0.80.2>;tag=1\r\nTo: <sip:127.0.80.1>\r\nCall-ID: i1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n',
  );
  const result = api.dryRun(file, [{ file: 'm.sip', bytes: msg }], {
    profile,
    src: { proto: 'udp', ip: '127.0.80.2', port: 5060 },
    stubs: new Map(),
    timeMs: 0,
  });
  assert.equal(result.fatal, undefined);
  assert.match(result.runs[0]!.sent.map((s) => s.text).join(''), /^SIP\/2\.0 200 OK/);
});
