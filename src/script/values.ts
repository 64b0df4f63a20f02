// Script values. OpenSIPS values carry a string form and/or an integer form:
// a JS number is "integer-typed" (it has both forms, its string being the
// decimal), a JS string has only the string form, null is NULL.
export type Val = null | string | number;

export function intForm(v: Val): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

export function strForm(v: Val): string | undefined {
  if (v === null) return undefined;
  return typeof v === 'number' ? String(v) : v;
}

/** Truthiness of a bare `$pv` in a condition: NULL, empty and integer 0 are false. */
export function truthy(v: Val): boolean {
  if (v === null) return false;
  if (typeof v === 'number') return v !== 0;
  return v.length > 0;
}

/** `==` on strings: same length, equal ignoring ASCII case. */
export function strEqualsNoCase(a: string, b: string): boolean {
  return a.length === b.length && a.toLowerCase() === b.toLowerCase();
}

/** `<`/`>` on strings: case-insensitive lexical order, shorter first on a tie. */
export function strCompareNoCase(a: string, b: string): number {
  const la = a.toLowerCase();
  const lb = b.toLowerCase();
  const n = Math.min(la.length, lb.length);
  for (let i = 0; i < n; i++) {
    const d = la.charCodeAt(i) - lb.charCodeAt(i);
    if (d) return d;
  }
  return la.length - lb.length;
}

/** Integers in OpenSIPS scripts are C ints: keep 32-bit wrap-around. */
export function toInt32(n: number): number {
  return n | 0;
}

/** Print a value as xlog does: NULL is `<null>`. */
export function printable(v: Val): string {
  return v === null ? '<null>' : String(v);
}
