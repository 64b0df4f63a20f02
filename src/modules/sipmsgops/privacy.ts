// is_privacy(value): the values of the (first) Privacy header, RFC 3323,
// read as OpenSIPS's parse_privacy.c reads them: `;`-separated, case-
// insensitive, `none` alone.
import type { ExecContext } from '../../script/context.js';
import type { StaticArg } from '../types.js';
import type { Span } from '../../cfg/ast.js';
import { parserError } from '../../script/errinfo.js';

const VALUES = ['header', 'session', 'user', 'none', 'critical', 'id', 'history'] as const;

/** The bit of one priv-value, or 0. */
function bitOf(value: string): number {
  const i = VALUES.indexOf(value.toLowerCase() as (typeof VALUES)[number]);
  return i < 0 ? 0 : 1 << i;
}

/** The values of a Privacy header body as bits; undefined when it does not parse. */
export function privacyBits(body: string): number | undefined {
  const parts = body.trim().split(/\s*;\s*/);
  let bits = 0;
  for (const p of parts) {
    const b = bitOf(p);
    if (b === 0) return undefined;
    bits |= b;
  }
  const none = bitOf('none');
  return bits & none && bits !== none ? undefined : bits;
}

export function isPrivacy(ctx: ExecContext, value: string): number {
  const body = ctx.msg.header('privacy');
  if (body === undefined) return -1;
  const bits = privacyBits(body);
  if (bits === undefined) {
    ctx.runtime.logger.log(-1, 'core', 'parse_privacy', 'invalid privacy value');
    ctx.setError(parserError('error parsing privacy header', 'bad headers'));
    return -1;
  }
  return bits & bitOf(value) ? 1 : -1;
}

/** fixup_privacy: the argument must be one priv-value. */
export function privacyFixup(args: StaticArg[], report: (message: string, span: Span) => void): void {
  const a = args[0];
  if (a?.kind !== 'string' || a.dynamic) return;
  if (bitOf(a.text.trim()) === 0 || a.text.trim() !== a.text)
    report(`invalid privacy value '${a.text}' (one of ${VALUES.join(', ')})`, a.span);
}
