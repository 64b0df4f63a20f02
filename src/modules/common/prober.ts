// SIP probing as drouting and load_balancer do it (tm's new_auto_dlg_uac +
// t_request_within): a request (OPTIONS by default) to a destination, out of
// any dialog; its final reply, or a 408 when none comes within tm's
// fr_timeout, is handed to the module. The replies never reach the script.
// Each module keeps its own pending probes, told apart by a Call-ID prefix.
import type { SocketInfo } from '../../net/types.js';
import type { Runtime } from '../../script/runtime.js';
import { newBranch, randomTag } from '../../sip/build.js';
import { uriTarget } from '../../script/forward.js';
import { serviceKey, type ServiceKey } from '../../base/keys.js';

export interface Probe {
  /** Request-URI and To of the probe. */
  uri: string;
  method: string;
  from: string;
  /** The socket to send from (the destination's, else the module's probing socket, else any of the protocol). */
  socket: SocketInfo | undefined;
  onFinal(code: number): void;
}

interface Pending {
  probe: Probe;
  timeout: { cancel(): void };
}

interface Prober {
  pending: Map<string, Pending>;
  seq: number;
}

const PROBERS = new Map<string, ServiceKey<Prober>>();

function proberOf(rt: Runtime, prefix: string): Prober {
  let key = PROBERS.get(prefix);
  if (!key) PROBERS.set(prefix, (key = serviceKey<Prober>(`prober:${prefix}`)));
  return rt.service(key, () => ({ pending: new Map(), seq: 0 }));
}

/** The reply filter of a module's probes: registered once at init. */
export function installProber(rt: Runtime, prefix: string): void {
  rt.replyFilters.push((method, callId, status) => {
    if (!callId?.startsWith(`${prefix}-`)) return false;
    const p = proberOf(rt, prefix);
    const pending = p.pending.get(callId);
    if (!pending || pending.probe.method !== method || status < 200) return true;
    p.pending.delete(callId);
    pending.timeout.cancel();
    pending.probe.onFinal(status);
    return true;
  });
}

/** Sends one probe; false when it cannot be sent (no usable socket or address). */
export function sendProbe(rt: Runtime, prefix: string, probe: Probe): boolean {
  const to = uriTarget(probe.uri, 'udp');
  if (!to) return false;
  const sock =
    probe.socket && probe.socket.proto === to.proto ? probe.socket : rt.sockets.find((s) => s.proto === to.proto);
  if (!sock) return false;
  const p = proberOf(rt, prefix);
  const host = sock.advertisedIp ?? sock.ip;
  const callId = `${prefix}-${(++p.seq).toString(16)}-${Math.floor(rt.clock.now() / 1000).toString(16)}@${host}`;
  const text = [
    `${probe.method} ${probe.uri} SIP/2.0`,
    `Via: SIP/2.0/${sock.proto.toUpperCase()} ${host}:${sock.advertisedPort ?? sock.port};branch=${newBranch()}`,
    `From: <${probe.from}>;tag=${randomTag()}`,
    `To: <${probe.uri}>`,
    `Call-ID: ${callId}`,
    `CSeq: 10 ${probe.method}`,
    'Max-Forwards: 70',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  const frMs = Number(rt.param('tm', 'fr_timeout') ?? 30) * 1000;
  p.pending.set(callId, {
    probe,
    timeout: rt.timers.after(frMs, () => {
      if (p.pending.delete(callId)) probe.onFinal(408);
    }),
  });
  const send = (): void => rt.transport.send({ kind: 'request', from: sock, to, text, via: `${prefix} probe` });
  send();
  if (to.proto === 'udp') retransmit(rt, p, callId, send, 500);
  return true;
}

/** tm's Timer E for the probe: again after T1, doubling up to T2, until an answer or fr_timeout. */
function retransmit(rt: Runtime, p: Prober, callId: string, send: () => void, ms: number): void {
  rt.timers.after(ms, () => {
    if (!p.pending.has(callId)) return;
    send();
    retransmit(rt, p, callId, send, Math.min(ms * 2, 4000));
  });
}

/** Drops the probes in flight (the server stops). */
export function stopProber(rt: Runtime, prefix: string): void {
  const p = proberOf(rt, prefix);
  for (const x of p.pending.values()) x.timeout.cancel();
  p.pending.clear();
}
