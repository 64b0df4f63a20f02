// do_accounting()'s two strings: backends ("log|evi") and what to account
// besides answered transactions ("missed|failed|cdr"), '|'-separated,
// case-insensitive, as acc's fix-ups parse them.
export const BACKENDS = ['log', 'db', 'aaa', 'evi'] as const;
export type Backend = (typeof BACKENDS)[number];
export const EXTRAS = ['cdr', 'missed', 'failed'] as const;
export type Extra = (typeof EXTRAS)[number];

/** Backends opensips-ts implements; the others stop `run` at start-up. */
export const NATIVE_BACKENDS: ReadonlySet<Backend> = new Set(['log', 'evi', 'db']);

function tokens(text: string): string[] {
  return text
    .split('|')
    .map((t) => t.trim().toLowerCase())
    .filter(Boolean);
}

export function parseBackends(text: string): { backends: Backend[]; unknown: string[] } {
  const all = tokens(text);
  return {
    backends: all.filter((t): t is Backend => (BACKENDS as readonly string[]).includes(t)),
    unknown: all.filter((t) => !(BACKENDS as readonly string[]).includes(t)),
  };
}

export function parseExtras(text: string): { extras: Extra[]; unknown: string[] } {
  const all = tokens(text);
  return {
    extras: all.filter((t): t is Extra => (EXTRAS as readonly string[]).includes(t)),
    unknown: all.filter((t) => !(EXTRAS as readonly string[]).includes(t)),
  };
}
