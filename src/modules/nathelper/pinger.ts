// NAT pinging (nathelper's nh_timer): every natping_interval seconds each
// registered contact (only those with usrloc's nat_bflag when ping_nated_only)
// gets a keep-alive at its next hop (Path, else received, else the contact):
// a SIP request (sipping_method, OPTIONS) when the contact carries
// sipping_bflag, else 4 zero bytes over UDP. SIP pings to contacts with
// remove_on_timeout_bflag or sipping_latency_flag are tracked (OpenSIPS's
// ping cells): a reply within ping_threshold seconds answers it (latency
// measured), a reply code in sipping_ignore_rpl_codes does not; the ping
// checker (every second) counts the others as lost and deletes a contact
// with max_pings_lost of them in a row.
import type { SocketInfo } from '../../net/types.js';
import { hasEventRoute, raiseEvent } from '../../script/events.js';
import type { Runtime } from '../../script/runtime.js';
import type { TimerExport } from '../types.js';
import { splitUri } from '../../script/uri-fields.js';
import { usrlocOf } from '../usrloc/api.js';
import { uriTarget } from '../../script/forward.js';
import { contactEventParams } from '../usrloc/api.js';
import { isValid, type AorRecord, type Binding, type UsrlocDomain } from '../usrloc/api.js';
import { visitInSlices } from '../../base/sliced.js';
import { serviceKey } from '../../base/keys.js';

const KEEPALIVE = '\0\0\0\0';
/** The latency a timed-out ping records: 1800 s, in µs (LATENCY_ON_TIMEOUT). */
const LATENCY_ON_TIMEOUT = 1800 * 1_000_000;

/** One tracked contact: its last SIP ping, and how many in a row went unanswered. */
interface PingCell {
  domain: UsrlocDomain;
  aor: string;
  contactId: string;
  flags: number;
  sentAtMs: number;
  state: 'pinging' | 'waiting';
  notResponded: number;
}

export interface PingerState {
  /** nh_enable_ping: 0 stops pinging without a restart. */
  enabled: boolean;
  /** Tracked contacts by contact id. */
  cells: Map<string, PingCell>;
  /** Call-ID of each tracked SIP ping -> the contact it went to. */
  pending: Map<string, string>;
  sent: number;
  /** The partition the next round pings (natping_partitions). */
  slot: number;
  /** ping_threshold in seconds, once checked against natping_interval. */
  threshold?: number;
}

const PINGER = serviceKey<PingerState>('nathelper:pinger');

export function pingerOf(rt: Runtime): PingerState {
  return rt.service(PINGER, () => ({ enabled: true, cells: new Map(), pending: new Map(), sent: 0, slot: 0 }));
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
  if (b.path)
    return b.path
      .split(',')[0]!
      .trim()
      .replace(/^<|>.*$/g, '');
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

function sipPing(
  rt: Runtime,
  b: Binding,
  from: SocketInfo,
  method: string,
  sippingFrom: string,
  callid: string,
): string {
  const host = from.advertisedIp ?? from.ip;
  const port = from.advertisedPort ?? from.port;
  const branch = `z9hG4bK${Math.floor(Math.random() * 0xffffffff).toString(16)}`;
  const route = b.path ? [`Route: ${b.path}`] : [];
  return [
    `${method} ${b.uri} SIP/2.0`,
    `Via: SIP/2.0/${from.proto.toUpperCase()} ${host}:${port};branch=${branch}`,
    ...route,
    `From: ${sippingFrom};tag=${(++callCounter).toString(16)}`,
    `To: ${b.uri}`,
    `Call-ID: ${callid}`,
    `CSeq: 1 ${method}`,
    'Max-Forwards: 70',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

/** The decimal contact id modulo `k`, digit by digit (ids exceed 2^53; BigInt per contact was the costliest step). */
function idModulo(id: string, k: number): number {
  let m = 0;
  for (let i = 0; i < id.length; i++) m = (m * 10 + (id.charCodeAt(i) - 48)) % k;
  return m;
}

function* everyBinding(domains: Iterable<UsrlocDomain>): Generator<[UsrlocDomain, AorRecord, Binding]> {
  for (const d of domains) for (const r of d.records.values()) for (const b of r.bindings) yield [d, r, b];
}

/** One round: a ping to every contact of partition `slot` (of `partitions`). */
export function pingRound(rt: Runtime, slot = 0, partitions = 1): void {
  const st = pingerOf(rt);
  if (!st.enabled) return;
  const ul = usrlocOf(rt);
  const natMask = ul.natFlag ? rt.flags.mask('branch', ul.natFlag) : 0;
  const nattedOnly = num(rt, 'ping_nated_only', 0) !== 0;
  const sipMask = flagMask(rt, 'branch', 'sipping_bflag');
  const trackMask = flagMask(rt, 'branch', 'remove_on_timeout_bflag') | flagMask(rt, 'branch', 'sipping_latency_flag');
  const sippingFrom = String(rt.param('nathelper', 'sipping_from') ?? '');
  const method = String(rt.param('nathelper', 'sipping_method') || 'OPTIONS');
  const tcpToo = num(rt, 'natping_tcp', 0) !== 0;
  const now = Math.floor(rt.clock.now() / 1000);
  const ping = ([d, r, b]: [UsrlocDomain, AorRecord, Binding]): void => {
    if (!isValid(b, now) || (nattedOnly && !(b.cflags & natMask))) return;
    if (partitions > 1 && idModulo(b.contactId, partitions) !== slot) return;
    const hop = uriTarget(nextHop(b), 'udp');
    if (!hop || (hop.proto !== 'udp' && !(tcpToo && ['tcp', 'tls', 'ws', 'wss'].includes(hop.proto)))) return;
    const from = socketFor(rt, b, hop.proto);
    if (!from) {
      rt.logger.log(-1, 'nathelper', 'nh_timer', "can't get sending socket");
      return;
    }
    let text = KEEPALIVE;
    if (b.cflags & sipMask && sippingFrom && splitUri(b.uri)) {
      const callid = `sipping-${(++callCounter).toString(16)}-${now.toString(16)}@${from.advertisedIp ?? from.ip}`;
      if (b.cflags & trackMask)
        track(st, { domain: d, aor: r.aor, contactId: b.contactId, flags: b.cflags }, callid, rt.clock.now());
      text = sipPing(rt, b, from, method, sippingFrom, callid);
    }
    rt.transport.send({ kind: 'request', from, to: hop, text, via: 'nathelper ping' });
    st.sent++;
  };
  // In slices: 100,000 NATed contacts pinged in one callback held the receive loop for most of a second.
  visitInSlices(rt.timers, everyBinding([...ul.domains.values()]), ping);
}

/** A SIP ping to a tracked contact: its cell (new, or the one left waiting) is pinging again. */
function track(
  st: PingerState,
  who: Pick<PingCell, 'domain' | 'aor' | 'contactId' | 'flags'>,
  callid: string,
  nowMs: number,
): void {
  const cell = st.cells.get(who.contactId) ?? { ...who, sentAtMs: nowMs, state: 'pinging', notResponded: 0 };
  cell.flags = who.flags;
  cell.sentAtMs = nowMs;
  cell.state = 'pinging';
  st.cells.set(who.contactId, cell);
  st.pending.set(callid, who.contactId);
}

function ignoredCodes(rt: Runtime): Set<number> {
  const v = rt.param('nathelper', 'sipping_ignore_rpl_codes');
  return new Set(
    String(v ?? '')
      .split(',')
      .map((c) => Number(c.trim()))
      .filter((c) => c >= 100 && c < 700),
  );
}

/** The contact's measured latency (µs) and usrloc's E_UL_LATENCY_UPDATE, within latency_event_min_us(_delta). */
function setLatency(rt: Runtime, cell: PingCell, us: number): void {
  const r = cell.domain.get(cell.aor);
  const b = r?.bindings.find((x) => x.contactId === cell.contactId);
  if (!b) return;
  const old = b.latency ?? 0;
  b.latency = us;
  if (!hasEventRoute(rt, 'E_UL_LATENCY_UPDATE')) return;
  const min = Number(rt.param('usrloc', 'latency_event_min_us') ?? 0);
  const delta = Number(rt.param('usrloc', 'latency_event_min_us_delta') ?? 0);
  if ((min && us >= min) || (delta && old && Math.abs(us - old) >= delta) || (!min && !delta)) {
    raiseEvent(rt, 'E_UL_LATENCY_UPDATE', contactEventParams({ domain: cell.domain.name, aor: cell.aor, binding: b }));
  }
}

/**
 * A reply to one of our SIP pings: consumed here (never reaches the script).
 * It answers the contact's ping (latency, lost count back to 0) unless its
 * code is one of sipping_ignore_rpl_codes.
 */
export function consumePingReply(rt: Runtime, method: string, callid: string | undefined, status = 200): boolean {
  if (!callid?.startsWith('sipping-')) return false;
  const m = String(rt.param('nathelper', 'sipping_method') || 'OPTIONS');
  if (method !== m) return false;
  if (ignoredCodes(rt).has(status)) return true;
  const st = pingerOf(rt);
  const id = st.pending.get(callid);
  if (id === undefined) return true;
  st.pending.delete(callid);
  const cell = st.cells.get(id);
  if (!cell || cell.state !== 'pinging') return true;
  if (cell.flags & flagMask(rt, 'branch', 'sipping_latency_flag'))
    setLatency(rt, cell, Math.max(0, Math.round((rt.clock.now() - cell.sentAtMs) * 1000)));
  st.cells.delete(id);
  return true;
}

/** ping_threshold, at most natping_interval (else half of it, with OpenSIPS's warning). */
function pingThreshold(rt: Runtime): number {
  const threshold = num(rt, 'ping_threshold', 3);
  const interval = num(rt, 'natping_interval', 0);
  if (threshold <= interval) return threshold;
  rt.logger.log(
    1,
    'nathelper',
    'mod_init',
    'Maximum ping threshold must be smaller than the interval between two pings! Setting threshold to half the ping interval!',
  );
  return Math.floor(interval / 2);
}

/** The ping checker: pings older than ping_threshold without a reply are lost; cells left waiting go after two intervals. */
export function checkPings(rt: Runtime, thresholdSec: number): void {
  const st = pingerOf(rt);
  const now = rt.clock.now();
  const removeMask = flagMask(rt, 'branch', 'remove_on_timeout_bflag');
  const latencyMask = flagMask(rt, 'branch', 'sipping_latency_flag');
  const maxLost = num(rt, 'max_pings_lost', 3);
  const interval = num(rt, 'natping_interval', 0);
  for (const [id, cell] of [...st.cells]) {
    if (cell.state === 'waiting') {
      if (cell.sentAtMs + interval * 2000 <= now) st.cells.delete(id);
      continue;
    }
    if (cell.sentAtMs + thresholdSec * 1000 > now) continue;
    if (cell.flags & latencyMask) setLatency(rt, cell, LATENCY_ON_TIMEOUT);
    if (!(cell.flags & removeMask)) {
      st.cells.delete(id);
      continue;
    }
    cell.notResponded++;
    if (cell.notResponded < maxLost) {
      cell.state = 'waiting';
      continue;
    }
    st.cells.delete(id);
    const r = cell.domain.get(cell.aor);
    const b = r?.bindings.find((x) => x.contactId === id);
    if (r && b) cell.domain.remove(r, b);
  }
}

/** nh_timer: natping_partitions rounds per natping_interval (0: no pinging), each pinging one partition. */
export const PING_TIMER: TimerExport = {
  name: 'nh-timer',
  period: 'natping_interval / natping_partitions seconds (0: off)',
  interval: (rt) => {
    const interval = num(rt, 'natping_interval', 0);
    return interval > 0 ? (interval * 1000) / Math.max(1, num(rt, 'natping_partitions', 1)) : 0;
  },
  job: (rt) => {
    const st = pingerOf(rt);
    const parts = Math.max(1, num(rt, 'natping_partitions', 1));
    pingRound(rt, st.slot, parts);
    st.slot = (st.slot + 1) % parts;
  },
};

/**
 * The ping checker, every second, when SIP pings are tracked at all (pinging on, and
 * sipping_bflag with remove_on_timeout_bflag or sipping_latency_flag).
 */
export const CHECKER_TIMER: TimerExport = {
  name: 'nh-ping-checker',
  period: '1 s, when SIP pings are tracked',
  interval: (rt) => {
    const tracked =
      flagMask(rt, 'branch', 'sipping_bflag') &&
      (flagMask(rt, 'branch', 'remove_on_timeout_bflag') || flagMask(rt, 'branch', 'sipping_latency_flag'));
    return num(rt, 'natping_interval', 0) > 0 && tracked ? 1000 : 0;
  },
  job: (rt) => {
    const st = pingerOf(rt);
    // Read (and complained about) once, as mod_init does.
    st.threshold ??= pingThreshold(rt);
    checkPings(rt, st.threshold);
  },
};
