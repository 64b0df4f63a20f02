// What the registrar modules' semantics make of a cfg: mid_registrar throttling
// that can never absorb, and REGISTERs mid_registrar already answered being relayed.
import type * as A from '../../cfg/ast.js';
import { forEachStatementList, routeBodies, walkStatements } from '../../cfg/walk.js';
import type { LintContext, LintRule } from '../context.js';

function calls(list: readonly A.Statement[], name: string): A.Call | undefined {
  let found: A.Call | undefined;
  walkStatements(list, {
    statement: (s) => {
      if (!found && s.kind === 'Call' && s.name === name) found = s;
    },
  });
  return found;
}

/** The call a condition is (`if (f())`, `if (!f())`), if any. */
function conditionCall(e: A.Expr): { call: A.Call; negated: boolean } | undefined {
  if (e.kind === 'Group') return conditionCall(e.expr);
  if (e.kind === 'Not') {
    const c = conditionCall(e.operand);
    return c ? { call: c.call, negated: !c.negated } : undefined;
  }
  if (e.kind === 'StatementExpr' && e.statement.kind === 'Call') return { call: e.statement, negated: false };
  return undefined;
}

/** Modes 1/2 forward every REGISTER whose clamped expiry reaches outgoing_expires (expO - e <= 0). */
function throttlingRule(ctx: LintContext): void {
  const m = ctx.engine.resolution.modules.get('mid_registrar');
  if (!m) return;
  const mode = m.params.get('mode');
  if (!mode || (mode.value !== 1 && mode.value !== 2)) return;
  const num = (k: string, d: number): number => {
    const v = m.params.get(k)?.value;
    return typeof v === 'number' ? v : d;
  };
  const out = num('outgoing_expires', 3600);
  const max = num('max_expires', 3600);
  if (max && out <= max) {
    const at = m.params.get('outgoing_expires')?.span ?? mode.span;
    ctx.report(
      'mid-registrar-no-throttling',
      'warning',
      `mode ${mode.value} with outgoing_expires ${out} <= max_expires ${max}: a UA asking ${out} s or more has every REGISTER forwarded, nothing is absorbed`,
      at,
      `throttling absorbs a refresh only while the upstream binding outlives the local one: make outgoing_expires larger than max_expires (e.g. ${Math.max(out, max) * 2})`,
    );
  }
}

/** `case 2` (absorbed, already answered) or an `if (mid_registrar_save())` that t_relay()s both 1 and 2. */
function absorbedRelayRule(ctx: LintContext): void {
  for (const r of routeBodies(ctx.loaded.script.routes)) {
    forEachStatementList(r.body, (list) => {
      list.forEach((s, i) => {
        if (s.kind === 'If') {
          const c = conditionCall(s.cond);
          const relay = c && c.call.name === 'mid_registrar_save' && !c.negated ? calls(s.then, 't_relay') : undefined;
          if (relay) {
            ctx.report(
              'mid-registrar-relay-absorbed',
              'warning',
              '`mid_registrar_save` returns 2 when it absorbed the REGISTER and already answered it; this `if` relays it anyway',
              relay.span,
              'test `$retcode == 1` (forward) or use `switch ($retcode)` as the module documentation does',
            );
          }
        }
        if (s.kind !== 'Switch' || !['retcode', 'rc'].includes(s.subject.spec?.name ?? '')) return;
        const prev = list
          .slice(0, i)
          .reverse()
          .find((x) => x.kind !== 'Placeholder');
        if (!prev || prev.kind !== 'Call' || prev.name !== 'mid_registrar_save') return;
        for (const c of s.cases) {
          const relay = c.value?.kind === 'Number' && c.value.value === 2 ? calls(c.body, 't_relay') : undefined;
          if (relay)
            ctx.report(
              'mid-registrar-relay-absorbed',
              'warning',
              '`case 2`: mid_registrar_save absorbed this REGISTER and already answered it; relaying it too sends it upstream after all',
              relay.span,
              'just `break` (the blog cfg does)',
            );
        }
      });
    });
  }
}

/** mid_registrar needs usrloc's memory cache: OpenSIPS refuses sql-only (db_mode 3) at start-up. */
function sqlOnlyRule(ctx: LintContext): void {
  const usrloc = ctx.engine.resolution.modules.get('usrloc');
  if (!usrloc || !ctx.engine.resolution.modules.has('mid_registrar')) return;
  const preset = usrloc.params.get('working_mode_preset');
  const dbMode = usrloc.params.get('db_mode');
  const bad = preset?.value === 'sql-only' ? preset : dbMode?.value === 3 ? dbMode : undefined;
  if (bad)
    ctx.report(
      'mid-registrar-sql-only',
      'error',
      "mid_registrar needs usrloc's memory cache: OpenSIPS 3.3 refuses to start with sql-only (db_mode 3)",
      bad.span,
      'use single-instance-sql-write-back (db_mode 2) or write-through (db_mode 1)',
    );
}

export const registrarRules: LintRule = {
  id: 'registrars',
  description:
    'mid_registrar throttling that cannot absorb; absorbed REGISTERs relayed anyway; mid_registrar on sql-only usrloc',
  check(ctx) {
    throttlingRule(ctx);
    absorbedRelayRule(ctx);
    sqlOnlyRule(ctx);
  },
};
