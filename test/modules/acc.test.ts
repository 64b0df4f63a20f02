// acc: do_accounting() on OpenSIPS's default opensips.cfg (answered INVITEs,
// missed calls), failed transactions with local replies, E_ACC_* events,
// drop_accounting, acc_log_request, return codes, what `run` refuses;
// t_was_cancelled in a failure route.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { scenarioOf } from '../helpers/scenario.js';
import { CORPUS_DIR } from '../helpers/cfg.js';
import { loadCfg } from '../../src/cfg/load.js';
import { VirtualClock } from '../../src/base/clock.js';
import { Logger } from '../../src/base/logger.js';
import { buildEngine } from '../../src/core/engine.js';
import { notNative } from '../../src/script/native-coverage.js';
import { run, fakeMessage } from '../helpers/engine.js';

const DEFAULT_CFG = readFileSync(CORPUS_DIR + 'OpenSIPS+opensips@3.3__etc__opensips.cfg', 'utf8');
const UAS = `uas:
  UA1: { address: "udp:127.0.0.10:5060", user: "1001" }
  UA2: { address: "udp:127.0.0.11:5060", user: "1002" }
  BUSY: { address: "udp:127.0.0.12:5060", user: "1003", answers: 486 }
`;
const accLines = (logs: string[]): string[] =>
  logs.filter((l) => / ACC: /.test(l)).map((l) => l.replace(/^[\d.]+ P: /, ''));

test('the default opensips.cfg: an answered INVITE is logged "transaction answered", a busy one "call missed", an unknown user nothing', async () => {
  const r = await scenarioOf(
    DEFAULT_CFG,
    `${UAS}timeline:\n  - t=0 UA1 REGISTER expires=3600\n  - t=0 BUSY REGISTER expires=3600\n  - t=1 UA2 INVITE 1001 via=P\n  - t=2 UA2 INVITE 1003 via=P\n  - t=3 UA2 INVITE 1009 via=P\nuntil: 5\n`,
  );
  const t0 = Number(/timestamp=(\d+)/.exec(accLines(r.logs)[0]!)![1]) - 1;
  assert.deepEqual(
    accLines(r.logs).map((l) => l.replace(/=(\d{9,})/g, (_m, n: string) => `=T+${Number(n) - t0}`)),
    [
      'ACC: transaction answered: timestamp=T+1;created=0;setuptime=T+1;method=INVITE;from_tag=ua2-tag-1;to_tag=ua1-tag;call_id=UA2-call-1@127.0.0.11;code=200;reason=OK',
      'ACC: call missed: timestamp=T+2;created=0;setuptime=T+2;method=INVITE;from_tag=ua2-tag-2;to_tag=busy-tag;call_id=UA2-call-2@127.0.0.11;code=486;reason=Busy Here',
    ],
  );
  assert.ok(
    r.messages.some((m) => m.from === 'P' && m.to === 'UA2' && m.status === 100),
    't_relay answers the INVITE with 100 first (auto_100trying)',
  );
});

test("acc's log_level decides whether the records print", async () => {
  const quiet = await scenarioOf(
    DEFAULT_CFG,
    `${UAS}modparams:\n  acc: { log_level: 4 }\ntimeline:\n  - t=0 UA1 REGISTER expires=3600\n  - t=1 UA2 INVITE 1001 via=P\nuntil: 3\n`,
  );
  assert.deepEqual(accLines(quiet.logs), [], 'acc at L_DBG, the cfg at log_level 3');
});

const SMALL = (route: string, extra = ''): string => `socket=udp:127.0.0.1:5060
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "signaling.so"
loadmodule "acc.so"
${extra}
route {
${route}
}
`;

test('"failed" accounts negative replies; a local reply carries OpenSIPS\'s own reason phrase and no To tag; drop_accounting stops it', async () => {
  const r = await scenarioOf(
    SMALL(
      '\tdo_accounting("log", "failed");\n\tif ($ci =~ "call-2") drop_accounting();\n\tt_reply(404, "Nobody here");',
    ),
    `uas:\n  UA2: { address: "udp:127.0.0.11:5060", user: "1002" }\ntimeline:\n  - t=1 UA2 INVITE 1001 via=P\n  - t=2 UA2 INVITE 1001 via=P\nuntil: 3\n`,
  );
  const lines = accLines(r.logs);
  assert.equal(lines.length, 1, 'the second call dropped its accounting');
  assert.match(
    lines[0]!,
    /;method=INVITE;from_tag=ua2-tag-1;to_tag=;call_id=UA2-call-1@127\.0\.0\.11;code=404;reason=Not Found$/,
  );
  assert.ok(
    r.messages.some((m) => m.status === 404 && /Nobody here/.test(m.label)),
    "the UA still gets the script's reason",
  );
});

test('without "failed" a negative final is not accounted; E_ACC_EVENT carries the record to event_route', async () => {
  const cfg = SMALL(
    '\tdo_accounting("log|evi");\n\tif ($ci =~ "call-1") t_reply(403, "Forbidden"); else t_reply(200, "OK");',
    'loadmodule "event_route.so"\nevent_route[E_ACC_EVENT] {\n\txlog("L_NOTICE", "acc event $param(method) $param(sip_code) $param(sip_reason) $param(callid)\\n");\n}',
  );
  const r = await scenarioOf(
    cfg,
    `uas:\n  UA2: { address: "udp:127.0.0.11:5060", user: "1002" }\ntimeline:\n  - t=1 UA2 INVITE 1001 via=P\n  - t=2 UA2 INVITE 1001 via=P\nuntil: 3\n`,
  );
  assert.deepEqual(
    accLines(r.logs).map((l) => /code=\d+/.exec(l)![0]),
    ['code=200'],
  );
  assert.deepEqual(
    r.logs.filter((l) => l.includes('acc event')).map((l) => l.replace(/^[\d.]+ P: /, '')),
    ['acc event INVITE 200 OK UA2-call-2@127.0.0.11'],
  );
});

test('do_accounting return codes: 1; -1 for an unknown backend given at run time; CANCEL without report_cancels is skipped with a warning', () => {
  const cfg = SMALL(
    '\t$var(t) = "log";\n\tif ($rm == "MESSAGE") $var(t) = "ldap";\n\tdo_accounting($var(t));\n\txlog("rc=$rc\\n");',
  );
  assert.match(run(cfg, fakeMessage({ method: 'INVITE' })).logs.join(''), /rc=1/);
  assert.match(run(cfg, fakeMessage({ method: 'MESSAGE' })).logs.join(''), /rc=-1/);
  const cancel = run(cfg, fakeMessage({ method: 'CANCEL' })).logs.join('');
  assert.match(cancel, /rc=1/);
  assert.match(
    cancel,
    /WARNING:acc:w_do_acc: do_accounting\(\) called on CANCEL but 'report_cancels' modparam not set/,
  );
});

test('acc_log_request("404 Not here"): one "request accounted" record now, code and reason from the comment', () => {
  const out = run(
    SMALL('\tacc_log_request("404 Not here");\n\tacc_log_request("just a note");'),
    fakeMessage({ method: 'MESSAGE' }),
  ).logs.join('');
  assert.match(
    out,
    /ACC: request accounted: timestamp=\d+;method=MESSAGE;from_tag=[^;]*;to_tag=;call_id=[^;]*;code=404;reason=Not here\n/,
  );
  assert.match(out, /ACC: request accounted: timestamp=\d+;method=MESSAGE;.*;code=;reason=just a note\n/);
});

test('run refuses the aaa backend (not native), accepts log, evi and db, and CDRs', () => {
  const problems = (route: string): string[] => {
    const loaded = loadCfg('/t/a.cfg', {
      profile: { strict: false },
      readFile: () => SMALL(route),
      fileExists: () => true,
      cwd: '/t',
    });
    const clock = new VirtualClock();
    const e = buildEngine(loaded, {
      profile: { strict: false },
      clock,
      logger: new Logger(clock, { write: () => undefined }),
    });
    return notNative(loaded, e.runtime).map((d) => d.message);
  };
  assert.deepEqual(problems('\tdo_accounting("log|evi", "missed|failed");'), []);
  assert.deepEqual(problems('\tdo_accounting("log|db");'), []);
  assert.match(problems('\tdo_accounting("log|aaa");')[0]!, /the aaa accounting backend has no native implementation/);
  assert.deepEqual(problems('\tdo_accounting("log", "cdr");'), []);
});

// The db backend (acc, missed_calls, CDRs) on each DB backend: acc-cdr.test.ts.
