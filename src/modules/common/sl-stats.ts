// sl's statistics (sl.c's mod_stats), counted where sl_funcs.c counts them:
// each stateless reply sent (by sl or through its API: signaling), the error
// replies of sl_reply_error(), and the ACKs to sl's own replies it absorbs.
// Here in common/ because every stateless reply goes through common/reply.ts.
import { Counter } from '../../base/stats.js';
import type { KeyedBag } from '../../base/keys.js';
import { counterStat } from './stats.js';
import type { StatExport } from '../types.js';

export const SL_STATS = {
  '1xx_replies': new Counter('sl:1xx_replies'),
  '2xx_replies': new Counter('sl:2xx_replies'),
  '3xx_replies': new Counter('sl:3xx_replies'),
  '4xx_replies': new Counter('sl:4xx_replies'),
  '5xx_replies': new Counter('sl:5xx_replies'),
  '6xx_replies': new Counter('sl:6xx_replies'),
  sent_replies: new Counter('sl:sent_replies'),
  sent_err_replies: new Counter('sl:sent_err_replies'),
  received_ACKs: new Counter('sl:received_ACKs'),
} as const;

/** update_sl_reply_stat(): the class counter and sent_replies. */
export function slReplySent(bag: KeyedBag, code: number): void {
  const cls = Math.min(6, Math.max(1, Math.floor(code / 100))) as 1 | 2 | 3 | 4 | 5 | 6;
  SL_STATS[`${cls}xx_replies`].inc(bag);
  SL_STATS.sent_replies.inc(bag);
}

export const SL_STAT_EXPORTS: StatExport[] = Object.entries(SL_STATS).map(([name, c]) => counterStat(name, c));
