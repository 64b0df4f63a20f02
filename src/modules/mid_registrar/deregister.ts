// Mode 1: when a local contact disappears (expiry, ul_rm, Contact: *...) and
// its noDR key is not set, mid_registrar De-REGISTERs it upstream (§5):
// R-URI `ru`, From `F` with a new tag, To `T`, Call-ID `CID`, CSeq `Seq`+1,
// `Contact: <Con>;expires=0`, from tm's default socket for the destination.
import { newBranch, randomTag } from '../../sip/index.js';
import type { Runtime } from '../../script/runtime.js';
import { usrlocOf } from '../registrar/aor.js';
import { uriTarget } from '../tm/relay.js';
import type { BindingEvent } from '../usrloc/store.js';

export function buildDeRegister(kv: Map<string, string>, via: string): string | undefined {
  const need = ['ru', 'F', 'T', 'CID', 'Seq', 'Con'];
  if (!need.every((k) => kv.has(k))) return undefined;
  const from = kv.get('F')!.replace(/;tag=[^;>]*/i, '') + `;tag=${randomTag()}`;
  return [
    `REGISTER ${kv.get('ru')} SIP/2.0`, `Via: ${via};branch=${newBranch()}`, 'Max-Forwards: 70', `From: ${from}`, `To: ${kv.get('T')}`,
    `Call-ID: ${kv.get('CID')}`, `CSeq: ${Number(kv.get('Seq')) + 1} REGISTER`, `Contact: <${kv.get('Con')}>;expires=0`, 'Content-Length: 0', '', '',
  ].join('\r\n');
}

export function installDeRegistrations(rt: Runtime): void {
  usrlocOf(rt).listeners.push((e: BindingEvent) => {
    if (e.kind !== 'delete' && e.kind !== 'expire') return;
    if (Number(rt.param('mid_registrar', 'mode') ?? 0) !== 1) return;
    const kv = e.binding.kv;
    if (!kv || kv.get('noDR') === '1') return;
    const target = uriTarget(kv.get('hop') || kv.get('ru') || '', 'udp');
    const socket = target ? rt.sockets.find((s) => s.proto === target.proto) : undefined;
    if (!target || !socket) { rt.logger.log(-1, 'mid_registrar', 'unregister_contact', `cannot De-REGISTER ${e.binding.uri}: no route to the main registrar`); return; }
    const text = buildDeRegister(kv, `SIP/2.0/${socket.proto.toUpperCase()} ${socket.advertisedIp ?? socket.ip}:${socket.advertisedPort ?? socket.port}`);
    if (!text) { rt.logger.log(-1, 'mid_registrar', 'unregister_contact', `missing data to De-REGISTER ${e.binding.uri}`); return; }
    rt.transport.send({ kind: 'request', from: socket, to: target, text, via: 'mid_registrar De-REGISTER' });
  });
}
