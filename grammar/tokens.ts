// Tokens of the OpenSIPS 3.3 cfg language (cfg.lex). Keywords are matched
// before identifiers with `longer_alt`, so `routes` is an identifier while
// `route` is the keyword, as flex's longest match does.
import { createToken, Lexer, type TokenType } from 'chevrotain';
import { matchBlockComment, matchPseudoVariable } from './matchers.js';

// ---- skipped ----------------------------------------------------------------
export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\r\n\b]+/, group: Lexer.SKIPPED });
export const LineContinuation = createToken({ name: 'LineContinuation', pattern: /\\\r?\n/, group: Lexer.SKIPPED });
export const LineComment = createToken({ name: 'LineComment', pattern: /#[^\n]*/, group: 'comments' });
export const BlockComment = createToken({
  name: 'BlockComment',
  pattern: { exec: matchBlockComment },
  line_breaks: true,
  start_chars_hint: ['/'],
  group: 'comments',
});

// ---- literals ---------------------------------------------------------------
export const StringDQ = createToken({
  name: 'StringDQ',
  label: 'a string',
  pattern: /"(?:[^"\\]|\\[\s\S])*"/,
  line_breaks: true,
});
export const StringSQ = createToken({ name: 'StringSQ', label: 'a string', pattern: /'[^']*'/, line_breaks: true });
/** An opening quote with no closing one: eats to the end so that one error is reported, not a cascade. */
export const UnterminatedString = createToken({
  name: 'UnterminatedString',
  label: 'a string',
  pattern: /["'][\s\S]*/,
  line_breaks: true,
});
export const PseudoVariable = createToken({
  name: 'PseudoVariable',
  label: 'a pseudo-variable',
  pattern: { exec: matchPseudoVariable },
  line_breaks: true,
  start_chars_hint: ['$'],
});
const IPV4 = '(?:0|[1-9][0-9]*)\\.(?:0|[1-9][0-9]*)\\.(?:0|[1-9][0-9]*)\\.(?:0|[1-9][0-9]*)';
const HEX4 = '[0-9a-fA-F]{1,4}';
const IPV6 = `(?:(?:${HEX4}:){7}${HEX4}|(?:${HEX4}:){1,7}(?::${HEX4}){1,7}|:(?::${HEX4}){1,7}|(?:${HEX4}:){1,7}:|::)`;
export const IpNetwork = createToken({
  name: 'IpNetwork',
  label: 'a network (address/mask)',
  pattern: new RegExp(`(?:${IPV4}/(?:${IPV4}|0|[1-9][0-9]*))|(?:${IPV6}/(?:${IPV6}|0|[1-9][0-9]*))`),
});
export const Ipv4 = createToken({ name: 'Ipv4', label: 'an IPv4 address', pattern: new RegExp(IPV4) });
export const Ipv6 = createToken({ name: 'Ipv6', label: 'an IPv6 address', pattern: new RegExp(IPV6) });
export const Number = createToken({
  name: 'Number',
  label: 'a number',
  pattern: /0x[0-9a-fA-F]+|0[0-7]+|0|[1-9][0-9]*/,
});
export const Identifier = createToken({ name: 'Identifier', label: 'a name', pattern: /[a-zA-Z][a-zA-Z0-9_]*/ });
export const Ellipsis = createToken({ name: 'Ellipsis', label: '`...`', pattern: /\.{3,}/ });

function keyword(name: string, pattern: RegExp, label?: string, categories?: TokenType[]): TokenType {
  const config = { name, pattern, label: label ?? `\`${pattern.source}\``, longer_alt: Identifier };
  return createToken(categories ? { ...config, categories } : config);
}

// yes/no words are numbers to the 3.3 lexer (`debug_mode=yes`, `modparam(.., true)`).
export const BoolWord = keyword('BoolWord', /yes|true|on|enable|no|false|off|disable/, 'a yes/no word', [Number]);

// ---- keywords ---------------------------------------------------------------
export const FailureRoute = keyword('FailureRoute', /failure_route/);
export const OnReplyRoute = keyword('OnReplyRoute', /onreply_route/);
export const BranchRoute = keyword('BranchRoute', /branch_route/);
export const ErrorRoute = keyword('ErrorRoute', /error_route/);
export const LocalRoute = keyword('LocalRoute', /local_route/);
export const StartupRoute = keyword('StartupRoute', /startup_route/);
export const TimerRoute = keyword('TimerRoute', /timer_route/);
export const EventRoute = keyword('EventRoute', /event_route/);
export const Route = keyword('Route', /route/);
/** The keywords that open a route block, in the parser's order. */
export const ROUTE_KINDS: TokenType[] = [
  Route,
  FailureRoute,
  OnReplyRoute,
  BranchRoute,
  ErrorRoute,
  LocalRoute,
  StartupRoute,
  TimerRoute,
  EventRoute,
];
export const If = keyword('If', /if/);
export const Else = keyword('Else', /else/);
export const Switch = keyword('Switch', /switch/);
export const Case = keyword('Case', /case/);
export const Default = keyword('Default', /default/);
export const Break = keyword('Break', /break/);
export const While = keyword('While', /while/);
export const For = keyword('For', /for/);
export const In = keyword('In', /in/);
export const Drop = keyword('Drop', /drop/);
export const Exit = keyword('Exit', /exit/);
export const Return = keyword('Return', /return/);
export const Assert = keyword('Assert', /assert/);
export const Async = keyword('Async', /async/);
export const Launch = keyword('Launch', /launch/);
export const LoadModule = keyword('LoadModule', /loadmodule/);
export const ModParam = keyword('ModParam', /modparam/);
export const IncludeFile = keyword('IncludeFile', /include_file|import_file/, '`include_file`');
export const Null = keyword('Null', /null|NULL/, '`NULL`');
// Global parameters with a grammar of their own; the others are `name = value`.
export const Socket = keyword('Socket', /socket|listen/, '`socket`');
export const Alias = keyword('Alias', /alias/);
export const DstBlacklist = keyword('DstBlacklist', /dst_blacklist/);
export const AutoScalingProfile = keyword('AutoScalingProfile', /auto_scaling_profile/);
export const MemGroup = createToken({ name: 'MemGroup', pattern: /mem-group/, label: '`mem-group`' });
// Socket definition words.
export const As = keyword('As', /as|AS/, '`as`');
export const UseWorkers = keyword('UseWorkers', /use_workers|USE_WORKERS|use_children/, '`use_workers`');
export const UseAutoScalingProfile = keyword(
  'UseAutoScalingProfile',
  /use_auto_scaling_profile|USE_AUTO_SCALING_PROFILE/,
  '`use_auto_scaling_profile`',
);
export const Tag = keyword('Tag', /tag/);
export const Anycast = keyword('Anycast', /anycast/);
export const Frag = keyword('Frag', /frag/);
export const Any = keyword('Any', /any/);

// ---- operators (longest first) ----------------------------------------------
function op(name: string, pattern: RegExp, label: string, categories?: TokenType[]): TokenType {
  const config = { name, pattern, label: `\`${label}\`` };
  return createToken(categories ? { ...config, categories } : config);
}
export const AssignOp = createToken({ name: 'AssignOp', pattern: Lexer.NA, label: 'an assignment operator' });
export const CompareOp = createToken({ name: 'CompareOp', pattern: Lexer.NA, label: 'a comparison operator' });
export const EqualityOp = createToken({
  name: 'EqualityOp',
  pattern: Lexer.NA,
  label: '`==` or `!=`',
  categories: [CompareOp],
});
export const BitOp = createToken({ name: 'BitOp', pattern: Lexer.NA, label: 'a bitwise operator' });
export const ArithOp = createToken({ name: 'ArithOp', pattern: Lexer.NA, label: 'an arithmetic operator' });

export const ColonEq = op('ColonEq', /:=/, ':=', [AssignOp]);
export const PlusEq = op('PlusEq', /\+=/, '+=', [AssignOp]);
export const MinusEq = op('MinusEq', /-=/, '-=', [AssignOp]);
export const SlashEq = op('SlashEq', /\/=/, '/=', [AssignOp]);
export const MultEq = op('MultEq', /\*=/, '*=', [AssignOp]);
export const ModuloEq = op('ModuloEq', /%=/, '%=', [AssignOp]);
export const BAndEq = op('BAndEq', /&=/, '&=', [AssignOp]);
export const BOrEq = op('BOrEq', /\|=/, '|=', [AssignOp]);
export const BXorEq = op('BXorEq', /\^=/, '^=', [AssignOp]);
export const EqualT = op('EqualT', /==/, '==', [EqualityOp]);
export const Diff = op('Diff', /!=/, '!=', [EqualityOp]);
export const Match = op('Match', /=~/, '=~', [CompareOp]);
export const NotMatch = op('NotMatch', /!~/, '!~', [CompareOp]);
export const Gte = op('Gte', />=/, '>=', [CompareOp]);
export const Lte = op('Lte', /<=/, '<=', [CompareOp]);
export const LShift = op('LShift', /<</, '<<', [BitOp]);
export const RShift = op('RShift', />>/, '>>', [BitOp]);
export const Gt = op('Gt', />/, '>', [CompareOp]);
export const Lt = op('Lt', /</, '<', [CompareOp]);
export const And = createToken({ name: 'And', pattern: /&&|and/, label: '`&&`', longer_alt: Identifier });
export const Or = createToken({ name: 'Or', pattern: /\|\||or/, label: '`||`', longer_alt: Identifier });
export const Not = createToken({ name: 'Not', pattern: /!(?![=~])|not/, label: '`!`', longer_alt: Identifier });
export const Equal = op('Equal', /=/, '=', [AssignOp]);
export const BAnd = op('BAnd', /&/, '&', [BitOp]);
export const BOr = op('BOr', /\|/, '|', [BitOp]);
export const BXor = op('BXor', /\^/, '^', [BitOp]);
export const BNot = op('BNot', /~/, '~');
export const Plus = op('Plus', /\+/, '+', [ArithOp]);
export const Minus = op('Minus', /-/, '-', [ArithOp]);
export const Mult = op('Mult', /\*/, '*', [ArithOp]);
export const Slash = op('Slash', /\//, '/', [ArithOp]);
export const Modulo = op('Modulo', /%/, '%', [ArithOp]);

export const LParen = op('LParen', /\(/, '(');
export const RParen = op('RParen', /\)/, ')');
export const LBrace = op('LBrace', /\{/, '{');
export const RBrace = op('RBrace', /\}/, '}');
export const LBracket = op('LBracket', /\[/, '[');
export const RBracket = op('RBracket', /\]/, ']');
export const Semicolon = op('Semicolon', /;/, ';');
export const Comma = op('Comma', /,/, ',');
export const Colon = op('Colon', /:/, ':');
export const Dot = op('Dot', /\./, '.');

/** Lexing order matters: first match wins, so longer forms come first. */
export const allTokens: TokenType[] = [
  WhiteSpace,
  LineContinuation,
  LineComment,
  BlockComment,
  StringDQ,
  StringSQ,
  UnterminatedString,
  PseudoVariable,
  IpNetwork,
  Ipv4,
  Ipv6,
  Number,
  Ellipsis,
  // A keyword that is a prefix of another keyword must come after it
  // (`include_file` before `in`, `onreply_route` and `not` before `on`/`no`).
  FailureRoute,
  OnReplyRoute,
  BranchRoute,
  ErrorRoute,
  LocalRoute,
  StartupRoute,
  TimerRoute,
  EventRoute,
  Route,
  IncludeFile,
  If,
  Else,
  Switch,
  Case,
  Default,
  Break,
  While,
  For,
  In,
  Drop,
  Exit,
  Return,
  Assert,
  Async,
  Launch,
  LoadModule,
  ModParam,
  Null,
  Socket,
  Alias,
  DstBlacklist,
  AutoScalingProfile,
  MemGroup,
  UseWorkers,
  UseAutoScalingProfile,
  Tag,
  Anycast,
  Frag,
  Any,
  As,
  And,
  Or,
  Not,
  BoolWord,
  Identifier,
  ColonEq,
  PlusEq,
  MinusEq,
  SlashEq,
  MultEq,
  ModuloEq,
  BAndEq,
  BOrEq,
  BXorEq,
  EqualT,
  Diff,
  Match,
  NotMatch,
  Gte,
  Lte,
  LShift,
  RShift,
  Gt,
  Lt,
  Equal,
  BAnd,
  BOr,
  BXor,
  BNot,
  Plus,
  Minus,
  Mult,
  Slash,
  Modulo,
  LParen,
  RParen,
  LBrace,
  RBrace,
  LBracket,
  RBracket,
  Semicolon,
  Comma,
  Colon,
  Dot,
  AssignOp,
  CompareOp,
  EqualityOp,
  BitOp,
  ArithOp,
];

export const cfgLexer = new Lexer(allTokens, { positionTracking: 'full', ensureOptimizations: false });
