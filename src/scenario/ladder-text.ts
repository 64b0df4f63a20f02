// The message ladder in the terminal: one lane per actor, one arrow per
// message, log lines where they happened, then the location tables each time
// they changed, then the checks.
import type { CheckResult } from './expect.js';
import type { TableSnapshot, Trace } from './runner.js';
import type { MessageSummary } from './summary.js';

const TIME_W = 10;

function fmtTime(t: number): string {
  return `${Number.isInteger(t) ? t : t.toFixed(3)}s`.padStart(TIME_W - 2) + '  ';
}

function put(line: string[], at: number, text: string): void {
  for (let i = 0; i < text.length; i++) if (at + i >= 0 && at + i < line.length) line[at + i] = text[i]!;
}

export function renderLadder(trace: Trace, messages: MessageSummary[], opts: { detail?: boolean } = {}): string {
  const lanes = trace.actors.map((a) => a.name);
  const longest = Math.max(
    12,
    ...messages.map((m) => m.label.length + 8),
    ...trace.actors.map((a) => Math.max(a.title.length, (a.addresses[0] ?? '').length) + 3),
  );
  const laneW = longest;
  const center = (i: number): number => TIME_W + Math.floor(laneW / 2) + i * laneW;
  const width = TIME_W + laneW * lanes.length;
  const blank = (): string[] => {
    const l = Array<string>(width).fill(' ');
    lanes.forEach((_, i) => {
      l[center(i)] = '|';
    });
    return l;
  };
  const out: string[] = [];
  const headerLine = (f: (i: number) => string): void => {
    const l = Array<string>(width).fill(' ');
    lanes.forEach((_, i) => {
      const s = f(i).slice(0, laneW - 2);
      put(l, center(i) - Math.floor(s.length / 2), s);
    });
    out.push(l.join('').trimEnd());
  };
  headerLine((i) => lanes[i]!);
  headerLine((i) => trace.actors[i]!.title);
  headerLine((i) => trace.actors[i]!.addresses[0] ?? '');
  const logsAfter = new Map<number, string[]>();
  for (const l of trace.logs) {
    const list = logsAfter.get(l.after) ?? [];
    list.push(`${fmtTime(l.t)}${' '.repeat(4)}${l.actor}: ${l.text}`);
    logsAfter.set(l.after, list);
  }
  out.push(...(logsAfter.get(0) ?? []));
  messages.forEach((m, n) => {
    const a = lanes.indexOf(m.from);
    const b = lanes.indexOf(m.to);
    const l = blank();
    put(l, 0, fmtTime(m.t));
    const ca = center(a);
    const cb = b >= 0 ? center(b) : a < lanes.length - 1 ? width - 2 : 0;
    const [lo, hi] = ca < cb ? [ca, cb] : [cb, ca];
    for (let x = lo + 1; x < hi; x++) l[x] = '-';
    if (b < 0) l[cb] = 'x';
    else if (ca < cb) l[cb - 1] = '>';
    else l[cb + 1] = '<';
    const label = ` ${m.label} `;
    put(l, lo + 1 + Math.max(1, Math.floor((hi - lo - 1 - label.length) / 2)), label);
    let line = l.join('').trimEnd();
    if (opts.detail !== false && m.contact)
      line += `   Contact: ${m.contact.length > 90 ? `${m.contact.slice(0, 87)}...` : m.contact}${m.expires !== undefined ? `  Expires: ${m.expires}` : ''}`;
    if (b < 0) line += `   (no actor at ${m.toAddr}: lost)`;
    out.push(line);
    out.push(...(logsAfter.get(n + 1) ?? []));
  });
  return out.join('\n');
}

/** The tables each time one of them changed (time passing alone is not a change). */
export function changedTables(tables: TableSnapshot[]): TableSnapshot[] {
  const last = new Map<string, string>();
  return tables.filter((s) => {
    const key = JSON.stringify(s.rows.map((r) => [r.aor, r.contact, r.contactId, Math.round(s.t + r.expiresIn)]));
    if (last.get(s.actor) === key) return false;
    last.set(s.actor, key);
    return true;
  });
}

export function renderTables(tables: TableSnapshot[]): string {
  const out: string[] = ['location tables (when they changed):'];
  for (const s of changedTables(tables)) {
    if (!s.rows.length) {
      out.push(`${fmtTime(s.t)}${s.actor}: empty`);
      continue;
    }
    s.rows.forEach((r, i) =>
      out.push(
        `${i ? ' '.repeat(TIME_W) : fmtTime(s.t)}${i ? ' '.repeat(s.actor.length + 2) : `${s.actor}: `}${r.aor}  ${r.contact}  expires in ${r.expiresIn} s  (contact id ${r.contactId})`,
      ),
    );
  }
  return out.join('\n');
}

export function renderChecks(results: CheckResult[]): string {
  if (!results.length) return '';
  const failed = results.filter((r) => !r.ok).length;
  const lines = results.map(
    (r) =>
      `  ${r.ok ? 'ok  ' : 'FAIL'} line ${r.expectation.line}: ${r.expectation.text}${r.ok ? '' : `\n        ${r.detail}`}`,
  );
  return [`checks: ${results.length - failed} passed, ${failed} failed`, ...lines].join('\n');
}
