// sl: stateless replies.
import type { NativeModule } from '../types.js';
import { replyCodeFixup } from '../common/fixups.js';

export const sl: NativeModule = {
  name: 'sl',
  functions: {
    sl_send_reply: { returns: [1, -1], fixup: replyCodeFixup(0) },
    sl_reply_error: { returns: [1, -1] },
  },
};
