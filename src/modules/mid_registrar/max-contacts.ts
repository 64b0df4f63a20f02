// cN / max_contacts for mid_registrar: at absorb time (mode 2) and when the
// main registrar's 2xx makes contacts local (all modes).
import { isValid, type AorRecord, type Binding, type UsrlocDomain } from '../usrloc/api.js';

/**
 * Room for `extra` more valid contacts under `cap`: with `force` (flag f) the oldest
 * valid ones other than `keep` are evicted; without it, false (R_TOO_MANY).
 */
export function roomFor(
  d: UsrlocDomain,
  record: AorRecord,
  cap: number,
  force: boolean,
  extra: number,
  keep: Binding | undefined,
  nowSec: number,
): boolean {
  if (!cap) return true;
  let n = record.bindings.filter((b) => isValid(b, nowSec)).length + extra;
  while (n > cap) {
    if (!force) return false;
    const victim = record.bindings.find((b) => b !== keep && isValid(b, nowSec));
    if (!victim) break;
    d.remove(record, victim);
    d.records.set(record.aor, record);
    n--;
  }
  return true;
}
