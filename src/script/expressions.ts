// Conditions and arithmetic/string expressions, compiled to closures with the
// 3.3 rules of cfg-language.md §7: `&&`/`||` share a level and short-circuit
// on "not 1"/"not 0", string `==` ignores case, regexes are case-insensitive
// POSIX extended, int/string mixes are errors.
import type * as A from '../cfg/ast.js';
import { Flow, type ExecContext } from './context.js';
import { ipInNetwork } from './ip.js';
import { compileSpec, type PvAccess } from './pv.js';
import { posixRegex } from './regex.js';
import { ScriptCompileError } from './errors.js';
import { intForm, strCompareNoCase, strEqualsNoCase, strForm, truthy, type Val } from './values.js';

/** A failed expression (type mix, division by zero...): the statement returns -1. */
export const ERR = Symbol('expression error');
export type ValueFn = (ctx: ExecContext) => Val | typeof ERR;
export type CondFn = (ctx: ExecContext) => number;

export interface ExprEnv {
  pv(p: A.PVar): PvAccess;
  format(s: A.StringLit): (ctx: ExecContext) => string;
  /** A statement used as a condition or operand; it sets ctx.retcode. */
  statementInExpr(s: A.Statement): (ctx: ExecContext) => void;
}

function traced(env: ExprEnv, p: A.PVar): (ctx: ExecContext) => Val {
  const pv = env.pv(p);
  return (ctx) => {
    const v = pv.get(ctx);
    if (ctx.tracer)
      ctx.tracer.event({
        kind: 'read',
        name: p.text,
        value: v,
        text: `${p.text} = ${v === null ? 'NULL' : JSON.stringify(v)}`,
        depth: ctx.tracer.depth,
        span: p.span,
      });
    return v;
  };
}

// ---- conditions ------------------------------------------------------------------

export function compileCond(e: A.Expr, env: ExprEnv): CondFn {
  switch (e.kind) {
    case 'Logical': {
      const a = compileCond(e.left, env);
      const b = compileCond(e.right, env);
      return e.op === '&&'
        ? (ctx) => {
            const l = a(ctx);
            return ctx.flow || l !== 1 ? l : b(ctx);
          }
        : (ctx) => {
            const l = a(ctx);
            return ctx.flow || l !== 0 ? l : b(ctx);
          };
    }
    case 'Not': {
      const a = compileCond(e.operand, env);
      return (ctx) => {
        const v = a(ctx);
        return v === 1 ? 0 : v === 0 ? 1 : v;
      };
    }
    case 'Group':
      return compileCond(e.expr, env);
    case 'Compare':
      return compileCompare(e, env);
    case 'PVar': {
      const get = traced(env, e);
      return (ctx) => (truthy(get(ctx)) ? 1 : 0);
    }
    case 'Number': {
      const v = e.value !== 0 ? 1 : 0;
      return () => v;
    }
    case 'Bracket': {
      const f = compileValue(e.expr, env);
      return (ctx) => {
        const v = f(ctx);
        return v === ERR ? -1 : truthy(v) ? 1 : 0;
      };
    }
    case 'StatementExpr': {
      const run = env.statementInExpr(e.statement);
      return (ctx) => {
        run(ctx);
        if (ctx.flow === Flow.Exit) return 0;
        // route.c: a function's negative code is "false" (0), not an error.
        return ctx.retcode > 0 ? 1 : 0;
      };
    }
    default: {
      const f = compileValue(e, env);
      return (ctx) => {
        const v = f(ctx);
        return v === ERR ? -1 : truthy(v) ? 1 : 0;
      };
    }
  }
}

type Rhs = (ctx: ExecContext) => Val;

function compileCompare(c: A.Compare, env: ExprEnv): CondFn {
  const left = traced(env, c.left);
  const op = c.op;
  const r = c.right;
  if (r.kind === 'Null') return (ctx) => ((left(ctx) === null) === (op === '==') ? 1 : 0);
  if (r.kind === 'Net') {
    return (ctx) => {
      const v = strForm(left(ctx));
      if (v === undefined) return op === '!=' ? 1 : 0;
      return ipInNetwork(v, r.text) === (op === '==') ? 1 : 0;
    };
  }
  if (r.kind === 'Number') {
    const n = r.value;
    return (ctx) => {
      const v = left(ctx);
      if (v === null) return nullVsConstant(op);
      const i = intForm(v);
      return i === undefined ? -1 : intCompare(op, i, n);
    };
  }
  if (r.kind === 'String') {
    if (op === '=~' || op === '!~') {
      let re: RegExp;
      try {
        re = posixRegex(r.value);
      } catch (err) {
        throw new ScriptCompileError(
          `invalid regular expression "${r.value}": ${(err as Error).message}`,
          r.span,
          'bad-regex',
        );
      }
      return (ctx) => {
        const v = strForm(left(ctx));
        if (v === undefined) return op === '!~' ? 1 : 0;
        return re.test(v) === (op === '=~') ? 1 : 0;
      };
    }
    const fmt = env.format(r);
    return (ctx) => {
      const v = left(ctx);
      if (v === null) return nullVsConstant(op);
      return strCompare(op, strForm(v)!, fmt(ctx));
    };
  }
  const right: Rhs = traced(env, r);
  return (ctx) => {
    const a = left(ctx);
    const b = right(ctx);
    if (a === null || b === null) return (a === b) === (op === '==' || op === '<=' || op === '>=') ? 1 : 0;
    if (typeof a === 'number' && typeof b === 'number') return intCompare(op, a, b);
    if (typeof a === 'string' && typeof b === 'string') {
      if (op === '=~' || op === '!~') {
        try {
          return posixRegex(b).test(a) === (op === '=~') ? 1 : 0;
        } catch {
          return -1;
        }
      }
      return strCompare(op, a, b);
    }
    return -1;
  };
}

function nullVsConstant(op: A.CompareOp): number {
  return op === '!=' || op === '!~' ? 1 : 0;
}

function intCompare(op: A.CompareOp, a: number, b: number): number {
  switch (op) {
    case '==':
      return a === b ? 1 : 0;
    case '!=':
      return a !== b ? 1 : 0;
    case '<':
      return a < b ? 1 : 0;
    case '>':
      return a > b ? 1 : 0;
    case '<=':
      return a <= b ? 1 : 0;
    case '>=':
      return a >= b ? 1 : 0;
    default:
      return -1;
  }
}

function strCompare(op: A.CompareOp, a: string, b: string): number {
  switch (op) {
    case '==':
      return strEqualsNoCase(a, b) ? 1 : 0;
    case '!=':
      return strEqualsNoCase(a, b) ? 0 : 1;
    default:
      return intCompare(op, strCompareNoCase(a, b), 0);
  }
}

// ---- values ---------------------------------------------------------------------

export function compileValue(e: A.Expr, env: ExprEnv): ValueFn {
  switch (e.kind) {
    case 'Number': {
      const v = e.value;
      return () => v;
    }
    case 'String':
      return env.format(e);
    case 'Null':
      return () => null;
    case 'PVar':
      return traced(env, e);
    case 'Group':
      return compileValue(e.expr, env);
    case 'BitNot': {
      const f = compileValue(e.operand, env);
      return (ctx) => {
        const v = f(ctx);
        return typeof v === 'number' ? ~v : ERR;
      };
    }
    case 'Binary':
      return compileBinary(e, env);
    case 'StatementExpr': {
      const run = env.statementInExpr(e.statement);
      return (ctx) => {
        run(ctx);
        return ctx.retcode;
      };
    }
    default: {
      const c = compileCond(e, env);
      return (ctx) => {
        const v = c(ctx);
        return v < 0 ? ERR : v;
      };
    }
  }
}

function compileBinary(e: A.Binary, env: ExprEnv): ValueFn {
  const l = compileValue(e.left, env);
  const r = compileValue(e.right, env);
  const rightIsIntLiteral = e.right.kind === 'Number';
  return (ctx) => {
    const a = l(ctx);
    const b = r(ctx);
    if (a === ERR || b === ERR) return ERR;
    return binary(e.op, a, b, rightIsIntLiteral);
  };
}

/** One arithmetic/string operation; also used by the compound assignments. */
export function binary(op: A.ArithOp, a: Val, b: Val, rightIsIntLiteral: boolean): Val | typeof ERR {
  if (typeof a === 'number') {
    if (typeof b === 'string') return ERR;
    const y = b ?? 0;
    switch (op) {
      case '+':
        return (a + y) | 0;
      case '-':
        return (a - y) | 0;
      case '*':
        return Math.imul(a, y);
      case '/':
        return y === 0 ? ERR : (a / y) | 0;
      case '%':
        return y === 0 ? ERR : a % y;
      case '&':
        return a & y;
      case '|':
        return a | y;
      case '^':
        return a ^ y;
      case '<<':
        return a << y;
      case '>>':
        return a >> y;
    }
  }
  if (typeof a === 'string') {
    if (op === '+') {
      if (b === null) return a;
      if (typeof b === 'number' && rightIsIntLiteral) return ERR;
      return a + String(b);
    }
    if ((op === '&' || op === '|' || op === '^') && typeof b === 'string' && b.length === a.length) {
      let out = '';
      for (let i = 0; i < a.length; i++) {
        const x = a.charCodeAt(i);
        const y = b.charCodeAt(i);
        out += String.fromCharCode(op === '&' ? x & y : op === '|' ? x | y : x ^ y);
      }
      return out;
    }
  }
  return ERR;
}
