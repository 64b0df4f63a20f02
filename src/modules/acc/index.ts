// acc: transaction accounting. do_accounting() arms tm callbacks on the
// request's transaction; a reply that goes out to the caller is accounted
// ("transaction answered", negative ones with `failed`), a failed INVITE
// with `missed` is reported once ("call missed"); with `cdr` an answered
// INVITE is accounted once, when its dialog ends (cdr.ts). Backends: log
// (acc's log lines), evi (E_ACC_EVENT / E_ACC_MISSED_EVENT / E_ACC_CDR) and
// db (the acc and missed_calls tables on db_url, any backend); extra fields
// ($acc_extra) and per-leg fields ($acc_leg, acc_new_leg), extra.ts. The aaa
// backend and detect_direction are not native.
import type { ExecContext } from '../../script/context.js';
import type { SipMessage } from '../../sip/message.js';
import { reasonPhrase } from '../../sip/reasons.js';
import type { Runtime } from '../../script/runtime.js';
import { tmHooks } from '../tm/api.js';
import { combine, oneOf } from '../common/fixups.js';
import type { FunctionBehaviour, NativeModule, StaticArg } from '../types.js';
import { NATIVE_BACKENDS, parseBackends, parseExtras, type Backend, type Extra } from './flags.js';
import {
  ACC_TEXT,
  accRequestOf,
  outcomeOf,
  raiseAccEvent,
  writeDbRecord,
  writeLogRecord,
  type AccOutcome,
  type AccRequest,
} from './records.js';
import { stateKey } from '../../base/keys.js';
import { createDialog, currentDialog, type Dialog } from '../dialog/api.js';
import { armCdr } from './cdr.js';
import { contextOf, stateOf, STATE, type AccFlags, type AccState } from './context.js';
import { badExtraLines, extraTags, recordValues } from './extra.js';
import { strParam } from '../common/params.js';

function any(flags: AccFlags, extra: Extra): boolean {
  for (const set of flags.values()) if (set.has(extra)) return true;
  return false;
}

/** should_acc_reply(): negative replies only with `failed`; provisional ones only as early media (acc's early_media, with a body). */
function shouldAccount(rt: Runtime, st: AccState, code: number, reply: SipMessage | undefined): boolean {
  if (!st.flags.size) return false;
  if (code >= 300 && !any(st.flags, 'failed')) return false;
  if (code < 200)
    return Number(rt.param('acc', 'early_media') ?? 0) !== 0 && reply !== undefined && reply.body.length > 0;
  return true;
}

function write(
  rt: Runtime,
  st: AccState,
  backends: Backend[],
  missed: boolean,
  request: AccRequest,
  o: AccOutcome,
): void {
  for (const b of backends) {
    const { flat, rows } = recordValues(rt, b, st.extras, st.legs);
    if (b === 'log')
      writeLogRecord(rt, missed ? ACC_TEXT.missed : ACC_TEXT.answered, request, o, st.receivedSec, st, flat);
    else if (b === 'evi') for (const r of rows) raiseAccEvent(rt, missed, request, o, st.receivedSec, st, r);
    else if (b === 'db')
      for (const r of rows) writeDbRecord(rt, missed, request, o, st.receivedSec, st, r, missed ? undefined : st.table);
  }
}

/** on_missed(): reported once, by every backend that has `missed`, which then loses it. */
function reportMissed(
  rt: Runtime,
  st: AccState,
  code: number,
  reply: SipMessage | undefined,
  request: SipMessage,
): void {
  const backends = [...st.flags].filter(([, set]) => set.has('missed')).map(([b]) => b);
  if (!backends.length) return;
  const req = accRequestOf(request);
  write(rt, st, backends, true, req, outcomeOf(code, reply, req));
  for (const b of backends) st.flags.get(b)!.delete('missed');
}

function installHooks(rt: Runtime, ctx: ExecContext, st: AccState): void {
  tmHooks(ctx).push({
    responseOut: (code, reply, request) => {
      if (request.method === 'INVITE' && code >= 300) reportMissed(rt, st, code, reply, request);
      if (!shouldAccount(rt, st, code, reply)) return;
      const req = accRequestOf(request);
      if (st.dialog && request.method === 'INVITE' && !req.toTag && any(st.flags, 'cdr') && code >= 200 && code < 300) {
        // The answered call is accounted when its dialog ends, not now.
        armCdr(
          rt,
          st.dialog,
          req,
          outcomeOf(code, reply, req),
          st.createdSec,
          [...st.flags.keys()],
          st.table ?? accTable(rt),
          st.extras,
          st.legs,
        );
        return;
      }
      write(rt, st, [...st.flags.keys()], false, req, outcomeOf(code, reply, req));
    },
    failed: (code, reply, request) => reportMissed(rt, st, code, reply, request),
  });
}

function accTable(rt: Runtime): string {
  return strParam(rt, 'acc', 'db_table_acc', 'acc');
}

function doAccounting(ctx: ExecContext, type: string, extrasText: string, table: string | undefined): number {
  const rt = ctx.runtime;
  if (ctx.msg.method === 'CANCEL' && !Number(rt.param('acc', 'report_cancels') ?? 0)) {
    rt.logger.log(
      1,
      'acc',
      'w_do_acc',
      "do_accounting() called on CANCEL but 'report_cancels' modparam not set - no accounting will be done for this transaction!",
    );
    return 1;
  }
  const { backends, unknown } = parseBackends(type);
  const extras = parseExtras(extrasText);
  if (unknown.length || extras.unknown.length || !backends.length) return -1;
  const known = stateOf(ctx);
  const st = contextOf(ctx);
  if (!known || !st.hooked) {
    st.hooked = true;
    installHooks(rt, ctx, st);
  }
  if (backends.includes('db') && (table !== undefined || st.table === undefined)) st.table = table || accTable(rt);
  if (extras.extras.includes('cdr') && !st.cdr && !ctx.msg.to?.tag) {
    st.cdr = true;
    st.createdSec = Math.floor(rt.clock.now() / 1000);
    if (ctx.msg.method === 'INVITE') {
      const d = currentDialog(ctx) ?? (createDialog(ctx) === 1 ? currentDialog(ctx) : undefined);
      if (!d) {
        rt.logger.log(-1, 'acc', 'w_do_acc', 'cannot use dialog accounting module');
        return -1;
      }
      st.dialog = d;
    }
  }
  for (const b of backends) {
    const set = st.flags.get(b) ?? new Set<Extra>();
    for (const e of extras.extras) set.add(e);
    st.flags.set(b, set);
  }
  return 1;
}

/** drop_accounting([type], [extras]): without arguments all accounting stops; with a type only that backend's given extras (or all of it). */
function dropAccounting(ctx: ExecContext, type: string | undefined, extrasText: string | undefined): number {
  const st = stateOf(ctx);
  if (!st) return 1;
  if (type === undefined) {
    st.flags.clear();
    return 1;
  }
  const extras = extrasText ? parseExtras(extrasText).extras : [];
  for (const b of parseBackends(type).backends) {
    if (!extras.length) st.flags.delete(b);
    else for (const e of extras) st.flags.get(b)?.delete(e);
  }
  return 1;
}

/** acc_comm_to_acc_param: "CODE reason" -> the code (the first three digits) and the reason (OpenSIPS's phrase when empty). */
function commentOutcome(comment: string, toTag: string): AccOutcome {
  const m = /^(\d{3})\s*(.*)$/s.exec(comment);
  const code = m ? m[1]! : '';
  const reason = (m ? m[2]! : comment) || reasonPhrase(m ? Number(code) : 0);
  return { code, reason, toTag };
}

/** acc_log_request / acc_db_request / acc_evi_request: one record of the request now, with the comment's code and reason. */
function requestRecord(ctx: ExecContext, comment: string, backend: 'log' | 'db' | 'evi', table?: string): number {
  const rt = ctx.runtime;
  const msg = ctx.msg;
  const req: AccRequest = {
    method: msg.method,
    fromTag: msg.from?.tag ?? '',
    toTag: msg.to?.tag ?? '',
    callId: msg.callId ?? '',
  };
  const o = commentOutcome(comment, req.toTag);
  const st = stateOf(ctx);
  const { flat, rows } = recordValues(rt, backend, st?.extras ?? new Map(), st?.legs ?? []);
  const now = Math.floor(rt.clock.now() / 1000);
  if (backend === 'log') writeLogRecord(rt, ACC_TEXT.request, req, o, now, st, flat);
  else if (backend === 'evi') for (const r of rows) raiseAccEvent(rt, Number(o.code || 0) >= 300, req, o, now, st, r);
  else {
    if (!table) {
      rt.logger.log(-1, 'acc', 'w_acc_db_request', 'db support not configured');
      return -1;
    }
    const missed = table === strParam(rt, 'acc', 'db_table_missed_calls', 'missed_calls');
    for (const r of rows) writeDbRecord(rt, missed, req, o, now, st, r, table);
  }
  return 1;
}

/** Constant backend and extras strings must parse (acc's fix-ups); db, aaa and cdr are beyond opensips-ts. */
function stringFixup(
  index: number,
  parse: (s: string) => { unknown: string[] },
  what: string,
): NonNullable<FunctionBehaviour['fixup']> {
  return (args, report) => {
    const a = args[index];
    if (a?.kind !== 'string' || a.dynamic) return;
    const { unknown } = parse(a.text);
    if (unknown.length)
      report(
        `unknown ${what} ${unknown.map((u) => `\`${u}\``).join(', ')} in "${a.text}": OpenSIPS 3.3 refuses to start`,
        a.span,
      );
  };
}

function unsupportedUse(args: StaticArg[]): string | undefined {
  const [type] = args;
  const missing =
    type?.kind === 'string' && !type.dynamic
      ? parseBackends(type.text).backends.filter((b) => !NATIVE_BACKENDS.has(b))
      : [];
  if (missing.length)
    return `the ${missing.join(', ')} accounting backend${missing.length > 1 ? 's have' : ' has'} no native implementation in opensips-ts yet (log, evi and db do)`;
  return undefined;
}

export const acc: NativeModule = {
  name: 'acc',
  functions: {
    do_accounting: {
      returns: [1, -1],
      fixup: combine(
        stringFixup(0, (s) => parseBackends(s), 'accounting type'),
        stringFixup(1, (s) => parseExtras(s), 'accounting flag'),
      ),
      notNativeFor: unsupportedUse,
      impl: (ctx, [type, extras, table]) =>
        doAccounting(ctx, type?.str ?? '', extras?.str ?? '', table?.given ? table.str : undefined),
    },
    drop_accounting: {
      returns: [1],
      impl: (ctx, [type, extras]) =>
        dropAccounting(ctx, type?.given ? type.str : undefined, extras?.given ? extras.str : undefined),
    },
    acc_new_leg: {
      returns: [1, -1],
      impl: (ctx) => {
        contextOf(ctx).legs.push(new Map());
        return 1;
      },
    },
    acc_log_request: { returns: [1, -1], impl: (ctx, [comment]) => requestRecord(ctx, comment?.str ?? '', 'log') },
    acc_db_request: {
      returns: [1, -1],
      impl: (ctx, [comment, table]) => requestRecord(ctx, comment?.str ?? '', 'db', table?.str),
    },
    acc_evi_request: { returns: [1, -1], impl: (ctx, [comment]) => requestRecord(ctx, comment?.str ?? '', 'evi') },
  },
  init: (rt) => {
    for (const line of badExtraLines(rt))
      rt.logger.log(-1, 'acc', 'parse_acc_extra', `Invalid backend or missing backend separator ':' in <${line}>`);
    for (const line of badExtraLines(rt, 'leg_fields'))
      rt.logger.log(-1, 'acc', 'parse_acc_leg', `Invalid backend or missing backend separator ':' in <${line}>`);
    const unsupported = ['detect_direction'].filter((p) => {
      const v = rt.param('acc', p);
      return v !== undefined && v !== null && v !== 0 && v !== '';
    });
    for (const p of unsupported)
      rt.logger.log(
        1,
        'acc',
        'mod_init',
        `opensips-ts does not implement acc's ${p} yet: records carry the core fields, From/To as received`,
      );
  },
  pvs: {
    acc_leg: {
      takesName: true,
      get: (ctx, name) => {
        const legs = stateOf(ctx)?.legs;
        return legs?.length ? (legs[legs.length - 1]!.get(name ?? '') ?? null) : null;
      },
      set: (ctx, name, v) => {
        const tag = name ?? '';
        const legs = contextOf(ctx).legs;
        if (!extraTags(ctx.runtime, 'leg_fields').has(tag) || !legs.length) {
          ctx.runtime.logger.log(
            -1,
            'acc',
            'pv_set_acc_leg',
            legs.length ? `tag <${tag}> not declared in modparam section!` : 'no legs defined!',
          );
          return false;
        }
        const leg = legs[legs.length - 1]!;
        if (v === null) leg.delete(tag);
        else leg.set(tag, String(v));
        return true;
      },
    },
    acc_current_leg: {
      takesName: false,
      get: (ctx) => {
        const n = stateOf(ctx)?.legs.length ?? 0;
        return n ? n - 1 : null;
      },
    },
    acc_extra: {
      takesName: true,
      get: (ctx, name) => stateOf(ctx)?.extras.get(name ?? '') ?? null,
      set: (ctx, name, v) => {
        const tag = name ?? '';
        if (!extraTags(ctx.runtime).has(tag)) {
          ctx.runtime.logger.log(-1, 'acc', 'pv_set_acc_extra', `tag <${tag}> not declared in modparam section!`);
          return false;
        }
        if (v === null) contextOf(ctx).extras.delete(tag);
        else contextOf(ctx).extras.set(tag, String(v));
        return true;
      },
    },
  },
  params: {
    early_media: { validate: oneOf([0, 1]) },
    report_cancels: { validate: oneOf([0, 1]) },
    detect_direction: { validate: oneOf([0, 1]) },
  },
};
