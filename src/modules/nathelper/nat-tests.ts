// nat_uac_test(flags): the seven NAT probes of OpenSIPS 3.3's nathelper, in
// the order it runs them (the first one that holds wins). "Private" is
// RFC 1918, RFC 6598 *and* 127/8, as ip_addr_is_1918() counts loopback too.
import type { ExecContext } from '../../script/context.js';
import { canonicalIp, isIPv4, parseUri, isSipError } from '../../sip/index.js';

export const NatTest = {
  privateContact: 1,
  viaNotSource: 2,
  privateVia: 4,
  privateSdp: 8,
  viaPortNotSource: 16,
  contactNotSource: 32,
  contactPortNotSource: 64,
} as const;

const PRIVATE_V4: [number, number][] = [
  [0x0a000000, 8],
  [0xac100000, 12],
  [0xc0a80000, 16],
  [0x64400000, 10],
  [0x7f000000, 8],
];

export function isPrivateIPv4(host: string): boolean {
  if (!isIPv4(host)) return false;
  const n = host.split('.').reduce((a, o) => a * 256 + Number(o), 0) >>> 0;
  return PRIVATE_V4.some(([net, bits]) => ((n >>> (32 - bits)) << (32 - bits)) >>> 0 === net);
}

/** True when `host` is not the source IP (a host name counts as different: no DNS). */
function differsFromSource(host: string, srcIp: string): boolean {
  const a = canonicalIp(host);
  return a === undefined || a !== canonicalIp(srcIp);
}

function defaultPort(scheme: string, transport: string | undefined): number {
  return scheme === 'sips' || transport?.toLowerCase() === 'tls' ? 5061 : 5060;
}

function contactUris(ctx: ExecContext): { host: string; port: number }[] {
  const out: { host: string; port: number }[] = [];
  for (const c of ctx.msg.contacts().list) {
    const u = parseUri(c.uri);
    if (isSipError(u)) continue;
    out.push({ host: u.host, port: u.port ?? defaultPort(u.scheme, u.params['transport']) });
  }
  return out;
}

function sdpConnectionIp(ctx: ExecContext): string | undefined {
  const type = ctx.msg.header('Content-Type') ?? ctx.msg.header('c');
  if (!type || !/^\s*application\/sdp\b/i.test(type)) return undefined;
  const m = /^c=IN IP4 ([^\s/]+)/m.exec(ctx.msg.body);
  return m?.[1];
}

/** 1 when any selected probe sees a NAT, else -1. */
export function natUacTest(ctx: ExecContext, flags: number): number {
  const via = ctx.msg.sip?.topVia;
  const { ip, port } = ctx.src;
  if (via && flags & NatTest.viaPortNotSource && port !== (via.port || 5060)) return 1;
  if (
    via &&
    flags & NatTest.viaNotSource &&
    (via.received !== undefined || differsFromSource(via.maddr ?? via.host, ip))
  )
    return 1;
  if (flags & NatTest.privateContact && contactUris(ctx).some((c) => isPrivateIPv4(c.host))) return 1;
  if (flags & NatTest.privateSdp) {
    const c = sdpConnectionIp(ctx);
    if (c && c !== '0.0.0.0' && isPrivateIPv4(c)) return 1;
  }
  if (via && flags & NatTest.privateVia && isPrivateIPv4(via.host)) return 1;
  if (flags & NatTest.contactNotSource && contactUris(ctx).some((c) => differsFromSource(c.host, ip))) return 1;
  if (flags & NatTest.contactPortNotSource && contactUris(ctx).some((c) => c.port !== port)) return 1;
  return -1;
}
