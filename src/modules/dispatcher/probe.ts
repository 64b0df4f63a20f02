// dispatcher's pinger (ds_check_timer): every ds_ping_interval seconds an
// OPTIONS (ds_ping_method) to each destination that is not inactive and is
// probing, or to all of them with ds_probing_mode 1. A 200 (or a code of
// options_reply_codes) makes it active again; with ds_probing_mode 1 any other
// final reply, or none within tm's fr_timeout (a 408), counts as a failure
// towards ds_probing_threshold. Inactive destinations are never pinged.
import type { SocketInfo } from '../../net/types.js';
import type { Runtime } from '../../script/runtime.js';
import type { TimerExport } from '../types.js';
import { newBranch, randomTag } from '../../sip/build.js';
import { uriTarget } from '../../script/forward.js';
import { dsData, findSet, INACTIVE, numParam, param, PROBING, setState, type DsDest } from './sets.js';
import { serviceKey } from '../../base/keys.js';

/** A ping waiting for its reply: the destination by set and URI, found again when it comes (ds_reload may have replaced the objects). */
interface Pending {
  setId: number;
  uri: string;
  timeout: { cancel(): void };
}

/** Pings in flight by Call-ID. */
const PENDING = serviceKey<Map<string, Pending>>('dispatcher:pings');

function pendingOf(rt: Runtime): Map<string, Pending> {
  return rt.service(PENDING, () => new Map());
}

function replyCodes(rt: Runtime): Set<number> {
  return new Set(
    param(rt, 'options_reply_codes', '')
      .split(',')
      .map((c) => Number(c.trim()))
      .filter((c) => c >= 100 && c < 700),
  );
}

function probingList(rt: Runtime): Set<number> | undefined {
  const v = param(rt, 'ds_probing_list', '');
  return v ? new Set(v.split(',').map((x) => Number(x.trim()))) : undefined;
}

function pingSocket(rt: Runtime, d: DsDest, proto: string): SocketInfo | undefined {
  if (d.socket && d.socket.proto === proto) return d.socket;
  const forced = param(rt, 'ds_probing_sock', '');
  const f = forced
    ? rt.findSocket(forced.includes(':') && forced.split(':').length === 3 ? forced : `udp:${forced}`)
    : undefined;
  return f && f.proto === proto ? f : rt.sockets.find((s) => s.proto === proto);
}

let pings = 0;

/** One round of pings; how many went out. */
export function pingRound(rt: Runtime): number {
  const mode = numParam(rt, 'ds_probing_mode', 0);
  const only = probingList(rt);
  const method = param(rt, 'ds_ping_method', 'OPTIONS');
  const from = param(rt, 'ds_ping_from', 'sip:dispatcher@localhost');
  const maxFwd = numParam(rt, 'ds_ping_maxfwd', -1);
  const frMs = Number(rt.param('tm', 'fr_timeout') ?? 30) * 1000;
  let n = 0;
  for (const set of dsData(rt).sets) {
    if (only && !only.has(set.id)) continue;
    for (const d of set.dests) {
      if (d.flags & INACTIVE || (mode !== 1 && !(d.flags & PROBING))) continue;
      const to = uriTarget(d.uri, 'udp');
      const sock = to ? pingSocket(rt, d, to.proto) : undefined;
      if (!to || !sock) {
        rt.logger.log(-1, 'dispatcher', 'ds_check_timer', `cannot ping ${d.uri}: no socket for it`);
        continue;
      }
      const callId = `ds-ping-${(++pings).toString(16)}-${Math.floor(rt.clock.now() / 1000).toString(16)}@${sock.advertisedIp ?? sock.ip}`;
      const text = [
        `${method} ${d.uri} SIP/2.0`,
        `Via: SIP/2.0/${sock.proto.toUpperCase()} ${sock.advertisedIp ?? sock.ip}:${sock.advertisedPort ?? sock.port};branch=${newBranch()}`,
        `From: <${from}>;tag=${randomTag()}`,
        `To: <${d.uri}>`,
        `Call-ID: ${callId}`,
        `CSeq: 13 ${method}`,
        `Max-Forwards: ${maxFwd >= 0 ? maxFwd : 70}`,
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
      const pending = pendingOf(rt);
      pending.set(callId, {
        setId: set.id,
        uri: d.uri,
        timeout: rt.timers.after(frMs, () => {
          pending.delete(callId);
          onFinal(rt, set.id, d.uri, 408);
        }),
      });
      const send = (): void => rt.transport.send({ kind: 'request', from: sock, to, text, via: 'dispatcher ping' });
      send();
      if (to.proto === 'udp') retransmit(rt, callId, send, 500);
      n++;
    }
  }
  return n;
}

/** As tm's Timer E for the ping it would send: again after T1, doubling up to T2, until an answer or fr_timeout. */
function retransmit(rt: Runtime, callId: string, send: () => void, ms: number): void {
  rt.timers.after(ms, () => {
    if (!pendingOf(rt).has(callId)) return;
    send();
    retransmit(rt, callId, send, Math.min(ms * 2, 4000));
  });
}

function onFinal(rt: Runtime, setId: number, uri: string, code: number): void {
  const set = findSet(rt, setId);
  const d = set?.dests.find((x) => x.uri === uri);
  if (!set || !d) return;
  const codes = replyCodes(rt);
  if (code === 200 || codes.has(code)) {
    d.failureCount = 0;
    setState(rt, set, d, 'active', '200 OK probing reply');
  } else if (numParam(rt, 'ds_probing_mode', 0) === 1 && (code === 408 || !codes.has(code))) {
    setState(rt, set, d, 'probing', 'negative probing reply');
  }
}

/** A reply to one of our pings (never reaches the script): provisional ones are ignored, a final one judged. */
export function consumePingReply(rt: Runtime, method: string, callId: string | undefined, status: number): boolean {
  if (!callId?.startsWith('ds-ping-')) return false;
  const pending = pendingOf(rt);
  const p = pending.get(callId);
  if (!p || method !== param(rt, 'ds_ping_method', 'OPTIONS')) return true;
  if (status < 200) return true;
  pending.delete(callId);
  p.timeout.cancel();
  onFinal(rt, p.setId, p.uri, status);
  return true;
}

/** ds_check_timer: a round every ds_ping_interval seconds (0: never); a stop drops the pings in flight. */
export const PINGER_TIMER: TimerExport = {
  name: 'ds-pinger',
  period: 'ds_ping_interval seconds (0: off)',
  interval: (rt) => Math.max(0, numParam(rt, 'ds_ping_interval', 0)) * 1000,
  job: (rt) => pingRound(rt),
  stop: (rt) => {
    for (const p of pendingOf(rt).values()) p.timeout.cancel();
  },
};
