// `opensips-ts dry-run FILE --msg MSG.sip [--msg ...] [--src proto:ip:port] [--socket proto:ip:port]
//   [--time ISO|unix] [--stub fn=RC ...] [--json] [--strict]`
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { dryRun, type Endpoint } from '../dryrun/dryrun.js';
import { dryRunJson, formatDryRun } from '../dryrun/format.js';
import type { CfgInput } from './cfg-input.js';
import { EXIT, printDiagnostics, type Io } from './io.js';

export interface DryRunArgs {
  msgs: string[];
  src?: string;
  socket?: string;
  time?: string;
  stubs: string[];
  json: boolean;
  strict: boolean;
}

function endpoint(text: string): Endpoint | undefined {
  const m = /^(udp|tcp|tls|ws|wss|sctp):(\[[^\]]+\]|[^:]+):(\d+)$/i.exec(text);
  return m ? { proto: m[1]!.toLowerCase(), ip: m[2]!.replace(/^\[|\]$/g, ''), port: Number(m[3]) } : undefined;
}

function time(text: string | undefined): number | undefined {
  if (text === undefined) return Date.UTC(2026, 0, 1, 12, 0, 0);
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const t = Date.parse(text);
  return Number.isNaN(t) ? undefined : t;
}

export function runDryRun(input: CfgInput, a: DryRunArgs, io: Io): number {
  if (!a.msgs.length) {
    io.err('opensips-ts: dry-run needs --msg MSG.sip');
    return EXIT.usage;
  }
  const src = endpoint(a.src ?? 'udp:127.0.0.1:5062');
  if (!src) {
    io.err(`opensips-ts: --src takes proto:ip:port, not ${a.src}`);
    return EXIT.usage;
  }
  const timeMs = time(a.time);
  if (timeMs === undefined) {
    io.err(`opensips-ts: --time takes an ISO date or Unix seconds, not ${a.time}`);
    return EXIT.usage;
  }
  const stubs = new Map<string, number>();
  for (const s of a.stubs) {
    const m = /^(\w+)=(-?\d+)$/.exec(s);
    if (!m) {
      io.err(`opensips-ts: --stub takes fn=RC, not ${s}`);
      return EXIT.usage;
    }
    stubs.set(m[1]!, Number(m[2]));
  }
  const messages: { file: string; bytes: Buffer }[] = [];
  for (const m of a.msgs) {
    try {
      messages.push({ file: resolve(io.cwd, m), bytes: readFileSync(resolve(io.cwd, m)) });
    } catch (err) {
      io.err(`opensips-ts: cannot read ${m}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      return EXIT.usage;
    }
  }
  const r = dryRun(input.abs, messages, {
    profile: { strict: a.strict },
    readFile: input.readFile,
    src,
    ...(a.socket ? { socket: a.socket } : {}),
    timeMs,
    stubs,
  });
  if (a.json) io.out(dryRunJson(r, io.cwd));
  else {
    printDiagnostics(io, r.diagnostics, r.sources);
    if (r.fatal) io.err(`opensips-ts: ${r.fatal}`);
    else io.out(formatDryRun(r, io.cwd, io.color));
  }
  return r.fatal ? EXIT.errors : EXIT.ok;
}
