// A live SipServer on a virtual clock and a network that only records what
// it is given: feed it raw SIP text, read what it sent and logged.
import { loadCfg } from '../../src/cfg/load.js';
import { VirtualClock } from '../../src/base/clock.js';
import { Logger } from '../../src/base/logger.js';
import { SipServer } from '../../src/core/server.js';
import { buildEngine } from '../../src/core/engine.js';

export interface Harness {
  server: SipServer;
  clock: VirtualClock;
  sent: { to: string; text: string }[];
  logs: string[];
  /** Delivers `text` as if it came from ip:port over UDP to the cfg's first socket. */
  receive(text: string, ip: string, port?: number): void;
}

export function serverFor(cfg: string): Harness {
  const loaded = loadCfg('/t/h.cfg', {
    profile: { strict: false },
    readFile: () => cfg,
    fileExists: () => true,
    cwd: '/t',
  });
  const clock = new VirtualClock(Date.UTC(2026, 10, 25, 12));
  const logs: string[] = [];
  const engine = buildEngine(loaded, {
    profile: { strict: false },
    clock,
    logger: new Logger(clock, { write: (l) => logs.push(l) }),
  });
  const sent: { to: string; text: string }[] = [];
  const net = {
    listen: async () => undefined,
    close: async () => undefined,
    send: (_f: unknown, to: { ip: string; port: number }, d: Buffer) =>
      sent.push({ to: `${to.ip}:${to.port}`, text: d.toString() }),
  };
  const server = new SipServer(engine.runtime, net as never);
  const socket = engine.runtime.sockets[0]!;
  return {
    server,
    clock,
    sent,
    logs,
    receive: (text, ip, port = 5060) =>
      server.onInbound({ data: Buffer.from(text), src: { proto: 'udp', ip, port }, socket }),
  };
}

/** A request from 127.0.0.11 (Via branch z9hG4bK-ID), To without tag. */
export function request(method: string, id: string, ruri = 'sip:1001@127.0.0.1'): string {
  return (
    `${method} ${ruri} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.11:5060;branch=z9hG4bK-${id}\r\nFrom: <sip:1002@127.0.0.11>;tag=a${id}\r\nTo: <sip:1001@127.0.0.1>\r\n` +
    `Call-ID: ${id}\r\nCSeq: 1 ${method === 'CANCEL' ? 'CANCEL' : method}\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n`
  );
}

/** The reply a downstream UA sends to the request the server forwarded for call `id`. */
export function replyTo(h: Harness, id: string, status: string): string {
  const fwd = h.sent.find((s) => /^[A-Z]+ /.test(s.text) && s.text.includes(`Call-ID: ${id}\r\n`))!;
  const via = /\r\nVia: ([^\r]+)\r\n/.exec(fwd.text)![1]!;
  return `SIP/2.0 ${status}\r\nVia: ${via}\r\nVia: SIP/2.0/UDP 127.0.0.11:5060;branch=z9hG4bK-${id}\r\nFrom: <sip:1002@127.0.0.11>;tag=a${id}\r\nTo: <sip:1001@127.0.0.1>;tag=b\r\nCall-ID: ${id}\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n`;
}

/** The script's xlog lines of a harness log (core and module lines carry `LEVEL:module:function:`). */
export function scriptLines(logs: string[]): string[] {
  return logs.map((l) => l.replace(/^.*?\] /, '').trim()).filter((l) => !/^[A-Z]+:\w+:\w+:/.test(l));
}
