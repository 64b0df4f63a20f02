// acc: transaction accounting. do_accounting() arms tm callbacks on the
// request's transaction; a reply that goes out to the caller is accounted
// ("transaction answered", negative ones with `failed`), a failed INVITE
// with `missed` is reported once ("call missed"). Backends: log (acc's log
// lines), evi (E_ACC_EVENT / E_ACC_MISSED_EVENT) and db (the acc and
// missed_calls tables on db_url, any backend); aaa and CDRs (which need the
// dialog module) are not native.
import type { ExecContext } from '../../script/context.js';
import type { SipMessage } from '../../sip/message.js';
import { reasonPhrase } from '../../sip/reasons.js';
import type { Runtime } from '../../script/runtime.js';
import { tmHooks } from '../common/transaction.js';
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

/** Per backend: on, and which extras (missed/failed/cdr) it takes. */
type AccFlags = Map<Backend, Set<Extra>>;

interface AccState {
  flags: AccFlags;
  /** The request's arrival, the `timestamp` of its records. */
  receivedSec: number;
  createdSec: number;
}

const STATE = stateKey<AccState>('acc:ctx');

function stateOf(ctx: ExecContext): AccState | undefined {
  return ctx.state(STATE);
}

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
    if (b === 'log') writeLogRecord(rt, missed ? ACC_TEXT.missed : ACC_TEXT.answered, request, o, st.receivedSec, st);
    else if (b === 'evi') raiseAccEvent(rt, missed, request, o, st.receivedSec, st);
    else if (b === 'db') writeDbRecord(rt, missed, request, o, st.receivedSec, st);
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
      write(rt, st, [...st.flags.keys()], false, req, outcomeOf(code, reply, req));
    },
    failed: (code, reply, request) => reportMissed(rt, st, code, reply, request),
  });
}

function doAccounting(ctx: ExecContext, type: string, extrasText: string): number {
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
  let st = stateOf(ctx);
  if (!st) {
    st = { flags: new Map(), receivedSec: Math.floor(rt.clock.now() / 1000), createdSec: 0 };
    ctx.setState(STATE, st);
    installHooks(rt, ctx, st);
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

/** acc_log_request("CODE reason"): one record now; the code comes from the comment's first three digits. */
function logRequest(ctx: ExecContext, comment: string): number {
  const m = /^(\d{3})\s*(.*)$/s.exec(comment);
  const code = m ? m[1]! : '';
  const reason = (m ? m[2]! : comment) || reasonPhrase(m ? Number(code) : 0);
  const msg = ctx.msg;
  const req: AccRequest = {
    method: msg.method,
    fromTag: msg.from?.tag ?? '',
    toTag: msg.to?.tag ?? '',
    callId: msg.callId ?? '',
  };
  writeLogRecord(
    ctx.runtime,
    ACC_TEXT.request,
    req,
    { code, reason, toTag: req.toTag },
    Math.floor(ctx.runtime.clock.now() / 1000),
    stateOf(ctx),
  );
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
  const [type, extras] = args;
  const missing =
    type?.kind === 'string' && !type.dynamic
      ? parseBackends(type.text).backends.filter((b) => !NATIVE_BACKENDS.has(b))
      : [];
  if (missing.length)
    return `the ${missing.join(', ')} accounting backend${missing.length > 1 ? 's have' : ' has'} no native implementation in opensips-ts yet (log, evi and db do)`;
  if (extras?.kind === 'string' && !extras.dynamic && parseExtras(extras.text).extras.includes('cdr'))
    return 'CDR accounting needs the dialog module, which has no native implementation in opensips-ts yet';
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
      impl: (ctx, [type, extras]) => doAccounting(ctx, type?.str ?? '', extras?.str ?? ''),
    },
    drop_accounting: {
      returns: [1],
      impl: (ctx, [type, extras]) =>
        dropAccounting(ctx, type?.given ? type.str : undefined, extras?.given ? extras.str : undefined),
    },
    acc_log_request: { returns: [1, -1], impl: (ctx, [comment]) => logRequest(ctx, comment?.str ?? '') },
  },
  init: (rt) => {
    const unsupported = ['detect_direction', 'extra_fields', 'leg_fields'].filter((p) => {
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
  params: {
    early_media: { validate: oneOf([0, 1]) },
    report_cancels: { validate: oneOf([0, 1]) },
    detect_direction: { validate: oneOf([0, 1]) },
  },
};
