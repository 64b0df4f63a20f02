// The dialog module's statistics (dialog.c's mod_stats) and its event:
// active_dialogs and early_dialogs are gauges (STAT_NO_RESET) read from the
// table; processed/expired/failed count what happened. The create/update/
// delete sent/recv counters are dialog replication's: with no clustering in
// opensips-ts they stay 0. E_DLG_STATE_CHANGED is raised on every change of
// state, as raise_state_changed_event does.
import { raiseEvent, hasEventRoute } from '../../script/events.js';
import type { Runtime } from '../../script/runtime.js';
import type { StatExport } from '../types.js';
import { onDialogs } from './callbacks.js';
import { dialogs, DlgState, type DialogStats } from './store.js';

function gauge(name: string, states: DlgState[]): StatExport {
  return {
    name,
    read: (rt) => [...dialogs(rt).byDid.values()].filter((d) => states.includes(d.state)).length,
  };
}

function counter(name: string, field: keyof DialogStats): StatExport {
  return {
    name,
    read: (rt) => dialogs(rt).stats[field],
    reset: (rt) => {
      dialogs(rt).stats[field] = 0;
    },
  };
}

const REPLICATION = ['create_sent', 'update_sent', 'delete_sent', 'create_recv', 'update_recv', 'delete_recv'];

export const DIALOG_STATS: StatExport[] = [
  gauge('active_dialogs', [DlgState.Confirmed, DlgState.Established]),
  gauge('early_dialogs', [DlgState.Early]),
  counter('processed_dialogs', 'processed'),
  counter('expired_dialogs', 'expired'),
  counter('failed_dialogs', 'failed'),
  ...REPLICATION.map((name) => ({ name, read: () => 0, reset: () => undefined })),
];

/** E_DLG_STATE_CHANGED for event_route: id, db_id, callid, from_tag, to_tag, old_state, new_state. */
export function installStateEvent(rt: Runtime): void {
  onDialogs(rt, ['stateChanged'], ({ dialog: d, oldState }) => {
    if (!hasEventRoute(rt, 'E_DLG_STATE_CHANGED')) return;
    raiseEvent(rt, 'E_DLG_STATE_CHANGED', {
      id: d.did,
      db_id: d.id.toString(),
      callid: d.callId,
      from_tag: d.fromTag,
      to_tag: d.toTag,
      old_state: oldState ?? 0,
      new_state: d.state,
    });
  });
}
