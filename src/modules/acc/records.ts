// What acc writes: the log line (acc_log_request) and the E_ACC_* events,
// from the request, the reply's To tag, code and reason.
import type { SipMessage } from '../../sip/message.js';
import { reasonPhrase } from '../../sip/reasons.js';
import { isSipError } from '../../sip/result.js';
import { raiseEvent } from '../../script/events.js';
import type { Runtime } from '../../script/runtime.js';
import type { Val } from '../../script/values.js';
import { DbError } from '../../db/index.js';
import { dbFor, dbUrlOf } from '../common/db.js';
import { sqlName, strParam } from '../common/params.js';

/** The leading text of each kind of record. */
export const ACC_TEXT = {
  answered: 'ACC: transaction answered: ',
  missed: 'ACC: call missed: ',
  request: 'ACC: request accounted: ',
} as const;

export interface AccOutcome {
  /** Code and reason as sent: a received reply's own, or OpenSIPS's phrase for a local one. */
  code: string;
  reason: string;
  /** The To header the record takes its tag from: the reply's, or the request's for a local reply. */
  toTag: string;
}

function tagOf(h: SipMessage['to']): string {
  return h && !isSipError(h) ? (h.tag ?? '') : '';
}

/** What a record takes from the request. */
export interface AccRequest {
  method: string;
  fromTag: string;
  toTag: string;
  callId: string;
}

export function accRequestOf(m: SipMessage): AccRequest {
  return { method: m.method, fromTag: tagOf(m.from), toTag: tagOf(m.to), callId: m.callId ?? '' };
}

export function outcomeOf(code: number, reply: SipMessage | undefined, request: AccRequest): AccOutcome {
  if (reply) return { code: String(reply.status), reason: reply.reason, toTag: tagOf(reply.to) };
  return { code: String(code), reason: reasonPhrase(code), toTag: request.toTag };
}

/** The accounting context of a transaction (do_accounting was called): its records carry created/setuptime. */
export interface AccTiming {
  createdSec: number;
}

function coreFields(request: AccRequest, o: AccOutcome): [string, string][] {
  return [
    ['method', request.method],
    ['from_tag', request.fromTag],
    ['to_tag', o.toTag],
    ['call_id', request.callId],
    ['code', o.code],
    ['reason', o.reason],
  ];
}

/** acc_log_request(): `ACC: <text>timestamp=T[;created=C;setuptime=S];method=...;reason=...` at acc's log_level. */
export function writeLogRecord(
  rt: Runtime,
  text: string,
  request: AccRequest,
  o: AccOutcome,
  receivedSec: number,
  timing: AccTiming | undefined,
  extras: [string, string][] = [],
): void {
  const nowSec = Math.floor(rt.clock.now() / 1000);
  // Without CDRs, OpenSIPS's context has created=0, so setuptime is the current time.
  const ctx = timing ? `;created=${timing.createdSec};setuptime=${nowSec - timing.createdSec}` : '';
  const fields = [...coreFields(request, o), ...extras].map(([k, v]) => `;${k}=${v}`).join('');
  const level = Number(rt.param('acc', 'log_level') ?? 2);
  rt.logger.plain(level, `${text}timestamp=${receivedSec}${ctx}${fields}`);
}

/** E_ACC_EVENT / E_ACC_MISSED_EVENT (acc_evi_request): the core fields, the time, and for missed calls setuptime/created. */
export function raiseAccEvent(
  rt: Runtime,
  missed: boolean,
  request: AccRequest,
  o: AccOutcome,
  receivedSec: number,
  timing: AccTiming | undefined,
  extras: [string, string][] = [],
): void {
  const [method, fromTag, toTag, callid, code, reason] = coreFields(request, o).map(([, v]) => v);
  const params: Record<string, Val> = {
    method: method!,
    from_tag: fromTag!,
    to_tag: toTag!,
    callid: callid!,
    sip_code: code!,
    sip_reason: reason!,
    time: receivedSec,
  };
  for (const [k, v] of extras) params[k] = v;
  if (missed) {
    const created = timing?.createdSec ?? 0;
    params.setuptime = Math.floor(rt.clock.now() / 1000) - created;
    params.created = created;
  }
  raiseEvent(rt, missed ? 'E_ACC_MISSED_EVENT' : 'E_ACC_EVENT', params);
}

function datetime(sec: number): string {
  return new Date(sec * 1000).toISOString().replace('T', ' ').slice(0, 19);
}

/**
 * acc_db_request(): a row of db_table_acc (or db_table_missed_calls) on acc's
 * db_url, column names from the acc_*_column parameters. Written on the async
 * path: the reply that triggered it does not wait for the database.
 */
export function writeDbRecord(
  rt: Runtime,
  missed: boolean,
  request: AccRequest,
  o: AccOutcome,
  receivedSec: number,
  timing: AccTiming | undefined,
  extras: [string, string][] = [],
  tableName?: string,
): void {
  const col = (name: string, dflt: string): string => sqlName(rt, 'acc', name, dflt);
  const table = tableName
    ? tableName
    : missed
      ? strParam(rt, 'acc', 'db_table_missed_calls', 'missed_calls')
      : strParam(rt, 'acc', 'db_table_acc', 'acc');
  const created = timing?.createdSec ?? 0;
  const row: Record<string, string | number | null> = {
    [col('acc_method_column', 'method')]: request.method,
    [col('acc_from_tag_column', 'from_tag')]: request.fromTag,
    [col('acc_to_tag_column', 'to_tag')]: o.toTag,
    [col('acc_callid_column', 'callid')]: request.callId,
    [col('acc_sip_code_column', 'sip_code')]: o.code,
    [col('acc_sip_reason_column', 'sip_reason')]: o.reason,
    [col('acc_time_column', 'time')]: datetime(receivedSec),
    setuptime: Math.floor(rt.clock.now() / 1000) - created,
    created: created ? datetime(created) : null,
  };
  for (const [k, v] of extras) row[k] = v;
  if (!missed) {
    row.duration = 0;
    row.ms_duration = 0;
  }
  const db = dbFor(rt, dbUrlOf(rt, 'acc'));
  if (db instanceof DbError) {
    rt.logger.log(-1, 'acc', 'acc_db_request', `failed to insert into database: ${db.message}`);
    return;
  }
  void db.execAsync(db.sql.insert(table, row)).then((r) => {
    if (r instanceof DbError)
      rt.logger.log(-1, 'acc', 'acc_db_request', `failed to insert into database: ${r.message}`);
  });
}
