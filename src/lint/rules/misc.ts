// Sockets, `switch ($retcode)` case values, module parameter values,
// pseudo-variables and transformations the loaded modules do not provide.
import type * as A from '../../cfg/ast.js';
import { forEachStatementList, routeBodies, walkExpr, walkStatements } from '../../cfg/walk.js';
import { loadCatalog } from '../../catalog/index.js';
import { NATIVE_MODULES } from '../../modules/index.js';
import { xlogLevel } from '../../script/core-functions.js';
import type { LintContext, LintRule } from '../context.js';

export const socketRules: LintRule = {
  id: 'sockets',
  description: 'duplicate sockets; $socket_out and force_send_socket naming sockets that are not declared',
  check(ctx) {
    const seen = new Map<string, A.SocketDecl>();
    for (const s of ctx.loaded.script.sockets) {
      const key = `${s.address.proto}:${s.address.host}:${s.address.port ?? ''}`;
      const prev = seen.get(key);
      if (prev)
        ctx.report(
          'socket-duplicate',
          'error',
          `socket \`${key}\` is declared twice`,
          s.span,
          `first declared at line ${prev.span.line}`,
        );
      else seen.set(key, s);
    }
    const declared = (text: string): boolean =>
      ctx.loaded.script.sockets.some((s) => {
        const m = /^(\w+):(.+):(\d+)$/.exec(text.trim());
        return (
          !!m &&
          s.address.proto === m[1]!.toLowerCase() &&
          (s.address.host === m[2] || s.advertised?.host === m[2]) &&
          (s.address.port ?? '5060') === m[3]
        );
      });
    for (const r of routeBodies(ctx.loaded.script.routes)) {
      walkStatements(r.body, {
        statement: (s) => {
          let target: A.StringLit | undefined;
          if (s.kind === 'Assign' && s.target.spec?.name === 'socket_out' && s.value.kind === 'String')
            target = s.value;
          if (s.kind === 'Call' && s.name === 'force_send_socket' && s.args[0]?.kind === 'String') target = s.args[0];
          if (target && target.parts.every((p) => typeof p === 'string') && !declared(target.value)) {
            const refusal =
              s.kind === 'Call'
                ? 'OpenSIPS 3.3 refuses to start ("bad force_send_socket argument ... opensips doesn\'t listen on it")'
                : 'OpenSIPS 3.3 ignores the assignment at run time ("no socket found to match") and sends from the receiving socket';
            ctx.report(
              'socket-undeclared',
              'error',
              `\`${target.value}\` is not a socket declared by a \`socket=\` line: ${refusal}`,
              target.span,
              'declare it with a `socket=` line or fix the address; `run` tolerates it in the default profile and sends from the receiving socket',
            );
          }
        },
      });
    }
  },
};

function checkSwitchList(ctx: LintContext, list: readonly A.Statement[]): void {
  list.forEach((s, i) => {
    if (s.kind !== 'Switch' || !['retcode', 'rc'].includes(s.subject.spec?.name ?? '')) return;
    const prev = list
      .slice(0, i)
      .reverse()
      .find((x) => x.kind !== 'Placeholder');
    if (!prev || prev.kind !== 'Call') {
      ctx.report(
        'retcode-switch',
        'warning',
        `\`switch (${s.subject.text})\` does not follow a function call: it tests the code of ${prev ? `a ${prev.kind.toLowerCase()} statement` : 'whatever ran before'}`,
        s.subject.span,
      );
      return;
    }
    const returns = ctx.engine.runtime.functions.get(prev.name)?.behaviour?.returns;
    if (!returns) return;
    for (const c of s.cases) {
      if (c.value?.kind === 'Number' && !returns.includes(c.value.value)) {
        ctx.report(
          'retcode-case-impossible',
          'warning',
          `\`${prev.name}\` never returns ${c.value.value}: this case never runs`,
          c.value.span,
          `it returns ${returns.join(', ')}`,
        );
      }
    }
  });
}

/** Logging commands: their code is always 1, so a $rc read right after one reads theirs. */
const LOGGING = new Set(['xlog', 'xdbg', 'log']);

/** The $rc/$retcode reads of a statement itself (its condition, value or subject), not of the statements nested in it. */
function ownRetcodeReads(s: A.Statement): A.PVar[] {
  const reads: A.PVar[] = [];
  const visit = {
    pvar: (p: A.PVar) => {
      if (['retcode', 'rc'].includes(p.spec?.name ?? '')) reads.push(p);
    },
  };
  if (s.kind === 'If' || s.kind === 'While') walkExpr(s.cond, visit);
  else if (s.kind === 'Assign') walkExpr(s.value, visit);
  else if (s.kind === 'Switch') visit.pvar(s.subject);
  else if (s.kind === 'Call') for (const a of s.args) if (a?.kind === 'PVar') visit.pvar(a);
  return reads;
}

function checkReadAfterLog(ctx: LintContext, list: readonly A.Statement[]): void {
  const live = list.filter((x) => x.kind !== 'Placeholder');
  live.forEach((s, i) => {
    const prev = live[i - 1];
    if (!prev || prev.kind !== 'Call' || !LOGGING.has(prev.name)) return;
    for (const read of ownRetcodeReads(s)) {
      ctx.report(
        'retcode-after-log',
        'warning',
        `\`${read.text}\` here is the code of the \`${prev.name}\` just above (always 1), not of an earlier function`,
        read.span,
        `keep the code first: \`$var(rc) = $rc;\` before the ${prev.name}`,
      );
    }
  });
}

export const retcodeRules: LintRule = {
  id: 'retcode',
  description: '`switch ($retcode)` cases a function can never return; $rc read right after a log line',
  check(ctx) {
    for (const r of routeBodies(ctx.loaded.script.routes)) {
      forEachStatementList(r.body, (list) => {
        checkSwitchList(ctx, list);
        checkReadAfterLog(ctx, list);
      });
    }
  },
};

export const modparamValueRules: LintRule = {
  id: 'modparam-values',
  description: 'module parameter values outside what the module accepts',
  check(ctx) {
    for (const m of ctx.engine.resolution.modules.values()) {
      const validators = NATIVE_MODULES[m.name]?.params;
      if (!validators) continue;
      for (const [name, p] of m.params) {
        const err = validators[name]?.validate?.(p.value);
        if (err) ctx.report('modparam-value', 'error', `\`${m.name}\` parameter \`${name}\`: ${err}`, p.span);
      }
    }
  },
};

export const pvRules: LintRule = {
  id: 'pvs',
  description: 'transformations the loaded modules do not provide; xlog levels',
  check(ctx) {
    const catalog = loadCatalog();
    const classes = new Map<string, Set<string> | undefined>();
    for (const t of catalog.core.transformations)
      classes.set(t.class, t.methodsComplete ? new Set(t.methods) : undefined);
    for (const m of ctx.engine.resolution.modules.values())
      for (const t of m.entry.transformations ?? []) classes.set(t.class, undefined);
    const checkSpec = (spec: A.PVarSpec | undefined, span: A.Span): void => {
      for (const t of spec?.transforms ?? []) {
        const dot = t.name.indexOf('.');
        const cls = dot < 0 ? t.name : t.name.slice(0, dot);
        if (!classes.has(cls)) {
          ctx.report('unknown-transformation', 'error', `unknown transformation class \`{${cls}.}\``, span);
          continue;
        }
        const methods = classes.get(cls);
        if (methods && !methods.has(t.name.slice(dot + 1)))
          ctx.report('unknown-transformation', 'error', `unknown transformation \`{${t.name}}\``, span);
      }
    };
    for (const r of routeBodies(ctx.loaded.script.routes)) {
      walkStatements(r.body, {
        pvar: (p) => checkSpec(p.spec, p.span),
        string: (s) => {
          for (const part of s.parts) if (typeof part !== 'string') checkSpec(part, s.span);
        },
        statement: (s) => {
          if (s.kind === 'Call' && s.name === 'xlog' && s.args.length === 2 && s.args[0]?.kind === 'String') {
            const lv = s.args[0].value;
            if (!lv.startsWith('$') && xlogLevel(lv) === undefined)
              ctx.report(
                'argument-value',
                'error',
                `\`${lv}\` is not a log level`,
                s.args[0].span,
                'use L_ALERT, L_CRIT, L_ERR, L_WARN, L_NOTICE, L_INFO or L_DBG',
              );
          }
        },
      });
    }
  },
};
