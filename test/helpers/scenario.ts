// Runs a cfg text against a scenario body (uas, timeline, upstream...) written
// to a temp dir: the trace, its message summaries and the log lines.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario } from '../../src/scenario/load.js';
import { runScenario, type Trace } from '../../src/scenario/runner.js';
import { summarize, type MessageSummary } from '../../src/scenario/summary.js';

export async function scenarioOf(
  cfg: string,
  body: string,
): Promise<{ trace: Trace; messages: MessageSummary[]; logs: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'ots-scn-'));
  writeFileSync(join(dir, 'p.cfg'), cfg);
  writeFileSync(join(dir, 's.yaml'), `cfg: p.cfg\n${body}`);
  const s = loadScenario(join(dir, 's.yaml'));
  if ('errors' in s) throw new Error(JSON.stringify(s.errors));
  const trace = await runScenario(s);
  if ('diagnostics' in trace) throw new Error(JSON.stringify(trace.diagnostics));
  return {
    trace,
    messages: trace.deliveries.map((d) => summarize(d, s.startMs)),
    logs: trace.logs.map((l) => `${l.t} ${l.actor}: ${l.text}`),
  };
}
