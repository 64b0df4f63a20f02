// uac: uac_auth() (auth.ts). The From/To replacing functions and the
// registrant are not native yet.
import type { NativeModule } from '../types.js';
import { registerRrCallback } from '../rr/index.js';
import { parseAlgorithmList, parseCredential, shiftInDialog, uacAuth } from './auth.js';

export const uac: NativeModule = {
  name: 'uac',
  functions: {
    uac_auth: {
      returns: [1, -1],
      fixup: (args, report) => {
        const a = args[0];
        if (a && a.kind === 'string' && !a.dynamic && parseAlgorithmList(a.text) === undefined) report(`unknown digest algorithm in '${a.text}'`, a.span, 'MD5, MD5-sess, SHA-256, SHA-256-sess, SHA-512-256 or SHA-512-256-sess, comma-separated');
      },
      impl: (ctx, [algs]) => uacAuth(ctx, algs?.given ? algs.str : undefined),
    },
  },
  init: (rt) => {
    registerRrCallback(rt, shiftInDialog);
    for (const v of rt.paramValues('uac_auth', 'credential')) {
      if (!parseCredential(String(v))) rt.logger.log(-1, 'uac_auth', 'add_credential', `bad credential '${v}' (user:realm:password)`);
    }
  },
};
