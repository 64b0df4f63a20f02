// received/rport on the top Via (RFC 3261 §18.2.1, RFC 3581) and where a
// reply goes, written as OpenSIPS 3.3 does it (msg_translator.c, forward.h).
import { canonicalIp } from './host.js';
import type { SipMessage } from './message.js';
import type { Via } from './via.js';

export interface Source {
  readonly ip: string;
  readonly port: number;
}

export interface ViaReceivedOptions {
  /** force_rport(): act as if the client had sent `;rport`. */
  readonly forceRport?: boolean;
  /**
   * 'reply' (default): a locally built reply; `;received=` is always inserted
   * after host:port, even next to an existing one (OpenSIPS does so).
   * 'forward': a relayed request; an existing `received` is overwritten.
   */
  readonly mode?: 'reply' | 'forward';
}

/** OpenSIPS's received_test(): a received param already there, or a Via address that is not the source IP. */
export function viaNeedsReceived(via: Via, srcIp: string): boolean {
  if (via.received !== undefined) return true;
  const host = via.maddr ?? via.host;
  const viaIp = canonicalIp(host);
  // Host names are never resolved here (received_dns is off by default).
  if (viaIp === undefined) return true;
  return host !== srcIp && viaIp !== canonicalIp(srcIp);
}

/**
 * The new value of the first Via header field with `received`/`rport` filled
 * in, or undefined when nothing changes. `rport` is written whenever the Via
 * has one (any value is replaced by the source port) or it is forced;
 * `received` whenever rport is written or the addresses differ.
 */
export function viaReceived(msg: SipMessage, src: Source, opts: ViaReceivedOptions = {}): string | undefined {
  const via = msg.topVia;
  if (!via) return undefined;
  const rport = opts.forceRport === true || via.rport !== undefined;
  if (!rport && !viaNeedsReceived(via, src.ip)) return undefined;
  const value = msg.firstValue('via');
  if (value === undefined) return undefined;

  const received = `;received=${withoutBrackets(src.ip)}`;
  const rportText = `;rport=${src.port}`;
  const o = via.offsets;
  if (opts.mode === 'forward') {
    const edits: Array<{ at: number; remove: number; insert: string }> = [];
    if (o.received) edits.push({ at: o.received[0], remove: o.received[1] - o.received[0], insert: received });
    else edits.push({ at: o.hostPortEnd, remove: 0, insert: received });
    // Both new params hang off the same anchor; the later lump lands first.
    if (o.rport) edits.push({ at: o.rport[0], remove: o.rport[1] - o.rport[0], insert: rportText });
    else if (rport) edits.push({ at: o.hostPortEnd, remove: 0, insert: rportText });
    return splice(value, edits);
  }
  // A reply: received right after host:port, rport's value replaced where it is (always after host:port) or added after received.
  const head = value.slice(0, o.hostPortEnd) + received;
  if (o.rport) return head + value.slice(o.hostPortEnd, o.rport[0]) + rportText + value.slice(o.rport[1]);
  return rport ? head + rportText + value.slice(o.hostPortEnd) : head + value.slice(o.hostPortEnd);
}

function withoutBrackets(ip: string): string {
  return ip.charCodeAt(0) === 91 && ip.charCodeAt(ip.length - 1) === 93 ? ip.slice(1, -1) : ip;
}

function splice(value: string, edits: Array<{ at: number; remove: number; insert: string }>): string {
  // Stable order by position; at equal positions the later edit lands first.
  const ordered = edits.map((e, i) => ({ ...e, i })).sort((a, b) => a.at - b.at || b.i - a.i);
  let out = '';
  let pos = 0;
  for (const e of ordered) {
    out += value.slice(pos, e.at) + e.insert;
    pos = e.at + e.remove;
  }
  return out + value.slice(pos);
}

/**
 * Where a locally generated reply to `msg` goes (sl/tm, reply_to_via off):
 * the source IP, and the source port if the Via has rport (or it is forced),
 * else the Via port or 5060.
 */
export function replyDestination(
  msg: SipMessage,
  src: Source,
  opts: { forceRport?: boolean } = {},
): { host: string; port: number } {
  const via = msg.topVia;
  if (!via || opts.forceRport || via.rport !== undefined) return { host: src.ip, port: src.port };
  return { host: src.ip, port: via.port ?? 5060 };
}

/**
 * Where a relayed reply goes after the proxy removed its own Via: maddr, else
 * received, else the Via host; rport's value, else the Via port, else the
 * transport's default port.
 */
export function viaReplyTarget(via: Via): { host: string; port: number } {
  const rport = via.rport ? Number(via.rport) : NaN;
  const host = via.maddr ?? via.received ?? via.host;
  const port =
    Number.isInteger(rport) && rport > 0 && rport <= 65535 ? rport : (via.port ?? defaultPort(via.transport));
  return { host, port };
}

function defaultPort(transport: string): number {
  const t = transport.toUpperCase();
  return t === 'TLS' ? 5061 : 5060;
}
