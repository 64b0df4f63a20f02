// Gateway and carrier state changes (dr_gw_status_changed): E_DROUTING_STATUS
// for a gateway, and with persistent_state the `state` column follows
// (OpenSIPS flushes dirty ones on a timer; here at once, on the async path).
// Gateway state in the table: 0 active, 1 disabled by MI (permanent), 2
// disabled (script, probing); a carrier's: 0 on, 1 off.
import type { Runtime } from '../../script/runtime.js';
import { raiseEvent } from '../../script/events.js';
import { DbError } from '../../db/index.js';
import { dbFor, dbUrlOf } from '../common/db.js';
import { num, param, PING_WHEN_DISABLED, type Carrier, type Gateway } from './data.js';

/** The state as MI and the event name it: Active, Disabled MI, Probing, Inactive. */
export function gwStateName(gw: Gateway): 'Active' | 'Disabled MI' | 'Probing' | 'Inactive' {
  if (!gw.disabled) return 'Active';
  if (gw.permanent) return 'Disabled MI';
  return gw.probeMode === PING_WHEN_DISABLED ? 'Probing' : 'Inactive';
}

function persist(rt: Runtime, table: string, key: string, id: string, state: number, what: string): void {
  if (num(rt, 'persistent_state', 1) === 0) return;
  const db = dbFor(rt, dbUrlOf(rt, 'drouting'));
  if (db instanceof DbError) return;
  void db.execAsync(db.sql.update(table, { keys: [key], vals: [id] }, { state })).then((r) => {
    if (r instanceof DbError)
      rt.logger.log(-1, 'drouting', 'dr_state_flusher', `cannot save the state of ${what} ${id}: ${r.message}`);
  });
}

export function setGwState(rt: Runtime, gw: Gateway, disabled: boolean, permanent: boolean, reason: string): void {
  if (gw.disabled === disabled && gw.permanent === permanent) return;
  gw.disabled = disabled;
  gw.permanent = disabled && permanent;
  const status = gwStateName(gw);
  raiseEvent(rt, 'E_DROUTING_STATUS', {
    partition: 'Default',
    gwid: gw.id,
    address: gw.address,
    status: status === 'Active' ? 'active' : status === 'Disabled MI' ? 'disabled MI' : status.toLowerCase(),
    reason,
  });
  persist(rt, param(rt, 'drd_table', 'dr_gateways'), 'gwid', gw.id, disabled ? (gw.permanent ? 1 : 2) : 0, 'gateway');
}

export function setCarrierState(rt: Runtime, cr: Carrier, off: boolean): void {
  if (cr.off === off) return;
  cr.off = off;
  persist(rt, param(rt, 'drc_table', 'dr_carriers'), 'carrierid', cr.id, off ? 1 : 0, 'carrier');
}
