// script_trace([level, format[, info]]): from then on every action the
// script runs is logged before it runs, as action.c's __script_trace does:
// `[Script Trace][file:line][info][class action] -> (format)`. Without
// arguments it stops. The setting is the process's, not the message's.
import type * as A from '../cfg/ast.js';
import type { ExecContext } from './context.js';
import { expandFormat } from './pv.js';

export interface ScriptTrace {
  level: number;
  format: string;
  info: string | undefined;
}

const ASSIGN: Record<string, string> = {
  '=': 'equal',
  ':=': 'colon-eq',
  '+=': 'plus-eq',
  '-=': 'minus-eq',
  '/=': 'div-eq',
  '*=': 'mult-eq',
  '%=': 'modulo-eq',
  '&=': 'band-eq',
  '|=': 'bor-eq',
  '^=': 'bxor-eq',
};
const CORE_KEYWORDS = new Set(['xlog', 'xdbg', 'log', 'error', 'len_gt']);

/** The class and action action.c names for a statement; undefined for what it does not trace (blocks...). */
export function traceName(s: A.Statement): [string, string] | undefined {
  switch (s.kind) {
    case 'Call':
      return CORE_KEYWORDS.has(s.name) ? ['core', s.name] : ['module', s.name];
    case 'Assign':
      return ['assign', ASSIGN[s.op] ?? 'equal'];
    case 'RouteCall':
      return ['route', s.target.text];
    case 'If':
      return ['core', 'if'];
    case 'While':
      return ['core', 'while'];
    case 'Switch':
      return ['core', 'switch'];
    case 'ForEach':
      return ['core', 'for-each'];
    case 'Exit':
      return ['core', 'exit'];
    case 'Drop':
      return ['core', 'drop'];
    case 'Return':
      return ['core', 'return'];
    case 'Break':
      return ['core', 'break'];
    default:
      return undefined;
  }
}

export function traceStatement(ctx: ExecContext, t: ScriptTrace, name: [string, string], span: A.Span): void {
  const info = t.info !== undefined ? `[${t.info}]` : '';
  ctx.runtime.logger.log(
    t.level,
    'core',
    '__script_trace',
    `[Script Trace][${span.file}:${span.line}]${info}[${name[0]} ${name[1]}] -> (${expandFormat(ctx, t.format)})`,
  );
}
