// Start-up checks shared by several modules' script functions.
import type { FunctionBehaviour, StaticArg } from '../types.js';

type Fixup = NonNullable<FunctionBehaviour['fixup']>;

/** A reply code given as a constant must be 100-699 (checked at start-up by sl/signaling/tm). */
export function replyCodeFixup(index: number): Fixup {
  return (args, report) => {
    const a = args[index];
    if (a?.kind === 'number' && (Number(a.text) < 100 || Number(a.text) > 699))
      report(`reply code ${a.text} is outside 100-699`, a.span);
  };
}

/** A constant flag string parsed by `parse`; unknown letters are ignored by OpenSIPS with a warning. */
export function flagStringFixup(index: number, parse: (s: string) => { unknown: string[]; error?: string }): Fixup {
  return (args, report) => {
    const a: StaticArg | undefined = args[index];
    if (a?.kind !== 'string' || a.dynamic) return;
    const r = parse(a.text);
    if (r.error) report(r.error, a.span);
    if (r.unknown.length)
      report(
        `unknown flag${r.unknown.length > 1 ? 's' : ''} ${r.unknown.map((u) => `\`${u}\``).join(', ')} in "${a.text}": OpenSIPS ignores ${r.unknown.length > 1 ? 'them' : 'it'}`,
        a.span,
        undefined,
        'warning',
      );
  };
}

export function combine(...fixups: Fixup[]): Fixup {
  return (args, report) => {
    for (const f of fixups) f(args, report);
  };
}

export const oneOf =
  (allowed: readonly (string | number)[]) =>
  (v: string | number): string | undefined =>
    allowed.includes(v) ? undefined : `must be one of ${allowed.join(', ')} (got ${JSON.stringify(v)})`;

export const atLeast =
  (min: number) =>
  (v: string | number): string | undefined =>
    typeof v === 'number' && v >= min ? undefined : `must be a number >= ${min} (got ${JSON.stringify(v)})`;

export const avpSpec = (v: string | number): string | undefined =>
  typeof v === 'string' && /^\$avp\([^()]+\)$/.test(v.trim())
    ? undefined
    : `must name an AVP, e.g. "$avp(rcv)" (got ${JSON.stringify(v)})`;

/** A constant regex argument must compile (OpenSIPS compiles it at start-up). */
export function regexFixup(index: number): Fixup {
  return (args, report) => {
    const a = args[index];
    if (a?.kind !== 'string' || a.dynamic) return;
    try {
      new RegExp(a.text.replace(/\[:(\w+):\]/g, 'a'));
    } catch (err) {
      report(`not a valid regular expression: ${(err as Error).message}`, a.span);
    }
  };
}
