// Generated from grammar/parser.ts by `npm run grammar:cst` (Chevrotain generateCstDts); do not edit.
import type { CstNode, ICstVisitor, IToken } from "chevrotain";

export interface CfgCstNode extends CstNode {
  name: "cfg";
  children: CfgCstChildren;
}

export type CfgCstChildren = {
  statement?: StatementCstNode[];
};

export interface StatementCstNode extends CstNode {
  name: "statement";
  children: StatementCstChildren;
}

export type StatementCstChildren = {
  socketStm?: SocketStmCstNode[];
  aliasStm?: AliasStmCstNode[];
  dstBlacklistStm?: DstBlacklistStmCstNode[];
  autoScalingStm?: AutoScalingStmCstNode[];
  memGroupStm?: MemGroupStmCstNode[];
  assignStm?: AssignStmCstNode[];
  moduleStm?: ModuleStmCstNode[];
  routeStm?: RouteStmCstNode[];
  includeStm?: IncludeStmCstNode[];
  Ellipsis?: IToken[];
};

export interface AssignStmCstNode extends CstNode {
  name: "assignStm";
  children: AssignStmCstChildren;
}

export type AssignStmCstChildren = {
  name: IToken[];
  Equal: IToken[];
  globalValue: GlobalValueCstNode[];
  UseAutoScalingProfile?: IToken[];
  profile?: IToken[];
};

export interface GlobalValueCstNode extends CstNode {
  name: "globalValue";
  children: GlobalValueCstChildren;
}

export type GlobalValueCstChildren = {
  snumber?: SnumberCstNode[];
  strings?: StringsCstNode[];
  ip?: IpCstNode[];
  host?: HostCstNode[];
};

export interface SocketStmCstNode extends CstNode {
  name: "socketStm";
  children: SocketStmCstChildren;
}

export type SocketStmCstChildren = {
  Socket: IToken[];
  Equal: IToken[];
  socketDef: SocketDefCstNode[];
};

export interface SocketDefCstNode extends CstNode {
  name: "socketDef";
  children: SocketDefCstChildren;
}

export type SocketDefCstChildren = {
  proto?: IToken[];
  Colon?: (IToken)[];
  anyHost?: IToken[];
  listenId?: ListenIdCstNode[];
  port?: PortCstNode[];
  socketParam?: SocketParamCstNode[];
};

export interface SocketParamCstNode extends CstNode {
  name: "socketParam";
  children: SocketParamCstChildren;
}

export type SocketParamCstChildren = {
  Anycast?: IToken[];
  Frag?: IToken[];
  UseWorkers?: IToken[];
  Number?: IToken[];
  Tag?: IToken[];
  Identifier?: (IToken)[];
  UseAutoScalingProfile?: IToken[];
  As?: IToken[];
  listenId?: ListenIdCstNode[];
  Colon?: IToken[];
  port?: PortCstNode[];
};

export interface AliasStmCstNode extends CstNode {
  name: "aliasStm";
  children: AliasStmCstChildren;
}

export type AliasStmCstChildren = {
  Alias: IToken[];
  Equal: IToken[];
  aliasDef: (AliasDefCstNode)[];
};

export interface AliasDefCstNode extends CstNode {
  name: "aliasDef";
  children: AliasDefCstChildren;
}

export type AliasDefCstChildren = {
  proto?: IToken[];
  Any?: IToken[];
  Colon?: (IToken)[];
  listenId: ListenIdCstNode[];
  port?: PortCstNode[];
};

export interface DstBlacklistStmCstNode extends CstNode {
  name: "dstBlacklistStm";
  children: DstBlacklistStmCstChildren;
}

export type DstBlacklistStmCstChildren = {
  DstBlacklist: IToken[];
  Equal: IToken[];
  Identifier: IToken[];
  Colon: IToken[];
  LBrace: IToken[];
  blacklistElem: BlacklistElemCstNode[];
  Comma?: IToken[];
  RBrace: IToken[];
};

export interface BlacklistElemCstNode extends CstNode {
  name: "blacklistElem";
  children: BlacklistElemCstChildren;
}

export type BlacklistElemCstChildren = {
  Not?: IToken[];
  LParen: IToken[];
  Any?: IToken[];
  Identifier?: IToken[];
  Comma: (IToken)[];
  IpNetwork?: IToken[];
  ip?: IpCstNode[];
  port: PortCstNode[];
  StringDQ: IToken[];
  RParen: IToken[];
};

export interface AutoScalingStmCstNode extends CstNode {
  name: "autoScalingStm";
  children: AutoScalingStmCstChildren;
}

export type AutoScalingStmCstChildren = {
  AutoScalingProfile: IToken[];
  Equal: IToken[];
  name: IToken[];
  word?: IToken[];
  Number?: IToken[];
  Modulo?: IToken[];
  For?: IToken[];
};

export interface MemGroupStmCstNode extends CstNode {
  name: "memGroupStm";
  children: MemGroupStmCstChildren;
}

export type MemGroupStmCstChildren = {
  MemGroup: IToken[];
  Equal: IToken[];
  StringDQ: (IToken)[];
  Colon: IToken[];
};

export interface ListenIdCstNode extends CstNode {
  name: "listenId";
  children: ListenIdCstChildren;
}

export type ListenIdCstChildren = {
  ip?: IpCstNode[];
  strings?: StringsCstNode[];
  host?: HostCstNode[];
};

export interface IpCstNode extends CstNode {
  name: "ip";
  children: IpCstChildren;
}

export type IpCstChildren = {
  Ipv4?: IToken[];
  Ipv6?: (IToken)[];
  LBracket?: IToken[];
  RBracket?: IToken[];
};

export interface HostCstNode extends CstNode {
  name: "host";
  children: HostCstChildren;
}

export type HostCstChildren = {
  Identifier: (IToken)[];
  Dot?: IToken[];
  Minus?: IToken[];
  Number?: IToken[];
};

export interface PortCstNode extends CstNode {
  name: "port";
  children: PortCstChildren;
}

export type PortCstChildren = {
  Number?: IToken[];
  Any?: IToken[];
};

export interface ModuleStmCstNode extends CstNode {
  name: "moduleStm";
  children: ModuleStmCstChildren;
}

export type ModuleStmCstChildren = {
  LoadModule?: IToken[];
  strings?: StringsCstNode[];
  ModParam?: IToken[];
  LParen?: IToken[];
  module?: StringsCstNode[];
  Comma?: (IToken)[];
  param?: StringsCstNode[];
  value?: (StringsCstNode | SnumberCstNode)[];
  RParen?: IToken[];
};

export interface IncludeStmCstNode extends CstNode {
  name: "includeStm";
  children: IncludeStmCstChildren;
}

export type IncludeStmCstChildren = {
  IncludeFile: IToken[];
  strings: StringsCstNode[];
};

export interface RouteStmCstNode extends CstNode {
  name: "routeStm";
  children: RouteStmCstChildren;
}

export type RouteStmCstChildren = {
  kind?: (IToken)[];
  LBracket?: IToken[];
  routeName?: RouteNameCstNode[];
  Comma?: IToken[];
  interval?: IToken[];
  mode?: (IToken)[];
  RBracket?: IToken[];
  block: BlockCstNode[];
};

export interface RouteNameCstNode extends CstNode {
  name: "routeName";
  children: RouteNameCstChildren;
}

export type RouteNameCstChildren = {
  Identifier?: IToken[];
  Number?: IToken[];
  StringDQ?: IToken[];
  StringSQ?: IToken[];
};

export interface BlockCstNode extends CstNode {
  name: "block";
  children: BlockCstChildren;
}

export type BlockCstChildren = {
  LBrace: IToken[];
  actions: ActionsCstNode[];
  RBrace: IToken[];
};

export interface ActionsCstNode extends CstNode {
  name: "actions";
  children: ActionsCstChildren;
}

export type ActionsCstChildren = {
  action?: ActionCstNode[];
};

export interface ActionCstNode extends CstNode {
  name: "action";
  children: ActionCstChildren;
}

export type ActionCstChildren = {
  ifCmd?: IfCmdCstNode[];
  whileCmd?: WhileCmdCstNode[];
  foreachCmd?: ForeachCmdCstNode[];
  switchCmd?: SwitchCmdCstNode[];
  empty?: IToken[];
  Ellipsis?: IToken[];
  Semicolon?: (IToken)[];
  Break?: IToken[];
  includeStm?: IncludeStmCstNode[];
  assignCmd?: AssignCmdCstNode[];
  cmd?: CmdCstNode[];
};

export interface StmCstNode extends CstNode {
  name: "stm";
  children: StmCstChildren;
}

export type StmCstChildren = {
  block?: BlockCstNode[];
  action?: ActionCstNode[];
};

export interface IfCmdCstNode extends CstNode {
  name: "ifCmd";
  children: IfCmdCstChildren;
}

export type IfCmdCstChildren = {
  If: IToken[];
  LParen: IToken[];
  exp: ExpCstNode[];
  RParen: IToken[];
  then: StmCstNode[];
  Else?: IToken[];
  otherwise?: StmCstNode[];
};

export interface WhileCmdCstNode extends CstNode {
  name: "whileCmd";
  children: WhileCmdCstChildren;
}

export type WhileCmdCstChildren = {
  While: IToken[];
  LParen: IToken[];
  exp: ExpCstNode[];
  RParen: IToken[];
  stm: StmCstNode[];
};

export interface ForeachCmdCstNode extends CstNode {
  name: "foreachCmd";
  children: ForeachCmdCstChildren;
}

export type ForeachCmdCstChildren = {
  For: IToken[];
  LParen: IToken[];
  iterator: IToken[];
  In: IToken[];
  source: IToken[];
  RParen: IToken[];
  stm: StmCstNode[];
};

export interface SwitchCmdCstNode extends CstNode {
  name: "switchCmd";
  children: SwitchCmdCstChildren;
}

export type SwitchCmdCstChildren = {
  Switch: IToken[];
  LParen: IToken[];
  PseudoVariable: IToken[];
  RParen: IToken[];
  LBrace: IToken[];
  caseStm?: CaseStmCstNode[];
  defaultStm?: DefaultStmCstNode[];
  RBrace: IToken[];
};

export interface CaseStmCstNode extends CstNode {
  name: "caseStm";
  children: CaseStmCstChildren;
}

export type CaseStmCstChildren = {
  Case: IToken[];
  snumber?: SnumberCstNode[];
  StringDQ?: IToken[];
  StringSQ?: IToken[];
  Colon: IToken[];
  actions: ActionsCstNode[];
};

export interface DefaultStmCstNode extends CstNode {
  name: "defaultStm";
  children: DefaultStmCstChildren;
}

export type DefaultStmCstChildren = {
  Default: IToken[];
  Colon: IToken[];
  actions: ActionsCstNode[];
};

export interface AssignCmdCstNode extends CstNode {
  name: "assignCmd";
  children: AssignCmdCstChildren;
}

export type AssignCmdCstChildren = {
  PseudoVariable: IToken[];
  AssignOp: IToken[];
  Null?: IToken[];
  assignExp?: AssignExpCstNode[];
};

export interface CmdCstNode extends CstNode {
  name: "cmd";
  children: CmdCstChildren;
}

export type CmdCstChildren = {
  keyword?: (IToken)[];
  emptyParens?: (EmptyParensCstNode)[];
  returnCmd?: ReturnCmdCstNode[];
  routeCall?: RouteCallCstNode[];
  assertCmd?: AssertCmdCstNode[];
  asyncCmd?: AsyncCmdCstNode[];
  funcCall?: FuncCallCstNode[];
};

export interface EmptyParensCstNode extends CstNode {
  name: "emptyParens";
  children: EmptyParensCstChildren;
}

export type EmptyParensCstChildren = {
  LParen?: IToken[];
  RParen?: IToken[];
};

export interface ReturnCmdCstNode extends CstNode {
  name: "returnCmd";
  children: ReturnCmdCstChildren;
}

export type ReturnCmdCstChildren = {
  Return: IToken[];
  LParen?: IToken[];
  returnValue?: (ReturnValueCstNode)[];
  RParen?: IToken[];
};

export interface ReturnValueCstNode extends CstNode {
  name: "returnValue";
  children: ReturnValueCstChildren;
}

export type ReturnValueCstChildren = {
  snumber?: SnumberCstNode[];
  PseudoVariable?: IToken[];
};

export interface RouteCallCstNode extends CstNode {
  name: "routeCall";
  children: RouteCallCstChildren;
}

export type RouteCallCstChildren = {
  Route: IToken[];
  LParen: IToken[];
  routeName?: RouteNameCstNode[];
  PseudoVariable?: IToken[];
  Comma?: IToken[];
  routeParam?: RouteParamCstNode[];
  RParen: IToken[];
};

export interface RouteParamCstNode extends CstNode {
  name: "routeParam";
  children: RouteParamCstChildren;
}

export type RouteParamCstChildren = {
  strings?: StringsCstNode[];
  snumber?: SnumberCstNode[];
  Null?: IToken[];
  PseudoVariable?: IToken[];
};

export interface AssertCmdCstNode extends CstNode {
  name: "assertCmd";
  children: AssertCmdCstChildren;
}

export type AssertCmdCstChildren = {
  Assert: IToken[];
  LParen: IToken[];
  exp: ExpCstNode[];
  Comma: IToken[];
  strings: StringsCstNode[];
  RParen: IToken[];
};

export interface AsyncCmdCstNode extends CstNode {
  name: "asyncCmd";
  children: AsyncCmdCstChildren;
}

export type AsyncCmdCstChildren = {
  keyword?: (IToken)[];
  LParen: IToken[];
  funcCall: FuncCallCstNode[];
  Comma?: (IToken)[];
  routeName?: RouteNameCstNode[];
  Number?: IToken[];
  strings?: StringsCstNode[];
  RParen: IToken[];
};

export interface FuncCallCstNode extends CstNode {
  name: "funcCall";
  children: FuncCallCstChildren;
}

export type FuncCallCstChildren = {
  name: IToken[];
  LParen: IToken[];
  funcParam?: (FuncParamCstNode)[];
  Comma?: IToken[];
  RParen: IToken[];
};

export interface FuncParamCstNode extends CstNode {
  name: "funcParam";
  children: FuncParamCstChildren;
}

export type FuncParamCstChildren = {
  strings?: StringsCstNode[];
  snumber?: SnumberCstNode[];
  PseudoVariable?: IToken[];
  Null?: IToken[];
  bareWord?: IToken[];
};

export interface ExpCstNode extends CstNode {
  name: "exp";
  children: ExpCstChildren;
}

export type ExpCstChildren = {
  expUnary: (ExpUnaryCstNode)[];
  op?: (IToken)[];
};

export interface ExpUnaryCstNode extends CstNode {
  name: "expUnary";
  children: ExpUnaryCstChildren;
}

export type ExpUnaryCstChildren = {
  Not?: IToken[];
  expUnary?: ExpUnaryCstNode[];
  expElem?: ExpElemCstNode[];
};

export interface ExpElemCstNode extends CstNode {
  name: "expElem";
  children: ExpElemCstChildren;
}

export type ExpElemCstChildren = {
  LParen?: IToken[];
  exp?: ExpCstNode[];
  RParen?: IToken[];
  LBracket?: IToken[];
  assignExp?: AssignExpCstNode[];
  RBracket?: IToken[];
  assignCmd?: AssignCmdCstNode[];
  expCond?: ExpCondCstNode[];
  snumber?: SnumberCstNode[];
  ifCmd?: IfCmdCstNode[];
  block?: BlockCstNode[];
  cmd?: CmdCstNode[];
};

export interface ExpCondCstNode extends CstNode {
  name: "expCond";
  children: ExpCondCstChildren;
}

export type ExpCondCstChildren = {
  PseudoVariable: IToken[];
  CompareOp?: IToken[];
  compareRhs?: CompareRhsCstNode[];
};

export interface CompareRhsCstNode extends CstNode {
  name: "compareRhs";
  children: CompareRhsCstChildren;
}

export type CompareRhsCstChildren = {
  PseudoVariable?: IToken[];
  strings?: StringsCstNode[];
  snumber?: SnumberCstNode[];
  Null?: IToken[];
  IpNetwork?: IToken[];
  ip?: IpCstNode[];
};

export interface AssignExpCstNode extends CstNode {
  name: "assignExp";
  children: AssignExpCstChildren;
}

export type AssignExpCstChildren = {
  arithExp: (ArithExpCstNode)[];
  op?: IToken[];
};

export interface ArithExpCstNode extends CstNode {
  name: "arithExp";
  children: ArithExpCstChildren;
}

export type ArithExpCstChildren = {
  unaryExp: (UnaryExpCstNode)[];
  op?: IToken[];
};

export interface UnaryExpCstNode extends CstNode {
  name: "unaryExp";
  children: UnaryExpCstChildren;
}

export type UnaryExpCstChildren = {
  BNot?: IToken[];
  unaryExp?: UnaryExpCstNode[];
  primaryExp?: PrimaryExpCstNode[];
};

export interface PrimaryExpCstNode extends CstNode {
  name: "primaryExp";
  children: PrimaryExpCstChildren;
}

export type PrimaryExpCstChildren = {
  LParen?: IToken[];
  assignExp?: AssignExpCstNode[];
  RParen?: IToken[];
  snumber?: SnumberCstNode[];
  strings?: StringsCstNode[];
  expCond?: ExpCondCstNode[];
  cmd?: CmdCstNode[];
};

export interface StringsCstNode extends CstNode {
  name: "strings";
  children: StringsCstChildren;
}

export type StringsCstChildren = {
  StringDQ?: IToken[];
  StringSQ?: IToken[];
  UnterminatedString?: IToken[];
};

export interface SnumberCstNode extends CstNode {
  name: "snumber";
  children: SnumberCstChildren;
}

export type SnumberCstChildren = {
  sign?: (IToken)[];
  Number: IToken[];
};
