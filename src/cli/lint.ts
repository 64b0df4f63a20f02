// `opensips-ts lint FILE [--format pretty|json|sarif] [--max-warnings N] [--strict]`
import { lintCfg } from '../lint/lint.js';
import { formatJson } from '../lint/format-json.js';
import { formatSarif } from '../lint/format-sarif.js';
import type { CfgInput } from './cfg-input.js';
import { EXIT, printDiagnostics, type Io } from './io.js';

import { VERSION } from '../version.js';

export { VERSION };

/** Exit codes: 0 clean, 1 errors, 3 only warnings but more than --max-warnings. */
export function runLint(
  input: CfgInput,
  opts: { strict: boolean; format: string; maxWarnings?: number },
  io: Io,
): number {
  const r = lintCfg(input.file, { profile: { strict: opts.strict }, cwd: io.cwd, readFile: input.readFile });
  if (opts.format === 'json') io.out(formatJson(r.diagnostics, io.cwd));
  else if (opts.format === 'sarif') io.out(formatSarif(r.diagnostics, io.cwd, VERSION));
  else {
    // The report is lint's output: standard output, so `lint x.cfg > report` keeps it.
    printDiagnostics(io, r.diagnostics, r.sources, 'out');
    if (!r.diagnostics.length) io.out('no problems found');
  }
  if (r.diagnostics.some((d) => d.severity === 'error')) return EXIT.errors;
  const warnings = r.diagnostics.filter((d) => d.severity === 'warning').length;
  if (opts.maxWarnings !== undefined && warnings > opts.maxWarnings) return 3;
  return EXIT.ok;
}
