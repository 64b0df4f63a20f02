// CST (grammar/) -> typed AST (ast.ts). The CST may be partial after error
// recovery, so every read here tolerates a missing child.
import type { CstNode, IToken } from 'chevrotain';
import type * as A from './ast.js';
import type * as C from '../../grammar/cst-types.js';
import type { Diagnostic, Profile, RuleId } from './diagnostic.js';
import { leniency } from './diagnostic.js';
import { parseFormat, parsePVarToken } from './pvar.js';
import { stringTokenValue } from './strings.js';

type Children = Record<string, (CstNode | IToken)[] | undefined>;

// The CST is read through the labels of grammar/cst-types.ts (generated from the parser): on a typed node a key
// that is not one of its children, e.g. after a label was renamed in the grammar, does not compile.
type ChildrenOf<N> = N extends { children: infer K } ? K : never;
type Key<N> = keyof ChildrenOf<N> & string;
type Elem<N, K extends Key<N>> = NonNullable<ChildrenOf<N>[K]> extends readonly (infer E)[] ? E : never;
type NodeOf<N, K extends Key<N>> = Extract<Elem<N, K>, CstNode>;

function kids(n: CstNode | undefined): Children {
  return (n?.children ?? {}) as Children;
}
function node<N extends CstNode, K extends Key<N>>(n: N | undefined, key: K, i = 0): NodeOf<N, K> | undefined {
  return kids(n)[key]?.[i] as NodeOf<N, K> | undefined;
}
function nodes<N extends CstNode, K extends Key<N>>(n: N | undefined, key: K): NodeOf<N, K>[] {
  return (kids(n)[key] ?? []) as NodeOf<N, K>[];
}
function tok<N extends CstNode>(n: N | undefined, key: Key<N>, i = 0): IToken | undefined {
  const t = kids(n)[key]?.[i] as IToken | undefined;
  return t && !isNaN(t.startOffset) ? t : undefined;
}
function toks<N extends CstNode>(n: N | undefined, key: Key<N>): IToken[] {
  return ((kids(n)[key] ?? []) as IToken[]).filter((t) => !isNaN(t.startOffset));
}

export class AstBuilder {
  readonly diagnostics: Diagnostic[] = [];

  constructor(
    private readonly file: string,
    private readonly profile: Profile,
  ) {}

  // ---- spans -------------------------------------------------------------------
  tokenSpan(t: IToken): A.Span {
    return {
      file: this.file,
      line: t.startLine ?? 1,
      col: t.startColumn ?? 1,
      offset: t.startOffset,
      endLine: t.endLine ?? t.startLine ?? 1,
      endCol: (t.endColumn ?? t.startColumn ?? 0) + 1,
      endOffset: (t.endOffset ?? t.startOffset) + 1,
    };
  }

  nodeSpan(n: CstNode | undefined): A.Span {
    const l = n?.location;
    if (!l || isNaN(l.startOffset))
      return { file: this.file, line: 1, col: 1, offset: 0, endLine: 1, endCol: 1, endOffset: 0 };
    return {
      file: this.file,
      line: l.startLine ?? 1,
      col: l.startColumn ?? 1,
      offset: l.startOffset,
      endLine: l.endLine ?? 1,
      endCol: (l.endColumn ?? 0) + 1,
      endOffset: (isNaN(l.endOffset ?? NaN) ? l.startOffset : l.endOffset!) + 1,
    };
  }

  /** An empty span just after the node's last token (or at `fallback` when the node has no position). */
  private endSpan(n: CstNode | undefined, fallback: IToken | undefined): A.Span {
    const whole = this.nodeSpan(n);
    if (whole.offset === 0 && whole.endOffset === 0) return fallback ? this.tokenSpan(fallback) : whole;
    return { ...whole, line: whole.endLine, col: whole.endCol, offset: whole.endOffset };
  }

  private report(rule: RuleId, severity: Diagnostic['severity'], message: string, span: A.Span, hint?: string): void {
    this.diagnostics.push({ rule, severity, message, span, ...(hint ? { hint } : {}) });
  }

  // ---- terminals -----------------------------------------------------------------
  pvar(t: IToken): A.PVar {
    const span = this.tokenSpan(t);
    const r = parsePVarToken(t.image);
    if (r.error) this.report('pvar-syntax', 'error', `invalid pseudo-variable \`${t.image}\`: ${r.error}`, span);
    else if (r.spec?.looseIndex) {
      const fixed = `$(${t.image.slice(1)})`;
      this.report(
        'pvar-loose-index',
        leniency(this.profile),
        `OpenSIPS 3.3 reads an index only inside \`$( )\`: \`${t.image}\` is a syntax error there`,
        span,
        `write \`${fixed}\``,
      );
    }
    return { kind: 'PVar', text: t.image, spec: r.spec, span };
  }

  strings(n: C.StringsCstNode | undefined): A.StringLit {
    const ts = [...toks(n, 'StringDQ'), ...toks(n, 'StringSQ'), ...toks(n, 'UnterminatedString')].sort(
      (a, b) => a.startOffset - b.startOffset,
    );
    for (const t of toks(n, 'UnterminatedString')) {
      this.report(
        'unterminated-string',
        'error',
        'this string is never closed',
        this.tokenSpan(t),
        `add the closing \`${t.image[0]}\``,
      );
    }
    const value = ts.map((t) => stringTokenValue(t.image)).join('');
    return {
      kind: 'String',
      value,
      pieces: ts.map((t) => t.image),
      parts: parseFormat(value).parts,
      span: this.nodeSpan(n),
    };
  }

  stringToken(t: IToken): A.StringLit {
    const value = stringTokenValue(t.image);
    return { kind: 'String', value, pieces: [t.image], parts: parseFormat(value).parts, span: this.tokenSpan(t) };
  }

  snumber(n: C.SnumberCstNode | undefined): A.NumberLit {
    const num = tok(n, 'Number');
    const sign = tok(n, 'sign')?.image ?? '';
    const text = sign + (num?.image ?? '0');
    return {
      kind: 'Number',
      value: numberValue(num?.image ?? '0') * (sign === '-' ? -1 : 1),
      text,
      span: this.nodeSpan(n),
    };
  }

  numberToken(t: IToken): A.NumberLit {
    return { kind: 'Number', value: numberValue(t.image), text: t.image, span: this.tokenSpan(t) };
  }

  routeName(n: C.RouteNameCstNode | undefined): A.RouteName {
    const t = tok(n, 'Identifier') ?? tok(n, 'Number') ?? tok(n, 'StringDQ') ?? tok(n, 'StringSQ');
    const quoted = !!(tok(n, 'StringDQ') ?? tok(n, 'StringSQ'));
    const text = !t
      ? ''
      : quoted
        ? stringTokenValue(t.image)
        : tok(n, 'Number')
          ? String(numberValue(t.image))
          : t.image;
    return { text, quoted, span: t ? this.tokenSpan(t) : this.nodeSpan(n) };
  }

  // ---- top level ------------------------------------------------------------------
  cfg(root: C.CfgCstNode): A.CfgFile {
    const items: A.TopItem[] = [];
    for (const st of nodes(root, 'statement')) {
      const item = this.statement(st);
      if (item) items.push(item);
    }
    return { kind: 'CfgFile', file: this.file, items };
  }

  private statement(st: C.StatementCstNode): A.TopItem | undefined {
    const c = kids(st);
    if (c.assignStm) return this.assignStm(node(st, 'assignStm'));
    if (c.socketStm) return this.socketStm(node(st, 'socketStm'));
    if (c.aliasStm) return this.aliasStm(node(st, 'aliasStm'));
    if (c.moduleStm) return this.moduleStm(node(st, 'moduleStm'));
    if (c.routeStm) return this.routeStm(node(st, 'routeStm'));
    if (c.includeStm) return this.include(node(st, 'includeStm'));
    if (c.Ellipsis) return this.placeholder(tok(st, 'Ellipsis')!);
    for (const key of ['dstBlacklistStm', 'autoScalingStm', 'memGroupStm'] as const) {
      const n = node(st, key);
      if (n) return this.wordsGlobal(n);
    }
    return undefined;
  }

  private assignStm(n: C.AssignStmCstNode | undefined): A.GlobalParam | undefined {
    const name = tok(n, 'name');
    if (!name) return undefined;
    const v = node(n, 'globalValue');
    // No value (`log_level={log_level}`, recovered from a syntax error): that error stands for the line.
    if (!v || allTokens(v).every((t) => t.isInsertedInRecovery || isNaN(t.startOffset))) return undefined;
    return {
      kind: 'Global',
      name: name.image,
      nameSpan: this.tokenSpan(name),
      value: this.globalValue(v),
      ...(tok(n, 'profile') ? { autoScalingProfile: tok(n, 'profile')!.image } : {}),
      span: this.nodeSpan(n),
    };
  }

  private globalValue(v: C.GlobalValueCstNode | undefined): A.GlobalValue {
    const span = this.nodeSpan(v);
    if (node(v, 'snumber')) {
      const n = this.snumber(node(v, 'snumber'));
      return { kind: 'Number', value: n.value, text: n.text, span };
    }
    if (node(v, 'strings')) return { kind: 'String', value: this.strings(node(v, 'strings')).value, span };
    if (node(v, 'ip')) return { kind: 'Ip', text: this.ipText(node(v, 'ip')), span };
    return { kind: 'Id', text: this.hostText(node(v, 'host')), span };
  }

  /** Globals with a grammar of their own that no layer reads yet: kept as their words. */
  private wordsGlobal(n: C.DstBlacklistStmCstNode | C.AutoScalingStmCstNode | C.MemGroupStmCstNode): A.GlobalParam {
    const all = allTokens(n).sort((a, b) => a.startOffset - b.startOffset);
    const [name, , ...rest] = all;
    const span = this.nodeSpan(n);
    const valueSpan = rest.length
      ? { ...this.tokenSpan(rest[0]!), endOffset: span.endOffset, endLine: span.endLine, endCol: span.endCol }
      : span;
    return {
      kind: 'Global',
      name: name?.image ?? '',
      nameSpan: name ? this.tokenSpan(name) : span,
      value: { kind: 'Words', text: rest.map((t) => t.image).join(' '), span: valueSpan },
      span,
    };
  }

  hostText(h: C.HostCstNode | undefined): string {
    return allTokens(h)
      .sort((a, b) => a.startOffset - b.startOffset)
      .map((t) => t.image)
      .join('');
  }

  ipText(ip: C.IpCstNode | undefined): string {
    return (tok(ip, 'Ipv4') ?? tok(ip, 'Ipv6'))?.image ?? '';
  }

  private listenId(n: C.ListenIdCstNode | undefined): { host: string; hostSpan: A.Span } {
    const hostSpan = this.nodeSpan(n);
    if (node(n, 'ip')) {
      const ip = node(n, 'ip');
      return { host: tok(ip, 'LBracket') ? `[${this.ipText(ip)}]` : this.ipText(ip), hostSpan };
    }
    if (node(n, 'strings')) return { host: this.strings(node(n, 'strings')).value, hostSpan };
    return { host: this.hostText(node(n, 'host')), hostSpan };
  }

  private portText(n: C.PortCstNode | undefined): string | undefined {
    if (!n) return undefined;
    const num = tok(n, 'Number');
    return num ? String(numberValue(num.image)) : tok(n, 'Any') ? 'any' : undefined;
  }

  private socketStm(n: C.SocketStmCstNode | undefined): A.SocketDecl {
    const def = node(n, 'socketDef');
    const kw = tok(n, 'Socket');
    const proto = tok(def, 'proto');
    const where = tok(def, 'anyHost')
      ? { host: '*', hostSpan: this.tokenSpan(tok(def, 'anyHost')!) }
      : this.listenId(node(def, 'listenId'));
    const port = this.portText(node(def, 'port'));
    const decl: A.SocketDecl = {
      kind: 'Socket',
      keyword: kw?.image === 'listen' ? 'listen' : 'socket',
      address: {
        ...(proto ? { proto: proto.image.toLowerCase(), protoSpan: this.tokenSpan(proto) } : {}),
        ...where,
        ...(port !== undefined ? { port } : {}),
      },
      anycast: false,
      frag: false,
      span: this.nodeSpan(n),
    };
    for (const p of nodes(def, 'socketParam')) this.socketParam(decl, p);
    return decl;
  }

  private socketParam(decl: A.SocketDecl, p: C.SocketParamCstNode): void {
    if (tok(p, 'Anycast')) decl.anycast = true;
    else if (tok(p, 'Frag')) decl.frag = true;
    else if (tok(p, 'Tag')) decl.tag = tok(p, 'Identifier')?.image;
    else if (tok(p, 'UseAutoScalingProfile')) decl.autoScalingProfile = tok(p, 'Identifier')?.image;
    else if (tok(p, 'UseWorkers')) {
      decl.workers = numberValue(tok(p, 'Number')?.image ?? '0');
      if (tok(p, 'UseWorkers')!.image === 'use_children') decl.legacyChildren = this.tokenSpan(tok(p, 'UseWorkers')!);
    } else if (tok(p, 'As')) {
      const port = this.portText(node(p, 'port'));
      decl.advertised = { ...this.listenId(node(p, 'listenId')), ...(port !== undefined ? { port } : {}) };
    }
  }

  private aliasStm(n: C.AliasStmCstNode | undefined): A.AliasDecl {
    const aliases = nodes(n, 'aliasDef').map((d) => {
      const proto = tok(d, 'proto') ?? tok(d, 'Any');
      const port = this.portText(node(d, 'port'));
      return {
        ...(proto ? { proto: proto.image.toLowerCase(), protoSpan: this.tokenSpan(proto) } : {}),
        ...this.listenId(node(d, 'listenId')),
        ...(port !== undefined ? { port } : {}),
      };
    });
    return { kind: 'Alias', aliases, span: this.nodeSpan(n) };
  }

  private moduleStm(n: C.ModuleStmCstNode | undefined): A.LoadModule | A.ModParam | undefined {
    if (tok(n, 'LoadModule')) {
      const s = this.strings(node(n, 'strings'));
      return { kind: 'LoadModule', path: s.value, pathSpan: s.span, span: this.nodeSpan(n) };
    }
    const mod = this.strings(node(n, 'module'));
    const param = this.strings(node(n, 'param'));
    const vNode = node(n, 'value');
    if (!vNode) return undefined;
    const value =
      vNode.name === 'snumber'
        ? (({ value: v, span }) => ({ kind: 'Number' as const, value: v, span }))(this.snumber(vNode))
        : (({ value: v, span }) => ({ kind: 'String' as const, value: v, span }))(this.strings(vNode));
    return {
      kind: 'ModParam',
      module: mod.value,
      moduleSpan: mod.span,
      param: param.value,
      paramSpan: param.span,
      value,
      span: this.nodeSpan(n),
    };
  }

  include(n: C.IncludeStmCstNode | undefined): A.Include {
    return { kind: 'Include', path: this.strings(node(n, 'strings')).value, span: this.nodeSpan(n) };
  }

  placeholder(t: IToken): A.Placeholder {
    const span = this.tokenSpan(t);
    this.report(
      'placeholder',
      leniency(this.profile),
      '`...` is an elision, not a statement: OpenSIPS 3.3 rejects it',
      span,
      'replace it with the statements it stands for; the default profile runs it as an empty statement',
    );
    return { kind: 'Placeholder', span };
  }

  private routeStm(n: C.RouteStmCstNode | undefined): A.RouteDecl {
    const kindTok = tok(n, 'kind');
    const extraTok = tok(n, 'interval') ?? tok(n, 'mode');
    const block = node(n, 'block');
    const close = tok(block, 'RBrace');
    return {
      kind: 'Route',
      routeKind: (kindTok?.image ?? 'route') as A.RouteKind,
      ...(node(n, 'routeName') ? { name: this.routeName(node(n, 'routeName')) } : {}),
      ...(extraTok ? { extra: { text: extraTok.image, span: this.tokenSpan(extraTok) } } : {}),
      body: this.actions(node(block, 'actions')),
      // Without its `}` (recovered from a syntax error) the route ends where its last token does, never at 1:1.
      closeSpan: close ? this.tokenSpan(close) : this.endSpan(n, kindTok),
      span: this.nodeSpan(n),
    };
  }

  // ---- statements ---------------------------------------------------------------------
  actions(n: C.ActionsCstNode | undefined): A.Statement[] {
    const out: A.Statement[] = [];
    for (const a of nodes(n, 'action')) {
      const s = this.action(a);
      if (s) out.push(s);
    }
    return out;
  }

  private action(a: C.ActionCstNode): A.Statement | undefined {
    const c = kids(a);
    if (c.ifCmd) return this.ifCmd(node(a, 'ifCmd'));
    if (c.whileCmd) return this.whileCmd(node(a, 'whileCmd'));
    if (c.foreachCmd) return this.foreachCmd(node(a, 'foreachCmd'));
    if (c.switchCmd) return this.switchCmd(node(a, 'switchCmd'));
    if (c.Ellipsis && tok(a, 'Ellipsis')) return this.placeholder(tok(a, 'Ellipsis')!);
    if (c.Break && tok(a, 'Break')) return { kind: 'Break', span: this.tokenSpan(tok(a, 'Break')!) };
    if (c.includeStm) return this.include(node(a, 'includeStm'));
    if (c.assignCmd) return this.assignCmd(node(a, 'assignCmd'));
    if (c.cmd) return this.cmd(node(a, 'cmd'));
    return undefined; // `;`
  }

  private stm(n: C.StmCstNode | undefined): A.Statement[] {
    if (node(n, 'block')) return this.actions(node(node(n, 'block'), 'actions'));
    const a = node(n, 'action');
    const s = a ? this.action(a) : undefined;
    return s ? [s] : [];
  }

  private ifCmd(n: C.IfCmdCstNode | undefined): A.If {
    const otherwise = node(n, 'otherwise');
    return {
      kind: 'If',
      cond: this.exp(node(n, 'exp')),
      then: this.stm(node(n, 'then')),
      ...(otherwise ? { otherwise: this.stm(otherwise) } : {}),
      span: this.nodeSpan(n),
    };
  }

  private whileCmd(n: C.WhileCmdCstNode | undefined): A.While {
    return { kind: 'While', cond: this.exp(node(n, 'exp')), body: this.stm(node(n, 'stm')), span: this.nodeSpan(n) };
  }

  private foreachCmd(n: C.ForeachCmdCstNode | undefined): A.ForEach {
    const it = tok(n, 'iterator');
    const src = tok(n, 'source');
    const span = this.nodeSpan(n);
    return {
      kind: 'ForEach',
      iterator: it ? this.pvar(it) : missingPVar(span),
      source: src ? this.pvar(src) : missingPVar(span),
      body: this.stm(node(n, 'stm')),
      span,
    };
  }

  private switchCmd(n: C.SwitchCmdCstNode | undefined): A.Switch {
    const subject = tok(n, 'PseudoVariable');
    const span = this.nodeSpan(n);
    const cases: A.SwitchCase[] = nodes(n, 'caseStm').map((c) => {
      const num = node(c, 'snumber');
      const str = tok(c, 'StringDQ') ?? tok(c, 'StringSQ');
      const value = num ? this.snumber(num) : str ? this.stringToken(str) : undefined;
      return { value, body: this.actions(node(c, 'actions')), span: this.nodeSpan(c) };
    });
    const def = node(n, 'defaultStm');
    if (def) cases.push({ value: undefined, body: this.actions(node(def, 'actions')), span: this.nodeSpan(def) });
    return { kind: 'Switch', subject: subject ? this.pvar(subject) : missingPVar(span), cases, span };
  }

  private assignCmd(n: C.AssignCmdCstNode | undefined): A.Assign {
    const target = tok(n, 'PseudoVariable');
    const op = tok(n, 'AssignOp');
    const span = this.nodeSpan(n);
    const nul = tok(n, 'Null');
    const value: A.Expr = nul ? { kind: 'Null', span: this.tokenSpan(nul) } : this.assignExp(node(n, 'assignExp'));
    return {
      kind: 'Assign',
      target: target ? this.pvar(target) : missingPVar(span),
      op: op?.image ?? '=',
      value,
      span,
    };
  }

  cmd(n: C.CmdCstNode | undefined): A.Statement {
    const span = this.nodeSpan(n);
    const kw = tok(n, 'keyword');
    if (kw?.image === 'drop') return { kind: 'Drop', span };
    if (kw?.image === 'exit') return { kind: 'Exit', span };
    if (node(n, 'returnCmd')) return this.returnCmd(node(n, 'returnCmd'));
    if (node(n, 'routeCall')) return this.routeCall(node(n, 'routeCall'));
    if (node(n, 'assertCmd')) {
      const a = node(n, 'assertCmd');
      return { kind: 'Assert', cond: this.exp(node(a, 'exp')), message: this.strings(node(a, 'strings')), span };
    }
    if (node(n, 'asyncCmd')) return this.asyncCmd(node(n, 'asyncCmd'));
    return this.funcCall(node(n, 'funcCall'));
  }

  private returnCmd(n: C.ReturnCmdCstNode | undefined): A.Return {
    const v = node(n, 'returnValue');
    const span = this.nodeSpan(n);
    if (!v) return { kind: 'Return', span };
    const pv = tok(v, 'PseudoVariable');
    return { kind: 'Return', value: pv ? this.pvar(pv) : this.snumber(node(v, 'snumber')), span };
  }

  private routeCall(n: C.RouteCallCstNode | undefined): A.RouteCall {
    const pv = tok(n, 'PseudoVariable');
    const target = pv ? this.pvar(pv) : this.routeName(node(n, 'routeName'));
    const args = nodes(n, 'routeParam').map((p) => this.routeParam(p));
    return { kind: 'RouteCall', target, args, span: this.nodeSpan(n) };
  }

  private routeParam(p: C.RouteParamCstNode): A.StringLit | A.NumberLit | A.NullLit | A.PVar {
    if (node(p, 'strings')) return this.strings(node(p, 'strings'));
    if (node(p, 'snumber')) return this.snumber(node(p, 'snumber'));
    const pv = tok(p, 'PseudoVariable');
    if (pv) return this.pvar(pv);
    return { kind: 'Null', span: this.nodeSpan(p) };
  }

  private asyncCmd(n: C.AsyncCmdCstNode | undefined): A.AsyncCall {
    const kw = tok(n, 'keyword');
    const extraNum = tok(n, 'Number');
    const extraStr = node(n, 'strings');
    return {
      kind: 'Async',
      keyword: kw?.image === 'launch' ? 'launch' : 'async',
      call: this.funcCall(node(n, 'funcCall')),
      ...(node(n, 'routeName') ? { resumeRoute: this.routeName(node(n, 'routeName')) } : {}),
      ...(extraNum ? { extra: this.numberToken(extraNum) } : extraStr ? { extra: this.strings(extraStr) } : {}),
      span: this.nodeSpan(n),
    };
  }

  private funcCall(n: C.FuncCallCstNode | undefined): A.Call {
    const name = tok(n, 'name');
    const span = this.nodeSpan(n);
    // Rebuild the argument slots from the comma positions: `f(a,,c)` has an empty middle slot.
    const params = nodes(n, 'funcParam');
    const commas = toks(n, 'Comma');
    const args: (A.CallArg | undefined)[] = [];
    const slots = commas.length + 1;
    const ends = [...commas.map((c) => c.startOffset), Infinity];
    let start = -1;
    for (let i = 0; i < slots; i++) {
      const end = ends[i]!;
      const p = params.find(
        (q) => (q.location?.startOffset ?? -2) > start && (q.location?.startOffset ?? Infinity) < end,
      );
      args.push(p ? this.funcParam(p) : undefined);
      start = end;
    }
    if (args.length === 1 && args[0] === undefined) args.length = 0;
    // `foo bar;` or `uri=~"x"`: 3.3 never reduces it to a command, so it reports the syntax error, not an unknown command.
    const real = (t: IToken | undefined): boolean =>
      t !== undefined && !t.isInsertedInRecovery && !isNaN(t.startOffset);
    const recovered = !real(tok(n, 'LParen')) || !real(tok(n, 'RParen'));
    return {
      kind: 'Call',
      name: name?.image ?? '',
      nameSpan: name ? this.tokenSpan(name) : span,
      args,
      span,
      ...(recovered ? { recovered: true as const } : {}),
    };
  }

  private funcParam(p: C.FuncParamCstNode): A.CallArg {
    if (node(p, 'strings')) return this.strings(node(p, 'strings'));
    if (node(p, 'snumber')) return this.snumber(node(p, 'snumber'));
    const pv = tok(p, 'PseudoVariable');
    if (pv) return this.pvar(pv);
    const bare = tok(p, 'bareWord');
    if (bare) return { kind: 'BareWord', text: bare.image, span: this.tokenSpan(bare) };
    return { kind: 'Null', span: this.nodeSpan(p) };
  }

  // ---- expressions ----------------------------------------------------------------------
  exp(n: C.ExpCstNode | undefined): A.Expr {
    const operands = nodes(n, 'expUnary').map((u) => this.expUnary(u));
    const ops = toks(n, 'op');
    return foldLeft(
      operands,
      ops,
      (op, left, right) => ({
        kind: 'Logical',
        op: op === '&&' || op === 'and' ? '&&' : '||',
        left,
        right,
        span: joinSpans(left.span, right.span),
      }),
      this.nodeSpan(n),
    );
  }

  private expUnary(n: C.ExpUnaryCstNode): A.Expr {
    if (tok(n, 'Not')) return { kind: 'Not', operand: this.expUnary(node(n, 'expUnary')!), span: this.nodeSpan(n) };
    return this.expElem(node(n, 'expElem'));
  }

  private expElem(n: C.ExpElemCstNode | undefined): A.Expr {
    const span = this.nodeSpan(n);
    if (node(n, 'exp')) return { kind: 'Group', expr: this.exp(node(n, 'exp')), span };
    if (node(n, 'assignExp')) return { kind: 'Bracket', expr: this.assignExp(node(n, 'assignExp')), span };
    if (node(n, 'assignCmd')) return { kind: 'StatementExpr', statement: this.assignCmd(node(n, 'assignCmd')), span };
    if (node(n, 'expCond')) return this.expCond(node(n, 'expCond'));
    if (node(n, 'snumber')) return this.snumber(node(n, 'snumber'));
    if (node(n, 'ifCmd')) return { kind: 'StatementExpr', statement: this.ifCmd(node(n, 'ifCmd')), span };
    if (node(n, 'block')) {
      return {
        kind: 'StatementExpr',
        statement: { kind: 'Block', body: this.actions(node(node(n, 'block'), 'actions')), span },
        span,
      };
    }
    return { kind: 'StatementExpr', statement: this.cmd(node(n, 'cmd')), span };
  }

  private expCond(n: C.ExpCondCstNode | undefined): A.Expr {
    const pv = tok(n, 'PseudoVariable');
    const span = this.nodeSpan(n);
    const left = pv ? this.pvar(pv) : missingPVar(span);
    const op = tok(n, 'CompareOp');
    const rhs = node(n, 'compareRhs');
    if (!op || !rhs) return left;
    return { kind: 'Compare', op: op.image as A.CompareOp, left, right: this.compareRhs(rhs), span };
  }

  private compareRhs(n: C.CompareRhsCstNode): A.Compare['right'] {
    const pv = tok(n, 'PseudoVariable');
    if (pv) return this.pvar(pv);
    if (node(n, 'strings')) return this.strings(node(n, 'strings'));
    if (node(n, 'snumber')) return this.snumber(node(n, 'snumber'));
    if (tok(n, 'Null')) return { kind: 'Null', span: this.nodeSpan(n) };
    const net = tok(n, 'IpNetwork');
    if (net) return { kind: 'Net', text: net.image, span: this.tokenSpan(net) };
    return { kind: 'Net', text: this.ipText(node(n, 'ip')), span: this.nodeSpan(n) };
  }

  assignExp(n: C.AssignExpCstNode | undefined): A.Expr {
    return this.binaryLevel(n, 'arithExp', (c) => this.arithExp(c));
  }

  private arithExp(n: C.ArithExpCstNode): A.Expr {
    return this.binaryLevel(n, 'unaryExp', (c) => this.unaryExp(c));
  }

  private binaryLevel<N extends C.AssignExpCstNode | C.ArithExpCstNode, K extends Key<N>>(
    n: N | undefined,
    childKey: K,
    read: (c: NodeOf<N, K>) => A.Expr,
  ): A.Expr {
    const operands = nodes(n, childKey).map(read);
    return foldLeft(
      operands,
      toks(n, 'op'),
      (op, left, right) => ({
        kind: 'Binary',
        op: op as A.ArithOp,
        left,
        right,
        span: joinSpans(left.span, right.span),
      }),
      this.nodeSpan(n),
    );
  }

  private unaryExp(n: C.UnaryExpCstNode): A.Expr {
    if (tok(n, 'BNot')) return { kind: 'BitNot', operand: this.unaryExp(node(n, 'unaryExp')!), span: this.nodeSpan(n) };
    const p = node(n, 'primaryExp');
    const span = this.nodeSpan(p);
    if (node(p, 'assignExp')) return { kind: 'Group', expr: this.assignExp(node(p, 'assignExp')), span };
    if (node(p, 'snumber')) return this.snumber(node(p, 'snumber'));
    if (node(p, 'strings')) return this.strings(node(p, 'strings'));
    if (node(p, 'expCond')) return this.expCond(node(p, 'expCond'));
    return { kind: 'StatementExpr', statement: this.cmd(node(p, 'cmd')), span };
  }
}

function foldLeft(
  operands: A.Expr[],
  ops: IToken[],
  make: (op: string, l: A.Expr, r: A.Expr) => A.Expr,
  span: A.Span,
): A.Expr {
  if (operands.length === 0) return { kind: 'Null', span };
  let acc = operands[0]!;
  for (let i = 1; i < operands.length; i++) acc = make(ops[i - 1]?.image ?? '', acc, operands[i]!);
  return acc;
}

export function joinSpans(a: A.Span, b: A.Span): A.Span {
  return { ...a, endLine: b.endLine, endCol: b.endCol, endOffset: b.endOffset };
}

function missingPVar(span: A.Span): A.PVar {
  return { kind: 'PVar', text: '', spec: undefined, span };
}

function allTokens(n: CstNode | undefined): IToken[] {
  const out: IToken[] = [];
  for (const list of Object.values(kids(n))) {
    for (const x of list ?? []) {
      if ('image' in x) {
        if (!isNaN(x.startOffset)) out.push(x);
      } else out.push(...allTokens(x));
    }
  }
  return out;
}

/** Decimal, `0x` hex and `0`-prefixed octal, as cfg.lex; yes/no words are 1/0. */
export function numberValue(image: string): number {
  if (/^(yes|true|on|enable)$/.test(image)) return 1;
  if (/^(no|false|off|disable)$/.test(image)) return 0;
  if (/^0x/i.test(image)) return parseInt(image.slice(2), 16);
  if (/^0[0-7]+$/.test(image)) return parseInt(image, 8);
  return parseInt(image, 10);
}
