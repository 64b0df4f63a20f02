// reload_routes (OpenSIPS 3.3's reload_routing_script): the cfg is read and
// checked again, and its routes replace the running ones in one step only
// when it has no error; modules, parameters and sockets stay as they were
// loaded (a reload never loads a module or binds a socket).
import { serviceKey, peek } from '../base/keys.js';
import type { Profile } from '../cfg/diagnostic.js';
import { loadCfg } from '../cfg/load.js';
import { compileRoutes } from '../script/engine.js';
import { resolveModules } from '../script/modules-resolve.js';
import type { Runtime } from '../script/runtime.js';

/** Where the running cfg came from: set by `run`, read by reload_routes. */
export interface CfgSource {
  file: string;
  profile: Profile;
  cwd?: string;
  readFile?: (path: string) => string;
}

export const CFG_SOURCE = serviceKey<CfgSource>('core:cfg-source');

const where = (d: { span: { file: string; line: number; col: number }; message: string }): string =>
  `${d.span.file}:${d.span.line}:${d.span.col}: ${d.message}`;

/** The errors that refused the reload; empty when the new routes run. */
export function reloadRoutes(rt: Runtime): string[] {
  const src = peek(rt.services, CFG_SOURCE);
  if (!src) return ['no cfg file to reload (the routes were not loaded from a file)'];
  let loaded;
  try {
    loaded = loadCfg(src.file, {
      profile: src.profile,
      ...(src.cwd ? { cwd: src.cwd } : {}),
      ...(src.readFile ? { readFile: src.readFile } : {}),
    });
  } catch (err) {
    return [`cannot read ${src.file}: ${(err as Error).message}`];
  }
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error').map(where);
  const resolution = resolveModules(loaded.script, loaded.items, src.profile);
  errors.push(...resolution.diagnostics.filter((d) => d.severity === 'error').map(where));
  for (const m of resolution.modules.keys())
    if (!rt.modparams.has(m)) errors.push(`module ${m} is not loaded: a reload cannot load modules (restart instead)`);
  if (errors.length) return errors;
  const compiled = compileRoutes(rt, loaded.script);
  const compileErrors = compiled.diagnostics.filter((d) => d.severity === 'error').map(where);
  if (compileErrors.length) return compileErrors;
  rt.routes.clear();
  for (const [kind, routes] of compiled.routes) rt.routes.set(kind, routes);
  return [];
}
