// textops: searches over the message text, sed-like substitutions on the
// R-URI and the body, and the whole-message edits (message-edits.ts).
import type { NativeModule } from '../types.js';
import { posixRegex } from '../../script/regex.js';
import type { ExecContext } from '../../script/context.js';
import { currentBody, setBodyText } from '../../script/edits.js';
import { applySubst, parseSubst } from '../../script/subst.js';
import { setUriField, splitUri } from '../../script/uri-fields.js';
import type { FunctionBehaviour } from '../types.js';
import { regexFixup } from '../common/fixups.js';
import { editMessage } from './message-edits.js';

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

/** The body functions: -1 without a body or a match, else the body rewritten and 1. */
function editBody(ctx: ExecContext, edit: (body: string) => string | undefined): number {
  const body = currentBody(ctx);
  if (!body.length) return -1;
  const out = edit(body);
  if (out === undefined) return -1;
  setBodyText(ctx, out);
  return 1;
}

/** Every match of `re` replaced by `text` (empty matches refused, as textops does); undefined when none. */
function replaceEvery(body: string, re: RegExp, text: string): string | undefined {
  let matched = false;
  const out = body.replace(re, (m) => {
    if (!m) return m;
    matched = true;
    return text;
  });
  return matched ? out : undefined;
}

/** The first non-empty match of `re` in `t` replaced by what `by` makes of it; undefined without one. */
function firstMatch(t: string, re: string, by: (match: string) => string): string | undefined {
  const m = posixRegex(re).exec(t);
  return m && m[0] ? t.slice(0, m.index) + by(m[0]) + t.slice(m.index + m[0].length) : undefined;
}

function withFlags(re: RegExp, flags: string): RegExp {
  return new RegExp(re.source, [...new Set(re.flags + flags)].join(''));
}

const substFixup: NonNullable<FunctionBehaviour['fixup']> = (args, report) => {
  const a = args[0];
  if (a?.kind !== 'string' || a.dynamic) return;
  const e = parseSubst(a.text);
  if (typeof e === 'string') report(`bad substitution expression: ${e}`, a.span);
};

function test(text: string, re: string | undefined): number {
  if (re === undefined) return -1;
  try {
    return posixRegex(re).test(text) ? 1 : -1;
  } catch {
    return -1;
  }
}

export const textops: NativeModule = {
  name: 'textops',
  functions: {
    search: { returns: [1, -1], fixup: regexFixup(0), impl: (ctx, [re]) => test(ctx.msg.text, re?.str) },
    search_body: { returns: [1, -1], fixup: regexFixup(0), impl: (ctx, [re]) => test(ctx.msg.body, re?.str) },
    replace_body: {
      returns: [1, -1],
      fixup: regexFixup(0),
      impl: (ctx, [re, text]) => editBody(ctx, (b) => firstMatch(b, re?.str ?? '', () => text?.str ?? '')),
    },
    // replace_body_all: `^` also matches after each line end; replace_body_atonce: the body is one string.
    replace_body_all: {
      returns: [1, -1],
      fixup: regexFixup(0),
      impl: (ctx, [re, text]) =>
        editBody(ctx, (b) => replaceEvery(b, withFlags(posixRegex(re?.str ?? ''), 'gm'), text?.str ?? '')),
    },
    replace_body_atonce: {
      returns: [1, -1],
      fixup: regexFixup(0),
      impl: (ctx, [re, text]) =>
        editBody(ctx, (b) => replaceEvery(b, withFlags(posixRegex(re?.str ?? ''), 'g'), text?.str ?? '')),
    },
    search_append_body: {
      returns: [1, -1],
      fixup: regexFixup(0),
      impl: (ctx, [re, text]) =>
        editBody(ctx, (b) => {
          const m = posixRegex(re?.str ?? '').exec(b);
          return m ? b.slice(0, m.index + m[0].length) + (text?.str ?? '') + b.slice(m.index + m[0].length) : undefined;
        }),
    },
    subst_body: {
      returns: [1, -1],
      fixup: substFixup,
      impl: (ctx, [expr]) => {
        const e = parseSubst(expr?.str ?? '');
        return typeof e === 'string' ? -1 : editBody(ctx, (b) => applySubst(e, b));
      },
    },
    subst: {
      returns: [1, -1],
      fixup: substFixup,
      impl: (ctx, [expr]) => {
        const e = parseSubst(expr?.str ?? '');
        return typeof e === 'string' ? -1 : editMessage(ctx, (t) => applySubst(e, t), e.global);
      },
    },
    replace: {
      returns: [1, -1],
      fixup: regexFixup(0),
      impl: (ctx, [re, text]) => editMessage(ctx, (t) => firstMatch(t, re?.str ?? '', () => text?.str ?? ''), false),
    },
    replace_all: {
      returns: [1, -1],
      fixup: regexFixup(0),
      impl: (ctx, [re, text]) =>
        editMessage(ctx, (t) => replaceEvery(t, withFlags(posixRegex(re?.str ?? ''), 'gm'), text?.str ?? ''), true),
    },
    search_append: {
      returns: [1, -1],
      fixup: regexFixup(0),
      impl: (ctx, [re, text]) =>
        editMessage(ctx, (t) => firstMatch(t, re?.str ?? '', (m) => m + (text?.str ?? '')), false),
    },
    subst_uri: { returns: [1, -1], fixup: substFixup, impl: (ctx, [e]) => substRuri(ctx, e?.str ?? '', 'uri') },
    subst_user: { returns: [1, -1], fixup: substFixup, impl: (ctx, [e]) => substRuri(ctx, e?.str ?? '', 'user') },
  },
};
