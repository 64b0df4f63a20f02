// usrloc's events (E_UL_AOR_INSERT/DELETE, E_UL_CONTACT_INSERT/UPDATE/DELETE)
// for event_route: listeners are added only when the cfg has a route for one
// of them, so that a plain registrar builds no event objects.
import { hasEventRoute, raiseEvent } from '../../script/events.js';
import type { Runtime } from '../../script/runtime.js';
import type { Val } from '../../script/values.js';
import { usrlocOf } from './api.js';
import type { AorEvent, BindingEvent } from './store.js';

const CONTACT_EVENTS: Partial<Record<BindingEvent['kind'], string>> = {
  insert: 'E_UL_CONTACT_INSERT',
  update: 'E_UL_CONTACT_UPDATE',
  delete: 'E_UL_CONTACT_DELETE',
  expire: 'E_UL_CONTACT_DELETE',
};
const AOR_EVENTS: Record<AorEvent['kind'], string> = {
  insert: 'E_UL_AOR_INSERT',
  delete: 'E_UL_AOR_DELETE',
  expire: 'E_UL_AOR_DELETE',
};

/** The contact parameters OpenSIPS 3.3 passes (ul_evi.c), in its units: q scaled by 1000 (-1 unset), expires as a Unix time. */
export function contactEventParams(e: Pick<BindingEvent, 'domain' | 'aor' | 'binding'>): Record<string, Val> {
  const b = e.binding;
  return {
    domain: e.domain,
    aor: e.aor,
    uri: b.uri,
    received: b.received ?? '',
    path: b.path ?? '',
    qval: b.q,
    user_agent: b.userAgent,
    socket: b.socket ?? '',
    bflags: b.cflags,
    expires: b.expires,
    callid: b.callid,
    cseq: b.cseq,
    attr: b.attr ?? '',
    latency: b.latency ?? 0,
    shtag: '',
  };
}

export function installUsrlocEvents(rt: Runtime): void {
  const wanted = [...Object.values(CONTACT_EVENTS), ...Object.values(AOR_EVENTS)].filter((n) => hasEventRoute(rt, n));
  if (!wanted.length) return;
  const ul = usrlocOf(rt);
  if (wanted.some((n) => n.startsWith('E_UL_CONTACT'))) {
    ul.listeners.push((e) => {
      const name = CONTACT_EVENTS[e.kind];
      if (name && hasEventRoute(rt, name)) raiseEvent(rt, name, contactEventParams(e));
    });
  }
  if (wanted.some((n) => n.startsWith('E_UL_AOR'))) {
    ul.aorListeners.push((e) => {
      const name = AOR_EVENTS[e.kind];
      if (hasEventRoute(rt, name)) raiseEvent(rt, name, { domain: e.domain, aor: e.record.aor });
    });
  }
}
