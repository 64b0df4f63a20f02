// Function calls: argument count and kinds (mod_fix.c check_cmd_call_params),
// route types (directly and through the route() call graph), and the
// start-up fix-ups of native modules (flag strings, ranges, regexes).
import type * as A from '../../cfg/ast.js';
import { routeBodies, walkStatements } from '../../cfg/walk.js';
import type { CmdParam } from '../../catalog/types.js';
import { regexError } from '../../script/regex.js';
import { staticArgs } from '../../script/static-args.js';
import type { LintContext, LintRule } from '../context.js';

const ordinal = (i: number): string => `${i + 1}${['st', 'nd', 'rd'][i] ?? 'th'}`;

function kindWords(p: CmdParam): string {
  if (p.kinds.includes('var') && p.kinds.length === 1) return 'a pseudo-variable';
  if (p.kinds.includes('int')) return 'a number or a pseudo-variable';
  return p.static ? 'a constant string' : 'a string or a pseudo-variable';
}

function checkArgKind(ctx: LintContext, c: A.Call, p: CmdParam, a: A.CallArg, i: number): void {
  const where = `the ${ordinal(i)} argument of \`${c.name}\``;
  const bad = (hint?: string): void =>
    ctx.report('argument-type', 'error', `${where} must be ${kindWords(p)}`, a.span, hint);
  if (a.kind === 'BareWord' || a.kind === 'Null') return; // reported by the cfg layer
  if (p.kinds.includes('int')) {
    if (a.kind === 'String')
      bad(/^-?\d+$/.test(a.value) ? `remove the quotes: ${a.value} (3.3 rejects a quoted number here)` : undefined);
    return;
  }
  if (p.kinds.includes('str') || p.kinds.includes('regex')) {
    if (a.kind === 'Number') {
      bad(`quote it: "${a.text}"`);
      return;
    }
    if (p.static && a.kind === 'PVar')
      ctx.report('argument-type', 'error', `${where} does not accept variables`, a.span);
    if (p.static && a.kind === 'String' && !p.noExpand && a.parts.some((x) => typeof x !== 'string'))
      ctx.report('argument-type', 'error', `${where} does not accept pseudo-variables in the string`, a.span);
    if (p.kinds.includes('regex') && !p.kinds.includes('str') && a.kind === 'String') {
      const err = regexError(a.value);
      if (err) ctx.report('bad-regex', 'error', `${where} is not a valid regular expression: ${err}`, a.span);
    }
    return;
  }
  if (p.kinds.includes('var') && a.kind !== 'PVar') bad();
}

function checkCall(ctx: LintContext, c: A.Call, route: A.RouteDecl): void {
  const entry = ctx.engine.runtime.functions.get(c.name);
  if (!entry) return; // unknown functions are reported by module resolution
  const sig = entry.signature;
  if (c.args.length > sig.maxArgs) {
    ctx.report(
      'argument-count',
      'error',
      `\`${c.name}\` takes at most ${sig.maxArgs} argument${sig.maxArgs === 1 ? '' : 's'}, ${c.args.length} given`,
      c.span,
    );
  }
  sig.params.forEach((p, i) => {
    const a = c.args[i];
    if (!a && !p.optional)
      ctx.report('argument-count', 'error', `\`${c.name}\` needs its ${ordinal(i)} argument`, c.span);
    if (a) checkArgKind(ctx, c, p, a, i);
  });
  const fixup = entry.behaviour?.fixup;
  if (fixup)
    fixup(staticArgs(c), (message, span, hint, severity) =>
      ctx.report('argument-value', severity ?? 'error', `\`${c.name}\`: ${message}`, span, hint),
    );
  const types = ctx.routeTypes.get(route);
  if (!types || !sig.routes.length) return;
  for (const [t, chain] of types) {
    if (sig.routes.includes(t)) continue;
    const via = chain.length > 1 ? ` (reached through ${chain.join(' -> ')})` : '';
    ctx.report(
      'route-type',
      'error',
      `\`${c.name}\` cannot be used in ${/^[aeio]/.test(t) ? 'an' : 'a'} ${t} route${via}`,
      c.nameSpan,
      `it is allowed in: ${sig.routes.join(', ')} routes`,
    );
  }
}

export const callRules: LintRule = {
  id: 'calls',
  description: 'argument count and kinds, route types, start-up fix-ups of module functions',
  check(ctx) {
    for (const r of routeBodies(ctx.loaded.script.routes)) {
      walkStatements(r.body, {
        statement: (s) => {
          if (s.kind === 'Call') checkCall(ctx, s, r);
        },
      });
    }
  },
};
