// What `opensips -c` checks: the cfg parses, its modules, parameters and
// functions resolve, its routes compile. Problems come in OpenSIPS's order:
// those found while parsing first, then those of the start-up phase.
import type { Diagnostic, Profile, RuleId } from '../cfg/diagnostic.js';
import { RULES } from '../cfg/rules.js';
import { loadCfg, withIncludeChains, type LoadOptions } from '../cfg/load.js';
import { VirtualClock } from '../base/clock.js';
import { Logger } from '../base/logger.js';
import { buildEngine } from '../script/engine.js';
import { makeReport } from './context.js';
import { routeRules } from './rules/routes.js';
import { registrarRules } from './rules/registrars.js';

/** Where `check` shows a diagnostic: the registry's start-up rules come after everything found while parsing. */
export function phaseOf(d: Diagnostic): 'parse' | 'startup' {
  return RULES[d.rule].phase === 'start-up' ? 'startup' : 'parse';
}

export interface CheckResult {
  diagnostics: Diagnostic[];
  sources: Map<string, string>;
}

export function checkCfg(path: string, opts: Omit<LoadOptions, 'profile'> & { profile: Profile }): CheckResult {
  const loaded = loadCfg(path, opts);
  const clock = new VirtualClock();
  const engine = buildEngine(loaded, { profile: opts.profile, clock, logger: new Logger(clock, { write: () => undefined }) });
  // Of lint's route and registrar rules, check keeps those the registry puts in the start-up phase: OpenSIPS resolves
  // route(name) targets at start-up (an undefined one stops it) and refuses mid_registrar on sql-only usrloc.
  const routeProblems: Diagnostic[] = [];
  const startupOnly = (rule: RuleId, severity: Diagnostic['severity'], message: string, span: Diagnostic['span'], hint?: string): void => {
    if (RULES[rule].phase === 'start-up') makeReport(routeProblems)(rule, severity, message, span, hint);
  };
  for (const rules of [routeRules, registrarRules]) rules.check({ loaded, engine, profile: opts.profile, routeTypes: new Map(), report: startupOnly });
  const all = withIncludeChains([...loaded.diagnostics, ...engine.diagnostics, ...routeProblems], loaded.chains);
  // Stable: keeps the position order within each phase.
  const diagnostics = [...all.filter((d) => phaseOf(d) === 'parse'), ...all.filter((d) => phaseOf(d) === 'startup')];
  return { diagnostics, sources: loaded.sources };
}
