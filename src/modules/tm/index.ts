// tm: transactions.
import type { NativeModule } from '../types.js';
import { replyCodeFixup } from '../common/fixups.js';

export const tm: NativeModule = {
  name: 'tm',
  functions: {
    t_relay: { returns: [1, -1, -2, -3, -4, -5, -6] },
    t_newtran: { returns: [1, 0, -10, -1] },
    t_reply: { returns: [1, -1], fixup: replyCodeFixup(0) },
    t_check_trans: { returns: [1, -1, -2, 0] },
  },
};
