// force_rtp_proxy: every RTP stream of the SDP gets a U (offer) or L
// (answer) command; rtpproxy's port goes into the m= line and its address
// (or the ip_address argument, the node's advertised one, or the receiving
// socket's) into the c= line that governs the stream, a=rtcp follows; the
// nortpproxy marker is added at the end. A null (hold) address stays null.
import { isIPv6 } from 'node:net';
import type { ExecContext } from '../../script/context.js';
import { command, disable, nodeFor, type RtppNode, type RtppSet } from './nodes.js';

const RTP_PROTOS = new Set([
  'rtp/avp',
  'rtp/avpf',
  'rtp/savp',
  'rtp/savpf',
  'dccp/tls/rtp/savp',
  'dccp/tls/rtp/savpf',
  'udp/tls/rtp/savp',
  'udp/tls/rtp/savpf',
  'udp',
  'udptl',
  'udp/bfcp',
]);

export interface ProxyFlags {
  mods: string;
  trustSdp: boolean;
  lookup: boolean;
  force: boolean;
  sessionC: boolean;
  origin: boolean;
  keep: boolean;
}

/** The flags letters (case-insensitive but t/T): modifiers A, I, E, S in order; unknown characters go to the modifiers as they are. */
export function parseProxyFlags(text: string): ProxyFlags {
  const f: ProxyFlags = {
    mods: '',
    trustSdp: false,
    lookup: false,
    force: false,
    sessionC: false,
    origin: false,
    keep: false,
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const digits = (): void => {
      while (i + 1 < text.length && /\d/.test(text[i + 1]!)) i++;
    };
    switch (ch.toLowerCase()) {
      case 'a':
        f.mods += 'A';
        f.trustSdp = true;
        break;
      case 'r':
        f.trustSdp = true;
        break;
      case 'i':
        f.mods += 'I';
        break;
      case 'e':
        f.mods += 'E';
        break;
      case 's':
      case 'w':
        f.mods += 'S';
        break;
      case 'l':
        f.lookup = true;
        break;
      case 'f':
        f.force = true;
        break;
      case 'c':
        f.sessionC = true;
        break;
      case 'o':
        f.origin = true;
        break;
      case 'k':
        f.keep = true;
        break;
      case 'd':
      case 't':
      case 'z':
        digits();
        break; // DTMF, TTL and repacketization need capabilities not probed here
      case 'n':
        if (text[i + 1] === '<') {
          const close = text.indexOf('>', i);
          i = close < 0 ? text.length : close;
        }
        break; // n<sock>: notifications need the dialog module
      default:
        f.mods += ch;
    }
  }
  return f;
}

function isNullAddr(ip: string): boolean {
  return ip === '0.0.0.0' || (ip.includes(':') && /^[0:]+$/.test(ip));
}

interface Line {
  text: string;
  eol: string;
}

function lines(body: string): Line[] {
  return body.split(/(?<=\n)/).map((l) => {
    const m = /\r?\n$/.exec(l);
    return { text: m ? l.slice(0, -m[0].length) : l, eol: m ? m[0] : '' };
  });
}

/** A c= or o= line with its address replaced (and IP4/IP6 when the family changes); the same line when nothing is to change. */
function withAddress(line: string, ip: string, v6: boolean): string {
  const m = /^(.*\bIN\s+)(IP[46])(\s+)(\S+)(.*)$/.exec(line);
  if (!m) return line;
  const oldV6 = m[2] === 'IP6';
  if (isNullAddr(m[4]!) && oldV6 === v6) return line;
  return `${m[1]}${v6 ? 'IP6' : 'IP4'}${m[3]}${isNullAddr(m[4]!) ? (v6 ? '::' : '0.0.0.0') : ip}${m[5]}`;
}

export interface ProxyResult {
  rc: number;
  body?: string;
  ret?: string;
}

/** The whole body processed; rc -1 on a problem (streams done before it keep their changes in `body`). */
export function proxySdp(
  ctx: ExecContext,
  set: RtppSet,
  body: string,
  offer: boolean,
  flags: ProxyFlags,
  ipParam: string | undefined,
  onNode: (n: RtppNode) => void,
): ProxyResult {
  const rt = ctx.runtime;
  const marker = String(rt.param('rtpproxy', 'nortpproxy_str') ?? 'a=nortpproxy:yes').replace(/[\r\n]+$/, '');
  const ls = lines(body.replace(/^\s+/, ''));
  const marked = marker !== '' && ls.some((l) => l.text.startsWith(marker));
  if (marked && !flags.force) return { rc: -1 };
  if (!ls[0]?.text.startsWith('v=')) return { rc: -1 };
  const callId = ctx.msg.callId ?? '';
  const from = ctx.msg.from?.tag ?? '';
  let to = ctx.msg.to?.tag ?? '';
  if (!callId || !from) return { rc: -1 };
  if (flags.lookup && !to) to = 'dummy';
  const swap = flags.lookup ? offer : offer ? !ctx.msg.isRequest : ctx.msg.isRequest;
  if (swap && !to) return { rc: -1 };
  const [tagA, tagB] = swap ? [to, from] : [from, to];
  const cmd = offer && !flags.lookup ? 'U' : 'L';
  let n = 0;
  let ret: string | undefined;
  // Sessions: from each v= to the next.
  const starts = ls.map((l, i) => (l.text.startsWith('v=') ? i : -1)).filter((i) => i >= 0);
  for (let s = 0; s < starts.length; s++) {
    const end = s + 1 < starts.length ? starts[s + 1]! : ls.length;
    const oLine = ls.findIndex((l, i) => i >= starts[s]! && i < end && l.text.startsWith('o='));
    const mLines = ls
      .map((l, i) => (i >= starts[s]! && i < end && l.text.startsWith('m=') ? i : -1))
      .filter((i) => i >= 0);
    if (oLine < 0 || mLines.length === 0) return { rc: -1 };
    const sessionC = ls.findIndex((l, i) => i > oLine && i < mLines[0]! && l.text.startsWith('c='));
    let sessionCDone = false;
    let originDone = false;
    for (let k = 0; k < mLines.length; k++) {
      const mi = mLines[k]!;
      const mEnd = k + 1 < mLines.length ? mLines[k + 1]! : end;
      const m = /^m=(\S+)\s+(\d+)(\/\d+)?\s+(\S+)/.exec(ls[mi]!.text);
      if (!m) return { rc: -1 };
      if (!RTP_PROTOS.has(m[4]!.toLowerCase())) continue;
      n++;
      if (m[2] === '0') continue;
      const streamC = ls.findIndex((l, i) => i > mi && i < mEnd && l.text.startsWith('c='));
      const cIndex = streamC >= 0 ? streamC : sessionC;
      if (cIndex < 0) return { rc: -1 };
      const media = /\bIN\s+IP([46])\s+(\S+)/.exec(ls[cIndex]!.text);
      if (!media) return { rc: -1 };
      const sentIp = flags.trustSdp ? media[2]! : ctx.src.ip;
      const sentV6 = flags.trustSdp ? media[1] === '6' : isIPv6(ctx.src.ip);
      const text = `${cmd}${flags.mods}${sentV6 ? '6' : ''} ${callId} ${sentIp} ${m[2]} ${tagA};${n}${tagB ? ` ${tagB};${n}` : ''}`;
      let reply: string | undefined;
      let node: RtppNode | undefined;
      // Offers go on to another node (answers do not); each node is tried once per stream.
      const tried = new Set<RtppNode>();
      for (;;) {
        node = nodeFor(rt, set, callId);
        if (!node || tried.has(node)) return { rc: -1, body: join(ls) };
        tried.add(node);
        onNode(node);
        reply = command(rt, node, text);
        if (reply === undefined) {
          if (offer) continue;
          return { rc: -1, body: join(ls) };
        }
        const err = /^E(\d+)/.exec(reply.trim());
        if (!err) break;
        const code = Number(err[1]);
        rt.logger.log(-1, 'rtpproxy', 'force_rtp_proxy', `rtpproxy ${node.url} returned error E${code}`);
        if (code >= 7 && code <= 10) {
          disable(rt, node, true);
          if (offer) continue;
        }
        return { rc: -1, body: join(ls) };
      }
      const [portText, replyIp, af] = reply.trim().split(/\s+/);
      const port = Number.parseInt(portText ?? '', 10);
      if (!(port > 0 && port <= 65535)) return { rc: -1, body: join(ls) };
      const newIp = ipParam || node.advertised || replyIp || ctx.socketIn.ip;
      const newV6 = ipParam || node.advertised ? isIPv6(newIp) : replyIp ? af?.startsWith('6') === true : isIPv6(newIp);
      ret = `${isNullAddr(media[2]!) ? (newV6 ? '::' : '0.0.0.0') : newIp}:${port}`;
      if (flags.keep) continue;
      ls[mi]!.text = ls[mi]!.text.replace(/^(m=\S+\s+)\d+/, `$1${port}`);
      for (let i = mi + 1; i < mEnd; i++) {
        if (ls[i]!.text.startsWith('a=rtcp:'))
          ls[i]!.text =
            `a=rtcp:${port + 1} IN ${newV6 ? 'IP6' : 'IP4'} ${isNullAddr(media[2]!) ? (newV6 ? '::' : '0.0.0.0') : newIp}`;
      }
      if (streamC >= 0) {
        ls[streamC]!.text = withAddress(ls[streamC]!.text, newIp, newV6);
        if (flags.sessionC && sessionC >= 0 && !sessionCDone) {
          ls[sessionC]!.text = withAddress(ls[sessionC]!.text, newIp, newV6);
          sessionCDone = true;
        }
      } else if (!sessionCDone) {
        ls[sessionC]!.text = withAddress(ls[sessionC]!.text, newIp, newV6);
        sessionCDone = true;
      }
      if (flags.origin && !originDone) {
        ls[oLine]!.text = withAddress(ls[oLine]!.text, newIp, newV6);
        originDone = true;
      }
    }
  }
  let out = join(ls);
  if (!marked && marker !== '' && !flags.keep) {
    const at = out.lastIndexOf('\r\n');
    out = at < 0 ? `${out}${marker}\r\n` : `${out.slice(0, at + 2)}${marker}\r\n${out.slice(at + 2)}`;
  }
  return { rc: 1, body: out, ...(ret !== undefined ? { ret } : {}) };
}

function join(ls: Line[]): string {
  return ls.map((l) => l.text + l.eol).join('');
}
