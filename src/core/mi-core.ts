// Core MI commands and statistics: version, uptime, which, log levels, get_statistics.
import { usrlocOf } from '../modules/registrar/aor.js';
import { statsOf } from '../modules/registrar/save.js';
import { registerUsrlocMi } from '../modules/usrloc/mi.js';
import { pingerOf } from '../modules/nathelper/pinger.js';
import { registerDispatcherMi } from '../modules/dispatcher/mi.js';
import { registerRtpengineMi } from '../modules/rtpengine/index.js';
import { registerDialogMi } from '../modules/dialog/index.js';
import type { Runtime } from '../script/runtime.js';
import { MiError, MiRegistry } from './mi.js';

/** Every statistic as `group:name` -> value. */
export function statistics(rt: Runtime): Record<string, number> {
  const out: Record<string, number> = {};
  if (rt.modparams.has('registrar')) {
    const st = statsOf(rt);
    const num = (k: string, d: number): number => { const v = rt.param('registrar', k); return typeof v === 'number' ? v : d; };
    Object.assign(out, {
      'registrar:max_expires': num('max_expires', 0), 'registrar:max_contacts': num('max_contacts', 0),
      'registrar:default_expire': num('default_expires', 3600), 'registrar:accepted_regs': st.accepted_regs, 'registrar:rejected_regs': st.rejected_regs,
    });
  }
  if (rt.modparams.has('usrloc')) {
    const ul = usrlocOf(rt);
    let users = 0;
    for (const d of ul.domains.values()) {
      users += d.records.size;
      out[`usrloc:${d.name}-users`] = d.records.size;
      out[`usrloc:${d.name}-contacts`] = d.contactCount();
      out[`usrloc:${d.name}-expires`] = d.expiredCount;
    }
    out['usrloc:registered_users'] = users;
  }
  return out;
}

export function coreMi(version: string): MiRegistry {
  const mi = new MiRegistry();
  mi.add('version', { recipes: [[]], run: () => ({ Server: `opensips-ts ${version} (OpenSIPS 3.3 compatible)` }) });
  mi.add('uptime', {
    recipes: [[]],
    run: (_p, rt) => {
      const up = Math.floor((rt.clock.now() - rt.startedAt) / 1000);
      return { Now: new Date(rt.clock.now()).toString().slice(0, 24), Up_since: new Date(rt.startedAt).toString().slice(0, 24), Up_time: `${up} [sec]` };
    },
  });
  mi.add('which', { recipes: [[]], run: () => [...mi.commands.keys()].sort() });
  for (const which of ['log_level', 'xlog_level'] as const) {
    mi.add(which, {
      recipes: [[], ['level']],
      run: (p, rt) => {
        const key = which === 'log_level' ? 'logLevel' : 'xlogLevel';
        if (p.level !== undefined) {
          const n = Number(p.level);
          if (!Number.isInteger(n)) throw new MiError(-32602, 'Invalid params', 'level must be an integer');
          rt.logger[key] = n;
          return which === 'log_level' ? { 'New global log level': n } : { 'New xlog level': n };
        }
        return which === 'log_level' ? { 'Global': rt.logger.logLevel } : { 'xLog Level': rt.logger.xlogLevel };
      },
    });
  }
  mi.add('get_statistics', {
    recipes: [['statistics']],
    run: (p, rt) => {
      const wanted = Array.isArray(p.statistics) ? p.statistics.map(String) : [String(p.statistics ?? 'all')];
      const all = statistics(rt);
      const out: Record<string, number> = {};
      for (const w of wanted) {
        for (const [k, v] of Object.entries(all)) {
          if (w === 'all' || (w.endsWith(':') && k.startsWith(w)) || k === w) out[k] = v;
        }
      }
      return out;
    },
  });
  registerUsrlocMi(mi);
  registerDispatcherMi(mi);
  registerRtpengineMi(mi);
  registerDialogMi(mi);
  mi.add('nh_enable_ping', {
    recipes: [[], ['status']],
    run: (p, rt) => {
      if (!rt.modparams.has('nathelper')) throw new MiError(-32601, 'Method not found');
      const st = pingerOf(rt);
      if (p.status === undefined) return { Status: st.enabled ? 1 : 0 };
      st.enabled = Number(p.status) !== 0;
      return 'OK';
    },
  });
  return mi;
}
