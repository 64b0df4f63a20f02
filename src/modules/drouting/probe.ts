// drouting's prober (dr_prob_handler): every probing_interval seconds an
// OPTIONS (probing_method, from probing_from) to each gateway with probe_mode
// 2, and to those with probe_mode 1 while disabled; never to one disabled by
// MI. A 200 (or a probing_reply_codes code) re-enables a disabled gateway; a
// reply >= 400 (a 408 when none comes) disables an enabled one.
// MI dr_enable_probing turns the whole thing off and on.
import type { Runtime } from '../../script/runtime.js';
import type { TimerExport } from '../types.js';
import { serviceKey } from '../../base/keys.js';
import { sendProbe, stopProber } from '../common/prober.js';
import { drData, num, param, PING_ALWAYS, PING_WHEN_DISABLED, type Gateway } from './data.js';
import { setGwState } from './status.js';

export const PROBE_PREFIX = 'dr-ping';
const ENABLED = serviceKey<{ on: boolean }>('drouting:probing');

export function probingState(rt: Runtime): { on: boolean } {
  return rt.service(ENABLED, () => ({ on: true }));
}

function replyCodes(rt: Runtime): Set<number> {
  return new Set(
    param(rt, 'probing_reply_codes', '')
      .split(',')
      .map((c) => Number(c.trim()))
      .filter((c) => c >= 100 && c < 700),
  );
}

function onFinal(rt: Runtime, id: string, code: number): void {
  const gw = drData(rt).gateways.get(id);
  if (!gw) return;
  if (code === 200 || replyCodes(rt).has(code)) {
    if (gw.permanent || !gw.disabled) return;
    setGwState(rt, gw, false, false, '200 OK probing reply');
  } else if (code >= 400 && !gw.disabled) setGwState(rt, gw, true, false, 'negative probing reply');
}

function wantsProbe(gw: Gateway): boolean {
  return !gw.permanent && (gw.probeMode === PING_ALWAYS || (gw.probeMode === PING_WHEN_DISABLED && gw.disabled));
}

/** One round of probes; how many went out. */
export function probeRound(rt: Runtime): number {
  if (!probingState(rt).on) return 0;
  const sockText = param(rt, 'probing_socket', '');
  const forced = sockText ? rt.findSocket(sockText) : undefined;
  let n = 0;
  for (const gw of [...drData(rt).gateways.values()].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    if (!wantsProbe(gw)) continue;
    const sent = sendProbe(rt, PROBE_PREFIX, {
      uri: `sip:${gw.address}`,
      method: param(rt, 'probing_method', 'OPTIONS'),
      from: param(rt, 'probing_from', 'sip:prober@localhost'),
      socket: gw.socket ?? forced,
      onFinal: (code) => onFinal(rt, gw.id, code),
    });
    if (sent) n++;
    else {
      rt.logger.log(-1, 'drouting', 'dr_prob_handler', 'unable to execute dialog, disabling destination...');
      if (!gw.disabled) setGwState(rt, gw, true, false, 'failure to send probe');
    }
  }
  return n;
}

export const DR_PROBER: TimerExport = {
  name: 'dr-prober',
  period: 'probing_interval seconds (0: off)',
  interval: (rt) => Math.max(0, num(rt, 'probing_interval', 30)) * 1000,
  job: (rt) => probeRound(rt),
  stop: (rt) => stopProber(rt, PROBE_PREFIX),
};
