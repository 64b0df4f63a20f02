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
import { ROOT, SIPP, logsSettled, runSipp, sippSkip, startServer } from '../helpers/sipp.js';

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
    it(x.name, { skip: sippSkip(), timeout: 90000 }, async () => {
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
        for (const s of servers) s.child.kill('SIGTERM');
        await new Promise((res) => setTimeout(res, 300));
        for (const s of servers) if (s.child.exitCode === null) s.child.kill('SIGKILL');
      }
    });
  });
});
