// load_balancer's prober (lb_do_probing): every probing_interval seconds an
// OPTIONS (probing_method, from probing_from) to each destination with
// probe_mode 2, and to those with probe_mode 1 while disabled; never to one
// disabled by MI. A 200 (or a probing_reply_codes code) re-enables, a reply
// >= 400 (a 408 when none comes) disables.
import type { Runtime } from '../../script/runtime.js';
import type { TimerExport } from '../types.js';
import { sendProbe, stopProber } from '../common/prober.js';
import { lbData, lbNum, lbParam, setDstState, type LbDst } from './data.js';

export const LB_PROBE_PREFIX = 'lb-ping';

function replyCodes(rt: Runtime): Set<number> {
  return new Set(
    lbParam(rt, 'probing_reply_codes', '')
      .split(',')
      .map((c) => Number(c.trim()))
      .filter((c) => c >= 100 && c < 700),
  );
}

/** set_dst_state_from_rplcode. */
function onFinal(rt: Runtime, id: number, code: number): void {
  const dst = lbData(rt).dsts.find((d) => d.id === id);
  if (!dst) return;
  const verbose = lbNum(rt, 'probing_verbose', 0) !== 0;
  if (code === 200 || replyCodes(rt).has(code)) {
    if (dst.permanent || !dst.disabled) return;
    setDstState(rt, dst, false, false);
    if (verbose)
      rt.logger.log(
        2,
        'load_balancer',
        'set_dst_state_from_rplcode',
        `re-enable destination ${dst.id} <${dst.uri}> after ${code} reply on probe`,
      );
  } else if (code >= 400 && !dst.disabled) {
    setDstState(rt, dst, true, false);
    if (verbose)
      rt.logger.log(
        2,
        'load_balancer',
        'set_dst_state_from_rplcode',
        `disable destination ${dst.id} <${dst.uri}> after ${code} reply on probe`,
      );
  }
}

function wantsProbe(d: LbDst): boolean {
  return !d.permanent && (d.probeMode >= 2 || (d.probeMode === 1 && d.disabled));
}

export function lbProbeRound(rt: Runtime): number {
  let n = 0;
  for (const d of lbData(rt).dsts) {
    if (!wantsProbe(d)) continue;
    const ok = sendProbe(rt, LB_PROBE_PREFIX, {
      uri: d.uri,
      method: lbParam(rt, 'probing_method', 'OPTIONS'),
      from: lbParam(rt, 'probing_from', 'sip:prober@localhost'),
      socket: undefined,
      onFinal: (code) => onFinal(rt, d.id, code),
    });
    if (ok) n++;
    else rt.logger.log(-1, 'load_balancer', 'lb_do_probing', 'probing failed');
  }
  return n;
}

export const LB_PROBER: TimerExport = {
  name: 'lb-prober',
  period: 'probing_interval seconds (0: off)',
  interval: (rt) => Math.max(0, lbNum(rt, 'probing_interval', 30)) * 1000,
  job: (rt) => lbProbeRound(rt),
  stop: (rt) => stopProber(rt, LB_PROBE_PREFIX),
};
