// What `opensips -c` checks: the cfg parses, its modules, parameters and
// functions resolve, its routes compile. Problems come in OpenSIPS's order:
// those found while parsing first, then those of the start-up phase.
import type { Diagnostic, Profile, RuleId } from '../cfg/diagnostic.js';
import { RULES } from '../cfg/rules.js';
import { loadCfg, sortDiagnostics, withIncludeChains, type LoadOptions } from '../cfg/load.js';
import { VirtualClock } from '../base/clock.js';
import { Logger } from '../base/logger.js';
import { buildEngine } from '../core/engine.js';
import { makeReport } from './context.js';
import { routeRules } from './rules/routes.js';
import { registrarRules } from './rules/registrars.js';

/**
 * When OpenSIPS 3.3 stops on a problem. Parsing is one pass in file order and
 * its errors (the registry's parse phase: syntax, an unknown loadmodule,
 * modparam, function or bare pvar) come first, at their line. Then, in
 * main.c's order, each start-up stage stops it: module dependencies, sockets,
 * module init, the fix-ups of the routes' arguments, the route checks.
 */
const STARTUP_STAGE: Partial<Record<RuleId, number>> = {
  'missing-dependency': 1,
  'missing-transport': 2,
  'mid-registrar-sql-only': 3,
};
const FIXUP_STAGE = 4;
const LAST_STAGE = 5;

/** 0 for the parse pass. A pvar inside a quoted string, or a regex, is only parsed by the fix-ups (route.c fix_actions). */
function stageOf(d: Diagnostic, sources: ReadonlyMap<string, string>): number {
  if (d.rule === 'bad-regex') return FIXUP_STAGE;
  if (d.rule === 'pvar-unknown' && /["']/.test(sources.get(d.span.file)?.charAt(d.span.offset) ?? ''))
    return FIXUP_STAGE;
  if (RULES[d.rule].phase !== 'start-up') return 0;
  return STARTUP_STAGE[d.rule] ?? LAST_STAGE;
}

/** Where `check` shows a diagnostic: everything found while parsing, then the start-up stages. */
export function phaseOf(d: Diagnostic, sources: ReadonlyMap<string, string> = new Map()): 'parse' | 'startup' {
  return stageOf(d, sources) === 0 ? 'parse' : 'startup';
}

/**
 * An `internal` diagnostic is a bug of opensips-ts, never a fact about the
 * cfg: it is shown (so that it gets reported) but does not decide the verdict.
 */
function notAVerdict(d: Diagnostic): Diagnostic {
  return d.rule === 'internal'
    ? {
        ...d,
        severity: 'warning',
        message: `${d.message} (a bug of opensips-ts, not of the cfg: the verdict ignores it)`,
      }
    : d;
}

export interface CheckResult {
  diagnostics: Diagnostic[];
  sources: Map<string, string>;
}

export function checkCfg(path: string, opts: Omit<LoadOptions, 'profile'> & { profile: Profile }): CheckResult {
  const loaded = loadCfg(path, opts);
  const clock = new VirtualClock();
  const engine = buildEngine(loaded, {
    profile: opts.profile,
    clock,
    logger: new Logger(clock, { write: () => undefined }),
  });
  // Of lint's route and registrar rules, check keeps those the registry puts in the start-up phase: OpenSIPS resolves
  // route(name) targets at start-up (an undefined one stops it) and refuses mid_registrar on sql-only usrloc.
  const routeProblems: Diagnostic[] = [];
  const startupOnly = (
    rule: RuleId,
    severity: Diagnostic['severity'],
    message: string,
    span: Diagnostic['span'],
    hint?: string,
  ): void => {
    if (RULES[rule].phase === 'start-up') makeReport(routeProblems)(rule, severity, message, span, hint);
  };
  for (const rules of [routeRules, registrarRules])
    rules.check({ loaded, engine, profile: opts.profile, routeTypes: new Map(), report: startupOnly });
  const all = withIncludeChains([...loaded.diagnostics, ...engine.diagnostics, ...routeProblems], loaded.chains).map(
    notAVerdict,
  );
  // The parse pass in file order (an included file at its include_file line), then each start-up stage in turn.
  const files = [...loaded.sources.keys()];
  const byStage = new Map<number, Diagnostic[]>();
  for (const d of all) {
    const k = stageOf(d, loaded.sources);
    byStage.set(k, [...(byStage.get(k) ?? []), d]);
  }
  const diagnostics = [...byStage.keys()]
    .sort((a, b) => a - b)
    .flatMap((k) => (k === 0 ? sortDiagnostics(byStage.get(k)!, files) : byStage.get(k)!));
  return { diagnostics, sources: loaded.sources };
}
