// Things used on one side only: flags tested but never set (or set and never
// tested), variables read but never written.
import type * as A from '../../cfg/ast.js';
import { routeBodies, walkStatements } from '../../cfg/walk.js';
import type { LintContext, LintRule } from '../context.js';

const FLAG_FUNCS: Record<string, { space: 'msg' | 'branch'; use: 'set' | 'test' | 'reset' }> = {
  setflag: { space: 'msg', use: 'set' },
  resetflag: { space: 'msg', use: 'reset' },
  isflagset: { space: 'msg', use: 'test' },
  setbflag: { space: 'branch', use: 'set' },
  resetbflag: { space: 'branch', use: 'reset' },
  isbflagset: { space: 'branch', use: 'test' },
};

/** Modules that store a REGISTER's branch flags with the contact (and restore them on lookup). */
const STORES_BRANCH_FLAGS = ['registrar', 'mid_registrar'];

/** Flag names that a module parameter hands to a module (tcp_persistent_flag, nat_bflag...). */
function moduleFlagNames(ctx: LintContext): Set<string> {
  const names = new Set<string>();
  for (const m of ctx.loaded.script.modparams) {
    if (/flag$/i.test(m.param) && m.value.kind === 'String') names.add(m.value.value);
  }
  return names;
}

function checkFlags(ctx: LintContext): void {
  const uses = new Map<string, { set: A.Span[]; test: A.Span[] }>();
  for (const r of routeBodies(ctx.loaded.script.routes)) {
    walkStatements(r.body, {
      statement: (s) => {
        if (s.kind !== 'Call' || !FLAG_FUNCS[s.name]) return;
        const a = s.args[0];
        if (a?.kind !== 'String') return;
        const f = FLAG_FUNCS[s.name]!;
        const key = `${f.space}:${a.value}`;
        const u = uses.get(key) ?? { set: [], test: [] };
        if (f.use === 'set') u.set.push(a.span);
        else if (f.use === 'test') u.test.push(a.span);
        uses.set(key, u);
      },
    });
  }
  const byModules = moduleFlagNames(ctx);
  const storesBranch = STORES_BRANCH_FLAGS.some((m) => ctx.engine.resolution.modules.has(m));
  for (const [key, u] of uses) {
    const [space, name] = key.split(':') as ['msg' | 'branch', string];
    if (byModules.has(name)) continue;
    const kind = space === 'msg' ? 'message flag' : 'branch flag';
    if (!u.set.length && u.test.length) {
      for (const span of u.test)
        ctx.report(
          'flag-never-set',
          'warning',
          `${kind} \`${name}\` is tested but never set: this test is always false`,
          span,
          `set it with ${space === 'msg' ? 'setflag' : 'setbflag'}("${name}") where it applies`,
        );
    }
    if (u.set.length && !u.test.length && !(space === 'branch' && storesBranch)) {
      for (const span of u.set)
        ctx.report(
          'flag-never-tested',
          'warning',
          `${kind} \`${name}\` is set but never tested, and no module parameter names it`,
          span,
        );
    }
  }
}

function pvKey(p: A.PVar): string | undefined {
  const s = p.spec;
  if (!s || (s.name !== 'var' && s.name !== 'avp') || !s.inner || s.inner.includes('$')) return undefined;
  return `${s.name}:${s.inner}`;
}

function checkVariables(ctx: LintContext): void {
  const reads = new Map<string, A.Span[]>();
  const writes = new Set<string>();
  const note = (p: A.PVar, write: boolean): void => {
    const k = pvKey(p);
    if (!k) return;
    if (write) writes.add(k);
    else reads.set(k, [...(reads.get(k) ?? []), p.span]);
  };
  for (const r of routeBodies(ctx.loaded.script.routes)) {
    walkStatements(r.body, {
      pvar: note,
      statement: (s) => {
        // A pseudo-variable passed to a `var` parameter is written by the function.
        if (s.kind !== 'Call') return;
        const sig = ctx.engine.runtime.functions.get(s.name)?.signature;
        s.args.forEach((a, i) => {
          if (a?.kind === 'PVar' && sig?.params[i]?.kinds.includes('var')) note(a, true);
        });
      },
      string: (str) => {
        for (const part of str.parts)
          if (
            typeof part !== 'string' &&
            (part.name === 'var' || part.name === 'avp') &&
            part.inner &&
            !part.inner.includes('$')
          )
            reads.set(`${part.name}:${part.inner}`, [...(reads.get(`${part.name}:${part.inner}`) ?? []), str.span]);
      },
    });
  }
  // AVPs named in module parameters are written or read by the modules themselves.
  for (const m of ctx.loaded.script.modparams) {
    if (m.value.kind !== 'String') continue;
    for (const hit of m.value.value.matchAll(/\$(avp|var)\(([^)$]+)\)/g)) writes.add(`${hit[1]}:${hit[2]}`);
  }
  for (const [k, spans] of reads) {
    if (writes.has(k)) continue;
    const [kind, name] = k.split(':');
    ctx.report(
      'variable-never-written',
      'warning',
      `\`$${kind}(${name})\` is read but never written: it is always NULL`,
      spans[0]!,
    );
  }
}

export const usageRules: LintRule = {
  id: 'usage',
  description: 'flags tested but never set (or set but never tested), variables read but never written',
  check(ctx) {
    checkFlags(ctx);
    checkVariables(ctx);
  },
};
