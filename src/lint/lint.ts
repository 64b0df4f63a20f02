// `opensips-ts lint`: every problem of a cfg, syntax to semantics, in one pass.
import type { Diagnostic, Profile } from '../cfg/diagnostic.js';
import { RULES } from '../cfg/rules.js';
import { loadCfg, sortDiagnostics, withIncludeChains, type LoadOptions, type LoadedCfg } from '../cfg/load.js';
import { VirtualClock } from '../base/clock.js';
import { Logger } from '../base/logger.js';
import { buildEngine } from '../core/engine.js';
import { computeRouteTypes, makeReport, type LintContext, type LintRule } from './context.js';
import { callRules } from './rules/calls.js';
import { modparamValueRules, pvRules, retcodeRules, socketRules } from './rules/misc.js';
import { routeRules } from './rules/routes.js';
import { registrarRules } from './rules/registrars.js';
import { usageRules } from './rules/usage.js';

export const LINT_RULES: LintRule[] = [
  callRules,
  routeRules,
  usageRules,
  socketRules,
  retcodeRules,
  modparamValueRules,
  pvRules,
  registrarRules,
];

export interface LintResult {
  diagnostics: Diagnostic[];
  sources: Map<string, string>;
  /** The cfg as loaded (includes expanded), for tools that also need its items (the language server). */
  loaded: LoadedCfg;
}

function dedupe(list: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return list.filter((d) => {
    const k = `${d.rule}|${d.span.file}|${d.span.offset}|${d.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * Lint tells what OpenSIPS 3.3 would do whatever the profile: the analysis always runs under the strict profile (no
 * module is loaded behind the user's back, every refusal is an error). Under the default profile the refusals that
 * `run` and `check` tolerate say so in their message.
 */
const TOLERATED_NOTE =
  ' (`run` and `check` tolerate it in the default profile; `--strict` refuses it as OpenSIPS 3.3 does)';

/** A refusal of OpenSIPS 3.3 that the default profile tolerates: say so. */
function noteTolerated(d: Diagnostic): Diagnostic {
  return RULES[d.rule].tolerated && d.severity === 'error' ? { ...d, message: d.message + TOLERATED_NOTE } : d;
}

export function lintCfg(path: string, opts: Omit<LoadOptions, 'profile'> & { profile: Profile }): LintResult {
  const strict: Profile = { strict: true };
  const loaded = loadCfg(path, { ...opts, profile: strict });
  const clock = new VirtualClock();
  const engine = buildEngine(loaded, { profile: strict, clock, logger: new Logger(clock, { write: () => undefined }) });
  const found: Diagnostic[] = [];
  const ctx: LintContext = {
    loaded,
    engine,
    profile: strict,
    routeTypes: computeRouteTypes(loaded),
    report: makeReport(found),
  };
  for (const rule of LINT_RULES) rule.check(ctx);
  // Lint shows everything in file order; check.ts keeps OpenSIPS's phase order.
  let all = dedupe([...loaded.diagnostics, ...engine.diagnostics, ...found]);
  if (!opts.profile.strict) all = all.map(noteTolerated);
  return {
    diagnostics: sortDiagnostics(withIncludeChains(all, loaded.chains), [...loaded.sources.keys()]),
    sources: loaded.sources,
    loaded,
  };
}
