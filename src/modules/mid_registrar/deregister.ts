// De-REGISTERs mid_registrar originates (§5): in mode 1 when a local contact
// disappears (expiry, ul_rm, Contact: *...), in mode 2 when the AoR record
// does; never in mode 0, nor when the noDR key is set. R-URI `ru`, From `F`
// with a new tag, To `T`, Call-ID `CID`, CSeq `Seq`+1, `Contact: <Con>;expires=0`,
// from tm's default socket for the destination (not the REGISTER's $socket_out).
import { newBranch, randomTag } from '../../sip/index.js';
import type { Runtime } from '../../script/runtime.js';
import { usrlocOf } from '../usrloc/api.js';
import { uriTarget } from '../../script/forward.js';
import { midSettings } from './settings.js';

export function buildDeRegister(kv: Map<string, string>, via: string): string | undefined {
  const need = ['ru', 'F', 'T', 'CID', 'Seq', 'Con'];
  if (!need.every((k) => kv.has(k))) return undefined;
  const from = kv.get('F')!.replace(/;tag=[^;>]*/i, '') + `;tag=${randomTag()}`;
  return [
    `REGISTER ${kv.get('ru')} SIP/2.0`,
    `Via: ${via};branch=${newBranch()}`,
    'Max-Forwards: 70',
    `From: ${from}`,
    `To: ${kv.get('T')}`,
    `Call-ID: ${kv.get('CID')}`,
    `CSeq: ${Number(kv.get('Seq')) + 1} REGISTER`,
    `Contact: <${kv.get('Con')}>;expires=0`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

function sendDeRegister(rt: Runtime, kv: Map<string, string> | undefined, what: string, fn: string): void {
  if (!kv || kv.get('noDR') === '1') return;
  const target = uriTarget(kv.get('hop') || kv.get('ru') || '', 'udp');
  const socket = target ? rt.sockets.find((s) => s.proto === target.proto) : undefined;
  if (!target || !socket) {
    rt.logger.log(-1, 'mid_registrar', fn, `cannot De-REGISTER ${what}: no route to the main registrar`);
    return;
  }
  const text = buildDeRegister(
    kv,
    `SIP/2.0/${socket.proto.toUpperCase()} ${socket.advertisedIp ?? socket.ip}:${socket.advertisedPort ?? socket.port}`,
  );
  if (!text) {
    rt.logger.log(-1, 'mid_registrar', fn, `missing data to De-REGISTER ${what}, skipping De-REGISTER`);
    return;
  }
  rt.transport.send({
    kind: 'request',
    from: socket,
    to: target,
    text,
    via: 'mid_registrar De-REGISTER',
    stateful: true,
  });
}

export function installDeRegistrations(rt: Runtime): void {
  const ul = usrlocOf(rt);
  let mode: number | undefined;
  const modeOf = (): number => (mode ??= midSettings(rt).mode);
  ul.listeners.push((e) => {
    if ((e.kind === 'delete' || e.kind === 'expire') && modeOf() === 1)
      sendDeRegister(rt, e.binding.kv, e.binding.uri, 'unregister_contact');
  });
  ul.aorListeners.push((e) => {
    if (e.kind !== 'insert' && modeOf() === 2) sendDeRegister(rt, e.record.kv, e.record.aor, 'unregister_record');
  });
}
