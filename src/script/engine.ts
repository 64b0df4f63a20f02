// From a loaded cfg to a runnable Runtime: modules resolved, functions and
// PVs registered, globals applied, routes compiled. Problems found on the way
// are diagnostics with spans, never exceptions.
import type * as A from '../cfg/ast.js';
import type { Diagnostic, Profile } from '../cfg/diagnostic.js';
import type { LoadedCfg } from '../cfg/load.js';
import { MAIN_ROUTE } from '../cfg/script.js';
import { loadCatalog } from '../catalog/index.js';
import type { Clock } from '../base/clock.js';
import type { Logger } from '../base/logger.js';
import { moduleStarter } from './module-starter.js';
import type { NativeModule } from './module-contract.js';
import { Compiler, NotImplementedError } from './compile.js';
import { CORE_PVS, type PvDef } from './pv-core.js';
import type { SocketInfo } from '../net/types.js';
import { CORE_FUNCTIONS } from './core-functions.js';
import { eventRouteProblems } from './events.js';
import { resolveModules, type ModuleResolution } from './modules-resolve.js';
import { Runtime, type CompiledRoute } from './runtime.js';
import { MORE_CORE_PVS } from './pv-more.js';
import { dirname } from 'node:path';

export interface EngineOptions {
  profile: Profile;
  clock: Clock;
  logger?: Logger;
  /** `FROM=TO[:PORT]` address rewrites for sockets that are not on this host. */
  addressMap?: Map<string, { ip: string; port?: number }>;
  /** Module parameter values that replace the cfg's (a scenario's `modparams:`), by module then name. */
  modparamOverrides?: Map<string, Map<string, string | number>>;
}

/**
 * The native module tables by module name. The core hands them over
 * (core/engine.ts), as OpenSIPS's core loads the modules a cfg names; the
 * script layer only reads the contract they follow.
 */
export type NativeModuleTable = Readonly<Record<string, NativeModule>>;

export interface Engine {
  runtime: Runtime;
  resolution: ModuleResolution;
  diagnostics: Diagnostic[];
}

function applyGlobals(rt: Runtime, globals: Map<string, A.GlobalParam>): void {
  const num = (name: string): number | undefined => {
    const g = globals.get(name);
    return g?.value.kind === 'Number' ? g.value.value : undefined;
  };
  rt.logger.logLevel = num('log_level') ?? 2;
  rt.logger.xlogLevel = num('xlog_level') ?? 2;
  if (num('debug_mode')) rt.logger.logLevel = 4;
  rt.maxWhileLoops = num('max_while_loops') ?? 10000;
  rt.xlogPrintLevel = num('xlog_print_level') ?? -1;
  rt.enableAsserts = !!num('enable_asserts');
  const header = globals.get('server_header');
  if (header?.value.kind === 'String') rt.serverHeader = header.value.value.replace(/^Server:\s*/i, '');
  if (num('server_signature') === 0) rt.serverHeader = undefined;
  rt.logColors = !!num('log_stderror') || !!num('xlog_force_color');
  const dbUrl = globals.get('db_default_url');
  if (dbUrl?.value.kind === 'String') rt.dbDefaultUrl = dbUrl.value.value;
  const prefix = globals.get('log_prefix');
  if (prefix?.value.kind === 'String') rt.logger.prefix = prefix.value.value;
}

function socketsOf(decls: A.SocketDecl[], map: EngineOptions['addressMap']): SocketInfo[] {
  return decls
    .filter((d) => d.address.proto)
    .map((d) => {
      const mapped = map?.get(d.address.host);
      const port = d.address.port && d.address.port !== 'any' ? Number(d.address.port) : 5060;
      return {
        proto: d.address.proto!,
        ip: mapped?.ip ?? d.address.host,
        port: mapped?.port ?? port,
        ...(mapped ? { cfgIp: d.address.host, cfgPort: port } : {}),
        ...(d.advertised
          ? {
              advertisedIp: d.advertised.host,
              ...(d.advertised.port ? { advertisedPort: Number(d.advertised.port) } : {}),
            }
          : {}),
        ...(d.tag ? { tag: d.tag } : {}),
        ...(d.anycast ? { anycast: true } : {}),
      };
    });
}

/** A module PV known from the catalog but not implemented natively: compiles, fails when read. */
function notImplementedPv(module: string, name: string, takesName: boolean, writable: boolean): PvDef {
  const fail = (): never => {
    throw new NotImplementedError(`$${name}`, module);
  };
  return { takesName, get: fail, ...(writable ? { set: fail } : {}) };
}

/**
 * A module's pvar as 3.3 looks it up (pvar.c, the "extra" list): a name is
 * optional when the module has a name parser and refused when it has none;
 * without one, the getter answers null as the module's getters do.
 */
function modulePv(def: PvDef, parsesName: boolean): PvDef {
  if (!parsesName) return { ...def, takesName: false };
  if (def.takesName !== true) return { ...def, takesName: undefined };
  const get = def.get;
  return { ...def, takesName: undefined, get: (ctx, inner) => (inner === undefined ? null : get(ctx, inner)) };
}

export function compileEngine(loaded: LoadedCfg, opts: EngineOptions, modules: NativeModuleTable): Engine {
  const rt = new Runtime(opts.clock, opts.logger);
  const diagnostics: Diagnostic[] = [];
  applyGlobals(rt, loaded.script.globals);
  const mainFile = loaded.sources.keys().next().value;
  if (typeof mainFile === 'string') rt.cfgDir = dirname(mainFile);
  rt.sockets.push(...socketsOf(loaded.script.sockets, opts.addressMap));

  const resolution = resolveModules(loaded.script, loaded.items, opts.profile);
  diagnostics.push(...resolution.diagnostics);

  const catalog = loadCatalog();
  for (const [name, def] of Object.entries(MORE_CORE_PVS)) rt.modulePvs.set(name, def);
  for (const pv of catalog.core.pvs) {
    if (!CORE_PVS[pv.name] && pv.name !== 'avp' && pv.name !== 'var' && !rt.modulePvs.has(pv.name))
      rt.modulePvs.set(pv.name, notImplementedPv('core', pv.name, pv.takesName, pv.writable));
  }
  for (const f of catalog.core.functions)
    rt.functions.set(f.name, { name: f.name, module: 'core', signature: f, behaviour: CORE_FUNCTIONS[f.name] });
  for (const m of resolution.modules.values()) {
    const native = modules[m.name];
    const params = new Map<string, string | number>();
    for (const p of m.entry.params) if (p.default !== null) params.set(p.name, p.default);
    for (const [k, v] of m.params) params.set(k, v.value);
    for (const [k, v] of opts.modparamOverrides?.get(m.name) ?? []) {
      params.set(k, v);
      m.paramLists.set(k, [v]);
    }
    rt.modparams.set(m.name, params);
    rt.modparamLists.set(m.name, m.paramLists);
    for (const pv of m.entry.pvs) {
      if (rt.modulePvs.has(pv.name)) continue;
      rt.modulePvs.set(
        pv.name,
        modulePv(native?.pvs?.[pv.name] ?? notImplementedPv(m.name, pv.name, pv.takesName, pv.writable), pv.takesName),
      );
    }
    for (const f of m.entry.functions) {
      if (!rt.functions.has(f.name))
        rt.functions.set(f.name, { name: f.name, module: m.name, signature: f, behaviour: native?.functions[f.name] });
    }
  }
  for (const m of resolution.modules.values()) {
    const native = modules[m.name];
    const found = native?.init?.(rt, rt.modparams.get(m.name)!);
    if (found) diagnostics.push(...found);
  }
  // Timers start after every module's own start-up work (its init's onStart jobs).
  for (const m of resolution.modules.values()) {
    const native = modules[m.name];
    const start = native && moduleStarter(rt, native);
    if (start) rt.onStart.push(start);
  }

  const compiled = compileRoutes(rt, loaded.script);
  for (const [kind, routes] of compiled.routes) rt.routes.set(kind, routes);
  diagnostics.push(...compiled.diagnostics);
  diagnostics.push(...eventRouteProblems(loaded.script, resolution));
  if (!rt.route('route', MAIN_ROUTE)) {
    const first = loaded.items[0]?.span ?? {
      file: [...loaded.sources.keys()][0] ?? '',
      line: 1,
      col: 1,
      offset: 0,
      endLine: 1,
      endCol: 1,
      endOffset: 0,
    };
    diagnostics.push({
      rule: 'no-main-route',
      severity: 'warning',
      message: 'the cfg has no main `route { }`: requests are dropped',
      span: first,
    });
  }
  return { runtime: rt, resolution, diagnostics };
}

/**
 * The routes of `script` compiled against `rt` (its functions, modules and
 * pseudo-variables), without installing them: start-up installs them, and
 * reload_routes swaps them in only when there is no error.
 */
export function compileRoutes(
  rt: Runtime,
  script: LoadedCfg['script'],
): { routes: Map<A.RouteKind, Map<string, CompiledRoute>>; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const routes = new Map<A.RouteKind, Map<string, CompiledRoute>>();
  const compiler = new Compiler(rt);
  for (const [kind, table] of Object.entries(script.routes) as [A.RouteKind, Map<string, A.RouteDecl>][]) {
    const compiled = new Map<string, CompiledRoute>();
    for (const [name, decl] of table) {
      try {
        compiled.set(name, {
          kind,
          name,
          ...(decl.extra ? { extra: decl.extra.text } : {}),
          run: compiler.block(decl.body),
        });
      } catch (err) {
        // The compiler reports what it understands as positioned errors; anything else must not crash a check.
        diagnostics.push({
          rule: 'internal',
          severity: 'error',
          message: `internal error compiling this route: ${(err as Error).message}`,
          span: decl.span,
        });
      }
    }
    routes.set(kind, compiled);
  }
  for (const err of compiler.errors) {
    // Unknown functions are already reported by module resolution, malformed pseudo-variables by the parser.
    if (err.rule !== 'unknown-function' && err.rule !== 'pvar-syntax')
      diagnostics.push({ rule: err.rule, severity: 'error', message: err.message, span: err.span });
  }
  return { routes, diagnostics };
}
