// The load client of `bench:core --transport` / `bench:register --transport`:
// many persistent TCP, TLS, WS or WSS connections, each sending REGISTERs
// for distinct AoRs (or OPTIONS), a few outstanding per connection. SIPp here
// has no TLS and no WebSocket, hence this client. It is driven over
// stdin/stdout by the bench (one JSON line each way), so that the bench reads
// the server's CPU exactly around each step:
//   args (argv[2], JSON): { transport, host, port, connections, window, kind, from }
//   stdout "ready" once every connection is open and one request on each was answered;
//   stdin  "go RATE SECONDS TAG" runs one step (RATE 0: as fast as the answers come back), then prints the
//          step's figures as one JSON line; stdin "quit" (or end) closes everything.
// Every loop is bounded: a step stops after SECONDS (at most 60) and waits at most 5 s more for the answers;
// the whole client exits after 15 minutes whatever happens. Loopback only.
import net from 'node:net';
import tls from 'node:tls';
import { createInterface } from 'node:readline';
import { WebSocket } from 'ws';

export type StreamTransport = 'tcp' | 'tls' | 'ws' | 'wss';

export interface LoadArgs {
  transport: StreamTransport;
  host: string;
  port: number;
  connections: number;
  /** Requests outstanding per connection at most. */
  window: number;
  kind: 'register' | 'options';
  /** The local address the connections leave from. */
  from: string;
}

export interface StepResult {
  sent: number;
  ok: number;
  failed: number;
  seconds: number;
  rate: number;
  /** Answers not received when the step ended. */
  unanswered: number;
}

const HARD_LIMIT_MS = 15 * 60_000;
const MAX_STEP_SECONDS = 60;

interface Conn {
  send(text: string): void;
  outstanding: number;
  close(): void;
}

function request(a: LoadArgs, localPort: number, user: string, n: number): string {
  const proto = a.transport.toUpperCase();
  const id = `${user}-${n}`;
  const contact = `<sip:${user}@${a.from}:${localPort};transport=${a.transport}>`;
  const method = a.kind === 'register' ? 'REGISTER' : 'OPTIONS';
  const ruri = a.kind === 'register' ? `sip:bench.test` : `sip:ping@bench.test`;
  return (
    `${method} ${ruri} SIP/2.0\r\nVia: SIP/2.0/${proto} ${a.from}:${localPort};branch=z9hG4bK-${id}\r\n` +
    `From: <sip:${user}@bench.test>;tag=t${id}\r\nTo: <sip:${user}@bench.test>\r\nCall-ID: ${id}\r\nCSeq: 1 ${method}\r\n` +
    `Max-Forwards: 70\r\n${a.kind === 'register' ? `Contact: ${contact}\r\nExpires: 3600\r\n` : ''}Content-Length: 0\r\n\r\n`
  );
}

/** The status codes of the messages complete in `buf` (Content-Length framing), and the bytes left over. */
function statuses(buf: string, out: number[]): string {
  for (;;) {
    const end = buf.indexOf('\r\n\r\n');
    if (end < 0) return buf;
    const head = buf.slice(0, end);
    const cl = /\r\n(?:Content-Length|l)\s*:\s*(\d+)/i.exec(head);
    const total = end + 4 + Number(cl?.[1] ?? 0);
    if (buf.length < total) return buf;
    const m = /^SIP\/2\.0 (\d{3})/.exec(head);
    if (m) out.push(Number(m[1]));
    buf = buf.slice(total);
  }
}

async function open(a: LoadArgs, onStatus: (c: Conn, status: number) => void): Promise<{ conn: Conn; port: number }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('connect timeout')), 20_000);
    if (a.transport === 'ws' || a.transport === 'wss') {
      const ws = new WebSocket(`${a.transport}://${a.host}:${a.port}/`, 'sip', {
        localAddress: a.from,
        rejectUnauthorized: false,
        perMessageDeflate: false,
        headers: { Origin: 'http://bench.test' },
      });
      const conn: Conn = {
        outstanding: 0,
        send: (t) => ws.send(t),
        close: () => ws.terminate(),
      };
      ws.on('message', (d) => {
        const s: number[] = [];
        statuses(d.toString(), s);
        for (const x of s) onStatus(conn, x);
      });
      ws.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      ws.on('open', () => {
        clearTimeout(timer);
        const raw = (ws as unknown as { _socket: net.Socket })._socket;
        resolve({ conn, port: raw.localPort ?? 0 });
      });
      return;
    }
    const sock =
      a.transport === 'tls'
        ? tls.connect({
            host: a.host,
            port: a.port,
            localAddress: a.from,
            rejectUnauthorized: false,
          } as tls.ConnectionOptions)
        : net.connect({ host: a.host, port: a.port, localAddress: a.from });
    sock.setNoDelay(true);
    let pending = '';
    const conn: Conn = {
      outstanding: 0,
      send: (t) => sock.write(t),
      close: () => sock.destroy(),
    };
    sock.on('data', (d: Buffer) => {
      const s: number[] = [];
      pending = statuses(pending + d.toString('latin1'), s);
      for (const x of s) onStatus(conn, x);
    });
    sock.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    sock.once(a.transport === 'tls' ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      resolve({ conn, port: sock.localPort ?? 0 });
    });
  });
}

async function main(): Promise<void> {
  const a = JSON.parse(process.argv[2] ?? '{}') as LoadArgs;
  setTimeout(() => {
    process.stderr.write('bench-stream-load: hard time limit reached\n');
    process.exit(3);
  }, HARD_LIMIT_MS).unref();
  let ok = 0;
  let failed = 0;
  let onAnswer: ((c: Conn) => void) | undefined;
  const conns: { conn: Conn; port: number; user: string }[] = [];
  const onStatus = (c: Conn, status: number): void => {
    if (status < 200) return;
    c.outstanding--;
    if (status < 300) ok++;
    else failed++;
    onAnswer?.(c);
  };
  for (let i = 0; i < a.connections; i++) {
    const o = await open(a, onStatus);
    conns.push({ ...o, user: `c${i}` });
  }
  let seq = 0;
  const sendOn = (x: (typeof conns)[number], tag: string): void => {
    x.conn.outstanding++;
    x.conn.send(request(a, x.port, `${tag}${x.user}n${seq}`, seq++));
  };
  // One request on each connection answered: every connection works before anything is measured.
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`warm-up: ${ok + failed} of ${conns.length} answered`)), 20_000);
    onAnswer = () => {
      if (ok + failed >= conns.length) {
        clearTimeout(t);
        resolve();
      }
    };
    for (const x of conns) sendOn(x, 'w');
  });
  if (failed) throw new Error(`warm-up: ${failed} requests failed`);
  process.stdout.write('ready\n');
  const byConn = new Map(conns.map((x) => [x.conn, x]));
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    const [cmd, rateS, secondsS, tag] = line.trim().split(/\s+/);
    if (cmd !== 'go') break;
    const rate = Number(rateS);
    const seconds = Math.min(MAX_STEP_SECONDS, Number(secondsS) || 3);
    ok = 0;
    failed = 0;
    let sent = 0;
    const t0 = Date.now();
    const until = t0 + seconds * 1000;
    const stepTag = tag ?? 's';
    let next = 0;
    const free = (): (typeof conns)[number] | undefined => {
      for (let k = 0; k < conns.length; k++) {
        const x = conns[(next + k) % conns.length]!;
        if (x.conn.outstanding < a.window) {
          next = (next + k + 1) % conns.length;
          return x;
        }
      }
      return undefined;
    };
    await new Promise<void>((resolve) => {
      let ticker: NodeJS.Timeout | undefined;
      const finish = (): void => {
        if (ticker) clearInterval(ticker);
        onAnswer = undefined;
        resolve();
      };
      if (rate <= 0) {
        // Closed loop: every answer sends the next request on its connection until the time is up.
        onAnswer = (c) => {
          if (Date.now() < until) {
            sendOn(byConn.get(c)!, stepTag);
            sent++;
          } else if (ok + failed >= sent) finish();
        };
        for (const x of conns)
          for (let k = 0; k < a.window; k++) {
            sendOn(x, stepTag);
            sent++;
          }
        ticker = setInterval(() => {
          if (Date.now() > until + 5000) finish();
        }, 100);
      } else {
        // Paced: every 5 ms the requests due by then, on connections with room in their window.
        onAnswer = () => {
          if (Date.now() >= until && ok + failed >= sent) finish();
        };
        ticker = setInterval(() => {
          const now = Date.now();
          if (now >= until) {
            if (ok + failed >= sent || now > until + 5000) finish();
            return;
          }
          const due = Math.floor(((now - t0) / 1000) * rate);
          while (sent < due) {
            const x = free();
            if (!x) break;
            sendOn(x, stepTag);
            sent++;
          }
        }, 5);
      }
    });
    const elapsed = (Date.now() - t0) / 1000;
    const r: StepResult = {
      sent,
      ok,
      failed,
      seconds: elapsed,
      rate: Math.round(ok / Math.max(elapsed, seconds)),
      unanswered: sent - ok - failed,
    };
    for (const x of conns) x.conn.outstanding = Math.min(x.conn.outstanding, a.window);
    process.stdout.write(JSON.stringify(r) + '\n');
  }
  for (const x of conns) x.conn.close();
  process.exit(0);
}

if (process.argv[1]?.endsWith('bench-stream-load.js') || process.argv[1]?.endsWith('bench-stream-load.ts'))
  main().catch((err: Error) => {
    process.stderr.write(`bench-stream-load: ${err.message}\n`);
    process.exit(1);
  });
