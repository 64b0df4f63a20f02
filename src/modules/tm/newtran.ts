// A new server transaction for the request (t_newtran, or t_relay/t_reply
// when none exists yet): an INVITE is answered "100 Giving it a try" at once
// when auto_100trying is on, as OpenSIPS's t_newtran() does.
import type { ExecContext } from '../../script/context.js';
import { sendLocalReply } from '../common/reply.js';
import { createTransaction, type TransactionState } from './api.js';

export function newTransaction(ctx: ExecContext, by: string): TransactionState {
  const t = createTransaction(ctx, by);
  if (ctx.msg.method === 'INVITE' && Number(ctx.runtime.param('tm', 'auto_100trying') ?? 1)) {
    sendLocalReply(ctx, 100, 'Giving it a try', { via: `${by} (auto_100trying)` });
  }
  return t;
}
