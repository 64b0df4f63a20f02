// acc's extra fields (acc_extra.c): modparam("acc", "extra_fields",
// "log: tag1->name1; tag2") declares, per backend, which $acc_extra(tag)
// values a record carries and under which name (the tag itself when no
// `->name`); several extra_fields lines add up. A record takes the values
// set in the script for its transaction (for a CDR, for its dialog, the BYE
// included); an extra never set is empty. leg_fields declares the same way
// the per-leg values ($acc_leg, a new leg with acc_new_leg()): the log line
// carries every leg's values, the db and evi backends one row/event per leg.
import type { Runtime } from '../../script/runtime.js';
import type { Backend } from './flags.js';

/** $acc_extra values of one accounting context. */
export type AccExtras = Map<string, string>;

/** The backend's [tag, name] pairs, in declaration order; undefined entries are skipped with an error at start-up. */
export function extraDefs(rt: Runtime, backend: Backend, param = 'extra_fields'): [string, string][] {
  const out: [string, string][] = [];
  for (const v of rt.paramValues('acc', param)) {
    const text = String(v).trim();
    const colon = text.indexOf(':');
    if (colon < 0 || text.slice(0, colon).trim().toLowerCase() !== backend) continue;
    for (const token of text.slice(colon + 1).split(';')) {
      const t = token.trim();
      if (!t) continue;
      const arrow = t.indexOf('->');
      const tag = (arrow >= 0 ? t.slice(0, arrow) : t).trim();
      const name = (arrow >= 0 ? t.slice(arrow + 2) : t).trim();
      if (tag && !out.some(([x]) => x === tag)) out.push([tag, name || tag]);
    }
  }
  return out;
}

/** Every tag some backend declares: the names $acc_extra (or, for leg_fields, $acc_leg) accepts. */
export function extraTags(rt: Runtime, param = 'extra_fields'): Set<string> {
  return new Set((['log', 'db', 'evi', 'aaa'] as Backend[]).flatMap((b) => extraDefs(rt, b, param).map(([t]) => t)));
}

/** Per leg (acc_new_leg), what a record of `backend` carries: [name, value] per declared leg field. */
export function legValues(rt: Runtime, backend: Backend, legs: AccExtras[]): [string, string][][] {
  const defs = extraDefs(rt, backend, 'leg_fields');
  if (!defs.length) return [];
  return legs.map((leg) => defs.map(([tag, name]): [string, string] => [name, leg.get(tag) ?? '']));
}

/** What a record of `backend` carries: [name, value] per declared extra. */
export function extraValues(rt: Runtime, backend: Backend, extras: AccExtras): [string, string][] {
  return extraDefs(rt, backend).map(([tag, name]) => [name, extras.get(tag) ?? '']);
}

/** "backend: tags" lines that name an unknown backend or lack the `:` (parse_acc_extra refuses them). */
export function badExtraLines(rt: Runtime, param = 'extra_fields'): string[] {
  return rt
    .paramValues('acc', param)
    .map(String)
    .filter((l) => {
      const colon = l.indexOf(':');
      return colon < 0 || !['log', 'db', 'evi', 'aaa'].includes(l.slice(0, colon).trim().toLowerCase());
    });
}

/** What the records of `backend` carry: the log line's fields (extras, then every leg's), and the rows of db/evi (one per leg). */
export function recordValues(
  rt: Runtime,
  backend: Backend,
  extras: AccExtras,
  legs: AccExtras[],
): { flat: [string, string][]; rows: [string, string][][] } {
  const ex = extraValues(rt, backend, extras);
  const perLeg = legValues(rt, backend, legs);
  return { flat: [...ex, ...perLeg.flat()], rows: perLeg.length ? perLeg.map((l) => [...ex, ...l]) : [ex] };
}
