// Test helpers for the script engine: build an engine from cfg text and run
// its main route on a fake message, with a virtual clock and captured logs.
import { loadCfg } from '../../src/cfg/load.js';
import { VirtualClock } from '../../src/base/clock.js';
import { Logger } from '../../src/base/logger.js';
import { runRoute } from '../../src/script/compile.js';
import { ExecContext } from '../../src/script/context.js';
import { buildEngine } from '../../src/core/engine.js';
import type { ContactView, NameAddrView, ScriptMessage } from '../../src/script/message.js';
import type { Runtime } from '../../src/script/runtime.js';

export function fakeMessage(over: Partial<ScriptMessage> & { hdrs?: Record<string, string[]> } = {}): ScriptMessage {
  const hdrs = Object.fromEntries(Object.entries(over.hdrs ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const from: NameAddrView = { uri: 'sip:alice@example.com', tag: 'f1' };
  const to: NameAddrView = { uri: 'sip:bob@example.com' };
  return {
    isRequest: true,
    method: 'INVITE',
    ruri: 'sip:bob@example.com:5060;transport=udp',
    callId: 'call-1',
    cseq: { num: 1, method: 'INVITE' },
    from,
    to,
    body: '',
    text: 'INVITE sip:bob@example.com SIP/2.0\r\n\r\n',
    header: (n) => hdrs[n.toLowerCase()]?.[0],
    headers: (n) => hdrs[n.toLowerCase()] ?? [],
    contacts: () => ({ star: false, list: [] as ContactView[] }),
    ...over,
  };
}

export interface Run {
  runtime: Runtime;
  ctx: ExecContext;
  logs: string[];
  diagnostics: string[];
}

export function engineFor(cfg: string, strict = false): { runtime: Runtime; logs: string[]; diagnostics: string[] } {
  const loaded = loadCfg('/t/test.cfg', {
    profile: { strict },
    readFile: () => cfg,
    fileExists: () => true,
    cwd: '/t',
  });
  const clock = new VirtualClock(Date.UTC(2026, 10, 25, 12, 0, 0));
  const logs: string[] = [];
  const logger = new Logger(clock, { write: (l) => logs.push(l) });
  logger.pid = 4242;
  const engine = buildEngine(loaded, { profile: { strict }, clock, logger });
  const diagnostics = [...loaded.diagnostics, ...engine.diagnostics].map(
    (d) => `${d.rule}@${d.span.line}: ${d.message}`,
  );
  return { runtime: engine.runtime, logs, diagnostics };
}

export function run(cfg: string, msg: ScriptMessage = fakeMessage(), reuse?: Runtime): Run {
  const built = reuse ? { runtime: reuse, logs: [] as string[], diagnostics: [] as string[] } : engineFor(cfg);
  const rt = built.runtime;
  const ctx = new ExecContext(
    rt,
    msg,
    { ip: '127.0.0.1', port: 5099, proto: 'udp' },
    rt.sockets[0] ?? { proto: 'udp', ip: '127.0.0.1', port: 5060 },
  );
  const main = rt.route('route', '0');
  if (main) runRoute(ctx, main, 'request', '0');
  return { runtime: rt, ctx, logs: built.logs, diagnostics: built.diagnostics };
}

/** Run `body` in a main route and return $var(out) (or the named var). */
export function out(body: string, msg?: ScriptMessage, name = 'out'): unknown {
  const r = run(`route {\n${body}\n}`, msg);
  return r.runtime.vars.get(name) ?? null;
}

import { parseSipMessage } from '../../src/sip/index.js';
import { scriptMessage } from '../../src/script/sip-adapter.js';
import type { Outbound } from '../../src/script/runtime.js';
import { VirtualClock as Clock2 } from '../../src/base/clock.js';

export interface SipRun {
  retcode: number;
  sent: Outbound[];
  vars: Map<string, unknown>;
  ctx: ExecContext;
}

/** An engine for `cfg` that runs its main route on raw SIP messages; `advance` moves the virtual clock. */
export function sipEngine(cfg: string) {
  const loaded = loadCfg('/t/test.cfg', {
    profile: { strict: false },
    readFile: () => cfg,
    fileExists: () => true,
    cwd: '/t',
  });
  const clock = new Clock2(Date.UTC(2026, 10, 25, 12, 0, 0));
  const logs: string[] = [];
  const logger = new Logger(clock, { write: (l) => logs.push(l) });
  const engine = buildEngine(loaded, { profile: { strict: false }, clock, logger });
  const rt = engine.runtime;
  return {
    rt,
    clock,
    logs,
    diagnostics: [...loaded.diagnostics, ...engine.diagnostics]
      .filter((d) => d.severity === 'error')
      .map((d) => d.message),
    advance: (sec: number) => clock.advance(sec * 1000),
    send(bytes: Buffer, src = { ip: '127.0.0.1', port: 5062, proto: 'udp' }): SipRun {
      const parsed = parseSipMessage(bytes);
      if ('error' in parsed) throw new Error(parsed.error);
      const sent: Outbound[] = [];
      rt.transport = { send: (o) => sent.push(o) };
      const ctx = new ExecContext(rt, scriptMessage(parsed.msg), src, rt.sockets[0]!);
      runRoute(ctx, rt.route('route', '0')!, 'request', '0');
      return { retcode: ctx.retcode, sent, vars: rt.vars, ctx };
    },
  };
}
