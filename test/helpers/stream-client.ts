// A SIP client over a byte stream (node:tls or a plain socket) for live
// tests: sends text, collects the messages it receives, framed by
// Content-Length, and waits for one that matches.
import type { Duplex } from 'node:stream';
import { frameStreamMessage } from '../../src/sip/stream.js';

export class StreamClient {
  readonly received: string[] = [];
  private buf: Buffer = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  closed = false;

  constructor(readonly sock: Duplex) {
    sock.on('data', (chunk: Buffer) => {
      this.buf = Buffer.concat([this.buf, chunk]);
      for (;;) {
        const f = frameStreamMessage(this.buf);
        if (f.kind === 'incomplete' || f.kind === 'error') break;
        if (f.kind === 'message') this.received.push(this.buf.subarray(0, f.length).toString());
        this.buf = this.buf.subarray(f.length);
      }
      for (const w of this.waiters.splice(0)) w();
    });
    sock.on('error', () => undefined);
    sock.on('close', () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w();
    });
  }

  send(text: string): void {
    this.sock.write(text);
  }

  /** The first received message matching `re` (from index `from` on); rejects after `ms`. */
  async waitFor(re: RegExp, ms = 20_000, from = 0): Promise<string> {
    const deadline = Date.now() + ms;
    for (;;) {
      const hit = this.received.slice(from).find((m) => re.test(m));
      if (hit) return hit;
      if (this.closed)
        throw new Error(`connection closed before a message matching ${re}; got:\n${this.received.join('\n---\n')}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no message matching ${re}; got:\n${this.received.join('\n---\n')}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }
}

/** A request with the headers every test needs; `via` is the transport and sent-by (`TLS 127.0.60.30:5061`). */
export function sipRequest(method: string, ruri: string, via: string, id: string, extra = '', body = ''): string {
  return (
    `${method} ${ruri} SIP/2.0\r\nVia: SIP/2.0/${via};branch=z9hG4bK-${id}\r\nFrom: <sip:alice@alice.test>;tag=f${id}\r\nTo: <${ruri.replace(/;.*$/, '')}>\r\n` +
    `Call-ID: ${id}\r\nCSeq: 1 ${method}\r\nMax-Forwards: 70\r\n${extra}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

/** The reply to `req` (its Vias, From, To with a tag, Call-ID, CSeq). */
export function sipReply(req: string, status: string, extra = ''): string {
  const lines = req.split('\r\n');
  const keep = lines.filter((l) => /^(Via|From|Call-ID|CSeq|Record-Route):/i.test(l));
  const to = lines.find((l) => /^To:/i.test(l))!;
  return `SIP/2.0 ${status}\r\n${keep.join('\r\n')}\r\n${/;tag=/.test(to) ? to : `${to};tag=uas`}\r\n${extra}Content-Length: 0\r\n\r\n`;
}
