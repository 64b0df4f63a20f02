// Dialog persistence (db_mode): not yet native; dlg_db_sync answers that it is off.
import type { Runtime } from '../../script/runtime.js';

export function dbMode(rt: Runtime): number {
  return Number(rt.param('dialog', 'db_mode') ?? 0);
}

/** dlg_db_sync: false when persistence is off. */
export function syncToDb(rt: Runtime): boolean {
  return dbMode(rt) > 0 && false;
}
