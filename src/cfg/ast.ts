// The typed AST of an OpenSIPS 3.3 cfg. Every node carries the span of the
// source text it came from, so that every later layer can point at it.

export interface Span {
  file: string;
  line: number;
  col: number;
  offset: number;
  endLine: number;
  endCol: number;
  /** Offset just past the last character. */
  endOffset: number;
}

// ---- pseudo-variables -------------------------------------------------------
export interface Transformation {
  /** `s.len`, `uri.user`, `param.value`... */
  name: string;
  args: FormatPart[][];
}

export interface PVarSpec {
  /** `ru`, `avp`, `socket_in`, `$` for `$$`... */
  name: string;
  /** The text inside `$name(...)`; it may itself hold pseudo-variables (`$avp($var(n))`). */
  inner?: string;
  /** `[n]`, `[-1]`, `[*]` or a pseudo-variable index. */
  index?: string;
  transforms: Transformation[];
  /** `$(...)` form. */
  bracketed: boolean;
  /** `$avp(x)[2]`: an index written outside `$( )`, which 3.3 does not read. */
  looseIndex?: boolean;
}

export interface PVar {
  kind: 'PVar';
  text: string;
  spec: PVarSpec | undefined;
  span: Span;
}

/** A string split into literal text and pseudo-variables, as pv_parse_format reads it. */
export type FormatPart = string | PVarSpec;

// ---- expressions ------------------------------------------------------------
export type CompareOp = '==' | '!=' | '<' | '>' | '<=' | '>=' | '=~' | '!~';
export type ArithOp = '+' | '-' | '*' | '/' | '%' | '|' | '&' | '^' | '<<' | '>>';

export interface NumberLit {
  kind: 'Number';
  value: number;
  text: string;
  span: Span;
}
export interface StringLit {
  kind: 'String';
  /** After escape processing; adjacent strings are folded into one. */
  value: string;
  /** Source text of each piece, quotes included. */
  pieces: string[];
  parts: FormatPart[];
  span: Span;
}
export interface NullLit {
  kind: 'Null';
  span: Span;
}
export interface NetLit {
  kind: 'Net';
  text: string;
  span: Span;
}
export interface Compare {
  kind: 'Compare';
  op: CompareOp;
  left: PVar;
  right: PVar | StringLit | NumberLit | NullLit | NetLit;
  span: Span;
}
export interface Logical {
  kind: 'Logical';
  op: '&&' | '||';
  left: Expr;
  right: Expr;
  span: Span;
}
export interface Not {
  kind: 'Not';
  operand: Expr;
  span: Span;
}
export interface Group {
  kind: 'Group';
  expr: Expr;
  span: Span;
}
/** `[ aexpr ]` used as a condition. */
export interface Bracket {
  kind: 'Bracket';
  expr: Expr;
  span: Span;
}
export interface Binary {
  kind: 'Binary';
  op: ArithOp;
  left: Expr;
  right: Expr;
  span: Span;
}
export interface BitNot {
  kind: 'BitNot';
  operand: Expr;
  span: Span;
}
/** A statement used as a condition or operand: a call, an `if`, an assignment or a block. */
export interface StatementExpr {
  kind: 'StatementExpr';
  statement: Statement;
  span: Span;
}

export type Expr =
  | NumberLit
  | StringLit
  | NullLit
  | NetLit
  | PVar
  | Compare
  | Logical
  | Not
  | Group
  | Bracket
  | Binary
  | BitNot
  | StatementExpr;

// ---- statements -------------------------------------------------------------
export type CallArg = StringLit | NumberLit | PVar | NullLit | BareWord;
export interface BareWord {
  kind: 'BareWord';
  text: string;
  span: Span;
}

export interface Call {
  kind: 'Call';
  name: string;
  nameSpan: Span;
  args: (CallArg | undefined)[];
  span: Span;
  /** Rebuilt by error recovery (a parenthesis is missing): the syntax error stands for it, nothing is checked about it. */
  recovered?: true;
}
export interface RouteCall {
  kind: 'RouteCall';
  target: RouteName | PVar;
  args: (StringLit | NumberLit | NullLit | PVar)[];
  span: Span;
}
export interface Assign {
  kind: 'Assign';
  target: PVar;
  op: string;
  value: Expr;
  span: Span;
}
export interface If {
  kind: 'If';
  cond: Expr;
  then: Statement[];
  otherwise?: Statement[];
  span: Span;
}
export interface While {
  kind: 'While';
  cond: Expr;
  body: Statement[];
  span: Span;
}
export interface ForEach {
  kind: 'ForEach';
  iterator: PVar;
  source: PVar;
  body: Statement[];
  span: Span;
}
export interface SwitchCase {
  value: NumberLit | StringLit | undefined;
  body: Statement[];
  span: Span;
}
export interface Switch {
  kind: 'Switch';
  subject: PVar;
  cases: SwitchCase[];
  span: Span;
}
export interface Exit {
  kind: 'Exit';
  span: Span;
}
export interface Drop {
  kind: 'Drop';
  span: Span;
}
export interface Return {
  kind: 'Return';
  value?: NumberLit | PVar;
  span: Span;
}
export interface Break {
  kind: 'Break';
  span: Span;
}
export interface Assert {
  kind: 'Assert';
  cond: Expr;
  message: StringLit;
  span: Span;
}
export interface AsyncCall {
  kind: 'Async';
  keyword: 'async' | 'launch';
  call: Call;
  resumeRoute?: RouteName;
  extra?: NumberLit | StringLit;
  span: Span;
}
/** The blog's `...` elision: an empty statement in the default profile. */
export interface Placeholder {
  kind: 'Placeholder';
  span: Span;
}
export interface Block {
  kind: 'Block';
  body: Statement[];
  span: Span;
}
export interface Include {
  kind: 'Include';
  path: string;
  span: Span;
}

export type Statement =
  | Call
  | RouteCall
  | Assign
  | If
  | While
  | ForEach
  | Switch
  | Exit
  | Drop
  | Return
  | Break
  | Assert
  | AsyncCall
  | Placeholder
  | Block
  | Include;

// ---- top level --------------------------------------------------------------
export interface RouteName {
  text: string;
  quoted: boolean;
  span: Span;
}

export type RouteKind =
  | 'route'
  | 'failure_route'
  | 'onreply_route'
  | 'branch_route'
  | 'error_route'
  | 'local_route'
  | 'startup_route'
  | 'timer_route'
  | 'event_route';

export interface RouteDecl {
  kind: 'Route';
  routeKind: RouteKind;
  name?: RouteName;
  /** timer_route interval, or the mode word of an event_route. */
  extra?: { text: string; span: Span };
  body: Statement[];
  /** Span of the closing `}`, where 3.3 reports an empty body. */
  closeSpan: Span;
  span: Span;
}

export type GlobalValue =
  | { kind: 'Number'; value: number; text: string; span: Span }
  | { kind: 'String'; value: string; span: Span }
  | { kind: 'Id'; text: string; span: Span }
  | { kind: 'Ip'; text: string; span: Span }
  | { kind: 'Words'; text: string; span: Span };

export interface GlobalParam {
  kind: 'Global';
  name: string;
  nameSpan: Span;
  value: GlobalValue;
  autoScalingProfile?: string;
  span: Span;
}

export interface HostPort {
  proto?: string;
  protoSpan?: Span;
  host: string;
  hostSpan: Span;
  port?: string;
}

export interface SocketDecl {
  kind: 'Socket';
  keyword: 'socket' | 'listen';
  address: HostPort;
  advertised?: HostPort;
  workers?: number;
  /** `use_children`, the 2.x spelling of `use_workers`. */
  legacyChildren?: Span;
  tag?: string;
  anycast: boolean;
  frag: boolean;
  autoScalingProfile?: string;
  span: Span;
}

export interface AliasDecl {
  kind: 'Alias';
  aliases: HostPort[];
  span: Span;
}
export interface LoadModule {
  kind: 'LoadModule';
  path: string;
  pathSpan: Span;
  span: Span;
}
export interface ModParam {
  kind: 'ModParam';
  module: string;
  moduleSpan: Span;
  param: string;
  paramSpan: Span;
  value: { kind: 'String'; value: string; span: Span } | { kind: 'Number'; value: number; span: Span };
  span: Span;
}

export type TopItem = GlobalParam | SocketDecl | AliasDecl | LoadModule | ModParam | RouteDecl | Include | Placeholder;

export interface CfgFile {
  kind: 'CfgFile';
  file: string;
  items: TopItem[];
}
