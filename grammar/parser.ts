// The OpenSIPS 3.3 cfg grammar as a Chevrotain CstParser. Rule names follow
// the productions of OpenSIPS's cfg.y (statement, assign_stm, module_stm,
// route_stm, action, cmd, exp, exp_elem, exp_cond, assignexp, func_param...)
// so that the two can be compared line by line. Where this grammar is more
// permissive than cfg.y (a missing socket protocol, `break` anywhere, bare words
// as arguments, any route header form), it is so that the cfg layer can give a
// precise message; that layer rejects what 3.3 rejects.
import { CstParser, type CstNode, type IOrAlt, type IToken, type TokenType } from 'chevrotain';
import * as T from './tokens.js';

const ROUTE_KINDS = T.ROUTE_KINDS;

export class CfgParser extends CstParser {
  /**
   * Alternatives of each OR, built once: Chevrotain's performance guide advises
   * against allocating the alternative closures on every rule invocation.
   */
  private readonly altCache: IOrAlt<unknown>[][] = [];

  private alts(slot: number, make: () => IOrAlt<unknown>[]): IOrAlt<unknown>[] {
    return (this.altCache[slot] ??= make());
  }

  constructor(recovery = true) {
    super(T.allTokens, { recoveryEnabled: recovery, maxLookahead: 3, nodeLocationTracking: 'full' });
    this.performSelfAnalysis();
  }

  // ---- top level ------------------------------------------------------------
  public cfg = this.RULE('cfg', () => {
    this.MANY(() => this.SUBRULE(this.statement));
  });

  public statement = this.RULE('statement', () => {
    this.OR(
      this.alts(0, () => [
        { ALT: () => this.SUBRULE(this.socketStm) },
        { ALT: () => this.SUBRULE(this.aliasStm) },
        { ALT: () => this.SUBRULE(this.dstBlacklistStm) },
        { ALT: () => this.SUBRULE(this.autoScalingStm) },
        { ALT: () => this.SUBRULE(this.memGroupStm) },
        { ALT: () => this.SUBRULE(this.assignStm) },
        { ALT: () => this.SUBRULE(this.moduleStm) },
        { ALT: () => this.SUBRULE(this.routeStm) },
        { ALT: () => this.SUBRULE(this.includeStm) },
        { ALT: () => this.CONSUME(T.Ellipsis) },
      ]),
    );
  });

  /** `name = value [use_auto_scaling_profile ID]`; the name is checked by the cfg layer. */
  public assignStm = this.RULE('assignStm', () => {
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.CONSUME(T.Equal);
    this.SUBRULE(this.globalValue);
    this.OPTION(() => {
      this.CONSUME(T.UseAutoScalingProfile);
      this.CONSUME2(T.Identifier, { LABEL: 'profile' });
    });
  });

  public globalValue = this.RULE('globalValue', () => {
    this.OR(
      this.alts(1, () => [
        { ALT: () => this.SUBRULE(this.snumber) },
        { ALT: () => this.SUBRULE(this.strings) },
        { ALT: () => this.SUBRULE(this.ip) },
        { ALT: () => this.SUBRULE(this.host) },
      ]),
    );
  });

  public socketStm = this.RULE('socketStm', () => {
    this.CONSUME(T.Socket);
    this.CONSUME(T.Equal);
    this.SUBRULE(this.socketDef);
  });

  /** proto:host[:port] then parameters (as, use_workers, tag, anycast, frag...). */
  public socketDef = this.RULE('socketDef', () => {
    // The protocol is mandatory in 3.3; it is optional here so that the cfg
    // layer can say "protocol expected" instead of cascading syntax errors.
    this.OPTION3({
      GATE: () => this.LA(2).tokenType === T.Colon,
      DEF: () => {
        this.CONSUME(T.Identifier, { LABEL: 'proto' });
        this.CONSUME(T.Colon);
      },
    });
    this.OR(
      this.alts(2, () => [
        { ALT: () => this.CONSUME(T.Mult, { LABEL: 'anyHost' }) },
        { ALT: () => this.SUBRULE(this.listenId) },
      ]),
    );
    this.OPTION(() => {
      this.CONSUME2(T.Colon);
      this.SUBRULE(this.port);
    });
    this.MANY(() => this.SUBRULE(this.socketParam));
  });

  public socketParam = this.RULE('socketParam', () => {
    this.OR(
      this.alts(3, () => [
        { ALT: () => this.CONSUME(T.Anycast) },
        { ALT: () => this.CONSUME(T.Frag) },
        {
          ALT: () => {
            this.CONSUME(T.UseWorkers);
            this.CONSUME(T.Number);
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Tag);
            this.CONSUME(T.Identifier);
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.UseAutoScalingProfile);
            this.CONSUME2(T.Identifier);
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.As);
            this.SUBRULE(this.listenId);
            this.OPTION(() => {
              this.CONSUME(T.Colon);
              this.SUBRULE(this.port);
            });
          },
        },
      ]),
    );
  });

  public aliasStm = this.RULE('aliasStm', () => {
    this.CONSUME(T.Alias);
    this.CONSUME(T.Equal);
    this.SUBRULE(this.aliasDef);
    this.MANY({ GATE: () => !this.startsGlobalAssign(), DEF: () => this.SUBRULE2(this.aliasDef) });
  });

  public aliasDef = this.RULE('aliasDef', () => {
    this.OPTION({
      GATE: () => this.LA(2).tokenType === T.Colon,
      DEF: () => {
        this.OR(
          this.alts(4, () => [
            { ALT: () => this.CONSUME(T.Identifier, { LABEL: 'proto' }) },
            { ALT: () => this.CONSUME(T.Any) },
          ]),
        );
        this.CONSUME(T.Colon);
      },
    });
    this.SUBRULE(this.listenId);
    this.OPTION2(() => {
      this.CONSUME2(T.Colon);
      this.SUBRULE(this.port);
    });
  });

  public dstBlacklistStm = this.RULE('dstBlacklistStm', () => {
    this.CONSUME(T.DstBlacklist);
    this.CONSUME(T.Equal);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Colon);
    this.CONSUME(T.LBrace);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.blacklistElem) });
    this.CONSUME(T.RBrace);
  });

  public blacklistElem = this.RULE('blacklistElem', () => {
    this.OPTION(() => this.CONSUME(T.Not));
    this.CONSUME(T.LParen);
    this.OR(this.alts(5, () => [{ ALT: () => this.CONSUME(T.Any) }, { ALT: () => this.CONSUME(T.Identifier) }]));
    this.CONSUME(T.Comma);
    this.OR2(this.alts(6, () => [{ ALT: () => this.CONSUME(T.IpNetwork) }, { ALT: () => this.SUBRULE(this.ip) }]));
    this.CONSUME2(T.Comma);
    this.SUBRULE(this.port);
    this.CONSUME3(T.Comma);
    this.CONSUME(T.StringDQ);
    this.CONSUME(T.RParen);
  });

  /** `auto_scaling_profile = NAME scale up to N on N% for N cycles [within N] [scale down to ...]` */
  public autoScalingStm = this.RULE('autoScalingStm', () => {
    this.CONSUME(T.AutoScalingProfile);
    this.CONSUME(T.Equal);
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.AT_LEAST_ONE({
      GATE: () => !this.startsGlobalAssign(),
      DEF: () => {
        this.OR(
          this.alts(7, () => [
            { ALT: () => this.CONSUME2(T.Identifier, { LABEL: 'word' }) },
            { ALT: () => this.CONSUME(T.Number) },
            { ALT: () => this.CONSUME(T.Modulo) },
            { ALT: () => this.CONSUME(T.For) },
          ]),
        );
      },
    });
  });

  public memGroupStm = this.RULE('memGroupStm', () => {
    this.CONSUME(T.MemGroup);
    this.CONSUME(T.Equal);
    this.CONSUME(T.StringDQ);
    this.CONSUME(T.Colon);
    this.AT_LEAST_ONE(() => this.CONSUME2(T.StringDQ));
  });

  /** Global names are keywords to 3.3's lexer but identifiers here: `name =` ends a list. */
  private startsGlobalAssign(): boolean {
    return this.LA(1).tokenType === T.Identifier && this.LA(2).tokenType === T.Equal;
  }

  public listenId = this.RULE('listenId', () => {
    this.OR(
      this.alts(8, () => [
        { ALT: () => this.SUBRULE(this.ip) },
        { ALT: () => this.SUBRULE(this.strings) },
        { ALT: () => this.SUBRULE(this.host) },
      ]),
    );
  });

  public ip = this.RULE('ip', () => {
    this.OR(
      this.alts(9, () => [
        { ALT: () => this.CONSUME(T.Ipv4) },
        { ALT: () => this.CONSUME(T.Ipv6) },
        {
          ALT: () => {
            this.CONSUME(T.LBracket);
            this.CONSUME2(T.Ipv6);
            this.CONSUME(T.RBracket);
          },
        },
      ]),
    );
  });

  /** host := ID ((`.`|`-`) ID)* — numbers are allowed inside labels as 3.3 lexes `a1-2b`. */
  public host = this.RULE('host', () => {
    this.CONSUME(T.Identifier);
    this.MANY(() => {
      this.OR(this.alts(10, () => [{ ALT: () => this.CONSUME(T.Dot) }, { ALT: () => this.CONSUME(T.Minus) }]));
      this.OR2(
        this.alts(11, () => [{ ALT: () => this.CONSUME2(T.Identifier) }, { ALT: () => this.CONSUME(T.Number) }]),
      );
    });
  });

  public port = this.RULE('port', () => {
    this.OR(this.alts(12, () => [{ ALT: () => this.CONSUME(T.Number) }, { ALT: () => this.CONSUME(T.Any) }]));
  });

  public moduleStm = this.RULE('moduleStm', () => {
    this.OR(
      this.alts(13, () => [
        {
          ALT: () => {
            this.CONSUME(T.LoadModule);
            this.SUBRULE(this.strings);
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.ModParam);
            this.CONSUME(T.LParen);
            this.SUBRULE2(this.strings, { LABEL: 'module' });
            this.CONSUME(T.Comma);
            this.SUBRULE3(this.strings, { LABEL: 'param' });
            this.CONSUME2(T.Comma);
            this.OR2([
              { ALT: () => this.SUBRULE4(this.strings, { LABEL: 'value' }) },
              { ALT: () => this.SUBRULE(this.snumber, { LABEL: 'value' }) },
            ]);
            this.CONSUME(T.RParen);
          },
        },
      ]),
    );
  });

  public includeStm = this.RULE('includeStm', () => {
    this.CONSUME(T.IncludeFile);
    this.SUBRULE(this.strings);
  });

  /** Every route block form: `route`, `route[name]`, `timer_route[name, N]`... */
  public routeStm = this.RULE('routeStm', () => {
    this.OR(this.alts(36, () => ROUTE_KINDS.map((kind) => ({ ALT: () => this.CONSUME(kind, { LABEL: 'kind' }) }))));
    this.OPTION(() => {
      this.CONSUME(T.LBracket);
      this.SUBRULE(this.routeName);
      this.OPTION2(() => {
        this.CONSUME(T.Comma);
        this.OR2(
          this.alts(14, () => [
            { ALT: () => this.CONSUME(T.Number, { LABEL: 'interval' }) },
            { ALT: () => this.CONSUME(T.Identifier, { LABEL: 'mode' }) },
            { ALT: () => this.CONSUME(T.Async, { LABEL: 'mode' }) },
          ]),
        );
      });
      this.CONSUME(T.RBracket);
    });
    this.SUBRULE(this.block);
  });

  public routeName = this.RULE('routeName', () => {
    this.OR(
      this.alts(15, () => [
        { ALT: () => this.CONSUME(T.Identifier) },
        { ALT: () => this.CONSUME(T.Number) },
        { ALT: () => this.CONSUME(T.StringDQ) },
        { ALT: () => this.CONSUME(T.StringSQ) },
      ]),
    );
  });

  // ---- statements -------------------------------------------------------------
  public block = this.RULE('block', () => {
    this.CONSUME(T.LBrace);
    this.SUBRULE(this.actions);
    this.CONSUME(T.RBrace);
  });

  public actions = this.RULE('actions', () => {
    this.MANY(() => this.SUBRULE(this.action));
  });

  public action = this.RULE('action', () => {
    this.OR(
      this.alts(16, () => [
        { ALT: () => this.SUBRULE(this.ifCmd) },
        { ALT: () => this.SUBRULE(this.whileCmd) },
        { ALT: () => this.SUBRULE(this.foreachCmd) },
        { ALT: () => this.SUBRULE(this.switchCmd) },
        { ALT: () => this.CONSUME(T.Semicolon, { LABEL: 'empty' }) },
        {
          ALT: () => {
            this.CONSUME(T.Ellipsis);
            this.OPTION(() => this.CONSUME2(T.Semicolon));
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Break);
            this.CONSUME3(T.Semicolon);
          },
        },
        { ALT: () => this.SUBRULE(this.includeStm) },
        {
          ALT: () => {
            this.SUBRULE(this.assignCmd);
            this.CONSUME4(T.Semicolon);
          },
        },
        {
          ALT: () => {
            this.SUBRULE(this.cmd);
            this.CONSUME5(T.Semicolon);
          },
        },
      ]),
    );
  });

  /** An `if`/`while`/`for` body: one action, or a block that may be empty. */
  public stm = this.RULE('stm', () => {
    this.OR(this.alts(17, () => [{ ALT: () => this.SUBRULE(this.block) }, { ALT: () => this.SUBRULE(this.action) }]));
  });

  public ifCmd = this.RULE('ifCmd', () => {
    this.CONSUME(T.If);
    this.CONSUME(T.LParen);
    this.SUBRULE(this.exp);
    this.CONSUME(T.RParen);
    this.SUBRULE(this.stm, { LABEL: 'then' });
    this.OPTION(() => {
      this.CONSUME(T.Else);
      this.SUBRULE2(this.stm, { LABEL: 'otherwise' });
    });
  });

  public whileCmd = this.RULE('whileCmd', () => {
    this.CONSUME(T.While);
    this.CONSUME(T.LParen);
    this.SUBRULE(this.exp);
    this.CONSUME(T.RParen);
    this.SUBRULE(this.stm);
  });

  public foreachCmd = this.RULE('foreachCmd', () => {
    this.CONSUME(T.For);
    this.CONSUME(T.LParen);
    this.CONSUME(T.PseudoVariable, { LABEL: 'iterator' });
    this.CONSUME(T.In);
    this.CONSUME2(T.PseudoVariable, { LABEL: 'source' });
    this.CONSUME(T.RParen);
    this.SUBRULE(this.stm);
  });

  public switchCmd = this.RULE('switchCmd', () => {
    this.CONSUME(T.Switch);
    this.CONSUME(T.LParen);
    this.CONSUME(T.PseudoVariable);
    this.CONSUME(T.RParen);
    this.CONSUME(T.LBrace);
    this.MANY(() => this.SUBRULE(this.caseStm));
    this.OPTION(() => this.SUBRULE(this.defaultStm));
    this.CONSUME(T.RBrace);
  });

  public caseStm = this.RULE('caseStm', () => {
    this.CONSUME(T.Case);
    this.OR(
      this.alts(18, () => [
        { ALT: () => this.SUBRULE(this.snumber) },
        { ALT: () => this.CONSUME(T.StringDQ) },
        { ALT: () => this.CONSUME(T.StringSQ) },
      ]),
    );
    this.CONSUME(T.Colon);
    this.SUBRULE(this.actions);
  });

  public defaultStm = this.RULE('defaultStm', () => {
    this.CONSUME(T.Default);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.actions);
  });

  public assignCmd = this.RULE('assignCmd', () => {
    this.CONSUME(T.PseudoVariable);
    this.CONSUME(T.AssignOp);
    this.OR(this.alts(19, () => [{ ALT: () => this.CONSUME(T.Null) }, { ALT: () => this.SUBRULE(this.assignExp) }]));
  });

  public cmd = this.RULE('cmd', () => {
    this.OR(
      this.alts(20, () => [
        {
          ALT: () => {
            this.CONSUME(T.Drop, { LABEL: 'keyword' });
            this.SUBRULE(this.emptyParens);
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Exit, { LABEL: 'keyword' });
            this.SUBRULE2(this.emptyParens);
          },
        },
        { ALT: () => this.SUBRULE(this.returnCmd) },
        { ALT: () => this.SUBRULE(this.routeCall) },
        { ALT: () => this.SUBRULE(this.assertCmd) },
        { ALT: () => this.SUBRULE(this.asyncCmd) },
        { ALT: () => this.SUBRULE(this.funcCall) },
      ]),
    );
  });

  public emptyParens = this.RULE('emptyParens', () => {
    this.OPTION(() => {
      this.CONSUME(T.LParen);
      this.CONSUME(T.RParen);
    });
  });

  public returnCmd = this.RULE('returnCmd', () => {
    this.CONSUME(T.Return);
    this.OPTION(() => {
      this.OR(
        this.alts(21, () => [
          {
            ALT: () => {
              this.CONSUME(T.LParen);
              this.OPTION2(() => this.SUBRULE(this.returnValue));
              this.CONSUME(T.RParen);
            },
          },
          { ALT: () => this.SUBRULE2(this.returnValue) },
        ]),
      );
    });
  });

  public returnValue = this.RULE('returnValue', () => {
    this.OR(
      this.alts(22, () => [{ ALT: () => this.SUBRULE(this.snumber) }, { ALT: () => this.CONSUME(T.PseudoVariable) }]),
    );
  });

  public routeCall = this.RULE('routeCall', () => {
    this.CONSUME(T.Route);
    this.CONSUME(T.LParen);
    this.OR(
      this.alts(23, () => [{ ALT: () => this.SUBRULE(this.routeName) }, { ALT: () => this.CONSUME(T.PseudoVariable) }]),
    );
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE(this.routeParam);
    });
    this.CONSUME(T.RParen);
  });

  public routeParam = this.RULE('routeParam', () => {
    this.OR(
      this.alts(24, () => [
        { ALT: () => this.SUBRULE(this.strings) },
        { ALT: () => this.SUBRULE(this.snumber) },
        { ALT: () => this.CONSUME(T.Null) },
        { ALT: () => this.CONSUME(T.PseudoVariable) },
      ]),
    );
  });

  public assertCmd = this.RULE('assertCmd', () => {
    this.CONSUME(T.Assert);
    this.CONSUME(T.LParen);
    this.SUBRULE(this.exp);
    this.CONSUME(T.Comma);
    this.SUBRULE(this.strings);
    this.CONSUME(T.RParen);
  });

  /** `async(f(...), resume_route[, timeout])` and `launch(f(...)[, route[, "param"]])`. */
  public asyncCmd = this.RULE('asyncCmd', () => {
    this.OR(
      this.alts(25, () => [
        { ALT: () => this.CONSUME(T.Async, { LABEL: 'keyword' }) },
        { ALT: () => this.CONSUME(T.Launch, { LABEL: 'keyword' }) },
      ]),
    );
    this.CONSUME(T.LParen);
    this.SUBRULE(this.funcCall);
    this.OPTION(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE(this.routeName);
      this.OPTION2(() => {
        this.CONSUME2(T.Comma);
        this.OR2(
          this.alts(26, () => [{ ALT: () => this.CONSUME(T.Number) }, { ALT: () => this.SUBRULE(this.strings) }]),
        );
      });
    });
    this.CONSUME(T.RParen);
  });

  /** `name(arg, , arg)`: empty slots are allowed, as in cfg.y func_param. */
  public funcCall = this.RULE('funcCall', () => {
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.CONSUME(T.LParen);
    this.OPTION(() => this.SUBRULE(this.funcParam));
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.OPTION2(() => this.SUBRULE2(this.funcParam));
    });
    this.CONSUME(T.RParen);
  });

  public funcParam = this.RULE('funcParam', () => {
    this.OR(
      this.alts(27, () => [
        { ALT: () => this.SUBRULE(this.strings) },
        { ALT: () => this.SUBRULE(this.snumber) },
        { ALT: () => this.CONSUME(T.PseudoVariable) },
        { ALT: () => this.CONSUME(T.Null) },
        { ALT: () => this.CONSUME(T.Identifier, { LABEL: 'bareWord' }) },
      ]),
    );
  });

  // ---- expressions --------------------------------------------------------------
  /** exp: `&&` and `||` share one precedence level, left-associative (cfg.y `%left OR AND`). */
  public exp = this.RULE('exp', () => {
    this.SUBRULE(this.expUnary);
    this.MANY(() => {
      this.OR(
        this.alts(28, () => [
          { ALT: () => this.CONSUME(T.And, { LABEL: 'op' }) },
          { ALT: () => this.CONSUME(T.Or, { LABEL: 'op' }) },
        ]),
      );
      this.SUBRULE2(this.expUnary);
    });
  });

  public expUnary = this.RULE('expUnary', () => {
    this.OR(
      this.alts(29, () => [
        {
          ALT: () => {
            this.CONSUME(T.Not);
            this.SUBRULE(this.expUnary);
          },
        },
        { ALT: () => this.SUBRULE(this.expElem) },
      ]),
    );
  });

  public expElem = this.RULE('expElem', () => {
    this.OR(
      this.alts(30, () => [
        {
          ALT: () => {
            this.CONSUME(T.LParen);
            this.SUBRULE(this.exp);
            this.CONSUME(T.RParen);
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.LBracket);
            this.SUBRULE(this.assignExp);
            this.CONSUME(T.RBracket);
          },
        },
        { ALT: () => this.SUBRULE(this.assignCmd) },
        { ALT: () => this.SUBRULE(this.expCond) },
        { ALT: () => this.SUBRULE(this.snumber) },
        { ALT: () => this.SUBRULE(this.ifCmd) },
        { ALT: () => this.SUBRULE(this.block) },
        { ALT: () => this.SUBRULE(this.cmd) },
      ]),
    );
  });

  /** `$pv [op value]`: the left side of a comparison is always a pseudo-variable. */
  public expCond = this.RULE('expCond', () => {
    this.CONSUME(T.PseudoVariable);
    this.OPTION(() => {
      this.CONSUME(T.CompareOp);
      this.SUBRULE(this.compareRhs);
    });
  });

  public compareRhs = this.RULE('compareRhs', () => {
    this.OR(
      this.alts(31, () => [
        { ALT: () => this.CONSUME(T.PseudoVariable) },
        { ALT: () => this.SUBRULE(this.strings) },
        { ALT: () => this.SUBRULE(this.snumber) },
        { ALT: () => this.CONSUME(T.Null) },
        { ALT: () => this.CONSUME(T.IpNetwork) },
        { ALT: () => this.SUBRULE(this.ip) },
      ]),
    );
  });

  /** assignexp: `| & ^ << >>` bind looser than `+ - * / %`, which share one level. */
  public assignExp = this.RULE('assignExp', () => {
    this.SUBRULE(this.arithExp);
    this.MANY(() => {
      this.CONSUME(T.BitOp, { LABEL: 'op' });
      this.SUBRULE2(this.arithExp);
    });
  });

  public arithExp = this.RULE('arithExp', () => {
    this.SUBRULE(this.unaryExp);
    this.MANY(() => {
      this.CONSUME(T.ArithOp, { LABEL: 'op' });
      this.SUBRULE2(this.unaryExp);
    });
  });

  public unaryExp = this.RULE('unaryExp', () => {
    this.OR(
      this.alts(32, () => [
        {
          ALT: () => {
            this.CONSUME(T.BNot);
            this.SUBRULE(this.unaryExp);
          },
        },
        { ALT: () => this.SUBRULE(this.primaryExp) },
      ]),
    );
  });

  public primaryExp = this.RULE('primaryExp', () => {
    this.OR(
      this.alts(33, () => [
        {
          ALT: () => {
            this.CONSUME(T.LParen);
            this.SUBRULE(this.assignExp);
            this.CONSUME(T.RParen);
          },
        },
        { ALT: () => this.SUBRULE(this.snumber) },
        { ALT: () => this.SUBRULE(this.strings) },
        { ALT: () => this.SUBRULE(this.expCond) },
        { ALT: () => this.SUBRULE(this.cmd) },
      ]),
    );
  });

  // ---- terminals ----------------------------------------------------------------
  /** A string, or several adjacent ones (3.3 folds them only in xlog/xdbg). */
  public strings = this.RULE('strings', () => {
    this.AT_LEAST_ONE(() => {
      this.OR(
        this.alts(34, () => [
          { ALT: () => this.CONSUME(T.StringDQ) },
          { ALT: () => this.CONSUME(T.StringSQ) },
          { ALT: () => this.CONSUME(T.UnterminatedString) },
        ]),
      );
    });
  });

  public snumber = this.RULE('snumber', () => {
    this.OPTION(() => {
      this.OR(
        this.alts(35, () => [
          { ALT: () => this.CONSUME(T.Plus, { LABEL: 'sign' }) },
          { ALT: () => this.CONSUME(T.Minus, { LABEL: 'sign' }) },
        ]),
      );
    });
    this.CONSUME(T.Number);
  });
}

/** One parser instance is reused (Chevrotain's advice): set `input`, call a rule. */
const shared: { recovering?: CfgParser; fast?: CfgParser } = {};
/**
 * With `recovery`, the parser re-synchronises after an error and reports them
 * all; without it, it stops at the first one but is faster. Callers parse with
 * the fast one and re-parse with recovery only when there is an error.
 */
export function cfgParser(recovery = true): CfgParser {
  return recovery ? (shared.recovering ??= new CfgParser(true)) : (shared.fast ??= new CfgParser(false));
}

export type { CstNode, IToken };
