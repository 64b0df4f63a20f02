// tm: transactions. Relaying builds the outgoing request as tm does (new top
// Via, R-URI, header edits) and hands it to the runtime's transport.
import type { NativeModule } from '../types.js';
import type { ExecContext } from '../../script/context.js';
import { posixRegex } from '../../script/regex.js';
import { regexFixup, replyCodeFixup } from '../common/fixups.js';
import { sendLocalReply } from '../common/reply.js';
import { createTransaction, localFinalReplied, transactionOf, liveTm, LIVE_TM } from './api.js';
import { BRANCH_IDX, EXTRA_HDRS, FAILURE, FR_INV_TIMEOUT, FR_TIMEOUT, ON_BRANCH, type FailureState } from './keys.js';
import { newTransaction } from './newtran.js';
import { relayRequest } from './relay.js';
import { put } from '../../base/keys.js';
import { TRANSACTION_LAYER } from '../../script/transaction-layer.js';
import { TmLayer } from './layer.js';
import { TM_STAT_EXPORTS } from './stats.js';

export type { FailureState } from './keys.js';

export function failureOf(ctx: ExecContext): FailureState | undefined {
  return ctx.state(FAILURE);
}

/** The status t_check_status and $T_reply_code see: the reply itself, the winning one, or the last one sent. */
function statusInScope(ctx: ExecContext): number | undefined {
  if (!ctx.msg.isRequest) return ctx.msg.status;
  const failure = failureOf(ctx);
  if (failure) return failure.code;
  const t = transactionOf(ctx);
  return t ? (t.lastReply?.code ?? 0) : undefined;
}

/** $T_fr_timeout / $T_fr_inv_timeout: this transaction's timer in seconds (the modparam until the script sets it). */
function timeoutPv(param: 'fr_timeout' | 'fr_inv_timeout', dflt: number): import('../../script/pv-core.js').PvDef {
  const key = param === 'fr_timeout' ? FR_TIMEOUT : FR_INV_TIMEOUT;
  return {
    takesName: false,
    get: (ctx) => ctx.state(key) ?? Number(ctx.runtime.param('tm', param) ?? dflt),
    set: (ctx, _n, v) => {
      if (v === null) {
        ctx.clearState(key);
        return true;
      }
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) return false;
      ctx.setState(key, n);
      return true;
    },
  };
}

export const tm: NativeModule = {
  name: 'tm',
  stats: TM_STAT_EXPORTS,
  // The live server asks for the transaction layer when it starts (a dry-run never does).
  init: (rt) => {
    put(rt.services, TRANSACTION_LAYER, (runtime, wire) => {
      const layer = new TmLayer(runtime, wire);
      put(runtime.services, LIVE_TM, layer);
      return layer;
    });
  },
  pvs: {
    T_fr_timeout: timeoutPv('fr_timeout', 30),
    T_fr_inv_timeout: timeoutPv('fr_inv_timeout', 120),
    T_branch_idx: { takesName: false, get: (ctx) => ctx.state(BRANCH_IDX) ?? 0 },
    T_reply_code: { takesName: false, get: (ctx) => statusInScope(ctx) ?? null },
  },
  functions: {
    t_relay: {
      returns: [1, -1, -2, -3, -4, -5, -6],
      impl: (ctx, [flags, proxy]) => {
        // t_relay("udp:ip:port"): 3.3 refuses it at start-up (the first parameter is the flags, an integer; lint
        // reports it as argument-type). Run in the default profile, the lone string is taken as the proxy it
        // obviously is, rather than silently relaying to the Request-URI.
        const loneProxy = !proxy?.str && flags?.int === undefined && flags?.str ? flags.str : undefined;
        return relayRequest(ctx, {
          ...(flags?.int !== undefined ? { flags: flags.int } : {}),
          ...(proxy?.str ? { proxy: proxy.str } : loneProxy ? { proxy: loneProxy } : {}),
        });
      },
    },
    t_add_hdrs: {
      returns: [1, -1],
      impl: (ctx, [hdrs]) => {
        if (!transactionOf(ctx)) return -1; // as 3.3: only on an existing transaction
        ctx.setState(EXTRA_HDRS, hdrs?.str ?? '');
        return 1;
      },
    },
    t_cancel_branch: {
      returns: [1, -1],
      impl: (ctx, [flags]) => {
        const f = flags?.str ?? '';
        return liveTm(ctx)?.cancelBranches(ctx, f.includes('a') ? 'all' : f.includes('o') ? 'others' : 'this') ?? -1;
      },
    },
    t_replicate: {
      returns: [1, -1, -2, -3, -4, -5, -6],
      impl: (ctx, [dst]) => replicate(ctx, dst?.str ?? ''),
    },
    t_newtran: {
      returns: [1, 0, -10, -1],
      impl: (ctx) => {
        if (transactionOf(ctx)) return -10;
        const live = liveTm(ctx);
        const known = live?.existing(ctx, true);
        if (known) {
          live!.absorb(known);
          return 0;
        } // a retransmission: last reply re-sent, script stops
        newTransaction(ctx, 't_newtran');
        return 1;
      },
    },
    t_reply: {
      returns: [1, 0, -1],
      fixup: replyCodeFixup(0),
      impl: (ctx, [code, reason]) => {
        if (ctx.msg.method === 'ACK') return 0; // ACKs are not replied: 0 ends the script, as in OpenSIPS
        if (code?.int === undefined) return -1;
        if (!transactionOf(ctx)) createTransaction(ctx, 't_reply');
        const rc = sendLocalReply(ctx, code.int, reason?.str ?? '', { via: 't_reply' });
        if (rc > 0) localFinalReplied(ctx, code.int);
        return rc;
      },
    },
    t_reply_with_body: {
      returns: [1, 0, -1],
      fixup: replyCodeFixup(0),
      impl: (ctx, [code, reason, body]) => {
        if (ctx.msg.method === 'ACK') return 0;
        if (code?.int === undefined) return -1;
        if (!transactionOf(ctx)) createTransaction(ctx, 't_reply_with_body');
        const rc = sendLocalReply(ctx, code.int, reason?.str ?? '', {
          via: 't_reply_with_body',
          body: body?.str ?? '',
        });
        if (rc > 0) localFinalReplied(ctx, code.int);
        return rc;
      },
    },
    t_check_trans: {
      returns: [1, -1, -2, 0],
      impl: (ctx) => {
        const live = liveTm(ctx);
        const known = live?.existing(ctx);
        if (ctx.msg.method === 'CANCEL' || ctx.msg.method === 'ACK') return known ? 1 : -1;
        if (known) {
          live!.absorb(known);
          return 0;
        }
        return -1;
      },
    },
    // The message flags set after t_relay() copied into the transaction (failure_route sees them); -1 without one.
    t_flush_flags: {
      returns: [1, -1],
      impl: (ctx) => {
        if (!transactionOf(ctx)) {
          ctx.runtime.logger.log(
            -1,
            'tm',
            't_flush_flags',
            'failed to flush flags for a message which has no transaction-state established',
          );
          return -1;
        }
        liveTm(ctx)?.flushFlags(ctx);
        return 1;
      },
    },
    t_was_cancelled: { returns: [1, -1], impl: (ctx) => (transactionOf(ctx)?.cancelled ? 1 : -1) },
    t_check_status: {
      returns: [1, -1],
      fixup: regexFixup(0),
      impl: (ctx, [re]) => {
        const code = statusInScope(ctx);
        if (code === undefined) {
          ctx.runtime.logger.log(
            -1,
            'tm',
            't_check_status',
            'cannot check status for a reply which has no transaction-state established',
          );
          return -1;
        }
        return posixRegex(re?.str ?? '').test(String(code)) ? 1 : -1; // regexec: a match anywhere
      },
    },
    t_local_replied: {
      returns: [1, -1],
      impl: (ctx) => {
        const failure = failureOf(ctx);
        // No reply was received on any branch (timeouts): every kind (all, branch, last) is local.
        return failure?.local ? 1 : -1;
      },
    },
    t_on_failure: {
      returns: [1],
      impl: (ctx, [r]) => {
        liveTm(ctx)?.arm(ctx, 'failure', r?.str ?? '');
        return 1;
      },
    },
    t_on_branch: {
      returns: [1],
      impl: (ctx, [r]) => {
        ctx.setState(ON_BRANCH, r?.str);
        return 1;
      },
    },
    t_on_reply: {
      returns: [1],
      impl: (ctx, [r]) => {
        liveTm(ctx)?.arm(ctx, 'reply', r?.str ?? '');
        return 1;
      },
    },
  },
};

/**
 * t_replicate(uri): the request as it is, to `uri` as destination ($du stays
 * set, appended branches keep their URI as destination and take the R-URI),
 * on a transaction marked local: what comes back never goes upstream, and
 * neither does a timeout (t_fwd.c t_replicate, T_IS_LOCAL_FLAG).
 */
function replicate(ctx: ExecContext, dst: string): number {
  if (ctx.msg.method === 'ACK' && transactionOf(ctx)) return -1;
  ctx.du = dst;
  for (const b of ctx.branches) {
    b.du = b.uri;
    b.uri = ctx.ruri;
  }
  const t = transactionOf(ctx) ?? newTransaction(ctx, 't_replicate');
  t.replicated = true;
  return relayRequest(ctx, {});
}
