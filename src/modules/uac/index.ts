// uac: uac_auth() (auth.ts), and the From/To replacing with its restore
// (replace.ts) in the Record-Route form 3.3 uses without a dialog.
import type { NativeModule } from '../types.js';
import { registerRrCallback } from '../rr/index.js';
import { parseAlgorithmList, parseCredential, shiftInDialog, uacAuth } from './auth.js';
import { restoreOnLooseRoute, uacReplace, uacRestore } from './replace.js';

export const uac: NativeModule = {
  name: 'uac',
  functions: {
    uac_auth: {
      returns: [1, -1],
      fixup: (args, report) => {
        const a = args[0];
        if (a && a.kind === 'string' && !a.dynamic && parseAlgorithmList(a.text) === undefined)
          report(
            `unknown digest algorithm in '${a.text}'`,
            a.span,
            'MD5, MD5-sess, SHA-256, SHA-256-sess, SHA-512-256 or SHA-512-256-sess, comma-separated',
          );
      },
      impl: (ctx, [algs]) => uacAuth(ctx, algs?.given ? algs.str : undefined),
    },
    uac_replace_from: {
      returns: [1, -1, -10],
      impl: (ctx, [display, uri]) =>
        uacReplace(ctx, 'from', display?.given ? (display.str ?? '') : undefined, uri?.str ?? ''),
    },
    uac_replace_to: {
      returns: [1, -1, -10],
      impl: (ctx, [display, uri]) =>
        uacReplace(ctx, 'to', display?.given ? (display.str ?? '') : undefined, uri?.str ?? ''),
    },
    uac_restore_from: { returns: [1, -1], impl: (ctx) => (ctx.msg.isRequest ? uacRestore(ctx, 'from', false) : -1) },
    uac_restore_to: { returns: [1, -1], impl: (ctx) => (ctx.msg.isRequest ? uacRestore(ctx, 'to', false) : -1) },
  },
  init: (rt) => {
    registerRrCallback(rt, shiftInDialog);
    registerRrCallback(rt, (ctx) => restoreOnLooseRoute(ctx));
    for (const v of rt.paramValues('uac_auth', 'credential')) {
      if (!parseCredential(String(v)))
        rt.logger.log(-1, 'uac_auth', 'add_credential', `bad credential '${v}' (user:realm:password)`);
    }
  },
};
