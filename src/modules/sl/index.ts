// sl: stateless replies.
import type { NativeModule } from '../types.js';
import { replyCodeFixup } from '../common/fixups.js';
import { sendLocalReply } from '../common/reply.js';
import { slState } from '../common/tags.js';
import { SL_STAT_EXPORTS, SL_STATS } from '../common/sl-stats.js';

export const sl: NativeModule = {
  name: 'sl',
  stats: SL_STAT_EXPORTS,
  functions: {
    sl_send_reply: {
      returns: [1, -1],
      fixup: replyCodeFixup(0),
      impl: (ctx, [code, reason]) => {
        if (code?.int === undefined || code.int < 100 || code.int > 699) return -1;
        return sendLocalReply(ctx, code.int, reason?.str ?? '', { via: 'sl_send_reply' });
      },
    },
    // A failed save() sets no core error, so the generic "(1/SL)" answer goes out (registrar-semantics.md §4).
    sl_reply_error: {
      returns: [1, -1],
      impl: (ctx) => {
        const rc = sendLocalReply(ctx, 500, 'Server error occurred (1/SL)', { via: 'sl_reply_error' });
        if (rc > 0) SL_STATS.sent_err_replies.inc(ctx.runtime.services);
        return rc;
      },
    },
  },
  // sl_filter_ACK, a pre-script callback: the ACK to one of sl's own replies never reaches the script.
  init: (rt) => {
    rt.requestFilters.push({
      module: 'sl',
      fn: 'sl_filter_ACK',
      why: 'local ACK found -> dropping it',
      drops: (msg) => {
        if (!slState(rt).isAckToOwnReply(msg)) return false;
        SL_STATS.received_ACKs.inc(rt.services);
        return true;
      },
    });
  },
};
