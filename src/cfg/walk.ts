// Visiting every statement, expression and pseudo-variable of a route body.
import type * as A from './ast.js';

export interface Visitor {
  statement?(s: A.Statement): void;
  expr?(e: A.Expr): void;
  /** Every pseudo-variable use; `write` for assignment targets and iterators. */
  pvar?(p: A.PVar, write: boolean): void;
  /** Every string literal (format strings may hold pseudo-variables). */
  string?(s: A.StringLit): void;
}

export function walkStatements(list: readonly A.Statement[], v: Visitor): void {
  for (const s of list) walkStatement(s, v);
}

function walkArg(a: A.CallArg | undefined, v: Visitor): void {
  if (!a) return;
  if (a.kind === 'PVar') v.pvar?.(a, false);
  else if (a.kind === 'String') v.string?.(a);
}

export function walkStatement(s: A.Statement, v: Visitor): void {
  v.statement?.(s);
  switch (s.kind) {
    case 'Call':
      for (const a of s.args) walkArg(a, v);
      break;
    case 'Async':
      walkStatement(s.call, v);
      break;
    case 'RouteCall':
      if ('kind' in s.target) v.pvar?.(s.target, false);
      for (const a of s.args) walkExpr(a, v);
      break;
    case 'Assign':
      v.pvar?.(s.target, true);
      walkExpr(s.value, v);
      break;
    case 'If':
      walkExpr(s.cond, v);
      walkStatements(s.then, v);
      if (s.otherwise) walkStatements(s.otherwise, v);
      break;
    case 'While':
      walkExpr(s.cond, v);
      walkStatements(s.body, v);
      break;
    case 'ForEach':
      v.pvar?.(s.iterator, true);
      v.pvar?.(s.source, false);
      walkStatements(s.body, v);
      break;
    case 'Switch':
      v.pvar?.(s.subject, false);
      for (const c of s.cases) walkStatements(c.body, v);
      break;
    case 'Return':
      if (s.value?.kind === 'PVar') v.pvar?.(s.value, false);
      break;
    case 'Assert':
      walkExpr(s.cond, v);
      v.string?.(s.message);
      break;
    case 'Block':
      walkStatements(s.body, v);
      break;
    default:
      break;
  }
}

export function walkExpr(e: A.Expr, v: Visitor): void {
  v.expr?.(e);
  switch (e.kind) {
    case 'PVar':
      v.pvar?.(e, false);
      break;
    case 'String':
      v.string?.(e);
      break;
    case 'Compare':
      v.pvar?.(e.left, false);
      walkExpr(e.right, v);
      break;
    case 'Logical':
    case 'Binary':
      walkExpr(e.left, v);
      walkExpr(e.right, v);
      break;
    case 'Not':
    case 'BitNot':
      walkExpr(e.operand, v);
      break;
    case 'Group':
    case 'Bracket':
      walkExpr(e.expr, v);
      break;
    case 'StatementExpr':
      walkStatement(e.statement, v);
      break;
    default:
      break;
  }
}

/** Every route body of a script with its kind and key. */
export function* routeBodies(routes: Record<A.RouteKind, Map<string, A.RouteDecl>>): Generator<A.RouteDecl> {
  for (const table of Object.values(routes)) yield* table.values();
}

/** Every statement list of a body, nested ones included (if/else branches, loop bodies, switch cases). */
export function forEachStatementList(body: readonly A.Statement[], fn: (list: readonly A.Statement[]) => void): void {
  fn(body);
  walkStatements(body, {
    statement: (s) => {
      if (s.kind === 'If') {
        fn(s.then);
        if (s.otherwise) fn(s.otherwise);
      } else if (s.kind === 'While' || s.kind === 'ForEach' || s.kind === 'Block') fn(s.body);
      else if (s.kind === 'Switch') for (const c of s.cases) fn(c.body);
    },
  });
}
