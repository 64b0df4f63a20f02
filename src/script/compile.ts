// Route bodies compiled once into closures (design.md: "the script itself is
// compiled once, not re-walked with lookups by name per message"). Statement
// semantics follow cfg-language.md §6 and §9: a function returning 0 stops
// the whole script, `return` leaves the route, `switch` falls through until
// `break`, $retcode is the value of the last statement.
import type * as A from '../cfg/ast.js';
import { printFormat } from '../cfg/pvar.js';
import { argText, expr as printExpr } from '../cfg/print.js';
import type { ArgValue } from './module-contract.js';
import { ERR_INFO, Flow, type ExecContext } from './context.js';
import { binary, compileCond, compileValue, ERR, type ExprEnv } from './expressions.js';
import { compileSpec, PvCompileError, type PvAccess } from './pv.js';
import { CORE_PVS } from './pv-core.js';
import type { FunctionEntry, Runtime } from './runtime.js';
import { intForm, strEqualsNoCase, strForm, type Val } from './values.js';
import { ScriptCompileError } from './errors.js';
import { ASSERT_FAILED } from './errinfo.js';
import { traceName, traceStatement } from './script-trace.js';

export type StmtFn = (ctx: ExecContext) => void;

export class NotImplementedError extends Error {
  constructor(
    readonly fn: string,
    readonly module: string,
  ) {
    super(`${fn}() of module ${module} has no native implementation in opensips-ts yet`);
  }
}

export { ScriptCompileError };

type KeywordCommand = (call: A.Call, c: Compiler) => StmtFn;

export class Compiler implements ExprEnv {
  /** Grammar-level commands (xlog, log...) registered by the core. */
  static keywords = new Map<string, KeywordCommand>();

  /** Statements that could not be compiled; each runs as an error at run time. */
  readonly errors: ScriptCompileError[] = [];

  constructor(readonly rt: Runtime) {}

  pv(p: A.PVar): PvAccess {
    if (!p.spec) throw new ScriptCompileError(`invalid pseudo-variable \`${p.text}\``, p.span, 'pvar-syntax');
    try {
      return compileSpec(p.spec, (name) => this.rt.modulePvs.get(name), p.text);
    } catch (err) {
      if (err instanceof PvCompileError) throw new ScriptCompileError(err.message, p.span, 'pvar-unknown');
      throw err;
    }
  }

  format(s: A.StringLit): (ctx: ExecContext) => string {
    if (s.parts.every((p) => typeof p === 'string')) {
      const v = s.value;
      return () => v;
    }
    const parts = s.parts.map((p) => {
      if (typeof p === 'string') return p;
      try {
        return compileSpec(p, (n) => this.rt.modulePvs.get(n), printFormat([p]));
      } catch (err) {
        if (err instanceof PvCompileError)
          throw new ScriptCompileError(`${err.message} in the string`, s.span, 'pvar-unknown');
        throw err;
      }
    });
    return (ctx) => {
      let out = '';
      for (const p of parts)
        out +=
          typeof p === 'string'
            ? p
            : (() => {
                const v = p.get(ctx);
                return v === null ? '<null>' : String(v);
              })();
      return out;
    };
  }

  private statementOrError(s: A.Statement): StmtFn {
    try {
      return this.statement(s);
    } catch (err) {
      if (!(err instanceof ScriptCompileError)) throw err;
      this.errors.push(err);
      return () => {
        throw err;
      };
    }
  }

  /** A statement inside a condition or operand: the enclosing statement is what the trace shows. */
  statementInExpr(s: A.Statement): StmtFn {
    return this.statementInner(s);
  }

  statement(s: A.Statement): StmtFn {
    const run = this.statementInner(s);
    const span = s.span;
    const text = describe(s);
    const traced = traceName(s);
    return (ctx) => {
      ctx.current = span;
      if (ctx.runtime.scriptTrace && traced) traceStatement(ctx, ctx.runtime.scriptTrace, traced, span);
      if (ctx.tracer) ctx.tracer.event({ kind: 'statement', span, text, depth: ctx.tracer.depth });
      run(ctx);
      if (ctx.errPending) runErrorRouteAfter(ctx);
    };
  }

  block(list: readonly A.Statement[]): StmtFn {
    const fns = list.filter((s) => s.kind !== 'Placeholder').map((s) => this.statementOrError(s));
    if (fns.length === 1) return fns[0]!;
    return (ctx) => {
      for (const f of fns) {
        f(ctx);
        if (ctx.flow !== Flow.None) return;
      }
    };
  }

  private statementInner(s: A.Statement): StmtFn {
    switch (s.kind) {
      case 'Call':
        return this.call(s);
      case 'RouteCall':
        return this.routeCall(s);
      case 'Assign':
        return this.assign(s);
      case 'If':
        return this.ifStatement(s);
      case 'Switch':
        return this.switchStatement(s);
      case 'While':
        return this.whileStatement(s);
      case 'ForEach':
        return this.forEach(s);
      case 'Exit':
        return (ctx) => {
          ctx.retcode = 0;
          ctx.flow = Flow.Exit;
        };
      case 'Drop':
        return (ctx) => {
          ctx.retcode = 0;
          ctx.dropped = true;
          ctx.flow = Flow.Exit;
        };
      case 'Break':
        return (ctx) => {
          ctx.flow = Flow.Break;
        };
      case 'Return':
        return this.returnStatement(s);
      case 'Block':
        return this.block(s.body);
      case 'Placeholder':
      case 'Include':
        return () => undefined;
      case 'Assert': {
        const cond = compileCond(s.cond, this);
        const msg = this.format(s.message);
        // With enable_asserts, a failed assert logs, runs error_route and ends the script (action.c ASSERT_T).
        return (ctx) => {
          if (!ctx.runtime.enableAsserts) return;
          const v = cond(ctx);
          if (ctx.flow) return;
          ctx.retcode = 1;
          if (v > 0) return;
          ctx.runtime.logger.log(-2, 'core', 'do_action', `ASSERTION FAILED - ${msg(ctx)}`);
          ctx.setError(ASSERT_FAILED);
          runErrorRouteAfter(ctx, true);
          ctx.retcode = 0;
          ctx.flow = Flow.Exit;
        };
      }
      case 'Async': {
        const run = this.call(s.call);
        const resume = s.resumeRoute?.text;
        return (ctx) => {
          run(ctx);
          if (ctx.flow || !resume) return;
          const route = ctx.runtime.route('route', resume);
          if (s.keyword === 'async') {
            if (route) route.run(ctx);
            ctx.flow = Flow.Exit;
          }
        };
      }
    }
  }

  // ---- calls -------------------------------------------------------------------
  call(c: A.Call): StmtFn {
    const keyword = Compiler.keywords.get(c.name);
    if (keyword) return keyword(c, this);
    const entry = this.rt.functions.get(c.name);
    if (!entry) throw new ScriptCompileError(`unknown function \`${c.name}\``, c.nameSpan, 'unknown-function');
    const args = c.args.map((a, i) => this.argument(a, entry, i));
    const name = c.name;
    const impl = entry.behaviour?.impl;
    entry.behaviour?.prepare?.(
      this.rt,
      c.args.map((a) => (a?.kind === 'String' ? a.value : a?.kind === 'Number' ? a.value : undefined)),
    );
    return (ctx) => {
      const stubs = ctx.runtime.stubs;
      const stub = stubs.size === 0 ? undefined : stubs.get(name);
      let rc: number;
      if (stub !== undefined) rc = stub;
      else if (!impl) throw new NotImplementedError(name, entry.module);
      else rc = impl(ctx, argValues(args, ctx));
      ctx.retcode = rc;
      if (ctx.tracer)
        ctx.tracer.event({
          kind: 'call',
          span: c.span,
          name,
          rc,
          text: `${name}(${c.args.map(argText).join(', ')}) -> ${rc}${stub !== undefined ? ' (stub)' : ''}`,
          depth: ctx.tracer.depth,
        });
      if (rc === 0) ctx.flow = Flow.Exit;
    };
  }

  private argument(a: A.CallArg | undefined, entry: FunctionEntry, i: number): (ctx: ExecContext) => ArgValue {
    if (!a) return () => ({ given: false });
    const param = entry.signature.params[i];
    const kinds = param?.kinds ?? ['str'];
    switch (a.kind) {
      case 'Number': {
        const v: ArgValue = { given: true, int: a.value, str: String(a.value), val: a.value };
        return () => v;
      }
      case 'String': {
        if (param?.static || param?.noExpand || (kinds.includes('regex') && !kinds.includes('str'))) {
          const v: ArgValue = { given: true, str: a.value, val: a.value };
          return () => v;
        }
        const num = /^-?\d+$/.test(a.value) ? Number(a.value) : undefined;
        if (a.parts.every((p) => typeof p === 'string')) {
          // No variable in it: the same value every time, built once (as for numbers).
          const v: ArgValue = { given: true, str: a.value, val: a.value, ...(num !== undefined ? { int: num } : {}) };
          return () => v;
        }
        const f = this.format(a);
        return (ctx) => {
          const s = f(ctx);
          return { given: true, str: s, val: s, ...(num !== undefined ? { int: num } : {}) };
        };
      }
      case 'PVar': {
        const pv = this.pv(a);
        const all = this.allValues(a);
        const access = {
          get: (ctx: ExecContext) => pv.get(ctx),
          set: (ctx: ExecContext, v: Val) => pv.set?.(ctx, v, '=') ?? false,
          all,
        };
        return (ctx) => {
          const v = pv.get(ctx);
          const s = strForm(v);
          const n = intForm(v);
          return {
            given: true,
            val: v,
            pv: access,
            ...(s !== undefined ? { str: s } : {}),
            ...(n !== undefined ? { int: n } : {}),
          };
        };
      }
      default:
        return () => ({ given: false });
    }
  }

  private routeCall(r: A.RouteCall): StmtFn {
    const args = r.args.map((a) => (a.kind === 'Null' ? () => null : compileValue(a, this)));
    const dynamic = 'kind' in r.target ? this.pv(r.target) : undefined;
    const staticName = 'kind' in r.target ? undefined : r.target.text;
    return (ctx) => {
      const name = dynamic ? String(dynamic.get(ctx) ?? '') : staticName!;
      const route = ctx.runtime.route('route', name);
      const params = args.map((f) => {
        const v = f(ctx);
        return v === ERR ? null : v;
      });
      let value: number;
      if (!route) {
        // Compat C5: an undefined route behaves as an empty route returning 1 (warned at start-up).
        value = dynamic ? -1 : 1;
        if (dynamic) ctx.runtime.logger.log(-1, 'core', 'do_action', `route [${name}] is not defined`);
      } else value = runRoute(ctx, route, 'request', name, params);
      ctx.retcode = value;
      if (value === 0) ctx.flow = Flow.Exit;
    };
  }

  // ---- assignment ----------------------------------------------------------------
  private assign(s: A.Assign): StmtFn {
    const target = this.pv(s.target);
    const set = target.set;
    if (!set)
      throw new ScriptCompileError(
        `\`${s.target.text}\` is read-only: it cannot be assigned`,
        s.target.span,
        'readonly-assign',
      );
    const value = s.value.kind === 'Null' ? () => null : compileValue(s.value, this);
    const op = s.op;
    const arith = op.length === 2 && op !== ':=' ? (op[0] as A.ArithOp) : undefined;
    const intLiteral = s.value.kind === 'Number';
    return (ctx) => {
      let v = value(ctx);
      if (v === ERR) {
        ctx.retcode = -1;
        return;
      }
      if (arith) {
        const cur = target.get(ctx);
        if (cur === null || v === null) {
          ctx.retcode = -1;
          return;
        }
        if (typeof cur === 'string' && (arith !== '+' || typeof v !== 'string')) {
          ctx.retcode = -1;
          return;
        }
        const r = binary(arith, cur, v, intLiteral);
        if (r === ERR) {
          ctx.retcode = -1;
          return;
        }
        v = r;
      }
      ctx.retcode = set(ctx, v, op === ':=' ? ':=' : '=') ? 1 : -1;
    };
  }

  // ---- control flow ----------------------------------------------------------------
  private ifStatement(s: A.If): StmtFn {
    const cond = compileCond(s.cond, this);
    const then = this.block(s.then);
    const otherwise = s.otherwise ? this.block(s.otherwise) : undefined;
    const thenEmpty = s.then.every((x) => x.kind === 'Placeholder');
    const otherwiseEmpty = !!s.otherwise && s.otherwise.every((x) => x.kind === 'Placeholder');
    return (ctx) => {
      const c = cond(ctx);
      if (ctx.flow) return;
      if (ctx.tracer)
        ctx.tracer.event({
          kind: 'branch',
          span: s.span,
          text: c > 0 ? 'condition true: then-branch' : otherwise ? 'condition false: else-branch' : 'condition false',
          depth: ctx.tracer.depth,
        });
      // Inside the branch $rc is still the code of the condition's last function (action.c IF_T); after it, the branch's last statement's.
      if (c > 0) {
        if (thenEmpty) ctx.retcode = c;
        else then(ctx);
      } else if (otherwise) {
        if (otherwiseEmpty) ctx.retcode = c;
        else otherwise(ctx);
      } else ctx.retcode = c;
    };
  }

  private switchStatement(s: A.Switch): StmtFn {
    const subject = this.pv(s.subject);
    const bodies = s.cases.map((c) => this.block(c.body));
    const matchers = s.cases.map((c) => {
      if (!c.value) return undefined;
      if (c.value.kind === 'Number') {
        const n = c.value.value;
        return (v: Val) => intForm(v) === n;
      }
      const text = c.value.value;
      return (v: Val) => {
        const sv = strForm(v);
        return sv !== undefined && strEqualsNoCase(sv, text);
      };
    });
    const defaultIndex = s.cases.findIndex((c) => !c.value);
    return (ctx) => {
      const v = subject.get(ctx);
      let start = matchers.findIndex((m) => m?.(v));
      if (start < 0) start = defaultIndex;
      if (ctx.tracer)
        ctx.tracer.event({
          kind: 'branch',
          span: s.span,
          text: `switch on ${s.subject.text} = ${JSON.stringify(v)}: ${start < 0 ? 'no case' : s.cases[start]!.value ? `case ${s.cases[start]!.value!.kind === 'Number' ? (s.cases[start]!.value as A.NumberLit).text : JSON.stringify((s.cases[start]!.value as A.StringLit).value)}` : 'default'}`,
          depth: ctx.tracer.depth,
        });
      ctx.retcode = 1;
      if (start < 0) return;
      for (let i = start; i < bodies.length; i++) {
        bodies[i]!(ctx);
        if (ctx.flow === Flow.Break) {
          ctx.flow = Flow.None;
          return;
        }
        if (ctx.flow) return;
      }
    };
  }

  private whileStatement(s: A.While): StmtFn {
    const cond = compileCond(s.cond, this);
    const body = this.block(s.body);
    return (ctx) => {
      let n = 0;
      for (;;) {
        const c = cond(ctx);
        if (ctx.flow || c <= 0) return;
        if (++n > ctx.runtime.maxWhileLoops) {
          ctx.runtime.logger.log(-1, 'core', 'do_action', `runaway while (${n - 1} loops), increase max_while_loops`);
          return;
        }
        body(ctx);
        const f = flowOf(ctx);
        if (f === Flow.Break) {
          ctx.flow = Flow.None;
          return;
        }
        if (f) return;
      }
    };
  }

  private forEach(s: A.ForEach): StmtFn {
    const iterator = this.pv(s.iterator);
    const source = s.source;
    const body = this.block(s.body);
    const values = this.allValues(source);
    return (ctx) => {
      for (const v of values(ctx)) {
        iterator.set?.(ctx, v, ':=');
        body(ctx);
        const f = flowOf(ctx);
        if (f === Flow.Break) {
          ctx.flow = Flow.None;
          return;
        }
        if (f) return;
      }
    };
  }

  /** Every value of `$avp(x)` (newest first) or of a multi-value PV. */
  private allValues(p: A.PVar): (ctx: ExecContext) => Val[] {
    if (p.spec?.name === 'avp') {
      const name = p.spec.inner ?? '';
      return (ctx) => [...(ctx.avps.get(name) ?? [])].reverse();
    }
    // Only a variable with several values (`$ct`, `$hdr(x)`...) has an `[*]` form; any other has its one value.
    const def = p.spec ? (CORE_PVS[p.spec.name] ?? this.rt.modulePvs.get(p.spec.name)) : undefined;
    const withAll = p.spec && def?.all && p.spec.index === undefined ? { ...p.spec, index: '*' } : undefined;
    const pv = withAll ? compileSpec(withAll, (n) => this.rt.modulePvs.get(n), p.text) : this.pv(p);
    return (ctx) => {
      const v = pv.get(ctx);
      return v === null ? [] : withAll ? String(v).split(',') : [v];
    };
  }

  private returnStatement(s: A.Return): StmtFn {
    const value = s.value;
    if (!value)
      return (ctx) => {
        ctx.returnValue = 1;
        ctx.retcode = 1;
        ctx.flow = Flow.Return;
      };
    if (value.kind === 'Number') {
      const n = value.value;
      return (ctx) => {
        ctx.returnValue = n;
        ctx.retcode = n;
        ctx.flow = Flow.Return;
      };
    }
    const pv = this.pv(value);
    return (ctx) => {
      const v = pv.get(ctx);
      const n = v === null ? -1 : typeof v === 'number' ? v : 1;
      ctx.returnValue = n;
      ctx.retcode = n;
      ctx.flow = Flow.Return;
    };
  }
}

/** Each argument's value for this run (a loop: map() would allocate a closure per call). */
function argValues(args: readonly ((ctx: ExecContext) => ArgValue)[], ctx: ExecContext): ArgValue[] {
  const out = new Array<ArgValue>(args.length);
  for (let i = 0; i < args.length; i++) out[i] = args[i]!(ctx);
  return out;
}

/** Read the flow without TypeScript's narrowing: statements change it behind its back. */
function flowOf(ctx: ExecContext): Flow {
  return ctx.flow;
}

/** The params of a route run without any: one shared array, only ever read. */
const NO_PARAMS: Val[] = Object.freeze([]) as unknown as Val[];

/** Run a route body; its value is its `return(n)` or the code of its last statement. */
/**
 * After a statement that set the error info: error_route runs, nested, on the
 * same message (not from onreply or local routes, not inside itself), then
 * the info is reset; an `exit` there ends the whole script (action.c).
 */
function runErrorRouteAfter(ctx: ExecContext, fromAssert = false): void {
  ctx.errPending = false;
  const type = ctx.routeStack[0]?.type;
  if (ctx.routeStack.some((r) => r.type === 'error')) return;
  if (!fromAssert && (type === 'onreply' || type === 'local')) return;
  const route = ctx.runtime.route('error_route', '');
  if (!route) return;
  runRoute(ctx, route, 'error', '');
  ctx.clearState(ERR_INFO);
}

export function runRoute(
  ctx: ExecContext,
  route: { run(ctx: ExecContext): void },
  type: import('./module-contract.js').RouteType,
  name: string,
  params: Val[] = NO_PARAMS,
  named?: Record<string, Val>,
): number {
  if (ctx.routeStack.length >= 100) {
    ctx.runtime.logger.log(-1, 'core', 'run_actions', 'too many recursive routing table lookups (100)');
    return -1;
  }
  ctx.routeStack.push(named ? { type, name, params, named } : { type, name, params });
  if (ctx.tracer) {
    ctx.tracer.event({
      kind: 'route',
      text: `enter ${type === 'request' && name !== '0' ? `route[${name}]` : type}`,
      depth: ctx.tracer.depth,
    });
    ctx.tracer.depth++;
  }
  try {
    route.run(ctx);
  } finally {
    ctx.routeStack.pop();
    if (ctx.tracer) ctx.tracer.depth--;
  }
  const flow = ctx.flow as Flow;
  let value = ctx.retcode;
  if (flow === Flow.Return) value = ctx.returnValue;
  if (flow === Flow.Return || flow === Flow.Break) ctx.flow = Flow.None;
  return value;
}

function describe(s: A.Statement): string {
  switch (s.kind) {
    case 'Call':
      return `${s.name}(${s.args.map(argText).join(', ')})`;
    case 'RouteCall':
      return `route(${'kind' in s.target ? s.target.text : s.target.text})`;
    case 'Assign':
      return `${s.target.text} ${s.op} ${printExpr(s.value)}`;
    case 'If':
      return `if (${printExpr(s.cond)})`;
    case 'Switch':
      return `switch (${s.subject.text})`;
    case 'While':
      return `while (${printExpr(s.cond)})`;
    case 'ForEach':
      return `for (${s.iterator.text} in ${s.source.text})`;
    case 'Return':
      return s.value ? `return(${s.value.kind === 'Number' ? s.value.text : s.value.text})` : 'return';
    default:
      return s.kind.toLowerCase();
  }
}
