import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cfgLexer } from '../../grammar/index.js';

function lex(text: string): string[] {
  const r = cfgLexer.tokenize(text);
  assert.deepEqual(r.errors, [], `lexer errors for ${text}`);
  return r.tokens.map((t) => `${t.tokenType.name}:${t.image}`);
}

test('keywords win over identifiers only as whole words', () => {
  assert.deepEqual(lex('route routes include_file in onreply_route on not notify no'), [
    'Route:route',
    'Identifier:routes',
    'IncludeFile:include_file',
    'In:in',
    'OnReplyRoute:onreply_route',
    'BoolWord:on',
    'Not:not',
    'Identifier:notify',
    'BoolWord:no',
  ]);
});

test('a pseudo-variable ends at white space, an operator or an unmatched `)`', () => {
  assert.deepEqual(lex('switch ($retcode) {'), [
    'Switch:switch',
    'LParen:(',
    'PseudoVariable:$retcode',
    'RParen:)',
    'LBrace:{',
  ]);
  assert.deepEqual(lex('$var(a)+1'), ['PseudoVariable:$var(a)', 'Plus:+', 'Number:1']);
  assert.deepEqual(lex('$socket_in(proto) == "tcp"'), [
    'PseudoVariable:$socket_in(proto)',
    'EqualT:==',
    'StringDQ:"tcp"',
  ]);
  assert.deepEqual(lex('$ru;'), ['PseudoVariable:$ru', 'Semicolon:;']);
  assert.deepEqual(lex('$rU==$fU'), ['PseudoVariable:$rU', 'EqualT:==', 'PseudoVariable:$fU']);
});

test('parentheses nest inside a pseudo-variable, spaces and commas included', () => {
  assert.deepEqual(lex('$(ru{uri.user})'), ['PseudoVariable:$(ru{uri.user})']);
  assert.deepEqual(lex('$(var(a){s.substr, 1, 2}) '), ['PseudoVariable:$(var(a){s.substr, 1, 2})']);
  assert.deepEqual(lex('$avp($var(n))'), ['PseudoVariable:$avp($var(n))']);
  assert.deepEqual(lex('$(hdr(Via)[*])'), ['PseudoVariable:$(hdr(Via)[*])']);
});

test('an index glued to `$name(x)` stays in the token so that it can be explained', () => {
  assert.deepEqual(lex('$avp(x)[2] '), ['PseudoVariable:$avp(x)[2]']);
});

test('numbers: decimal, hex, octal and yes/no words (which are numbers to 3.3)', () => {
  assert.deepEqual(lex('10 0x1F 010 0 yes off'), [
    'Number:10',
    'Number:0x1F',
    'Number:010',
    'Number:0',
    'BoolWord:yes',
    'BoolWord:off',
  ]);
});

test('addresses and networks are their own tokens', () => {
  assert.deepEqual(lex('172.16.4.111 10.0.0.0/8 ::1 [2001:db8::1]'), [
    'Ipv4:172.16.4.111',
    'IpNetwork:10.0.0.0/8',
    'Ipv6:::1',
    'LBracket:[',
    'Ipv6:2001:db8::1',
    'RBracket:]',
  ]);
});

test('strings: double quotes with escapes, single quotes raw, newlines kept', () => {
  assert.deepEqual(lex('"a\\"b" \'c\\d\' "x\ny"'), ['StringDQ:"a\\"b"', "StringSQ:'c\\d'", 'StringDQ:"x\ny"']);
});

test('an unterminated string is one token to the end of input', () => {
  assert.deepEqual(lex('xlog("oops);\nexit;'), ['Identifier:xlog', 'LParen:(', 'UnterminatedString:"oops);\nexit;']);
});

test('comments: `#` lines and nested block comments; `\\` newline is a continuation', () => {
  const r = cfgLexer.tokenize('a /* x /* y */ z */ b # c\n d \\\n e');
  assert.deepEqual(
    r.tokens.map((t) => t.image),
    ['a', 'b', 'd', 'e'],
  );
  assert.deepEqual(
    (r.groups.comments ?? []).map((t) => t.image),
    ['/* x /* y */ z */', '# c'],
  );
});

test('operators are read longest first', () => {
  assert.deepEqual(
    lex(':= += -= == != =~ !~ <= >= << >> && || ! = ~').map((t) => t.split(':')[0]),
    [
      'ColonEq',
      'PlusEq',
      'MinusEq',
      'EqualT',
      'Diff',
      'Match',
      'NotMatch',
      'Lte',
      'Gte',
      'LShift',
      'RShift',
      'And',
      'Or',
      'Not',
      'Equal',
      'BNot',
    ],
  );
});

test('the blog elision `...` is one token', () => {
  assert.deepEqual(lex('...'), ['Ellipsis:...']);
});
