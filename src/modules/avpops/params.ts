// The argument mini-languages of avpops' fixups (avpops.c, avpops_parse.c):
// AVP references with /flags, `op/value/flags`, constants with i:/s:
// prefixes. Parsed once per text; a problem is returned as a string, which
// lint reports for constant arguments and run-time calls turn into -1.
import { parsePVarSpec } from '../../cfg/pvar.js';
import type { PVarSpec } from '../../cfg/ast.js';
import type { ExecContext } from '../../script/context.js';
import { compileSpec, type PvLookup } from '../../script/pv.js';
import type { Val } from '../../script/values.js';

/** A pseudo-variable read from an avpops argument: an AVP (name resolved at run time) or any other one. */
export interface PvRef {
  text: string;
  spec: PVarSpec;
  isAvp: boolean;
  /** The AVP name (`$avp($var(n))` resolves here); undefined when it comes out empty. */
  avpName(ctx: ExecContext): string | undefined;
  get(ctx: ExecContext): Val;
}

export function pvRef(text: string, lookup: PvLookup): PvRef | string {
  const p = parsePVarSpec(text.trim());
  if (!p.spec) return p.error ?? `not a pseudo-variable: ${text}`;
  const spec = p.spec;
  let access;
  try {
    access = compileSpec(spec, lookup, text);
  } catch (err) {
    return (err as Error).message;
  }
  const isAvp = spec.name === 'avp';
  const nameAccess = isAvp && spec.inner?.includes('$') ? compileName(spec.inner, lookup) : undefined;
  return {
    text,
    spec,
    isAvp,
    avpName: (ctx) => {
      const n = nameAccess ? nameAccess(ctx) : spec.inner;
      return n ? n : undefined;
    },
    get: (ctx) => access.get(ctx),
  };
}

function compileName(inner: string, lookup: PvLookup): (ctx: ExecContext) => string {
  const p = parsePVarSpec(inner);
  if (!p.spec) return () => inner;
  const access = compileSpec(p.spec, lookup, inner);
  return (ctx) => {
    const v = access.get(ctx);
    return v === null ? '' : String(v);
  };
}

export function avpRef(text: string, lookup: PvLookup, what = 'AVP'): PvRef | string {
  const r = pvRef(text, lookup);
  if (typeof r === 'string') return r;
  return r.isAvp ? r : `expected ${what} as $avp(name), not ${text}`;
}

/** `main/flags`: split at the first '/', flags checked against `allowed` (case-insensitive). */
export function splitFlags(text: string, allowed: string): { main: string; flags: Set<string> } | string {
  const slash = text.indexOf('/');
  const main = slash < 0 ? text : text.slice(0, slash);
  const flags = new Set<string>();
  for (const f of slash < 0 ? '' : text.slice(slash + 1)) {
    const l = f.toLowerCase();
    if (!allowed.includes(l)) return `unknown flag '${f}' in ${text}`;
    flags.add(l);
  }
  return { main, flags };
}

/** A constant of avp_check/avp_op: `i:<int>` (decimal or 0x hex), `s:<str>`, otherwise a string. */
export function constant(text: string): { value: Val } | { error: string } {
  if (text === '') return { error: 'empty value' };
  if (text.length >= 2 && text[1] === ':') {
    const kind = text[0]!.toLowerCase();
    const rest = text.slice(2);
    if (kind === 's') return rest === '' ? { error: 'empty value' } : { value: rest };
    if (kind !== 'i') return { error: `unknown value type in ${text}` };
    const hex = /^([+-]?)0x([0-9a-f]+)$/i.exec(rest);
    const n = hex ? Number(`${hex[1]}${parseInt(hex[2]!, 16)}`) : /^[+-]?\d+$/.test(rest) ? Number(rest) : NaN;
    return Number.isNaN(n) ? { error: `bad int value ${text}` } : { value: n | 0 };
  }
  return { value: text };
}

/** `op/value[/flags]` of avp_check and avp_op. */
export interface OpValue {
  op: string;
  value: Val | PvRef;
  flags: Set<string>;
}

/** The operator: two-letter ones by their first two characters, three-letter ones exactly (case-insensitive). */
function operator(text: string, ops: readonly string[]): string | undefined {
  if (text.length < 2 || text.length > 3) return undefined;
  const t = text.toLowerCase();
  return ops.find((o) => (o.length === 2 ? t.startsWith(o) : t === o));
}

export function opValue(text: string, lookup: PvLookup, ops: readonly string[], flagLetters: string): OpValue | string {
  const first = text.indexOf('/');
  if (first < 0) return `expected op/value in ${text}`;
  const op = operator(text.slice(0, first), ops);
  if (!op) return `unknown operation in ${text}`;
  const rest = text.slice(first + 1);
  let valueText = rest;
  let flagText = '';
  if (rest.startsWith('$')) {
    const p = parsePVarSpec(rest);
    if (!p.spec) return p.error ?? `bad value in ${text}`;
    valueText = rest.slice(0, p.end);
    flagText = rest.slice(p.end).replace(/^\//, '');
  } else if (rest.includes('/')) {
    valueText = rest.slice(0, rest.indexOf('/'));
    flagText = rest.slice(rest.indexOf('/') + 1);
  }
  let value: Val | PvRef;
  if (valueText.startsWith('$')) {
    const r = pvRef(valueText, lookup);
    if (typeof r === 'string') return r;
    value = r;
  } else {
    const c = constant(valueText);
    if ('error' in c) return c.error;
    value = c.value;
  }
  const flags = new Set<string>();
  for (const f of flagText) {
    const l = f.toLowerCase();
    if (!flagLetters.includes(l)) return `unknown flag '${f}' in ${text}`;
    flags.add(l);
  }
  return { op, value, flags };
}

/** An int as OpenSIPS prints it where it converts with the unsigned 64-bit form (avp_pushto, avp_copy /s). */
export function unsigned64(n: number): string {
  return (BigInt(n) & 0xffffffffffffffffn).toString();
}

/** str2int: digits only, wrapping at 2^32, stored signed; undefined for anything else. */
export function str2int(s: string): number | undefined {
  if (!/^\d+$/.test(s)) return undefined;
  let v = 0;
  for (let i = 0; i < s.length; i++) v = (v * 10 + s.charCodeAt(i) - 48) >>> 0;
  return v | 0;
}
