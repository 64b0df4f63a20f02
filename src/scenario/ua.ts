// A simulated user agent: it REGISTERs (one Call-ID, CSeq counting up), calls
// an AoR through an actor, and answers what it receives (200 to INVITE and
// other requests unless told another status or a delay; ACK absorbed). Only
// ever sends into the simulated hub.
import { parseSipMessage } from '../sip/index.js';
import { reasonPhrase } from '../sip/reasons.js';
import { isSipError } from '../sip/result.js';
import type { Peer } from '../net/types.js';
import type { SimHub } from './sim-network.js';

export interface UaSpec {
  name: string;
  user: string;
  proto: string;
  ip: string;
  port: number;
  domain?: string;
  /** false: never answers; a number: the status it answers every request with (200 when true or absent). */
  answers?: boolean | number;
  /** Milliseconds it takes to answer. */
  replyDelayMs?: number;
}

export interface RegisterOptions {
  /** Expires header value; omitted when undefined. */
  expires?: number;
  /** `;expires=` on the Contact. */
  contactExpires?: number;
  /** `Contact: *` (with Expires: 0). */
  star?: boolean;
  /** Another Contact URI than the UA's own address (a second device on the AoR, say), or a whole `<uri>;params` value. */
  contact?: string;
  /** Extra header lines. */
  headers?: string[];
}

export class SimUa {
  private cseq = 0;
  private inviteSeq = 0;
  private readonly tag: string;

  constructor(
    readonly spec: UaSpec,
    private readonly hub: SimHub,
  ) {
    this.tag = `${spec.name.toLowerCase()}-tag`;
    hub.attach(spec.name, { proto: spec.proto, ip: spec.ip, port: spec.port } as never, (m) =>
      this.receive(m.data, m.src),
    );
  }

  get address(): Peer {
    return { proto: this.spec.proto, ip: this.spec.ip, port: this.spec.port };
  }

  private hostport(): string {
    return `${this.spec.ip}:${this.spec.port}`;
  }

  private via(branch: string): string {
    return `Via: SIP/2.0/${this.spec.proto.toUpperCase()} ${this.hostport()};branch=z9hG4bK-${branch};rport`;
  }

  register(to: Peer, o: RegisterOptions): void {
    const domain = this.spec.domain ?? to.ip;
    const n = ++this.cseq;
    // `contact=<sip:...;rinstance=x>;q=0.8;+sip.instance="..."`: a whole Contact value, header params included.
    const value = o.contact?.startsWith('<')
      ? o.contact
      : `<${o.contact ?? `sip:${this.spec.user}@${this.hostport()}`}>`;
    const contact = o.star ? '*' : `${value}${o.contactExpires !== undefined ? `;expires=${o.contactExpires}` : ''}`;
    const lines = [
      `REGISTER sip:${domain} SIP/2.0`,
      this.via(`${this.spec.name}-reg-${n}`),
      'Max-Forwards: 70',
      `From: <sip:${this.spec.user}@${domain}>;tag=${this.tag}`,
      `To: <sip:${this.spec.user}@${domain}>`,
      `Call-ID: ${this.spec.name}-reg@${this.spec.ip}`,
      `CSeq: ${n} REGISTER`,
      `Contact: ${contact}`,
      ...(o.star ? ['Expires: 0'] : o.expires !== undefined ? [`Expires: ${o.expires}`] : []),
      ...(o.headers ?? []),
      `User-Agent: opensips-ts scenario ${this.spec.name}`,
      'Content-Length: 0',
    ];
    this.hub.send(this.spec.name, this.address, to, Buffer.from(lines.join('\r\n') + '\r\n\r\n'));
  }

  invite(to: Peer, user: string): void {
    const n = ++this.inviteSeq;
    const lines = [
      `INVITE sip:${user}@${to.ip}:${to.port} SIP/2.0`,
      this.via(`${this.spec.name}-inv-${n}`),
      'Max-Forwards: 70',
      `From: <sip:${this.spec.user}@${this.spec.ip}>;tag=${this.tag}-${n}`,
      `To: <sip:${user}@${to.ip}>`,
      `Call-ID: ${this.spec.name}-call-${n}@${this.spec.ip}`,
      'CSeq: 1 INVITE',
      `Contact: <sip:${this.spec.user}@${this.hostport()}>`,
      'Content-Length: 0',
    ];
    this.hub.send(this.spec.name, this.address, to, Buffer.from(lines.join('\r\n') + '\r\n\r\n'));
  }

  private receive(data: Buffer, src: Peer): void {
    const parsed = parseSipMessage(data, { datagram: src.proto === 'udp' });
    if (parsed.error !== undefined) return;
    const msg = parsed.msg;
    if (!msg.isRequest) {
      if (msg.status >= 200 && msg.method === 'INVITE') this.ack(msg, src);
      return;
    }
    if (msg.method === 'ACK' || this.spec.answers === false) return;
    const vias = msg.headers('via').map((v) => `Via: ${v}`);
    const to = msg.header('to') ?? '';
    const cseq = msg.cseq;
    const status = typeof this.spec.answers === 'number' ? this.spec.answers : 200;
    const lines = [
      `SIP/2.0 ${status} ${reasonPhrase(status)}`,
      ...vias,
      `From: ${msg.header('from') ?? ''}`,
      `To: ${/;tag=/i.test(to) ? to : `${to};tag=${this.tag}`}`,
      `Call-ID: ${msg.callId ?? ''}`,
      `CSeq: ${cseq && !isSipError(cseq) ? `${cseq.num} ${cseq.method}` : '1 OPTIONS'}`,
      ...(msg.method === 'INVITE' && status < 300 ? [`Contact: <sip:${this.spec.user}@${this.hostport()}>`] : []),
      'Content-Length: 0',
    ];
    this.hub.sendLater(
      this.spec.replyDelayMs ?? 0,
      this.spec.name,
      this.address,
      src,
      Buffer.from(lines.join('\r\n') + '\r\n\r\n'),
    );
  }

  private ack(reply: import('../sip/message.js').SipMessage, src: Peer): void {
    const cseq = reply.cseq;
    const lines = [
      `ACK sip:${src.ip}:${src.port} SIP/2.0`,
      this.via(`${this.spec.name}-ack-${this.inviteSeq}`),
      'Max-Forwards: 70',
      `From: ${reply.header('from') ?? ''}`,
      `To: ${reply.header('to') ?? ''}`,
      `Call-ID: ${reply.callId ?? ''}`,
      `CSeq: ${cseq && !isSipError(cseq) ? cseq.num : 1} ACK`,
      'Content-Length: 0',
    ];
    this.hub.send(this.spec.name, this.address, src, Buffer.from(lines.join('\r\n') + '\r\n\r\n'));
  }
}
