// NAT pinging (nathelper's nh_timer): every natping_interval seconds each
// registered contact (only those with usrloc's nat_bflag when ping_nated_only)
// gets a keep-alive at its next hop (Path, else received, else the contact):
// a SIP request (sipping_method, OPTIONS) when the contact carries
// sipping_bflag, else 4 zero bytes over UDP. With remove_on_timeout_bflag a
// contact that leaves max_pings_lost SIP pings unanswered is deleted.
import type { TimerHandle } from '../../core/clock.js';
import type { SocketInfo } from '../../script/context.js';
import type { Runtime } from '../../script/runtime.js';
import { splitUri } from '../../script/uri-fields.js';
import { usrlocOf } from '../registrar/aor.js';
import { uriTarget } from '../tm/relay.js';
import { isValid, type Binding, type UsrlocDomain } from '../usrloc/store.js';

const KEEPALIVE = '\0\0\0\0';

export interface PingerState {
  /** nh_enable_ping: 0 stops pinging without a restart. */
  enabled: boolean;
  /** Call-ID of each SIP ping still waiting for a reply -> the contact it went to. */
  pending: Map<string, { domain: UsrlocDomain; aor: string; contactId: string }>;
  /** Unanswered SIP pings in a row, by contact id. */
  lost: Map<string, number>;
  sent: number;
}

export function pingerOf(rt: Runtime): PingerState {
  let st = rt.services.get('nathelper:pinger') as PingerState | undefined;
  if (!st) { st = { enabled: true, pending: new Map(), lost: new Map(), sent: 0 }; rt.services.set('nathelper:pinger', st); }
  return st;
}

function num(rt: Runtime, name: string, dflt: number): number {
  const v = rt.param('nathelper', name);
  return typeof v === 'number' ? v : dflt;
}

function flagMask(rt: Runtime, space: 'branch', name: string): number {
  const v = rt.param('nathelper', name);
  return typeof v === 'string' && v ? rt.flags.mask(space, v) : 0;
}

/** The binding's next hop: first Path URI, else the received URI, else the contact. */
function nextHop(b: Binding): string {
  if (b.path) return b.path.split(',')[0]!.trim().replace(/^<|>.*$/g, '');
  return b.received ?? b.uri;
}

function socketFor(rt: Runtime, b: Binding, proto: string): SocketInfo | undefined {
  const own = b.socket ? rt.findSocket(b.socket) : undefined;
  if (own && own.proto === proto) return own;
  const forced = rt.param('nathelper', 'force_socket');
  const f = typeof forced === 'string' && forced ? rt.findSocket(forced) : undefined;
  return f && f.proto === proto ? f : rt.sockets.find((s) => s.proto === proto);
}

let callCounter = 0;

function sipPing(rt: Runtime, b: Binding, from: SocketInfo, method: string, sippingFrom: string, callid: string): string {
  const host = from.advertisedIp ?? from.ip;
  const port = from.advertisedPort ?? from.port;
  const branch = `z9hG4bK${Math.floor(Math.random() * 0xffffffff).toString(16)}`;
  const route = b.path ? [`Route: ${b.path}`] : [];
  return [
    `${method} ${b.uri} SIP/2.0`, `Via: SIP/2.0/${from.proto.toUpperCase()} ${host}:${port};branch=${branch}`, ...route,
    `From: ${sippingFrom};tag=${(++callCounter).toString(16)}`, `To: ${b.uri}`, `Call-ID: ${callid}`,
    `CSeq: 1 ${method}`, 'Max-Forwards: 70', 'Content-Length: 0', '', '',
  ].join('\r\n');
}

/** One round: a ping to every contact of partition `slot` (of `partitions`). */
export function pingRound(rt: Runtime, slot = 0, partitions = 1): number {
  const st = pingerOf(rt);
  if (!st.enabled) return 0;
  const ul = usrlocOf(rt);
  const natMask = ul.natFlag ? rt.flags.mask('branch', ul.natFlag) : 0;
  const nattedOnly = num(rt, 'ping_nated_only', 0) !== 0;
  const sipMask = flagMask(rt, 'branch', 'sipping_bflag');
  const removeMask = flagMask(rt, 'branch', 'remove_on_timeout_bflag');
  const sippingFrom = String(rt.param('nathelper', 'sipping_from') ?? '');
  const method = String(rt.param('nathelper', 'sipping_method') || 'OPTIONS');
  const tcpToo = num(rt, 'natping_tcp', 0) !== 0;
  const maxLost = num(rt, 'max_pings_lost', 3);
  const now = Math.floor(rt.clock.now() / 1000);
  let n = 0;
  for (const d of ul.domains.values()) {
    for (const r of [...d.records.values()]) {
      for (const b of [...r.bindings]) {
        if (!isValid(b, now) || (nattedOnly && !(b.cflags & natMask))) continue;
        if (partitions > 1 && Number(BigInt(b.contactId) % BigInt(partitions)) !== slot) continue;
        const hop = uriTarget(nextHop(b), 'udp');
        if (!hop || (hop.proto !== 'udp' && !(tcpToo && ['tcp', 'tls', 'ws', 'wss'].includes(hop.proto)))) continue;
        const from = socketFor(rt, b, hop.proto);
        if (!from) { rt.logger.log(-1, 'nathelper', 'nh_timer', "can't get sending socket"); continue; }
        let text = KEEPALIVE;
        if ((b.cflags & sipMask) && sippingFrom && splitUri(b.uri)) {
          const callid = `sipping-${(++callCounter).toString(16)}-${now.toString(16)}@${from.advertisedIp ?? from.ip}`;
          if (b.cflags & removeMask) {
            const lost = (st.lost.get(b.contactId) ?? 0);
            if (lost >= maxLost) { st.lost.delete(b.contactId); d.remove(r, b); continue; }
            st.lost.set(b.contactId, lost + 1);
            st.pending.set(callid, { domain: d, aor: r.aor, contactId: b.contactId });
          }
          text = sipPing(rt, b, from, method, sippingFrom, callid);
        }
        rt.transport.send({ kind: 'request', from, to: hop, text, via: 'nathelper ping' });
        st.sent++;
        n++;
      }
    }
  }
  return n;
}

/** A reply to one of our SIP pings: consumed here (never reaches the script); clears the contact's lost count. */
export function consumePingReply(rt: Runtime, method: string, callid: string | undefined): boolean {
  if (!callid?.startsWith('sipping-')) return false;
  const m = String(rt.param('nathelper', 'sipping_method') || 'OPTIONS');
  if (method !== m) return false;
  const st = pingerOf(rt);
  const p = st.pending.get(callid);
  if (p) { st.pending.delete(callid); st.lost.delete(p.contactId); }
  return true;
}

/** Starts the ping timer when natping_interval > 0: natping_partitions rounds per interval. */
export function startPinger(rt: Runtime): TimerHandle | undefined {
  const interval = num(rt, 'natping_interval', 0);
  if (interval <= 0) return undefined;
  const parts = Math.max(1, num(rt, 'natping_partitions', 1));
  let slot = 0;
  return rt.timers.every((interval * 1000) / parts, () => {
    pingRound(rt, slot, parts);
    slot = (slot + 1) % parts;
  });
}
