// Reading a module's parameters: the value the cfg gave (or the catalog's
// default), else the module's own default.
import type { Runtime } from '../../script/runtime.js';

export function strParam(rt: Runtime, module: string, name: string, dflt: string): string {
  const v = rt.param(module, name);
  return v === undefined || v === null || v === '' ? dflt : String(v);
}

export function numParam(rt: Runtime, module: string, name: string, dflt: number): number {
  const v = rt.param(module, name);
  return typeof v === 'number' ? v : v === undefined || v === null || v === '' ? dflt : Number(v);
}

/** A table or column name from a parameter: a plain SQL identifier, else the default (names go into the SQL text). */
export function sqlName(rt: Runtime, module: string, name: string, dflt: string): string {
  const c = strParam(rt, module, name, dflt);
  return /^\w+$/.test(c) ? c : dflt;
}
