// The statistics a script makes (OpenSIPS's statistics module): declared
// with the `variable` parameter (group `script:` unless named `group:name`),
// or made on first use by update_stat()/reset_stat() (group `dynamic:`
// unless named `group:name`, as register_dynamic_stat does).
import { serviceKey } from '../../base/keys.js';
import type { Runtime } from '../../script/runtime.js';

export interface ScriptStat {
  group: string;
  name: string;
  value: number;
  /** `/no_reset`: reset_statistics and reset_stat() leave it. */
  noReset: boolean;
}

const STORE = serviceKey<Map<string, ScriptStat>>('statistics:store');

export function scriptStats(rt: Runtime): Map<string, ScriptStat> {
  return rt.service(STORE, () => new Map());
}

/** `group:name` split at the first ':'; no group given: undefined. */
export function splitStatName(text: string): { group: string | undefined; name: string } {
  const colon = text.indexOf(':');
  return colon < 0 ? { group: undefined, name: text } : { group: text.slice(0, colon), name: text.slice(colon + 1) };
}

/** The script statistic `text` names, made in `dflt` (or its own group) when it does not exist yet. */
export function scriptStat(rt: Runtime, text: string, dflt: string, noReset = false): ScriptStat {
  const { group, name } = splitStatName(text.trim());
  const store = scriptStats(rt);
  if (group === undefined) for (const s of store.values()) if (s.name === name) return s;
  const g = group ?? dflt;
  const key = `${g}:${name}`;
  let s = store.get(key);
  if (!s) store.set(key, (s = { group: g, name, value: 0, noReset }));
  return s;
}

/** A `variable` modparam: `name`, `group:name`, optionally followed by `/no_reset`. */
export function declareVariable(rt: Runtime, spec: string): string | undefined {
  const [text, flag] = spec.split('/');
  if (flag !== undefined && flag.trim().toLowerCase() !== 'no_reset') return `unsupported flag <${flag}>`;
  if (!text?.trim()) return 'empty statistic name';
  scriptStat(rt, text, 'script', flag !== undefined);
  return undefined;
}
