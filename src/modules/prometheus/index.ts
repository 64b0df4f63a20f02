// prometheus: the statistics in Prometheus's text format on httpd's server
// (GET /<root>, default /metrics), as 3.3's prometheus.c writes them: only
// the statistics the `statistics` parameter names (`all`, `group:` or a
// name); each with its own `# TYPE` line (counter, or gauge for what cannot
// be reset); names `<prefix><delimiter>[<group_prefix><group><delimiter>]<name>`
// with the characters Prometheus refuses turned to `_`; group_mode 2 puts the
// group in a label instead; `labels` turns a group's names into labels with a
// substitution that yields `name:labels`.
import { peek } from '../../base/keys.js';
import { STATISTICS, type StatValue } from '../../base/stats.js';
import type { Runtime } from '../../script/runtime.js';
import type { NativeModule } from '../types.js';

interface Config {
  prefix: string;
  delimiter: string;
  groupPrefix: string;
  groupLabel: string;
  groupMode: number;
  all: boolean;
  groups: string[];
  names: string[];
  labels: { group: string; re: RegExp; replacement: string }[];
}

const str = (rt: Runtime, name: string, dflt: string): string => {
  const v = rt.param('prometheus', name);
  return v === undefined || v === null ? dflt : String(v);
};

/** `/regex/replacement/flags` (any delimiter), \N back-references as OpenSIPS's subst. */
export function parseSubst(text: string): { re: RegExp; replacement: string } | undefined {
  const d = text[0];
  if (!d) return undefined;
  const parts: string[] = [];
  let cur = '';
  for (let i = 1; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && text[i + 1] === d) {
      cur += d;
      i++;
    } else if (c === d) {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  if (parts.length !== 3) return undefined;
  try {
    const flags = parts[2]!.includes('i') ? 'i' : '';
    return { re: new RegExp(parts[0]!, flags), replacement: parts[1]!.replace(/\\(\d)/g, '$$$1') };
  } catch {
    return undefined;
  }
}

function config(rt: Runtime): Config {
  const groups: string[] = [];
  const names: string[] = [];
  let all = false;
  for (const v of rt.paramValues('prometheus', 'statistics'))
    for (const w of String(v).split(/\s+/).filter(Boolean)) {
      if (w === 'all') all = true;
      else if (w.endsWith(':')) groups.push(w.slice(0, -1));
      else names.push(w);
    }
  const labels: Config['labels'] = [];
  for (const v of rt.paramValues('prometheus', 'labels')) {
    const text = String(v).trimStart();
    const colon = text.indexOf(':');
    const subst = colon > 0 ? parseSubst(text.slice(colon + 1).trim()) : undefined;
    if (subst) labels.push({ group: text.slice(0, colon).trim(), ...subst });
  }
  return {
    prefix: str(rt, 'prefix', 'opensips'),
    delimiter: str(rt, 'delimiter', '_'),
    groupPrefix: str(rt, 'group_prefix', ''),
    groupLabel: str(rt, 'group_label', 'group'),
    groupMode: Number(rt.param('prometheus', 'group_mode') ?? 0),
    all,
    // The module keeps its lists newest first (list_add): the output follows.
    groups: groups.reverse(),
    names: names.reverse(),
    labels,
  };
}

/** What Prometheus accepts in a metric name: `[a-zA-Z0-9_:]`, the rest `_`. */
const metricName = (s: string): string => s.replace(/[^a-zA-Z0-9_:]/g, '_');

function splitKey(key: string): { group: string; name: string } {
  const i = key.indexOf(':');
  return { group: key.slice(0, i), name: key.slice(i + 1) };
}

function line(c: Config, s: StatValue, name: string, labels: string | undefined, withType: boolean): string {
  const { group } = splitKey(s.key);
  let prefix = c.prefix;
  if (!c.prefix && !c.delimiter && c.groupMode === 0 && /^\d/.test(name)) prefix = '_';
  let full = prefix + c.delimiter;
  if (c.groupMode === 1) full += c.groupPrefix + group + c.delimiter;
  full += metricName(name);
  const l: string[] = [];
  if (labels) l.push(labels);
  if (c.groupMode === 2) l.push(`${c.groupLabel}="${c.groupPrefix}${group}"`);
  const type = withType ? `# TYPE ${full} ${s.reset ? 'counter' : 'gauge'}\n` : '';
  return `${type}${full}${l.length ? `{${l.join(',')}}` : ''} ${Math.trunc(s.value)}\n`;
}

/** The /metrics page. */
export function metricsPage(rt: Runtime): string {
  const c = config(rt);
  // pkmem's per-process statistics are hidden in 3.3 (STAT_HIDDEN): never shown here either.
  const stats = (peek(rt.services, STATISTICS)?.() ?? []).filter((s) => !s.key.startsWith('pkmem:'));
  const chosen: StatValue[] = [];
  if (c.all) chosen.push(...stats);
  else {
    for (const g of c.groups) chosen.push(...stats.filter((s) => splitKey(s.key).group === g));
    for (const n of c.names) {
      const found = stats.find((s) => s.key === n || splitKey(s.key).name === n);
      if (found) chosen.push(found);
    }
  }
  let out = '';
  const labelled = new Map<string, { s: StatValue; labels: string }[]>();
  for (const s of chosen) {
    const { group, name } = splitKey(s.key);
    let taken = false;
    for (const l of c.labels) {
      if (l.group !== group || !l.re.test(name)) continue;
      const result = name.replace(l.re, l.replacement);
      const colon = result.indexOf(':');
      if (colon <= 0 || colon === result.length - 1) continue;
      const base = result.slice(0, colon);
      const list = labelled.get(base) ?? [];
      list.push({ s, labels: result.slice(colon + 1) });
      labelled.set(base, list);
      taken = true;
      break;
    }
    if (!taken) out += line(c, s, name, undefined, true);
  }
  for (const [base, list] of labelled) list.forEach((x, i) => (out += line(c, x.s, base, x.labels, i === 0)));
  return out + '\n';
}

export const prometheus: NativeModule = {
  name: 'prometheus',
  functions: {},
  http: [
    {
      root: (rt) => str(rt, 'root', 'metrics'),
      answer: (rt, method) =>
        method === 'GET'
          ? { status: 200, contentType: 'text/plain; version=0.0.4', body: metricsPage(rt) }
          : { status: 405, contentType: 'text/plain', body: 'Method Not Allowed\n' },
    },
  ],
};
