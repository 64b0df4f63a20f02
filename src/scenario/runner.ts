// Runs a scenario: the cfg under test, its upstream and the UAs in one
// process, on one virtual clock and a simulated network. Returns the trace:
// every message with its time, the actors' log lines, and the location
// tables of every registrar over time.
import { hasErrors, type Diagnostic } from '../cfg/diagnostic.js';
import { loadCfg, type LoadedCfg } from '../cfg/load.js';
import { VirtualClock } from '../base/clock.js';
import { mulberry32, seedOf } from '../base/random.js';
import { Logger } from '../base/logger.js';
import { SipServer } from '../core/server.js';
import { usrlocOf } from '../modules/usrloc/api.js';
import { isValid } from '../modules/usrloc/api.js';
import { buildEngine } from '../core/engine.js';
import { coreMi } from '../core/mi-core.js';
import { VERSION } from '../version.js';
import type { Runtime } from '../script/runtime.js';
import type { Address, CfgActor, Scenario, UpstreamActor } from './model.js';
import { SimHub, type Delivery } from './sim-network.js';
import { SimUa } from './ua.js';

export interface ActorInfo {
  name: string;
  kind: 'cfg' | 'upstream' | 'ua';
  title: string;
  addresses: string[];
}
export interface TableRow {
  aor: string;
  contact: string;
  expiresIn: number;
  contactId: string;
}
export interface TableSnapshot {
  t: number;
  actor: string;
  rows: TableRow[];
}
/** `after`: how many messages had been delivered when it was logged (to interleave with the ladder). */
export interface LogLine {
  t: number;
  actor: string;
  text: string;
  after: number;
}

export interface Trace {
  scenario: Scenario;
  actors: ActorInfo[];
  deliveries: Delivery[];
  logs: LogLine[];
  tables: TableSnapshot[];
  /** Why the run stopped before `until`, if it did. */
  aborted?: string;
}

export type ScenarioSetupError = { diagnostics: Diagnostic[]; loaded: LoadedCfg[] };

/** The plain registrar an upstream defaults to: save() on REGISTER, lookup() + t_relay() otherwise. */
export function builtinRegistrarCfg(socket: Address): string {
  return [
    `socket=${socket.proto}:${socket.ip}:${socket.port}`,
    ...['tm', 'sl', 'signaling', 'sipmsgops', 'usrloc', 'registrar'].map((m) => `loadmodule "${m}.so"`),
    'route {',
    '\tif (is_method("REGISTER")) { save("location"); exit; }',
    '\tif (!lookup("location")) { sl_send_reply(404, "Not Found"); exit; }',
    '\tt_relay();',
    '}',
    '',
  ].join('\n');
}

interface Node {
  name: string;
  rt: Runtime;
  server: SipServer;
}

export class ScenarioRun {
  readonly clock: VirtualClock;
  readonly hub: SimHub;
  readonly logs: LogLine[] = [];
  readonly tables: TableSnapshot[] = [];
  readonly actors: ActorInfo[] = [];
  private readonly nodes: Node[] = [];
  private readonly uas = new Map<string, SimUa>();

  constructor(readonly scenario: Scenario) {
    this.clock = new VirtualClock(scenario.startMs);
    this.hub = new SimHub(this.clock);
    this.hub.onDrop = (actor, text) =>
      this.logs.push({ t: this.seconds(), actor, after: this.hub.deliveries.length, text: `(network) ${text}` });
    this.hub.onTcpLifetime = (actor, peer, untilMs) =>
      this.logs.push({
        t: this.seconds(),
        actor,
        after: this.hub.deliveries.length,
        text: `(network) keeps the TCP connection to ${peer.proto}:${peer.ip}:${peer.port} open ${untilMs >= Number.MAX_SAFE_INTEGER ? 'for good' : `until t=${(untilMs - scenario.startMs) / 1000}s`}`,
      });
  }

  private seconds(): number {
    return (this.clock.now() - this.scenario.startMs) / 1000;
  }

  private logger(actor: string): Logger {
    return new Logger(this.clock, {
      write: (line) =>
        this.logs.push({
          t: this.seconds(),
          actor,
          after: this.hub.deliveries.length,
          text: line.replace(/^\w{3} [ \d]\d \d\d:\d\d:\d\d \[\d+\] /, '').trimEnd(),
        }),
    });
  }

  /** Builds one cfg actor; its diagnostics (errors stop the scenario) go to `problems`. */
  private cfgNode(
    name: string,
    title: string,
    loaded: LoadedCfg,
    overrides: CfgActor['modparams'],
    problems: ScenarioSetupError,
    generation = 0,
  ): Node | undefined {
    for (const [mod] of overrides) {
      if (!loaded.items.some((i) => i.kind === 'LoadModule' && i.path.replace(/\.so$/, '').split('/').pop() === mod)) {
        problems.diagnostics.push({
          rule: 'scenario-modparam',
          severity: 'error',
          message: `the scenario overrides parameters of \`${mod}\`, which ${title} does not load`,
          span: {
            file: [...loaded.sources.keys()][0] ?? title,
            line: 1,
            col: 1,
            offset: 0,
            endLine: 1,
            endCol: 1,
            endOffset: 0,
          },
        });
      }
    }
    const engine = buildEngine(loaded, {
      profile: { strict: false },
      clock: this.clock,
      logger: this.logger(name),
      modparamOverrides: overrides,
    });
    problems.diagnostics.push(...loaded.diagnostics, ...engine.diagnostics);
    problems.loaded.push(loaded);
    const rt = engine.runtime;
    for (const c of this.scenario.compat) rt.compat.add(c);
    if (rt.modparams.has('usrloc')) {
      usrlocOf(rt).random = mulberry32(seedOf(generation ? `${name}#${generation}` : name)); // the same scenario gives the same contact ids
      this.watchTable(name, rt);
    }
    const server = new SipServer(rt, this.hub.node(name));
    if (!this.actors.some((a) => a.name === name))
      this.actors.push({
        name,
        kind: name === this.scenario.proxy.name ? 'cfg' : 'upstream',
        title,
        addresses: rt.sockets.map((s) => `${s.proto}:${s.ip}:${s.port}`),
      });
    return { name, rt, server };
  }

  /** Loads every actor; undefined when ready, else what stops the scenario. */
  async setUp(): Promise<ScenarioSetupError | undefined> {
    const problems: ScenarioSetupError = { diagnostics: [], loaded: [] };
    const s = this.scenario;
    const proxy = loadCfg(s.proxy.cfg, { profile: { strict: false } });
    const p = this.cfgNode(
      s.proxy.name,
      s.proxy.cfg.split('/').pop() ?? s.proxy.cfg,
      proxy,
      s.proxy.modparams,
      problems,
    );
    if (p) this.nodes.push(p);
    if (s.upstream) this.upstreamNode(s.upstream, problems);
    if (hasErrors(problems.diagnostics)) return problems;
    for (const n of this.nodes) await n.server.start();
    for (const ua of s.uas) {
      this.uas.set(
        ua.name,
        new SimUa(
          {
            name: ua.name,
            user: ua.user,
            answers: ua.answers,
            ...(ua.replyDelayMs ? { replyDelayMs: ua.replyDelayMs } : {}),
            ...ua.address,
            ...(ua.domain ? { domain: ua.domain } : {}),
          },
          this.hub,
        ),
      );
      this.actors.push({
        name: ua.name,
        kind: 'ua',
        title: `UA ${ua.user}`,
        addresses: [`${ua.address.proto}:${ua.address.ip}:${ua.address.port}`],
      });
    }
    // UAs first on the ladder, then the cfg under test, then its upstream.
    this.actors.sort((a, b) => ['ua', 'cfg', 'upstream'].indexOf(a.kind) - ['ua', 'cfg', 'upstream'].indexOf(b.kind));
    return undefined;
  }

  private upstreamNode(u: UpstreamActor, problems: ScenarioSetupError): void {
    const loaded = u.cfg
      ? loadCfg(u.cfg.cfg, { profile: { strict: false } })
      : loadCfg('builtin-registrar.cfg', {
          profile: { strict: false },
          readFile: () => builtinRegistrarCfg(u.builtin!.socket),
          fileExists: () => true,
          cwd: '/',
        });
    const n = this.cfgNode(
      u.name,
      u.cfg ? u.cfg.cfg.split('/').pop()! : 'built-in registrar',
      loaded,
      u.cfg?.modparams ?? u.builtin!.modparams,
      problems,
    );
    if (!n) return;
    this.nodes.push(n);
    const d = usrlocOf(n.rt).domain('location');
    const now = Math.floor(this.clock.now() / 1000);
    for (const b of u.preload) {
      const r = d.getOrCreate(b.aor);
      d.insert(r, {
        uri: b.contact,
        expires: now + b.expires,
        q: -1,
        callid: `preloaded-${b.aor}`,
        cseq: 1,
        flags: 0,
        cflags: 0,
        userAgent: 'preloaded',
        lastModified: this.clock.now(),
        state: 'CS_NEW',
      });
    }
  }

  /** The runtime of a cfg actor (tests drive MI commands with it). */
  runtimeOf(actor: string): Runtime | undefined {
    return this.nodes.find((n) => n.name === actor)?.rt;
  }

  private target(actor: string, proto: string): Address | undefined {
    const n = this.nodes.find((x) => x.name === actor);
    const s = n?.rt.sockets.find((x) => x.proto === proto) ?? n?.rt.sockets[0];
    return s ? { proto: s.proto, ip: s.ip, port: s.port } : undefined;
  }

  /** A step; a restart returns the promise of the actor being up again. */
  private perform(step: Scenario['steps'][number]): Promise<void> | undefined {
    const a = step.action;
    if (a.kind === 'mi') {
      this.runMi(a.actor, a.command, a.params);
      return undefined;
    }
    if (a.kind === 'restart') return this.restart(a.actor, a.modparams);
    const ua = this.uas.get(a.ua)!;
    const spec = this.scenario.uas.find((u) => u.name === a.ua)!;
    if (a.kind === 'register') {
      const to = spec.registrar ?? this.target(this.scenario.proxy.name, spec.address.proto);
      if (!to) return undefined;
      ua.register(to, {
        ...(a.expires !== undefined ? { expires: a.expires } : {}),
        ...(a.contactExpires !== undefined ? { contactExpires: a.contactExpires } : {}),
        ...(a.star ? { star: true } : {}),
        ...(a.contact ? { contact: a.contact } : {}),
      });
    } else {
      const to = this.target(a.via, spec.address.proto);
      if (to) ua.invite(to, a.user);
    }
    return undefined;
  }

  private generations = 0;

  /**
   * Stops a cfg actor (nothing is sent on shutdown: its memory, location table
   * included, is lost) and starts it again from its cfg with the scenario's
   * modparams plus `extra` (a mode switch, say).
   */
  private async restart(actor: string, extra: CfgActor['modparams']): Promise<void> {
    const i = this.nodes.findIndex((n) => n.name === actor);
    const s = this.scenario;
    const spec = actor === s.proxy.name ? s.proxy : s.upstream?.cfg;
    if (i < 0 || !spec) {
      this.logs.push({
        t: this.seconds(),
        actor,
        after: this.hub.deliveries.length,
        text: '(restart) only a cfg actor can restart',
      });
      return;
    }
    await this.nodes[i]!.server.stop();
    const merged = new Map([...spec.modparams].map(([m, p]) => [m, new Map(p)]));
    for (const [m, p] of extra) for (const [k, v] of p) merged.set(m, (merged.get(m) ?? new Map()).set(k, v));
    const shown = [...extra].flatMap(([m, p]) => [...p].map(([k, v]) => `${m}.${k}=${v}`)).join(' ');
    this.logs.push({
      t: this.seconds(),
      actor,
      after: this.hub.deliveries.length,
      text: `(restart)${shown ? ` with ${shown}` : ''}`,
    });
    const problems: ScenarioSetupError = { diagnostics: [], loaded: [] };
    const node = this.cfgNode(
      actor,
      spec.cfg.split('/').pop() ?? spec.cfg,
      loadCfg(spec.cfg, { profile: { strict: false } }),
      merged,
      problems,
      ++this.generations,
    );
    if (!node || hasErrors(problems.diagnostics)) {
      this.logs.push({
        t: this.seconds(),
        actor,
        after: this.hub.deliveries.length,
        text: `(restart) failed: ${problems.diagnostics
          .filter((d) => d.severity === 'error')
          .map((d) => d.message)
          .join('; ')}`,
      });
      this.nodes.splice(i, 1);
      return;
    }
    this.nodes[i] = node;
    await node.server.start();
  }

  /** A snapshot of the actor's table at the end of every instant in which it changed. */
  private watchTable(name: string, rt: Runtime): void {
    let pending = false;
    const mark = (): void => {
      if (pending) return;
      pending = true;
      this.clock.after(0, () => {
        pending = false;
        this.snapshot(name);
      });
    };
    const ul = usrlocOf(rt);
    ul.listeners.push(mark);
    ul.aorListeners.push(mark);
  }

  private readonly mi = coreMi(VERSION);

  /** An MI command on a cfg actor; its answer becomes a log line of that actor. */
  private runMi(actor: string, command: string, params: string[]): void {
    const rt = this.runtimeOf(actor);
    if (!rt) return;
    const answer = this.mi.handle({ jsonrpc: '2.0', method: command, ...(params.length ? { params } : {}), id: 1 }, rt);
    const shown =
      answer && 'error' in answer ? `error ${JSON.stringify(answer.error)}` : JSON.stringify(answer?.result);
    this.logs.push({
      t: this.seconds(),
      actor,
      after: this.hub.deliveries.length,
      text: `(MI) ${command} ${params.join(' ')} -> ${shown.length > 200 ? `${shown.slice(0, 197)}...` : shown}`,
    });
  }

  snapshot(only?: string): void {
    const now = Math.floor(this.clock.now() / 1000);
    for (const n of this.nodes) {
      if (!n.rt.modparams.has('usrloc') || (only && n.name !== only)) continue;
      const rows: TableRow[] = [];
      for (const d of usrlocOf(n.rt).domains.values()) {
        for (const r of d.records.values()) {
          for (const b of r.bindings)
            if (isValid(b, now))
              rows.push({
                aor: r.aor,
                contact: b.uri,
                expiresIn: b.expires === 0 ? 0 : b.expires - now,
                contactId: b.contactId,
              });
        }
      }
      this.tables.push({ t: this.seconds(), actor: n.name, rows });
    }
  }

  /** Runs the timeline to `until`, snapshotting the tables at every step time and at `extraTimes` (no restarts: see runAsync). */
  run(extraTimes: number[] = []): Trace {
    const it = this.timeline(extraTimes);
    const r = it.next();
    if (!r.done) throw new Error('a scenario that restarts an actor runs with runAsync()');
    return r.value;
  }

  /** run(), waiting for the actors a step restarts. */
  async runAsync(extraTimes: number[] = []): Promise<Trace> {
    const it = this.timeline(extraTimes);
    for (let r = it.next(); ; r = it.next()) {
      if (r.done) return r.value;
      await r.value;
    }
  }

  private *timeline(extraTimes: number[]): Generator<Promise<void>, Trace> {
    const s = this.scenario;
    const times = [...new Set([0, ...s.steps.map((x) => x.at), ...extraTimes, s.until])]
      .filter((t) => t <= s.until)
      .sort((a, b) => a - b);
    let i = 0;
    let aborted: string | undefined;
    for (const t of times) {
      this.clock.runUntil(s.startMs + t * 1000);
      while (i < s.steps.length && s.steps[i]!.at <= t) {
        const pending = this.perform(s.steps[i++]!);
        if (pending) yield pending;
      }
      this.clock.runUntil(s.startMs + t * 1000); // what the actions sent, at the same instant
      this.snapshot();
      if (this.hub.aborted) {
        aborted = `stopped at t=${t}s: ${this.hub.aborted}`;
        break;
      }
    }
    return {
      scenario: s,
      actors: this.actors,
      deliveries: this.hub.deliveries,
      logs: this.logs,
      tables: this.tables,
      ...(aborted ? { aborted } : {}),
    };
  }

  async tearDown(): Promise<void> {
    for (const n of this.nodes) await n.server.stop();
  }
}

/** Sets up, runs and tears down; setup errors come back instead of a trace. */
export async function runScenario(s: Scenario, extraTimes: number[] = []): Promise<Trace | ScenarioSetupError> {
  const run = new ScenarioRun(s);
  const bad = await run.setUp();
  if (bad) return bad;
  try {
    return await run.runAsync(extraTimes);
  } finally {
    await run.tearDown();
  }
}
