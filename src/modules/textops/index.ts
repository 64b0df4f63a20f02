// textops: searches over the message text, and sed-like substitutions on the
// R-URI (the editing functions on the message text are not native yet).
import type { NativeModule } from '../types.js';
import { posixRegex } from '../../script/regex.js';
import type { ExecContext } from '../../script/context.js';
import { applySubst, parseSubst } from '../../script/subst.js';
import { setUriField, splitUri } from '../../script/uri-fields.js';
import type { FunctionBehaviour } from '../types.js';
import { regexFixup } from '../common/fixups.js';

/** subst_uri / subst_user: the R-URI (or its user part) rewritten when the expression matches, else -1. */
function substRuri(ctx: ExecContext, expr: string, part: 'uri' | 'user'): number {
  const e = parseSubst(expr);
  if (typeof e === 'string') return -1;
  if (part === 'uri') {
    const out = applySubst(e, ctx.ruri);
    if (out === undefined) return -1;
    ctx.ruri = out;
    return 1;
  }
  const out = applySubst(e, splitUri(ctx.ruri)?.user ?? '');
  if (out === undefined) return -1;
  const next = setUriField(ctx.ruri, 'user', out);
  if (next === undefined) return -1;
  ctx.ruri = next;
  return 1;
}

const substFixup: NonNullable<FunctionBehaviour['fixup']> = (args, report) => {
  const a = args[0];
  if (a?.kind !== 'string' || a.dynamic) return;
  const e = parseSubst(a.text);
  if (typeof e === 'string') report(`bad substitution expression: ${e}`, a.span);
};

function test(text: string, re: string | undefined): number {
  if (re === undefined) return -1;
  try { return posixRegex(re).test(text) ? 1 : -1; } catch { return -1; }
}

export const textops: NativeModule = {
  name: 'textops',
  functions: {
    search: { returns: [1, -1], fixup: regexFixup(0), impl: (ctx, [re]) => test(ctx.msg.text, re?.str) },
    search_body: { returns: [1, -1], fixup: regexFixup(0), impl: (ctx, [re]) => test(ctx.msg.body, re?.str) },
    subst_uri: { returns: [1, -1], fixup: substFixup, impl: (ctx, [e]) => substRuri(ctx, e?.str ?? '', 'uri') },
    subst_user: { returns: [1, -1], fixup: substFixup, impl: (ctx, [e]) => substRuri(ctx, e?.str ?? '', 'user') },
  },
};
