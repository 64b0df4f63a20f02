// `opensips-ts dry-run --scenario FILE.yaml [--ladder out.svg|out.png|out.mmd] [--json] [--compat NAME]`:
// every actor in one process on a virtual clock; prints the ladder, the
// location tables over time and the scenario's checks (exit 1 if one fails).
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { checkExpectations, expectationTimes } from '../scenario/expect.js';
import { renderChecks, renderLadder, renderTables } from '../scenario/ladder-text.js';
import { ladderMermaid, ladderSvg } from '../scenario/ladder-svg.js';
import { loadScenario } from '../scenario/load.js';
import { runScenario } from '../scenario/runner.js';
import { summarize } from '../scenario/summary.js';
import { EXIT, printDiagnostics, type Io } from './io.js';

export interface ScenarioArgs {
  cfg?: string;
  ladder?: string;
  json: boolean;
  compat: string[];
}

export async function runScenarioCommand(file: string, a: ScenarioArgs, io: Io): Promise<number> {
  const path = resolve(io.cwd, file);
  let s;
  try {
    s = loadScenario(path);
  } catch (err) {
    io.err(`opensips-ts: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    return EXIT.usage;
  }
  if ('errors' in s) {
    for (const e of s.errors) io.err(`${e.file}:${e.line}:${e.col}: error: ${e.message}`);
    return EXIT.errors;
  }
  if (a.cfg) s.proxy.cfg = resolve(io.cwd, a.cfg);
  s.compat.push(...a.compat);
  const trace = await runScenario(s, expectationTimes(s.expect));
  if ('diagnostics' in trace) {
    const sources = new Map<string, string>();
    for (const l of trace.loaded) for (const [k, v] of l.sources) sources.set(k, v);
    printDiagnostics(io, trace.diagnostics, sources);
    io.err('opensips-ts: the scenario cannot start: fix the errors above');
    return EXIT.errors;
  }
  const messages = trace.deliveries.map((d) => summarize(d, s.startMs));
  const checks = checkExpectations(trace, messages);
  if (a.ladder) {
    const out = resolve(io.cwd, a.ladder);
    if (out.endsWith('.svg')) writeFileSync(out, ladderSvg(trace, messages));
    else if (out.endsWith('.mmd')) writeFileSync(out, ladderMermaid(trace, messages));
    else if (out.endsWith('.png')) {
      const problem = svgToPng(ladderSvg(trace, messages), out);
      if (problem) {
        io.err(`opensips-ts: ${problem}`);
        return EXIT.usage;
      }
    } else {
      io.err('opensips-ts: --ladder writes FILE.svg, FILE.png or FILE.mmd');
      return EXIT.usage;
    }
  }
  if (a.json) {
    io.out(
      JSON.stringify(
        {
          scenario: { name: s.name, file: s.file, cfg: s.proxy.cfg, until: s.until, compat: s.compat },
          actors: trace.actors,
          messages: messages.map(({ text, ...m }) => ({ ...m, text })),
          logs: trace.logs.map(({ after: _after, ...l }) => l),
          tables: trace.tables,
          ...(trace.aborted ? { aborted: trace.aborted } : {}),
          checks: checks.map((c) => ({
            line: c.expectation.line,
            expectation: c.expectation.text,
            ok: c.ok,
            detail: c.detail,
          })),
        },
        null,
        2,
      ),
    );
  } else {
    io.out(`scenario: ${s.name}${s.description ? `\n  ${s.description.trim().replace(/\n/g, '\n  ')}` : ''}\n`);
    io.out(renderLadder(trace, messages));
    io.out('');
    io.out(renderTables(trace.tables));
    const c = renderChecks(checks);
    if (c) io.out(`\n${c}`);
  }
  if (trace.aborted) io.err(`opensips-ts: the scenario ${trace.aborted}`);
  return checks.every((c) => c.ok) && !trace.aborted ? EXIT.ok : EXIT.errors;
}

/**
 * The ladder as PNG through librsvg's rsvg-convert (Debian librsvg2-bin): no
 * browser, no native npm module. An error sentence when it cannot be done.
 */
export function svgToPng(svg: string, out: string): string | undefined {
  const r = spawnSync('rsvg-convert', ['--format', 'png', '--output', out], { input: svg, timeout: 30_000 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT')
    return 'a PNG ladder needs rsvg-convert (apt-get install -y librsvg2-bin); --ladder FILE.svg works without it';
  if (r.error || r.status !== 0) return `rsvg-convert failed: ${r.error?.message ?? r.stderr.toString().trim()}`;
  return undefined;
}
