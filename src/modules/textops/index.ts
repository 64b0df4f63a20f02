// textops: searches over the message text (the editing functions are not native yet).
import type { NativeModule } from '../types.js';
import { posixRegex } from '../../script/regex.js';
import { regexFixup } from '../common/fixups.js';

function test(text: string, re: string | undefined): number {
  if (re === undefined) return -1;
  try { return posixRegex(re).test(text) ? 1 : -1; } catch { return -1; }
}

export const textops: NativeModule = {
  name: 'textops',
  functions: {
    search: { returns: [1, -1], fixup: regexFixup(0), impl: (ctx, [re]) => test(ctx.msg.text, re?.str) },
    search_body: { returns: [1, -1], fixup: regexFixup(0), impl: (ctx, [re]) => test(ctx.msg.body, re?.str) },
  },
};
