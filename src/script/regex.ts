// OpenSIPS compiles script regexes as POSIX extended, case-insensitive, not
// anchored. JS RegExp reads the common ERE forms the same way; the POSIX
// bracket classes need translating.
const CLASSES: Record<string, string> = {
  alpha: 'a-zA-Z',
  digit: '0-9',
  alnum: 'a-zA-Z0-9',
  upper: 'A-Z',
  lower: 'a-z',
  space: ' \\t\\r\\n\\v\\f',
  blank: ' \\t',
  punct: '!-\\/:-@\\[-`{-~',
  xdigit: '0-9A-Fa-f',
  cntrl: '\\x00-\\x1f\\x7f',
  print: '\\x20-\\x7e',
  graph: '\\x21-\\x7e',
};

const cache = new Map<string, RegExp>();

/** The POSIX bracket classes written as JS ranges. */
export function posixToJs(source: string): string {
  return source.replace(/\[:(\w+):\]/g, (m, name: string) => CLASSES[name] ?? m);
}

export function posixRegex(source: string): RegExp {
  let re = cache.get(source);
  if (!re) {
    const js = posixToJs(source);
    re = new RegExp(js, 'i');
    if (cache.size < 1000) cache.set(source, re);
  }
  return re;
}

/** `text` as a regex that matches it literally. */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Undefined when the regex compiles, else the reason (used by lint). */
export function regexError(source: string): string | undefined {
  try {
    posixRegex(source);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** fnmatch()-style globs (`*`, `?`, `[...]`) as an anchored RegExp; `ignoreCase` for FNM_CASEFOLD. */
export function globRegex(glob: string, ignoreCase: boolean): RegExp {
  const body = glob
    .replace(/[.+^${}()|\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, ignoreCase ? 'i' : '');
}
