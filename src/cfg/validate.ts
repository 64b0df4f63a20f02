// The checks OpenSIPS 3.3 makes while it parses (cfg.y actions), which our
// more permissive grammar leaves to this pass: global names and value forms,
// socket protocols, route headers, `break` placement, argument forms of the
// grammar-level commands. Each problem is a positioned diagnostic.
import type * as A from './ast.js';
import type { Diagnostic, Profile, RuleId } from './diagnostic.js';
import { leniency } from './diagnostic.js';
import { GLOBALS, LEGACY_GLOBALS, NEWER_GLOBALS, SOCKET_PROTOCOLS, type GlobalKind } from './globals.js';

type Report = (rule: RuleId, severity: Diagnostic['severity'], message: string, span: A.Span, hint?: string) => void;

export function validateItems(items: readonly A.TopItem[], profile: Profile): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report: Report = (rule, severity, message, span, hint) =>
    out.push({ rule, severity, message, span, ...(hint ? { hint } : {}) });
  for (const item of items) {
    switch (item.kind) {
      case 'Global':
        checkGlobal(item, profile, report);
        break;
      case 'Socket':
        checkSocket(item, profile, report);
        break;
      case 'Alias':
        for (const a of item.aliases) checkProto(a, report, false);
        break;
      case 'Route':
        checkRoute(item, report);
        break;
      default:
        break;
    }
  }
  return out;
}

function valueKind(v: A.GlobalValue): GlobalKind[] {
  switch (v.kind) {
    case 'Number':
      return v.text.startsWith('-') || v.text.startsWith('+') ? ['snumber'] : ['number', 'snumber'];
    case 'String':
      return ['string', 'host'];
    case 'Id':
      return v.text.includes('.') || v.text.includes('-') ? ['host'] : ['id', 'host'];
    case 'Ip':
      return ['host'];
    case 'Words':
      return ['words'];
  }
}

const KIND_WORDS: Record<GlobalKind, string> = {
  number: 'a number or yes/no',
  snumber: 'a number',
  string: 'a quoted string',
  id: 'a bare name',
  host: 'an address or host name',
  words: 'its own syntax',
};

function checkGlobal(g: A.GlobalParam, profile: Profile, report: Report): void {
  const def = GLOBALS[g.name];
  if (!def) {
    const legacy = LEGACY_GLOBALS[g.name];
    const newer = NEWER_GLOBALS[g.name];
    if (newer)
      report(
        'legacy-global',
        leniency(profile),
        `\`${g.name}\` is an OpenSIPS 3.4+ parameter that 3.3 does not know yet`,
        g.nameSpan,
        newer,
      );
    else if (legacy)
      report(
        'legacy-global',
        leniency(profile),
        `\`${g.name}\` is a 1.x/2.x parameter that OpenSIPS 3.3 no longer knows`,
        g.nameSpan,
        legacy,
      );
    else
      report(
        'unknown-global',
        'error',
        `unknown global parameter \`${g.name}\``,
        g.nameSpan,
        'see the core parameters of OpenSIPS 3.3; a module parameter is set with modparam()',
      );
    return;
  }
  const got = valueKind(g.value);
  if (!def.kinds.some((k) => got.includes(k))) {
    report(
      'global-value-type',
      'error',
      `\`${g.name}\` takes ${def.kinds.map((k) => KIND_WORDS[k]).join(' or ')}`,
      g.value.span,
      def.kinds.includes('string') && g.value.kind !== 'String'
        ? 'put the value in double quotes'
        : def.kinds.includes('number') && g.value.kind === 'String'
          ? 'remove the quotes'
          : undefined,
    );
  }
  if (g.autoScalingProfile !== undefined && !def.autoScaling) {
    report('global-value-type', 'error', `\`${g.name}\` does not take \`use_auto_scaling_profile\``, g.span);
  }
}

function checkProto(hp: A.HostPort, report: Report, required: boolean): void {
  if (!hp.proto) {
    if (required)
      report(
        'socket-protocol',
        'error',
        'protocol expected: OpenSIPS 3.3 needs `proto:` before the address',
        hp.hostSpan,
        `write \`udp:${hp.host}${hp.port ? ':' + hp.port : ''}\` (or tcp:, tls:, ...)`,
      );
    return;
  }
  if (hp.proto !== 'any' && !SOCKET_PROTOCOLS.includes(hp.proto)) {
    report(
      'socket-protocol',
      'error',
      `cannot handle protocol \`${hp.proto}\``,
      hp.protoSpan ?? hp.hostSpan,
      `one of ${SOCKET_PROTOCOLS.join(', ')}`,
    );
  }
}

function checkSocket(s: A.SocketDecl, profile: Profile, report: Report): void {
  checkProto(s.address, report, true);
  if (s.keyword === 'listen') {
    report(
      'legacy-listen',
      'warning',
      '`listen` is the deprecated spelling of `socket`',
      s.span,
      'write `socket=` (OpenSIPS 3.3 accepts `listen=` with a warning)',
    );
  }
  if (s.legacyChildren) {
    report(
      'legacy-use-children',
      leniency(profile),
      '`use_children` is the 2.x spelling: OpenSIPS 3.3 rejects it',
      s.legacyChildren,
      'write `use_workers`',
    );
  }
}

const NAMED_ROUTES: A.RouteKind[] = ['failure_route', 'branch_route', 'timer_route', 'event_route'];
const UNNAMED_ROUTES: A.RouteKind[] = ['error_route', 'local_route', 'startup_route'];

function checkRoute(r: A.RouteDecl, report: Report): void {
  const head = r.name?.span ?? r.span;
  if (NAMED_ROUTES.includes(r.routeKind) && !r.name) {
    report('route-name', 'error', `\`${r.routeKind}\` needs a name: \`${r.routeKind}[name]\``, r.span);
  }
  if (UNNAMED_ROUTES.includes(r.routeKind) && r.name) {
    report('route-name', 'error', `\`${r.routeKind}\` takes no name`, head);
  }
  if (r.routeKind === 'timer_route' && (!r.extra || !/^\d/.test(r.extra.text))) {
    report('route-name', 'error', '`timer_route` needs an interval: `timer_route[name, seconds]`', head);
  } else if (r.routeKind !== 'timer_route' && r.extra) {
    report('route-name', 'error', `\`${r.routeKind}[...]\` takes only a name in OpenSIPS 3.3`, r.extra.span);
  }
  if (r.body.length === 0) {
    report(
      'route-empty',
      'error',
      'a route block needs at least one statement',
      r.closeSpan,
      'put `;` or `exit;` in it',
    );
  }
  checkStatements(r.body, { breakable: false }, report);
}

interface Context {
  breakable: boolean;
}

function checkStatements(list: readonly A.Statement[], ctx: Context, report: Report): void {
  for (const s of list) checkStatement(s, ctx, report);
}

function checkStatement(s: A.Statement, ctx: Context, report: Report): void {
  switch (s.kind) {
    case 'Break':
      if (!ctx.breakable)
        report(
          'break-outside-loop',
          'error',
          '`break` is only allowed inside `switch`, `while` or `for`',
          s.span,
          'to leave the route use `exit;` or `return;`',
        );
      break;
    case 'If':
      checkExpr(s.cond, report);
      checkStatements(s.then, ctx, report);
      if (s.otherwise) checkStatements(s.otherwise, ctx, report);
      break;
    case 'While':
      checkExpr(s.cond, report);
      checkStatements(s.body, { breakable: true }, report);
      break;
    case 'ForEach':
      if (s.iterator.spec && !['var', 'avp', 'json'].includes(s.iterator.spec.name)) {
        report('foreach-iterator', 'error', 'the `for` iterator must be a `$var`, `$avp` or `$json`', s.iterator.span);
      }
      checkStatements(s.body, { breakable: true }, report);
      break;
    case 'Switch':
      if (!s.cases.some((c) => c.value !== undefined))
        report('switch-no-case', 'error', 'a `switch` needs at least one `case`', s.span);
      for (const c of s.cases) checkStatements(c.body, { breakable: true }, report);
      break;
    case 'Call':
      checkCall(s, report);
      break;
    case 'Assign':
      checkAssign(s, report);
      break;
    case 'Async':
      checkCall(s.call, report);
      break;
    case 'Assert':
      checkExpr(s.cond, report);
      break;
    case 'Block':
      checkStatements(s.body, ctx, report);
      break;
    default:
      break;
  }
}

function checkExpr(e: A.Expr, report: Report): void {
  switch (e.kind) {
    case 'Logical':
      checkExpr(e.left, report);
      checkExpr(e.right, report);
      break;
    case 'Not':
      checkExpr(e.operand, report);
      break;
    case 'Group':
    case 'Bracket':
      checkExpr(e.expr, report);
      break;
    case 'Binary':
      checkExpr(e.left, report);
      checkExpr(e.right, report);
      break;
    case 'BitNot':
      checkExpr(e.operand, report);
      break;
    case 'Compare':
      checkCompare(e, report);
      break;
    case 'StatementExpr':
      checkStatement(e.statement, { breakable: false }, report);
      break;
    default:
      break;
  }
}

function checkCompare(c: A.Compare, report: Report): void {
  const r = c.right;
  const equality = c.op === '==' || c.op === '!=';
  const match = c.op === '=~' || c.op === '!~';
  if (r.kind === 'Number' && match)
    report(
      'compare-operands',
      'error',
      `\`${c.op}\` needs a string or pseudo-variable on its right, not a number`,
      r.span,
      `quote it: "${r.text}"`,
    );
  if ((r.kind === 'Null' || r.kind === 'Net') && !equality)
    report(
      'compare-operands',
      'error',
      `only \`==\` and \`!=\` can compare with ${r.kind === 'Null' ? 'NULL' : 'an address'}`,
      r.span,
    );
  if (r.kind === 'String' && r.pieces.length > 1)
    report(
      'folded-string',
      'error',
      'adjacent strings are only joined inside xlog()/xdbg()',
      r.span,
      'join them into one string',
    );
}

function checkAssign(a: A.Assign, report: Report): void {
  if (a.target.spec && a.target.spec.transforms.length) {
    report(
      'assign-transformation',
      'error',
      'transformations are not accepted on the left side of an assignment',
      a.target.span,
    );
  }
  if (a.value.kind === 'Null' && a.op !== '=' && a.op !== ':=') {
    report('assign-null', 'error', `only \`=\` and \`:=\` can assign NULL, not \`${a.op}\``, a.value.span);
  }
  checkExpr(a.value, report);
}

/** Grammar-level commands of cfg.y whose arguments have a fixed form. */
function checkCall(c: A.Call, report: Report): void {
  if (c.recovered) return;
  const args = c.args;
  const isString = (x: A.CallArg | undefined): boolean => x?.kind === 'String';
  const bad = (expected: string): void =>
    report('command-arguments', 'error', `\`${c.name}\` takes ${expected}`, c.span);
  switch (c.name) {
    case 'xlog':
      if (args.length < 1 || args.length > 2 || !args.every(isString))
        bad('one or two quoted strings: `xlog("format")` or `xlog("L_INFO", "format")`');
      else if (args.length === 2 && (args[0] as A.StringLit).pieces.length > 1) bad('a single string as its level');
      return;
    case 'xdbg':
      if (args.length !== 1 || !isString(args[0])) bad('one quoted string');
      return;
    case 'log':
      if (!(
        (args.length === 1 && isString(args[0])) ||
        (args.length === 2 && args[0]?.kind === 'Number' && isString(args[1]))
      ))
        bad('`("text")` or `(level, "text")`');
      return;
    case 'error':
      if (!(args.length === 2 && args.every(isString))) bad('two quoted strings');
      return;
    default:
      break;
  }
  for (const a of args) {
    if (a?.kind === 'BareWord')
      report(
        'bare-word-argument',
        'error',
        `\`${a.text}\` is a bare word: function arguments are strings, numbers or pseudo-variables`,
        a.span,
        `quote it: "${a.text}"`,
      );
    if (a?.kind === 'Null')
      report(
        'null-argument',
        'error',
        'NULL is not a function argument',
        a.span,
        'leave the slot empty instead: f(a, , c)',
      );
    if (a?.kind === 'String' && a.pieces.length > 1)
      report(
        'folded-string',
        'error',
        'adjacent strings are only joined inside xlog()/xdbg()',
        a.span,
        'join them into one string',
      );
  }
}
