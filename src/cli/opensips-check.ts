// `opensips-ts -C -f FILE` / `-c -f FILE`: the check, printed as OpenSIPS 3.3
// prints it, so that tools written for `opensips -C` (the opensips-lsp editor
// plugin, CI scripts) work with opensips-ts as the checker.
//
// OpenSIPS stops at the first error. One found while parsing comes from
// cfg.y's yyerror(): `CRITICAL:core:yyerror: parse error in FILE:LINE:COL1-COL2: TEXT`
// (columns as cfg.lex counts them: opensips-columns.ts), then cfg_pp.c's `bad config file (N errors)`
// and main.c's `failed to parse config file FILE`. One found at start-up is an
// `ERROR:core:FUNCTION: TEXT` line. main() then returns -1: exit status 255.
// A valid cfg ends with `NOTICE:core:main: config file ok, exiting...` and 0.
// With -c/-C OpenSIPS logs to standard error, and so does this.
import type { Diagnostic } from '../cfg/diagnostic.js';
import type { RuleId } from '../cfg/rules.js';
import { RULES } from '../cfg/rules.js';
import { dpTime } from '../base/logger.js';
import { checkCfg } from '../lint/check.js';
import type { CfgInput } from './cfg-input.js';
import type { Io } from './io.js';
import { opensipsPosition, type OpensipsPosition } from './opensips-columns.js';

/** main() returning -1, as the shell sees it. */
export const OPENSIPS_ERROR_EXIT = 255;

/** The OpenSIPS function that reports each start-up problem (the `ERROR:core:FUNCTION:` part). */
const STARTUP_FUNCTION: Partial<Record<RuleId, string>> = {
  'route-undefined': 'fix_actions',
  'route-armed-undefined': 'fix_actions',
  'missing-dependency': 'solve_module_dependencies',
  'missing-transport': 'main',
  'event-route-unknown': 'fix_actions',
  'mid-registrar-sql-only': 'mod_init',
};

export interface OpensipsLine {
  level: 'CRITICAL' | 'ERROR' | 'NOTICE';
  fn: string;
  text: string;
}

/** The lines OpenSIPS 3.3 would log for this check (without the time and pid prefix). */
export function opensipsCheckLines(
  diags: readonly Diagnostic[],
  fileName: (path: string) => string,
  cfgName: string,
  sources: ReadonlyMap<string, string> = new Map(),
): OpensipsLine[] {
  const first = diags.find((d) => d.severity === 'error');
  if (!first) return [{ level: 'NOTICE', fn: 'main', text: 'config file ok, exiting...' }];
  const s = first.span;
  if (RULES[first.rule].phase !== 'start-up') {
    const at = opensipsAt(first, sources.get(s.file));
    const parseErrors = diags.filter((d) => d.severity === 'error' && RULES[d.rule].phase !== 'start-up').length;
    return [
      {
        level: 'CRITICAL',
        fn: 'yyerror',
        text: `parse error in ${fileName(s.file)}:${at.line}:${at.start}-${at.end}: ${oneLine(first.message)}`,
      },
      { level: 'ERROR', fn: 'parse_opensips_cfg', text: `bad config file (${parseErrors} errors)` },
      { level: 'ERROR', fn: 'main', text: `failed to parse config file ${cfgName}` },
      { level: 'NOTICE', fn: 'main', text: 'Exiting....' },
    ];
  }
  // Start-up errors carry no position in OpenSIPS; ours says where, after the text. This stays the last ERROR
  // line, which is what tools fall back to when no line is positioned.
  return [
    {
      level: 'ERROR',
      fn: STARTUP_FUNCTION[first.rule] ?? 'main',
      text: `${oneLine(first.message)} (${fileName(s.file)}:${s.line}:${s.col})`,
    },
    { level: 'NOTICE', fn: 'main', text: 'Exiting....' },
  ];
}

/** Rules that cfg.y reports when it reduces a whole call: at the call's closing parenthesis. */
const AT_CLOSING_PAREN: ReadonlySet<RuleId> = new Set(['missing-loadmodule', 'unknown-function']);

/** Where OpenSIPS's yyerror places the error: the token it had just read, counted as cfg.lex counts. */
function opensipsAt(d: Diagnostic, text: string | undefined): OpensipsPosition {
  const s = d.span;
  if (text === undefined)
    return { line: s.line, start: s.col, end: s.endLine === s.line ? Math.max(s.endCol, s.col + 1) : s.col + 1 };
  const paren = AT_CLOSING_PAREN.has(d.rule) ? closingParen(text, s.offset) : -1;
  if (paren >= 0) return opensipsPosition(text, paren, paren + 1);
  return opensipsPosition(text, s.offset, s.endLine === s.line ? s.endOffset : s.offset + 1);
}

/** The `)` that closes the call whose name starts at `offset` (strings skipped), or -1. */
function closingParen(text: string, offset: number): number {
  const open = /^[A-Za-z0-9_]*\s*\(/.exec(text.slice(offset, offset + 200));
  if (!open) return -1;
  let depth = 0;
  for (let i = offset + open[0].length - 1; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += c === '"' && text[j] === '\\' ? 2 : 1;
      if (j >= text.length) return -1;
      i = j;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  return -1;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}

export function runOpensipsCheck(input: CfgInput, strict: boolean, io: Io, now: () => number = Date.now): number {
  const { diagnostics, sources } = checkCfg(input.file, { profile: { strict }, cwd: io.cwd, readFile: input.readFile });
  const fileName = (path: string): string => (path === input.abs ? input.file : path);
  const lines = opensipsCheckLines(diagnostics, fileName, input.file, sources);
  for (const l of lines) io.err(`${dpTime(now())} [${process.pid}] ${l.level}:core:${l.fn}: ${l.text}`);
  return lines[0]!.level === 'NOTICE' ? 0 : OPENSIPS_ERROR_EXIT;
}
