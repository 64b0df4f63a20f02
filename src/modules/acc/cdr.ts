// acc's CDRs (do_accounting(..., "cdr")): the INVITE's dialog (created when
// missing) keeps the core values and the time of the 2xx; when the dialog
// ends, by a BYE (the CDR is written when the BYE's reply goes out, as 3.3's
// acc_cdr_cb) or by its timeout (written at once), one record per backend:
// the `ACC: call ended:` log line, an `acc` row with duration, ms_duration,
// setuptime and created, and E_ACC_CDR.
import type { Runtime } from '../../script/runtime.js';
import type { Val } from '../../script/values.js';
import { raiseEvent } from '../../script/events.js';
import { stateKey } from '../../base/keys.js';
import { DbError } from '../../db/index.js';
import { dbFor, dbUrlOf } from '../common/db.js';
import { sqlName } from '../common/params.js';
import { tmHooks } from '../tm/api.js';
import { dialogCtx, onDialog, type Dialog } from '../dialog/api.js';
import type { Backend } from './flags.js';
import type { AccOutcome, AccRequest } from './records.js';
import { recordValues, type AccExtras } from './extra.js';
import { contextOf } from './context.js';

interface CdrData {
  armed: boolean;
  written: boolean;
  request: AccRequest;
  outcome: AccOutcome;
  /** The 2xx, in milliseconds (call_start_time). */
  startMs: number;
  /** do_accounting's time, in seconds (created). */
  createdSec: number;
  backends: Backend[];
  table: string;
  extras: AccExtras;
  legs: AccExtras[];
}

const CDR = stateKey<CdrData>('acc:cdr');

/** At the INVITE's 2xx: the core values and the start time kept with the dialog; the end callbacks registered once. */
export function armCdr(
  rt: Runtime,
  d: Dialog,
  request: AccRequest,
  outcome: AccOutcome,
  createdSec: number,
  backends: Backend[],
  table: string,
  extras: AccExtras,
  legs: AccExtras[],
): void {
  const cdr = dialogCtx(d, CDR, () => ({
    armed: false,
    written: false,
    request,
    outcome,
    startMs: rt.clock.now(),
    createdSec,
    backends,
    table,
    extras,
    legs,
  }));
  if (cdr.armed) return;
  cdr.armed = true;
  // acc_merge_contexts: $acc_extra values of an in-dialog request (the BYE) go into the dialog's CDR.
  onDialog(d, ['requestWithin'], (info) => {
    if (!info.ctx || cdr.written) return;
    const st = contextOf(info.ctx);
    for (const [k, v] of st.extras) cdr.extras.set(k, v);
    st.extras = cdr.extras;
    st.legs.forEach((leg, i) => {
      const into = cdr.legs[i] ?? (cdr.legs[i] = new Map());
      for (const [k, v] of leg) into.set(k, v);
    });
    st.legs = cdr.legs;
  });
  onDialog(d, ['terminated', 'expired'], (info) => {
    if (cdr.written) return;
    const byeMs = rt.clock.now();
    if (!info.ctx) {
      writeCdr(rt, cdr, byeMs);
      return;
    }
    // A BYE: accounted when its reply goes out, so that the script may still set extra values.
    tmHooks(info.ctx).push({
      responseOut: (code) => {
        if (code >= 200) writeCdr(rt, cdr, byeMs);
      },
    });
  });
}

function datetime(sec: number): string {
  return new Date(sec * 1000).toISOString().replace('T', ' ').slice(0, 19);
}

function writeCdr(rt: Runtime, cdr: CdrData, byeMs: number): void {
  if (cdr.written) return;
  cdr.written = true;
  const startSec = Math.floor(cdr.startMs / 1000);
  const ms = Math.max(0, Math.round(byeMs - cdr.startMs));
  const duration = Math.ceil(ms / 1000);
  const setup = startSec - cdr.createdSec;
  const { request: r, outcome: o } = cdr;
  for (const b of cdr.backends) {
    const { flat, rows } = recordValues(rt, b, cdr.extras, cdr.legs);
    if (b === 'log') {
      const fields = [
        ['method', r.method],
        ['from_tag', r.fromTag],
        ['to_tag', o.toTag],
        ['call_id', r.callId],
        ['code', o.code],
        ['reason', o.reason],
        ...flat,
      ]
        .map(([k, v]) => `;${k}=${v}`)
        .join('');
      rt.logger.plain(
        Number(rt.param('acc', 'log_level') ?? 2),
        `ACC: call ended: created=${cdr.createdSec};call_start_time=${startSec};duration=${duration};ms_duration=${ms};setuptime=${setup}${fields}`,
      );
    } else if (b === 'evi')
      for (const extras of rows) {
        const params: Record<string, Val> = {
          method: r.method,
          from_tag: r.fromTag,
          to_tag: o.toTag,
          callid: r.callId,
          sip_code: o.code,
          sip_reason: o.reason,
          time: startSec,
        };
        for (const [k, v] of extras) params[k] = v;
        Object.assign(params, { duration, ms_duration: ms, setuptime: setup, created: cdr.createdSec });
        raiseEvent(rt, 'E_ACC_CDR', params);
      }
    else if (b === 'db') for (const extras of rows) writeCdrRow(rt, cdr, startSec, duration, ms, setup, extras);
  }
}

function writeCdrRow(
  rt: Runtime,
  cdr: CdrData,
  startSec: number,
  duration: number,
  ms: number,
  setup: number,
  extras: [string, string][],
): void {
  const col = (name: string, dflt: string): string => sqlName(rt, 'acc', name, dflt);
  const { request: r, outcome: o } = cdr;
  const row: Record<string, string | number | null> = {
    [col('acc_method_column', 'method')]: r.method,
    [col('acc_from_tag_column', 'from_tag')]: r.fromTag,
    [col('acc_to_tag_column', 'to_tag')]: o.toTag,
    [col('acc_callid_column', 'callid')]: r.callId,
    [col('acc_sip_code_column', 'sip_code')]: o.code,
    [col('acc_sip_reason_column', 'sip_reason')]: o.reason,
    [col('acc_time_column', 'time')]: datetime(startSec),
    setuptime: setup,
    created: datetime(cdr.createdSec),
    duration,
    ms_duration: ms,
  };
  for (const [k, v] of extras) row[k] = v;
  const db = dbFor(rt, dbUrlOf(rt, 'acc'));
  if (db instanceof DbError) {
    rt.logger.log(-1, 'acc', 'acc_db_cdrs', `failed to insert into database: ${db.message}`);
    return;
  }
  void db.execAsync(db.sql.insert(cdr.table, row)).then((res) => {
    if (res instanceof DbError)
      rt.logger.log(-1, 'acc', 'acc_db_cdrs', `failed to insert into database: ${res.message}`);
  });
}
