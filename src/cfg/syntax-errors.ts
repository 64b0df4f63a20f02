// Chevrotain's recognition errors, said in words an OpenSIPS user knows:
// "expected `)` to close `if (` opened at 12:8", not token class names.
import type { IRecognitionException, IToken, TokenType } from 'chevrotain';
import { tokens as T } from '../../grammar/index.js';

const CLOSERS: Record<string, string> = { RParen: '(', RBrace: '{', RBracket: '[' };
const OPENERS = new Set(['LParen', 'LBrace', 'LBracket']);

/** What a token is, for a message: `else`, a string "abc", end of file. */
export function describeToken(t: IToken | undefined): string {
  if (!t || t.tokenType.name === 'EOF' || isNaN(t.startOffset)) return 'the end of the file';
  const image = t.image.length > 40 ? t.image.slice(0, 37) + '...' : t.image;
  switch (t.tokenType.name) {
    case 'StringDQ':
    case 'StringSQ':
      return `the string ${image}`;
    case 'PseudoVariable':
      return `the pseudo-variable \`${image}\``;
    case 'Number':
      return `the number ${image}`;
    case 'Identifier':
      return `the name \`${image}\``;
    default:
      return `\`${image.replace(/\n/g, '\\n')}\``;
  }
}

/** The still-open bracket that the token at `index` should have closed, if any. */
function unmatchedOpener(
  tokens: IToken[],
  index: number,
  closerName: string,
): { opener: IToken; keyword?: IToken } | undefined {
  const want = CLOSERS[closerName];
  const stack: number[] = [];
  for (let i = 0; i < index && i < tokens.length; i++) {
    const name = tokens[i]!.tokenType.name;
    if (OPENERS.has(name)) stack.push(i);
    else if (CLOSERS[name] && stack.length) stack.pop();
  }
  for (let s = stack.length - 1; s >= 0; s--) {
    const i = stack[s]!;
    if (tokens[i]!.image === want) {
      const before = tokens[i - 1];
      return { opener: tokens[i]!, ...(before ? { keyword: before } : {}) };
    }
  }
  return undefined;
}

function expectedLabel(e: IRecognitionException): string | undefined {
  return /Expecting --> (.*?) <--/.exec(e.message)?.[1];
}

function expectedTokenName(e: IRecognitionException): string | undefined {
  const label = expectedLabel(e);
  if (!label) return undefined;
  const hit = Object.values(T).find((t) => typeof t === 'object' && (t as TokenType).LABEL === label) as
    TokenType | undefined;
  return hit?.name;
}

const RULE_WORDS: Record<string, string> = {
  statement: 'a global parameter, `loadmodule`, `modparam` or a route block',
  action: 'a statement',
  cmd: 'a function call or statement',
  expElem: 'a condition',
  expUnary: 'a condition',
  primaryExp: 'a value',
  unaryExp: 'a value',
  compareRhs: 'a value to compare with (a string, a number, a pseudo-variable, NULL or an address)',
  funcParam: 'an argument (a string, a number or a pseudo-variable)',
  routeParam: 'a route argument (a string, a number, a pseudo-variable or NULL)',
  globalValue: 'a value (a number, a string, a yes/no word or a name)',
  listenId: 'an address or host name',
  routeName: 'a route name',
  socketParam: 'a socket parameter',
};

export interface FriendlyError {
  message: string;
  hint?: string;
  token: IToken | undefined;
}

/** One recognition error in a user's words; `tokens` is the lexed input, for bracket matching. */
export function friendlyError(e: IRecognitionException, tokens: IToken[]): FriendlyError {
  const found = describeToken(e.token);
  const rule = e.context?.ruleStack?.[e.context.ruleStack.length - 1] ?? '';
  if (e.name === 'MismatchedTokenException' && /--> EOF <--/.test(e.message)) {
    return { message: `unexpected ${found}: expected ${RULE_WORDS.statement}`, token: e.token };
  }
  if (e.name === 'MismatchedTokenException') {
    const expectedName = expectedTokenName(e);
    const label = expectedLabel(e) ?? 'something else';
    if (expectedName && CLOSERS[expectedName]) {
      const index = tokens.findIndex((t) => t.startOffset === e.token.startOffset);
      const open = unmatchedOpener(tokens, index < 0 ? tokens.length : index, expectedName);
      if (open) {
        const what =
          open.keyword && /^[A-Za-z_]/.test(open.keyword.image)
            ? `\`${open.keyword.image} ${open.opener.image}\``
            : `\`${open.opener.image}\``;
        return {
          message: `expected ${label} to close ${what} opened at ${open.opener.startLine}:${open.opener.startColumn}, found ${found}`,
          token: e.token,
        };
      }
    }
    if (expectedName === 'Semicolon') {
      return {
        message: `expected \`;\` to end the statement, found ${found}`,
        hint: 'every function call, assignment and `exit`/`return`/`break` ends with `;`',
        token: e.token,
      };
    }
    if (rule === 'socketDef' || rule === 'aliasDef') {
      return {
        message: `expected ${label} in the socket definition, found ${found}`,
        hint: 'a socket is written `proto:host:port`, e.g. `socket=udp:127.0.0.1:5060`',
        token: e.token,
      };
    }
    return { message: `expected ${label}, found ${found}`, token: e.token };
  }
  if (e.name === 'NotAllInputParsedException') {
    return { message: `unexpected ${found}: expected ${RULE_WORDS.statement}`, token: e.token };
  }
  if (e.name === 'NoViableAltException' || e.name === 'EarlyExitException') {
    const words = RULE_WORDS[rule] ?? 'something else';
    const hint =
      rule === 'statement' && e.token?.tokenType.name === 'Identifier'
        ? `a global parameter is written \`name = value\``
        : rule === 'action' && e.token?.tokenType === T.LBrace
          ? 'a `{ }` block is only allowed as the body of `if`, `while`, `for` or a route'
          : undefined;
    return { message: `unexpected ${found}: expected ${words}`, ...(hint ? { hint } : {}), token: e.token };
  }
  return { message: e.message, token: e.token };
}
