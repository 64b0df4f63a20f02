// Checks a scenario's expectations against its trace.
import type { Expectation, MessageExpectation, TableExpectation } from './model.js';
import type { TableSnapshot, Trace } from './runner.js';
import type { MessageSummary } from './summary.js';

export interface CheckResult {
  expectation: Expectation;
  ok: boolean;
  detail: string;
}

const EPS = 1e-6;

function matches(e: MessageExpectation, m: MessageSummary): boolean {
  if (e.t && (m.t < e.t.from - EPS || m.t > e.t.to + EPS)) return false;
  if (e.from !== undefined && m.from !== e.from) return false;
  if (e.to !== undefined && m.to !== e.to) return false;
  if (e.status !== undefined && m.status !== e.status) return false;
  if (e.method !== undefined && (m.method !== e.method || (e.status === undefined && !m.isRequest))) return false;
  if (e.expires === 'none' && m.expires !== undefined) return false;
  if (typeof e.expires === 'number' && m.expires !== e.expires) return false;
  if (e.contact && !e.contact.test(m.contact ?? '')) return false;
  if (e.src !== undefined && m.fromAddr !== e.src) return false;
  if (e.cseq !== undefined && m.cseq !== e.cseq) return false;
  return true;
}

/** The messages that pass the time/actor/method filters only: what a failed check shows. */
function nearMisses(e: MessageExpectation, messages: MessageSummary[]): MessageSummary[] {
  return messages.filter((m) =>
    matches({ ...e, expires: undefined, contact: undefined, src: undefined, cseq: undefined } as MessageExpectation, m),
  );
}

function checkMessage(e: MessageExpectation, messages: MessageSummary[]): CheckResult {
  const hits = messages.filter((m) => matches(e, m));
  const ok = e.count !== undefined ? hits.length === e.count : hits.length > 0;
  if (ok) return { expectation: e, ok, detail: `${hits.length} matching message(s)` };
  const near = nearMisses(e, messages)
    .slice(0, 3)
    .map(
      (m) =>
        `t=${m.t} ${m.from}->${m.to} ${m.label} Expires=${m.expires ?? '-'} CSeq=${m.cseq ?? '-'} src=${m.fromAddr} Contact=${m.contact ?? '-'}`,
    );
  return {
    expectation: e,
    ok,
    detail: `${hits.length} matching message(s), expected ${e.count ?? 'at least 1'}${near.length ? `; close: ${near.join(' | ')}` : ''}`,
  };
}

function checkTable(e: TableExpectation, tables: TableSnapshot[]): CheckResult {
  const snap = [...tables].reverse().find((s) => s.actor === e.actor && Math.abs(s.t - e.t) < EPS);
  if (!snap) return { expectation: e, ok: false, detail: `no location table of ${e.actor} at t=${e.t}` };
  const rows = snap.rows.filter((r) => r.aor === e.aor);
  const problems: string[] = [];
  if (e.contacts !== undefined && rows.length !== e.contacts)
    problems.push(`${rows.length} contact(s), expected ${e.contacts}`);
  if (e.expires !== undefined && rows[0]?.expiresIn !== e.expires)
    problems.push(`expires in ${rows[0]?.expiresIn ?? '-'} s, expected ${e.expires}`);
  if (e.contact && !rows.some((r) => e.contact!.test(r.contact))) problems.push(`no contact matches ${e.contact}`);
  const seen = rows.map((r) => `${r.contact} (${r.expiresIn} s)`).join(', ') || 'none';
  return {
    expectation: e,
    ok: !problems.length,
    detail: problems.length ? `${problems.join('; ')}; has: ${seen}` : seen,
  };
}

export function checkExpectations(trace: Trace, messages: MessageSummary[]): CheckResult[] {
  return trace.scenario.expect.map((e) =>
    e.kind === 'message' ? checkMessage(e, messages) : checkTable(e, trace.tables),
  );
}

/** Table expectations need a snapshot at their time. */
export function expectationTimes(expect: readonly Expectation[]): number[] {
  return expect.filter((e): e is TableExpectation => e.kind === 'table').map((e) => e.t);
}
