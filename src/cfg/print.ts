// `opensips-ts fmt`: the AST printed back as cfg text that parses to the same
// AST. Strings keep their source spelling; comments are put back before the
// item or statement they preceded (or at the end of its line).
import type * as A from './ast.js';
import type { Comment } from './parse.js';
import { quoteDouble } from './strings.js';

const INDENT = '\t';

class Printer {
  private out: string[] = [];
  private pending: Comment[];

  constructor(comments: readonly Comment[]) {
    this.pending = [...comments].sort((a, b) => a.span.offset - b.span.offset);
  }

  /** Comments that start before `offset`, each on its own line. */
  private flushBefore(offset: number, depth: number): void {
    while (this.pending.length && this.pending[0]!.span.offset < offset) {
      const c = this.pending.shift()!;
      // Only the first line is re-indented: the inside of a block comment is the author's.
      c.text
        .split('\n')
        .forEach((line, i) => this.out.push((i === 0 ? INDENT.repeat(depth) : '') + line.replace(/\s+$/, '')));
    }
  }

  /** A comment that starts on `line` after the node just printed stays on that line. */
  private trailing(line: number, file: string): void {
    const c = this.pending[0];
    if (c && c.span.line === line && c.span.file === file && !c.text.includes('\n') && this.out.length) {
      this.pending.shift();
      this.out[this.out.length - 1] += ' ' + c.text.replace(/\s+$/, '');
    }
  }

  private line(depth: number, text: string): void {
    this.out.push(INDENT.repeat(depth) + text);
  }

  file(f: A.CfgFile): string {
    let prev: A.TopItem['kind'] | undefined;
    for (const item of f.items) {
      if (prev && (item.kind === 'Route' || prev === 'Route' || (prev !== item.kind && item.kind !== 'ModParam')))
        this.out.push('');
      this.flushBefore(item.span.offset, 0);
      this.topItem(item);
      prev = item.kind;
    }
    this.flushBefore(Infinity, 0);
    return this.out.join('\n').replace(/\n{3,}/g, '\n\n') + '\n';
  }

  statementsFile(list: A.Statement[]): string {
    this.statements(list, 0);
    this.flushBefore(Infinity, 0);
    return this.out.join('\n') + '\n';
  }

  private topItem(item: A.TopItem): void {
    switch (item.kind) {
      case 'Global':
        this.line(
          0,
          `${item.name}=${globalValue(item.value)}${item.autoScalingProfile ? ` use_auto_scaling_profile ${item.autoScalingProfile}` : ''}`,
        );
        break;
      case 'Socket':
        this.line(0, socketLine(item));
        break;
      case 'Alias':
        this.line(0, `alias=${item.aliases.map(hostPort).join(' ')}`);
        break;
      case 'LoadModule':
        this.line(0, `loadmodule ${quoteDouble(item.path)}`);
        break;
      case 'ModParam':
        this.line(
          0,
          `modparam(${quoteDouble(item.module)}, ${quoteDouble(item.param)}, ${item.value.kind === 'String' ? quoteDouble(item.value.value) : item.value.value})`,
        );
        break;
      case 'Include':
        this.line(0, `include_file ${quoteDouble(item.path)}`);
        break;
      case 'Placeholder':
        this.line(0, '...');
        break;
      case 'Route': {
        const name = item.name ? `[${routeName(item.name)}${item.extra ? `, ${item.extra.text}` : ''}]` : '';
        this.line(0, `${item.routeKind}${name} {`);
        this.statements(item.body, 1);
        this.flushBefore(item.closeSpan.offset, 1);
        this.line(0, '}');
        this.trailing(item.closeSpan.line, item.span.file);
        return;
      }
    }
    this.trailing(item.span.endLine, item.span.file);
  }

  private statements(list: readonly A.Statement[], depth: number): void {
    for (const s of list) {
      this.flushBefore(s.span.offset, depth);
      this.statement(s, depth);
    }
  }

  private body(list: readonly A.Statement[], depth: number, endOffset: number): void {
    this.statements(list, depth + 1);
    this.flushBefore(endOffset, depth + 1);
  }

  private statement(s: A.Statement, depth: number): void {
    switch (s.kind) {
      case 'If':
        this.ifStatement(s, depth, '');
        return;
      case 'While':
        this.line(depth, `while (${expr(s.cond)}) {`);
        this.body(s.body, depth, s.span.endOffset);
        this.line(depth, '}');
        return;
      case 'ForEach':
        this.line(depth, `for (${s.iterator.text} in ${s.source.text}) {`);
        this.body(s.body, depth, s.span.endOffset);
        this.line(depth, '}');
        return;
      case 'Switch':
        this.line(depth, `switch (${s.subject.text}) {`);
        for (const c of s.cases) {
          this.flushBefore(c.span.offset, depth);
          this.line(
            depth,
            c.value ? `case ${c.value.kind === 'Number' ? c.value.text : c.value.pieces.join(' ')}:` : 'default:',
          );
          this.trailing(c.span.line, s.span.file);
          this.statements(c.body, depth + 1);
        }
        this.flushBefore(s.span.endOffset, depth + 1);
        this.line(depth, '}');
        return;
      case 'Placeholder':
        this.line(depth, '...');
        break;
      default:
        this.line(depth, `${simpleStatement(s)};`);
        break;
    }
    this.trailing(s.span.endLine, s.span.file);
  }

  private ifStatement(s: A.If, depth: number, prefix: string): void {
    this.line(depth, `${prefix}if (${expr(s.cond)}) {`);
    this.trailing(s.span.line, s.span.file);
    const elseStart = s.otherwise?.[0]?.span.offset ?? s.span.endOffset;
    this.body(s.then, depth, s.otherwise ? elseStart : s.span.endOffset);
    if (!s.otherwise) {
      this.line(depth, '}');
      return;
    }
    const only = s.otherwise.length === 1 ? s.otherwise[0] : undefined;
    if (only?.kind === 'If') {
      this.ifStatement(only, depth, '} else ');
      return;
    }
    this.line(depth, '} else {');
    this.body(s.otherwise, depth, s.span.endOffset);
    this.line(depth, '}');
  }
}

function globalValue(v: A.GlobalValue): string {
  switch (v.kind) {
    case 'Number':
      return v.text;
    case 'String':
      return quoteDouble(v.value);
    default:
      return v.text;
  }
}

function hostText(host: string): string {
  if (
    host === '*' ||
    /^[A-Za-z][\w]*(?:[.-]\w+)*$/.test(host) ||
    /^[\d.]+$/.test(host) ||
    /^\[[0-9a-fA-F:.]+\]$/.test(host)
  )
    return host;
  return quoteDouble(host);
}

function hostPort(h: A.HostPort): string {
  return `${h.proto ? h.proto + ':' : ''}${hostText(h.host)}${h.port !== undefined ? ':' + h.port : ''}`;
}

function socketLine(s: A.SocketDecl): string {
  const parts = [`${s.keyword}=${hostPort(s.address)}`];
  if (s.advertised) parts.push(`as ${hostPort(s.advertised)}`);
  if (s.workers !== undefined) parts.push(`${s.legacyChildren ? 'use_children' : 'use_workers'} ${s.workers}`);
  if (s.tag !== undefined) parts.push(`tag ${s.tag}`);
  if (s.anycast) parts.push('anycast');
  if (s.frag) parts.push('frag');
  if (s.autoScalingProfile !== undefined) parts.push(`use_auto_scaling_profile ${s.autoScalingProfile}`);
  return parts.join(' ');
}

function routeName(n: A.RouteName): string {
  return n.quoted ? quoteDouble(n.text) : n.text;
}

/** An argument as written (strings keep their quotes). */
export function argText(a: A.CallArg | A.NullLit | undefined): string {
  if (!a) return '';
  switch (a.kind) {
    case 'String':
      return a.pieces.join(' ');
    case 'Number':
      return a.text;
    case 'PVar':
      return a.text;
    case 'Null':
      return 'NULL';
    case 'BareWord':
      return a.text;
  }
}

function call(c: A.Call): string {
  const args = c.args.map(argText);
  return `${c.name}(${args.length === 1 && args[0] === '' ? ',' : args.join(', ')})`;
}

function simpleStatement(s: A.Statement): string {
  switch (s.kind) {
    case 'Call':
      return call(s);
    case 'RouteCall': {
      const target = 'kind' in s.target ? s.target.text : routeName(s.target);
      return `route(${[target, ...s.args.map(argText)].join(', ')})`;
    }
    case 'Assign':
      return `${s.target.text} ${s.op} ${expr(s.value)}`;
    case 'Exit':
      return 'exit';
    case 'Drop':
      return 'drop';
    case 'Break':
      return 'break';
    case 'Return':
      return s.value ? `return(${s.value.kind === 'Number' ? s.value.text : s.value.text})` : 'return';
    case 'Assert':
      return `assert(${expr(s.cond)}, ${s.message.pieces.join(' ')})`;
    case 'Async': {
      const extra = s.extra ? `, ${s.extra.kind === 'Number' ? s.extra.text : s.extra.pieces.join(' ')}` : '';
      return `${s.keyword}(${call(s.call)}${s.resumeRoute ? `, ${routeName(s.resumeRoute)}` : ''}${extra})`;
    }
    case 'Include':
      return `include_file ${quoteDouble(s.path)}`;
    case 'Placeholder':
      return '...';
    case 'Block':
      return `{ ${s.body.map((b) => inlineStatement(b)).join(' ')} }`;
    case 'If':
      return inlineStatement(s);
    default:
      return inlineStatement(s);
  }
}

/** A statement on one line (used where a statement appears inside a condition). */
function inlineStatement(s: A.Statement): string {
  switch (s.kind) {
    case 'If': {
      const then = `{ ${s.then.map(inlineStatement).join(' ')} }`;
      return `if (${expr(s.cond)}) ${then}${s.otherwise ? ` else { ${s.otherwise.map(inlineStatement).join(' ')} }` : ''}`;
    }
    case 'While':
      return `while (${expr(s.cond)}) { ${s.body.map(inlineStatement).join(' ')} }`;
    case 'ForEach':
      return `for (${s.iterator.text} in ${s.source.text}) { ${s.body.map(inlineStatement).join(' ')} }`;
    case 'Switch': {
      const cases = s.cases.map(
        (c) =>
          `${c.value ? `case ${c.value.kind === 'Number' ? c.value.text : c.value.pieces.join(' ')}:` : 'default:'} ${c.body.map(inlineStatement).join(' ')}`,
      );
      return `switch (${s.subject.text}) { ${cases.join(' ')} }`;
    }
    case 'Placeholder':
      return '...';
    default:
      return `${simpleStatement(s)};`;
  }
}

export function expr(e: A.Expr): string {
  switch (e.kind) {
    case 'Number':
      return e.text;
    case 'String':
      return e.pieces.join(' ');
    case 'Null':
      return 'NULL';
    case 'Net':
      return e.text;
    case 'PVar':
      return e.text;
    case 'Compare':
      return `${e.left.text} ${e.op} ${expr(e.right)}`;
    case 'Logical':
      return `${expr(e.left)} ${e.op} ${expr(e.right)}`;
    case 'Not':
      return `!${expr(e.operand)}`;
    case 'Group':
      return `(${expr(e.expr)})`;
    case 'Bracket':
      return `[${expr(e.expr)}]`;
    case 'Binary':
      return `${expr(e.left)} ${e.op} ${expr(e.right)}`;
    case 'BitNot':
      return `~${expr(e.operand)}`;
    case 'StatementExpr':
      return simpleStatement(e.statement);
  }
}

export function printCfg(file: A.CfgFile, comments: readonly Comment[] = []): string {
  return new Printer(comments).file(file);
}

export function printStatements(list: A.Statement[], comments: readonly Comment[] = []): string {
  return new Printer(comments).statementsFile(list);
}
