// usrloc's API for the other modules (OpenSIPS's load_ul_api): the location
// tables of this server, and what a DB back-end adds to them. Registrar,
// mid_registrar, nathelper and common/reg/ import only this file.
import { serviceKey, stateOf } from '../../base/keys.js';
import type { Runtime } from '../../script/runtime.js';
import { Usrloc } from './store.js';

export { contactEventParams } from './events.js';
export {
  isValid,
  Usrloc,
  UsrlocDomain,
  type AorRecord,
  type Binding,
  type BindingEvent,
  type AorEvent,
} from './store.js';

/** ul_sync's work: the table (or one AoR) rewritten from memory. */
export type UsrlocSync = (table: string, aor?: string) => void;

const USRLOC = serviceKey<Usrloc>('usrloc');
/** Set by the SQL back-end: ul_flush's and ul_sync's work. */
export const UL_FLUSH = serviceKey<() => void>('usrloc:flush');
export const UL_SYNC = serviceKey<UsrlocSync>('usrloc:sync');

/** This server's location tables, set up from usrloc's parameters on first use. */
export function usrlocOf(rt: Runtime): Usrloc {
  return stateOf(rt.services, USRLOC, () => {
    const ul = new Usrloc();
    ul.useDomain = rt.param('usrloc', 'use_domain') === 1;
    ul.descTimeOrder = rt.param('usrloc', 'desc_time_order') === 1;
    ul.matchingMode = rt.param('usrloc', 'matching_mode') === 1 ? 1 : 0;
    const nat = rt.param('usrloc', 'nat_bflag');
    if (typeof nat === 'string' && nat) ul.natFlag = nat;
    const delay = rt.param('usrloc', 'cseq_delay');
    if (typeof delay === 'number') ul.cseqDelay = delay;
    return ul;
  });
}
