// Reads a scenario YAML file into a Scenario, or positioned errors
// (`file:line:col`) naming what is wrong and what was expected.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument, isMap, isSeq, type Node } from 'yaml';
import type {
  Action,
  Address,
  CfgActor,
  Expectation,
  Scenario,
  Step,
  TimeSpec,
  UaActor,
  UpstreamActor,
} from './model.js';

export interface ScenarioError {
  file: string;
  line: number;
  col: number;
  message: string;
}

class Reader {
  readonly errors: ScenarioError[] = [];
  constructor(
    readonly file: string,
    private readonly lc: LineCounter,
  ) {}

  pos(node: unknown): { line: number; col: number } {
    const range = (node as Node | undefined)?.range;
    return range ? this.lc.linePos(range[0]) : { line: 1, col: 1 };
  }

  error(node: unknown, message: string): void {
    this.errors.push({ file: this.file, ...this.pos(node), message });
  }
}

export function parseAddress(text: string, dfltProto = 'udp'): Address | undefined {
  const m = /^(?:(udp|tcp|tls):)?(\[[^\]]+\]|[^:\s]+):(\d{1,5})$/i.exec(text.trim());
  return m
    ? { proto: (m[1] ?? dfltProto).toLowerCase(), ip: m[2]!.replace(/^\[|\]$/g, ''), port: Number(m[3]) }
    : undefined;
}

function modparams(r: Reader, node: unknown, value: unknown): Map<string, Map<string, string | number>> {
  const out = new Map<string, Map<string, string | number>>();
  if (value === undefined) return out;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    r.error(node, '`modparams` maps module names to { param: value }');
    return out;
  }
  for (const [mod, params] of Object.entries(value)) {
    const m = new Map<string, string | number>();
    for (const [k, v] of Object.entries(params as Record<string, unknown>)) {
      if (typeof v === 'number' || typeof v === 'string') m.set(k, v);
      else r.error(node, `modparams.${mod}.${k} must be a number or a string`);
    }
    out.set(mod, m);
  }
  return out;
}

/** `0`, `130`, `0..600` (a range, for expectations). */
function timeSpec(text: string): TimeSpec | undefined {
  const m = /^(\d+(?:\.\d+)?)(?:\.\.(\d+(?:\.\d+)?))?$/.exec(text.trim());
  if (!m) return undefined;
  const from = Number(m[1]);
  return { from, to: m[2] !== undefined ? Number(m[2]) : from };
}

function kvArgs(words: string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const w of words) {
    const i = w.indexOf('=');
    if (i < 0) m.set(w.toLowerCase(), '');
    else m.set(w.slice(0, i).toLowerCase(), w.slice(i + 1));
  }
  return m;
}

/** `ACTOR VERB args...`: `UA1 REGISTER expires=200`, `UA1 UNREGISTER`, `UA1 REGISTER star`, `C INVITE 1001 via=UP`. */
function action(text: string, uas: Set<string>, cfgActors: Set<string>): Action | string {
  const words = text.trim().split(/\s+/);
  const [actor, verb, ...rest] = words;
  if (!actor || !verb) return 'expected `ACTOR VERB [args]`, e.g. `UA1 REGISTER expires=200`';
  if (cfgActors.has(actor)) {
    if (verb.toUpperCase() === 'RESTART') return restart(actor, rest);
    if (verb.toUpperCase() !== 'MI' || !rest[0])
      return `a cfg actor runs MI commands (\`${actor} MI ul_rm location 1001\`) or restarts (\`${actor} RESTART mid_registrar.mode=2\`)`;
    return { kind: 'mi', actor, command: rest[0], params: rest.slice(1) };
  }
  if (!uas.has(actor))
    return `\`${actor}\` is not an actor of this scenario (UAs: ${[...uas].join(', ') || 'none'}; cfgs: ${[...cfgActors].join(', ')})`;
  const args = kvArgs(rest);
  const num = (k: string): number | undefined =>
    args.has(k) && /^\d+$/.test(args.get(k)!) ? Number(args.get(k)) : undefined;
  switch (verb.toUpperCase()) {
    case 'REGISTER': {
      const a: Action = { kind: 'register', ua: actor };
      if (args.has('star')) return { ...a, star: true };
      const e = num('expires');
      const ce = num('contact-expires');
      if (e !== undefined) a.expires = e;
      if (ce !== undefined) a.contactExpires = ce;
      if (args.get('contact')) a.contact = args.get('contact')!;
      return a;
    }
    case 'UNREGISTER':
      return {
        kind: 'register',
        ua: actor,
        expires: 0,
        ...(args.get('contact') ? { contact: args.get('contact')! } : {}),
      };
    case 'INVITE': {
      const user = rest.find((w) => !w.includes('='));
      const via = args.get('via');
      if (!user || !via) return 'INVITE needs a user and `via=ACTOR`, e.g. `C INVITE 1001 via=UP`';
      return { kind: 'invite', ua: actor, user, via };
    }
    default:
      return `unknown action \`${verb}\` (REGISTER, UNREGISTER, INVITE)`;
  }
}

/** `P RESTART [module.param=value ...]`: numbers stay numbers. */
function restart(actor: string, words: string[]): Action | string {
  const modparams = new Map<string, Map<string, string | number>>();
  for (const w of words) {
    const m = /^([A-Za-z_][\w]*)\.([A-Za-z_][\w]*)=(.*)$/.exec(w);
    if (!m)
      return `RESTART takes \`module.param=value\` overrides, e.g. \`${actor} RESTART mid_registrar.mode=2\`; got \`${w}\``;
    const params = modparams.get(m[1]!) ?? new Map<string, string | number>();
    params.set(m[2]!, /^-?\d+$/.test(m[3]!) ? Number(m[3]) : m[3]!);
    modparams.set(m[1]!, params);
  }
  return { kind: 'restart', actor, modparams };
}

/** `t=0 UA1 REGISTER ...` or `t=0..600/120 UA1 REGISTER ...` (every 120 s from 0 to 600). */
function steps(r: Reader, node: unknown, text: string, line: number, uas: Set<string>, cfgActors: Set<string>): Step[] {
  const m = /^t=(\d+(?:\.\d+)?)(?:\.\.(\d+(?:\.\d+)?)\/(\d+(?:\.\d+)?))?\s+(.+)$/.exec(text.trim());
  if (!m) {
    r.error(node, 'a timeline entry reads `t=SECONDS ACTOR VERB [args]` or `t=FROM..TO/EVERY ACTOR VERB [args]`');
    return [];
  }
  const a = action(m[4]!, uas, cfgActors);
  if (typeof a === 'string') {
    r.error(node, a);
    return [];
  }
  const from = Number(m[1]);
  const to = m[2] !== undefined ? Number(m[2]) : from;
  const every = m[3] !== undefined ? Number(m[3]) : 1;
  if (every <= 0 || to < from) {
    r.error(node, 'a repeated entry needs FROM <= TO and EVERY > 0');
    return [];
  }
  const out: Step[] = [];
  for (let t = from; t <= to && out.length < 10_000; t += every) out.push({ at: t, action: a, text: m[4]!, line });
  return out;
}

function expectation(r: Reader, node: unknown, v: Record<string, unknown>, line: number): Expectation | undefined {
  const text = JSON.stringify(v);
  const regex = (k: string): RegExp | undefined => {
    if (v[k] === undefined) return undefined;
    try {
      return new RegExp(String(v[k]));
    } catch {
      r.error(node, `\`${k}\` is not a valid regular expression`);
      return undefined;
    }
  };
  const t = v.t !== undefined ? timeSpec(String(v.t)) : undefined;
  if (v.t !== undefined && !t) {
    r.error(node, '`t` is a time in seconds or a range `FROM..TO`');
    return undefined;
  }
  if (v.table !== undefined) {
    if (!t || v.aor === undefined) {
      r.error(node, 'a table expectation needs `t`, `table` (an actor) and `aor`');
      return undefined;
    }
    const e: Expectation = { kind: 'table', t: t.from, actor: String(v.table), aor: String(v.aor), text, line };
    if (v.contacts !== undefined) e.contacts = Number(v.contacts);
    if (v.expires !== undefined) e.expires = Number(v.expires);
    const c = regex('contact');
    if (c) e.contact = c;
    return e;
  }
  const e: Expectation = { kind: 'message', text, line };
  if (t) e.t = t;
  if (v.from !== undefined) e.from = String(v.from);
  if (v.to !== undefined) e.to = String(v.to);
  if (v.method !== undefined) e.method = String(v.method).toUpperCase();
  if (v.status !== undefined) e.status = Number(v.status);
  if (v.expires !== undefined) e.expires = v.expires === 'none' ? 'none' : Number(v.expires);
  if (v.src !== undefined) e.src = String(v.src);
  if (v.cseq !== undefined) e.cseq = Number(v.cseq);
  if (v.count !== undefined) e.count = Number(v.count);
  if (v.none === true) e.count = 0;
  const c = regex('contact');
  if (c) e.contact = c;
  return e;
}

export function loadScenario(file: string, text = readFileSync(file, 'utf8')): Scenario | { errors: ScenarioError[] } {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  const r = new Reader(file, lc);
  for (const e of doc.errors) r.errors.push({ file, ...lc.linePos(e.pos[0]), message: e.message.split('\n')[0]! });
  if (r.errors.length) return { errors: r.errors };
  const root = doc.toJS() as Record<string, unknown> | null;
  if (!root || typeof root !== 'object')
    return {
      errors: [{ file, line: 1, col: 1, message: 'a scenario is a YAML mapping (name, cfg, uas, timeline...)' }],
    };
  const dir = dirname(resolve(file));
  const node = (...path: (string | number)[]): unknown => doc.getIn(path, true);
  if (typeof root.cfg !== 'string')
    r.error(doc.contents, '`cfg` names the cfg under test (a path relative to the scenario)');
  const proxy: CfgActor = {
    name: String((root.proxy as { name?: string } | undefined)?.name ?? 'P'),
    cfg: resolve(dir, String(root.cfg ?? '')),
    modparams: modparams(r, node('modparams'), root.modparams),
  };
  let upstream: UpstreamActor | undefined;
  if (root.upstream !== undefined) {
    const u = root.upstream as Record<string, unknown>;
    upstream = { name: String(u.name ?? 'UP'), preload: [] };
    if (typeof u.cfg === 'string')
      upstream.cfg = {
        name: upstream.name,
        cfg: resolve(dir, u.cfg),
        modparams: modparams(r, node('upstream', 'modparams'), u.modparams),
      };
    else {
      const socket = typeof u.socket === 'string' ? parseAddress(u.socket) : undefined;
      if (!socket)
        r.error(
          node('upstream'),
          'the built-in upstream registrar needs `socket: udp:IP:PORT` (where the cfg relays REGISTERs)',
        );
      else upstream.builtin = { socket, modparams: modparams(r, node('upstream', 'modparams'), u.modparams) };
    }
    for (const [i, p] of ((u.preload as Record<string, unknown>[] | undefined) ?? []).entries()) {
      if (typeof p?.aor !== 'string' || typeof p.contact !== 'string') {
        r.error(node('upstream', 'preload', i), 'a preloaded binding has `aor`, `contact` and `expires`');
        continue;
      }
      upstream.preload.push({ aor: p.aor, contact: p.contact, expires: Number(p.expires ?? 3600) });
    }
  }
  const uas: UaActor[] = [];
  for (const [name, spec] of Object.entries((root.uas as Record<string, Record<string, unknown>> | undefined) ?? {})) {
    const address = typeof spec?.address === 'string' ? parseAddress(spec.address) : undefined;
    if (!address) {
      r.error(node('uas', name), `UA ${name} needs \`address: udp:IP:PORT\``);
      continue;
    }
    const registrar = typeof spec.registrar === 'string' ? parseAddress(spec.registrar) : undefined;
    const answers = typeof spec.answers === 'number' ? spec.answers : spec.answers !== false;
    if (typeof answers === 'number' && !(Number.isInteger(answers) && answers >= 200 && answers < 700))
      r.error(node('uas', name, 'answers'), '`answers` is true, false or a final status code (200-699)');
    const delay = spec.delay === undefined ? undefined : Number(spec.delay);
    if (delay !== undefined && !(delay >= 0))
      r.error(node('uas', name, 'delay'), '`delay` is the milliseconds a UA takes to answer');
    uas.push({
      name,
      user: String(spec.user ?? name),
      address,
      answers,
      ...(delay ? { replyDelayMs: delay } : {}),
      ...(registrar ? { registrar } : {}),
      ...(typeof spec.domain === 'string' ? { domain: spec.domain } : {}),
    });
  }
  const names = new Set(uas.map((u) => u.name));
  const timelineNode = node('timeline');
  const all: Step[] = [];
  if (!isSeq(timelineNode)) r.error(doc.contents, '`timeline` is a list of `t=SECONDS ACTOR VERB [args]` entries');
  else
    for (const item of timelineNode.items)
      all.push(
        ...steps(
          r,
          item,
          String((item as { value?: unknown }).value ?? item),
          r.pos(item).line,
          names,
          new Set([proxy.name, ...(upstream ? [upstream.name] : [])]),
        ),
      );
  all.sort((a, b) => a.at - b.at || a.line - b.line);
  const expect: Expectation[] = [];
  const expectNode = node('expect');
  if (isSeq(expectNode)) {
    for (const item of expectNode.items) {
      if (!isMap(item)) {
        r.error(item, 'an expectation is a mapping, e.g. `{ t: 0, from: P, to: UP, method: REGISTER, expires: 80 }`');
        continue;
      }
      const e = expectation(r, item, item.toJSON() as Record<string, unknown>, r.pos(item).line);
      if (e) expect.push(e);
    }
  }
  const start = typeof root.start === 'string' ? Date.parse(root.start) : Date.UTC(2026, 0, 1);
  if (Number.isNaN(start)) r.error(node('start'), '`start` is an ISO date-time');
  if (r.errors.length) return { errors: r.errors };
  const until = Number(root.until ?? (all.at(-1)?.at ?? 0) + 60);
  return {
    file,
    name: String(root.name ?? file),
    ...(typeof root.description === 'string' ? { description: root.description } : {}),
    startMs: start,
    proxy,
    ...(upstream ? { upstream } : {}),
    uas,
    steps: all,
    until,
    compat: Array.isArray(root.compat) ? root.compat.map(String) : [],
    expect,
  };
}
