// The dry-run report: the route walked statement by statement, what would
// be sent where, and the location table before and after.
import pc from 'picocolors';
import { displayPath } from '../lint/pretty.js';
import type { DryRunResult, LocationRow, MessageRun } from './dryrun.js';

function locationLines(rows: LocationRow[]): string[] {
  if (!rows.length) return ['    (empty)'];
  return rows.map(
    (r) =>
      `    ${r.domain}  ${r.aor}  <${r.contact}>  expires in ${r.expiresIn === 'permanent' ? 'never' : `${r.expiresIn}s`}` +
      `${r.q ? `  q=${r.q}` : ''}${r.received ? `  received=${r.received}` : ''}${r.socket ? `  socket=${r.socket}` : ''}` +
      `${r.cflags ? `  cflags=${r.cflags}` : ''}  callid=${r.callid} cseq=${r.cseq}`,
  );
}

function runLines(run: MessageRun, cwd: string, color: boolean): string[] {
  const c = pc.createColors(color);
  const out = [
    c.bold(
      `== ${displayPath(run.file, cwd)}: from ${run.from.proto}:${run.from.ip}:${run.from.port}, received on ${run.receivedOn}`,
    ),
    '',
    c.bold('trace'),
  ];
  for (const e of run.trace) {
    const pad = '  '.repeat(e.depth + 1);
    const where = e.span ? `${displayPath(e.span.file, cwd)}:${e.span.line}` : '';
    switch (e.kind) {
      case 'statement':
        out.push(`${pad}${c.dim(where.padEnd(28))} ${e.text}`);
        break;
      case 'read':
        out.push(`${pad}${' '.repeat(29)}${c.cyan('read')} ${e.text}`);
        break;
      case 'call':
        out.push(`${pad}${' '.repeat(29)}${c.magenta('call')} ${e.text}`);
        break;
      case 'branch':
        out.push(`${pad}${' '.repeat(29)}${c.yellow('->')} ${e.text}`);
        break;
      case 'route':
        out.push(`${pad}${c.bold(e.text)}`);
        break;
      case 'log':
        out.push(`${pad}${' '.repeat(29)}${c.green('xlog')} ${e.text}`);
        break;
      default:
        out.push(`${pad}${e.text}`);
    }
  }
  const result = run.stoppedBy
    ? c.red(`stopped: ${run.stoppedBy}`)
    : run.filteredBy
      ? c.yellow(`not given to the script: ${run.filteredBy}`)
      : `$retcode ${run.retcode}${run.dropped ? ', dropped' : ''}`;
  out.push('', `result: ${result}`);
  out.push('', c.bold(`messages the script would send (${run.sent.length}; dry-run: nothing was sent)`));
  run.sent.forEach((m, i) => {
    out.push(
      `  #${i + 1} ${m.kind} by ${m.via}: ${m.from.proto}:${m.from.ip}:${m.from.port} -> ${m.to.proto}:${m.to.ip}:${m.to.port}`,
    );
    for (const line of m.text.replace(/\r\n$/, '').split('\r\n')) out.push(`     | ${line}`);
  });
  if (!run.sent.length) out.push('  (none)');
  out.push(
    '',
    c.bold('location table'),
    '  before:',
    ...locationLines(run.locationBefore),
    '  after:',
    ...locationLines(run.locationAfter),
  );
  if (run.logs.length) out.push('', c.bold('log'), ...run.logs.map((l) => `  ${l.replace(/\n$/, '')}`));
  return out;
}

export function formatDryRun(r: DryRunResult, cwd: string, color: boolean): string {
  const startup = r.startupLogs
    ? [
        [
          pc.createColors(color).bold('== startup_route (run once before the messages)'),
          ...r.startupLogs.map((l) => `  ${l.replace(/\n$/, '')}`),
        ].join('\n'),
      ]
    : [];
  return [...startup, ...r.runs.map((run) => runLines(run, cwd, color).join('\n'))].join('\n\n');
}

export function dryRunJson(r: DryRunResult, cwd: string): string {
  return JSON.stringify(
    {
      diagnostics: r.diagnostics.map((d) => ({
        file: displayPath(d.span.file, cwd),
        line: d.span.line,
        column: d.span.col,
        severity: d.severity,
        rule: d.rule,
        message: d.message,
      })),
      ...(r.fatal ? { fatal: r.fatal } : {}),
      ...(r.startupLogs ? { startupLogs: r.startupLogs } : {}),
      runs: r.runs.map((run) => ({
        file: displayPath(run.file, cwd),
        from: run.from,
        receivedOn: run.receivedOn,
        retcode: run.retcode,
        dropped: run.dropped,
        ...(run.stoppedBy ? { stoppedBy: run.stoppedBy } : {}),
        ...(run.filteredBy ? { filteredBy: run.filteredBy } : {}),
        trace: run.trace.map((e) => ({
          kind: e.kind,
          depth: e.depth,
          text: e.text,
          ...(e.span ? { file: displayPath(e.span.file, cwd), line: e.span.line } : {}),
          ...(e.rc !== undefined ? { rc: e.rc } : {}),
          ...(e.name ? { name: e.name } : {}),
          ...(e.value !== undefined ? { value: e.value } : {}),
        })),
        sent: run.sent,
        locationBefore: run.locationBefore,
        locationAfter: run.locationAfter,
        logs: run.logs,
      })),
    },
    null,
    2,
  );
}
