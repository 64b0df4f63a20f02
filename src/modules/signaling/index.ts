// signaling: send_reply(), stateful when a transaction exists, else stateless.
import type { NativeModule } from '../types.js';
import { replyCodeFixup } from '../common/fixups.js';

export const signaling: NativeModule = {
  name: 'signaling',
  functions: {
    send_reply: { returns: [1, -1], fixup: replyCodeFixup(0) },
  },
};
