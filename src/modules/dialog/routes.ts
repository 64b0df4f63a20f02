// dlg_on_answer / dlg_on_timeout / dlg_on_hangup: a request route the
// dialog runs of its own (run_dlg_script_route), on OpenSIPS's dummy request
// with the dialog as the current one, so $DLG_* and $dlg_val read it and
// $DLG_timeout set there re-arms the timeout.
import { parseSipMessage } from '../../sip/index.js';
import { runRoute } from '../../script/compile.js';
import { ExecContext } from '../../script/context.js';
import type { Runtime } from '../../script/runtime.js';
import { scriptMessage } from '../../script/sip-adapter.js';
import { setCurrent, type Dialog } from './store.js';

const DUMMY_REQUEST =
  'DUMMY sip:user@dummy.com SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKdummy\r\n' +
  'To: <sip:to@dummy.com>\r\nFrom: <sip:from@dummy.com>;tag=1\r\nCall-ID: dummy-1\r\nCSeq: 1 DUMMY\r\n\r\n';

/** A context on the dummy request whose current dialog is `d`. */
export function dialogContext(rt: Runtime, d: Dialog): ExecContext | undefined {
  const parsed = parseSipMessage(DUMMY_REQUEST);
  if (parsed.error !== undefined) return undefined;
  const socket = d.legs[0].socket ?? rt.sockets[0] ?? { proto: 'udp', ip: '0.0.0.0', port: 0 };
  const ctx = new ExecContext(rt, scriptMessage(parsed.msg), { ip: '0.0.0.0', port: 0, proto: 'udp' }, socket);
  setCurrent(ctx, d);
  return ctx;
}

/** Runs route[name] on the dialog; a missing route or a script error is logged, never thrown. */
export function runDialogRoute(rt: Runtime, d: Dialog, name: string): void {
  const route = rt.route('route', name);
  const ctx = route && dialogContext(rt, d);
  if (!route || !ctx) {
    rt.logger.log(-1, 'dialog', 'run_dlg_script_route', `route <${name}> does not exist`);
    return;
  }
  try {
    runRoute(ctx, route, 'request', name);
  } catch (err) {
    rt.logger.log(-1, 'dialog', 'run_dlg_script_route', `error running route[${name}]: ${(err as Error).message}`);
  }
}
