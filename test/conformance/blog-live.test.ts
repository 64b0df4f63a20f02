// The blog's mid_registrar experiments live, with expires scaled down by 10:
// a real SIPp UA -> `opensips-ts run blog-mid-registrar.cfg --map ...` (mode and
// outgoing_expires varied per experiment, max_expires 13) -> a second
// opensips-ts as the upstream registrar. Checked on each leg: forwarded or
// absorbed (the cfg's own xlog lines), the Expires the upstream received (its
// xlog), the expires each 200 OK told the UA (SIPp's message log).
// Every address is in 127.0.0.0/8; SIPp runs are bounded by -timeout.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, SIPP, logsSettled, runSipp, sippSkip, startServer, stopServers } from '../helpers/sipp.js';
import { settle } from '../helpers/wait.js';

const DIR = mkdtempSync(join(tmpdir(), 'opensips-ts-blog-live-'));

function midCfg(name: string, mode: number, outgoing: number): string {
  const file = join(DIR, `${name}.cfg`);
  writeFileSync(file, 'xlog_level=3\n' + readFileSync(`${ROOT}conformance/blog/blog-mid-registrar.cfg`, 'utf8')
    .replace('modparam("mid_registrar", "mode", 0)', `modparam("mid_registrar", "mode", ${mode})`)
    .replace('modparam("mid_registrar", "outgoing_expires", 80)', `modparam("mid_registrar", "outgoing_expires", ${outgoing})`)
    .replace('modparam("mid_registrar", "max_expires", 130)', 'modparam("mid_registrar", "max_expires", 13)'));
  return file;
}

/** The plain upstream registrar, logging what each REGISTER asked; min_expires 1 so that the scaled-down values are granted as asked. */
function upstreamCfg(name: string): string {
  const file = join(DIR, `${name}-up.cfg`);
  writeFileSync(file, readFileSync(`${ROOT}conformance/upstream/registrar.cfg`, 'utf8')
    .replace('loadmodule "registrar.so"', 'loadmodule "registrar.so"\nmodparam("registrar", "min_expires", 1)')
    .replace('\t\tsave("location");', '\t\txlog("L_ERR", "UP got REGISTER Expires=$hdr(Expires) Contact=$ct\\n");\n\t\tsave("location");'));
  return file;
}

interface Experiment {
  name: string; mode: number; outgoing: number; pauseMs: number;
  /** Per REGISTER of the UA: forwarded upstream or absorbed by P. */
  legs: ('forward' | 'absorb')[];
  upstreamExpires: number; told: number; contact: RegExp;
}

const EXPERIMENTS: Experiment[] = [
  { name: 'M1c mode 1, outgoing 20 > max 13: forward, absorb, absorb, forward (every 3 s; due when now - LRTs >= 20 - 13)', mode: 1, outgoing: 20, pauseMs: 3000, legs: ['forward', 'absorb', 'absorb', 'forward'], upstreamExpires: 20, told: 13, contact: /^<sip:3001@127\.0\.6\.\d+:5361;ctid=\d+>;expires=20$/ },
  { name: 'M1d mode 1, outgoing 8 < max 13: every REGISTER forwarded, the UA told 8', mode: 1, outgoing: 8, pauseMs: 2000, legs: ['forward', 'forward', 'forward', 'forward'], upstreamExpires: 8, told: 8, contact: /;ctid=\d+>;expires=8$/ },
  { name: 'M2a mode 2, outgoing 360: forwarded once as <sip:AOR@P:5361>, then absorbed', mode: 2, outgoing: 360, pauseMs: 1000, legs: ['forward', 'absorb', 'absorb', 'absorb'], upstreamExpires: 360, told: 13, contact: /^<sip:3001@127\.0\.6\.\d+:5361>$/ },
  { name: 'M0 mode 0: every REGISTER forwarded with the raw Expires (20), the UA told 13', mode: 0, outgoing: 80, pauseMs: 1000, legs: ['forward', 'forward', 'forward', 'forward'], upstreamExpires: 20, told: 13, contact: /;ctid=\d+>;expires=20$/ },
];

describe('live blog experiments (SIPp -> blog-mid-registrar.cfg -> upstream opensips-ts)', { concurrency: EXPERIMENTS.length }, () => {
  EXPERIMENTS.forEach((x, i) => {
    it(x.name, { skip: sippSkip(), timeout: 180000 }, async () => {
      assert.ok(SIPP, 'CI=true: SIPp must be installed (apt-get install -y sip-tester)');
      const p = `127.0.6.${10 * i + 11}`;
      const up = `127.0.6.${10 * i + 14}`;
      const ua = `127.0.6.${10 * i + 12}`;
      const servers = [
        await startServer({ cfg: upstreamCfg(`x${i}`), maps: [`172.16.4.114=${up}`], sockets: 2 }),
        await startServer({ cfg: midCfg(`x${i}`, x.mode, x.outgoing), maps: [`172.16.4.111=${p}`, `172.16.4.114=${up}`], sockets: 4 }),
      ];
      try {
        const messages = join(DIR, `x${i}-messages.log`);
        const r = await runSipp({ scenario: 'uac-register-series.xml', ip: ua, port: 5330 + i, transport: 'u1', target: `${p}:5360`, keys: { exp: '20' }, pauseMs: x.pauseMs, messageFile: messages }, true);
        await logsSettled(servers);
        const [upLog, midLog] = servers.map((s) => s.log.join(''));
        assert.equal(r.code, 0, `SIPp failed:\n${r.out.slice(-2000)}\nmid:\n${midLog!.slice(-2000)}`);
        const forwarded = [...upLog!.matchAll(/UP got REGISTER Expires=(\d+) Contact=(.*)$/gm)];
        assert.equal(forwarded.length, x.legs.filter((l) => l === "forward").length, `forwarded upstream:\n${upLog}\nmid:\n${midLog}`);
        assert.equal((midLog!.match(/REGISTER has been absorbed!/g) ?? []).length, x.legs.filter((l) => l === 'absorb').length, `absorbed by P:\n${midLog}`);
        for (const f of forwarded) {
          assert.equal(Number(f[1]), x.upstreamExpires, 'Expires on the upstream leg');
          assert.match(f[2]!.trim(), x.contact, 'the Contact P sent upstream');
        }
        const told = [...readFileSync(messages, 'utf8').matchAll(/^Contact: <sip:3001@[^>]+>;expires=(\d+)\s*$/gm)].map((m) => Number(m[1]));
        assert.deepEqual(told, x.legs.map(() => x.told), 'expires told to the UA in each 200 OK');
      } finally {
        await stopServers(servers);
      }
    });
  });
});

// The experiments that need real processes and real timers, on 127.0.90.x: an
// upstream that caps expires, the De-REGISTER when the UA stops (usrloc's timer,
// every second here), and a mode switch: the proxy restarted against a live upstream.

/** The blog cfg with mode, outgoing_expires and max_expires set, min_expires 1, and usrloc's timer every second. */
function liveMidCfg(name: string, mode: number, outgoing: number, max: number): string {
  const file = join(DIR, `${name}.cfg`);
  writeFileSync(file, 'xlog_level=3\nloadmodule "usrloc.so"\nmodparam("usrloc", "timer_interval", 1)\n' + readFileSync(`${ROOT}conformance/blog/blog-mid-registrar.cfg`, 'utf8')
    .replace('modparam("mid_registrar", "mode", 0)', `modparam("mid_registrar", "mode", ${mode})\nmodparam("mid_registrar", "min_expires", 1)`)
    .replace('modparam("mid_registrar", "outgoing_expires", 80)', `modparam("mid_registrar", "outgoing_expires", ${outgoing})`)
    .replace('modparam("mid_registrar", "max_expires", 130)', `modparam("mid_registrar", "max_expires", ${max})`));
  return file;
}

/** The upstream registrar, logging each REGISTER and then the binding it holds for the AoR; `max` caps expires. */
function liveUpstreamCfg(name: string, max = 0): string {
  const file = join(DIR, `${name}-up.cfg`);
  writeFileSync(file, readFileSync(`${ROOT}conformance/upstream/registrar.cfg`, 'utf8')
    .replace('loadmodule "registrar.so"', `loadmodule "registrar.so"\nmodparam("registrar", "min_expires", 1)\nmodparam("registrar", "max_expires", ${max})`)
    .replace('\t\tsave("location");', '\t\txlog("L_ERR", "UP got REGISTER Expires=$hdr(Expires) Contact=$ct\\n");\n\t\tsave("location");\n\t\tif (lookup("location", "", "$tu")) xlog("L_ERR", "UP holds $ru\\n");'));
  return file;
}

const upstreamLines = (log: string[]): RegExpMatchArray[] => [...log.join('').matchAll(/UP got REGISTER Expires=(\S+) Contact=(.*)$/gm)];
const toldUa = (file: string): number[] => [...readFileSync(file, 'utf8').matchAll(/^Contact: <sip:3001@[^>]+>;expires=(\d+)\s*$/gm)].map((m) => Number(m[1]));

describe('live blog experiments on real timers (127.0.90.x)', { concurrency: 3 }, () => {
  const at = (k: number, host: number): string => `127.0.90.${10 * k + host}`;
  const maps = (k: number): string[] => [`172.16.4.111=${at(k, 11)}`, `172.16.4.114=${at(k, 14)}`];

  it('an upstream that caps expires (max_expires 3): mode 1 forwards every REGISTER with 360, the UA is told 3', { skip: sippSkip(), timeout: 180000 }, async () => {
    assert.ok(SIPP, 'CI=true: SIPp must be installed (apt-get install -y sip-tester)');
    const up = await startServer({ cfg: liveUpstreamCfg('cap', 3), maps: [`172.16.4.114=${at(0, 14)}`], sockets: 2 });
    const p = await startServer({ cfg: liveMidCfg('cap', 1, 360, 13), maps: maps(0), sockets: 4 }).catch(async (e) => { await stopServers([up]); throw e; });
    try {
      const messages = join(DIR, 'cap-messages.log');
      const r = await runSipp({ scenario: 'uac-register-series.xml', ip: at(0, 12), port: 5390, transport: 'u1', target: `${at(0, 11)}:5360`, keys: { exp: '20' }, pauseMs: 1000, messageFile: messages }, true);
      await logsSettled([up, p]);
      assert.equal(r.code, 0, `SIPp failed:\n${r.out.slice(-2000)}\nmid:\n${p.log.join('').slice(-2000)}`);
      const got = upstreamLines(up.log);
      assert.equal(got.length, 4, up.log.join(''));
      for (const g of got) { assert.equal(g[1], '360'); assert.match(g[2]!.trim(), /^<sip:3001@127\.0\.90\.11:5361;ctid=\d+>;expires=360$/); }
      assert.deepEqual(toldUa(messages), [3, 3, 3, 3]);
    } finally { await stopServers([p, up]); }
  });

  it('mode 1: when the UA stops, its local binding lapses and P De-REGISTERs it upstream (usrloc timer)', { skip: sippSkip(), timeout: 180000 }, async () => {
    assert.ok(SIPP, 'CI=true: SIPp must be installed (apt-get install -y sip-tester)');
    const up = await startServer({ cfg: liveUpstreamCfg('dereg'), maps: [`172.16.4.114=${at(1, 14)}`], sockets: 2 });
    const p = await startServer({ cfg: liveMidCfg('dereg', 1, 360, 3), maps: maps(1), sockets: 4 }).catch(async (e) => { await stopServers([up]); throw e; });
    try {
      const messages = join(DIR, 'dereg-messages.log');
      const r = await runSipp({ scenario: 'uac-register-once.xml', ip: at(1, 12), port: 5391, transport: 'u1', target: `${at(1, 11)}:5360`, keys: { exp: '20' }, messageFile: messages }, true);
      assert.equal(r.code, 0, `SIPp failed:\n${r.out.slice(-2000)}`);
      assert.deepEqual(toldUa(messages), [3]);
      // Told 3 s; the timer runs every second: the De-REGISTER comes within a few seconds (bounded wait).
      await settle(() => upstreamLines(up.log).length >= 2, 20_000);
      const got = upstreamLines(up.log);
      assert.equal(got.length, 2, up.log.join(''));
      assert.match(got[0]![2]!.trim(), /;ctid=\d+>;expires=360$/);
      assert.equal(got[1]![1], '<null>', 'no Expires header in a De-REGISTER');
      assert.match(got[1]![2]!.trim(), /^<sip:3001@127\.0\.90\.21:5361;ctid=\d+>;expires=0$/);
    } finally { await stopServers([p, up]); }
  });

  it('mode switch: mode 1, then P restarted in mode 2; the upstream refreshes its ctid binding and keeps the stored URI', { skip: sippSkip(), timeout: 180000 }, async () => {
    assert.ok(SIPP, 'CI=true: SIPp must be installed (apt-get install -y sip-tester)');
    const up = await startServer({ cfg: liveUpstreamCfg('switch'), maps: [`172.16.4.114=${at(2, 14)}`], sockets: 2 });
    let p = await startServer({ cfg: liveMidCfg('switch1', 1, 360, 13), maps: maps(2), sockets: 4 }).catch(async (e) => { await stopServers([up]); throw e; });
    try {
      const first = await runSipp({ scenario: 'uac-register-once.xml', ip: at(2, 12), port: 5392, transport: 'u1', target: `${at(2, 11)}:5360`, keys: { exp: '20' } }, true);
      assert.equal(first.code, 0, first.out.slice(-2000));
      await stopServers([p]);
      p = await startServer({ cfg: liveMidCfg('switch2', 2, 18, 13), maps: maps(2), sockets: 4 });
      const messages = join(DIR, 'switch-messages.log');
      const second = await runSipp({ scenario: 'uac-register-once.xml', ip: at(2, 12), port: 5392, transport: 'u1', target: `${at(2, 11)}:5360`, keys: { exp: '20' }, messageFile: messages }, true);
      await logsSettled([up, p]);
      assert.equal(second.code, 0, `${second.out.slice(-2000)}\nmid:\n${p.log.join('').slice(-2000)}`);
      const got = upstreamLines(up.log);
      assert.equal(got.length, 2, up.log.join(''));
      assert.match(got[0]![2]!.trim(), /^<sip:3001@127\.0\.90\.31:5361;ctid=(\d+)>;expires=360$/);
      assert.match(got[1]![2]!.trim(), /^<sip:3001@127\.0\.90\.31:5361>$/);
      assert.equal(got[1]![1], '18');
      const ctid = /ctid=(\d+)/.exec(got[0]![2]!)![1];
      const holds = [...up.log.join('').matchAll(/UP holds (\S+)/g)].map((m) => m[1]);
      assert.deepEqual(holds, [`sip:3001@127.0.90.31:5361;ctid=${ctid}`, `sip:3001@127.0.90.31:5361;ctid=${ctid}`], 'the stored URI is kept');
      assert.deepEqual(toldUa(messages), [13]);
    } finally { await stopServers([p, up]); }
  });
});
