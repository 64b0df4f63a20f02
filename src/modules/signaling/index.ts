// signaling: send_reply(), stateful when a transaction exists, else stateless.
import type { ExecContext } from '../../script/context.js';
import type { NativeModule } from '../types.js';
import { replyCodeFixup } from '../common/fixups.js';
import { sendLocalReply } from '../common/reply.js';
import { localFinalReplied, transactionOf } from '../tm/api.js';
import { slState, tmTags } from '../common/tags.js';

/** The reply path shared by send_reply() and the registrars. */
export function signalingReply(
  ctx: ExecContext,
  code: number,
  reason: string,
  headers: [string, string][] = [],
  via = 'send_reply',
): number {
  const stateful = transactionOf(ctx) !== undefined;
  if (!stateful && !ctx.runtime.modparams.has('sl')) {
    ctx.runtime.logger.log(-1, 'signaling', 'sig_send_reply', 'no transaction and sl is not loaded: cannot reply');
    return -1;
  }
  const rc = sendLocalReply(ctx, code, reason, { headers, via: stateful ? `${via} (stateful)` : `${via} (stateless)` });
  if (rc > 0 && stateful) localFinalReplied(ctx, code);
  return rc;
}

export const signaling: NativeModule = {
  name: 'signaling',
  pvs: {
    // The To tag a local reply to this request gets (tm's inside a transaction, sl's outside): computable before replying.
    sig_local_totag: {
      takesName: false,
      get: (ctx) => {
        const req = ctx.msg.sip;
        if (!req?.isRequest) return null;
        return (transactionOf(ctx) ? tmTags(ctx.runtime) : slState(ctx.runtime).tags).tagFor(req) ?? null;
      },
    },
  },
  functions: {
    send_reply: {
      returns: [1, -1],
      fixup: replyCodeFixup(0),
      impl: (ctx, [code, reason]) => (code?.int === undefined ? -1 : signalingReply(ctx, code.int, reason?.str ?? '')),
    },
  },
};
