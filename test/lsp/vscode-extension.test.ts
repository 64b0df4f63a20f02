// editors/vscode: the TextMate grammar is the one generated from the lexer's
// tokens, its regexes compile, and the extension manifest has what `vsce
// package` requires and points at files that exist.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import type { TokenType } from 'chevrotain';
import * as T from '../../grammar/tokens.js';
import { HIGHLIGHTED_KEYWORDS, textMateSource } from '../../grammar/textmate.js';

const EXT = resolve(import.meta.dirname, '../../editors/vscode');

test('the TextMate grammar is what `npm run editors:grammar` writes from the tokens', () => {
  const committed = readFileSync(resolve(EXT, 'syntaxes/opensips.tmLanguage.json'), 'utf8');
  assert.equal(committed, textMateSource(), 'stale: run `npm run editors:grammar`');
});

test('every keyword token of the lexer is highlighted', () => {
  const keywordTokens = Object.values(T).filter(
    (t): t is TokenType => typeof t === 'object' && t !== null && 'LONGER_ALT' in t && t.LONGER_ALT === T.Identifier,
  );
  assert.ok(keywordTokens.length > 30);
  for (const t of keywordTokens) assert.ok(HIGHLIGHTED_KEYWORDS.includes(t), t.name);
});

test('every regex of the grammar compiles, and keywords match as whole words', () => {
  const regexes: string[] = [];
  const collect = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(collect);
    else if (v && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) {
        if (['match', 'begin', 'end'].includes(k) && typeof x === 'string') regexes.push(x);
        else collect(x);
      }
  };
  const grammar = JSON.parse(textMateSource()) as { repository: { keywords: { patterns: { match: string }[] } } };
  collect(grammar);
  for (const r of regexes) assert.doesNotThrow(() => new RegExp(r), r);
  const control = new RegExp(grammar.repository.keywords.patterns[1]!.match);
  assert.ok(control.test('if (x)') && !control.test('ifx = 1'));
});

test('the manifest has what vsce requires, and its files exist', () => {
  const pkg = JSON.parse(readFileSync(resolve(EXT, 'package.json'), 'utf8')) as Record<string, any>;
  for (const k of ['name', 'publisher', 'version', 'engines', 'main', 'displayName', 'license'])
    assert.ok(pkg[k], `package.json lacks ${k}`);
  assert.match(pkg.version, /^\d+\.\d+\.\d+$/);
  assert.match(pkg.engines.vscode, /^\^\d+\.\d+\.\d+$/);
  assert.ok(pkg.dependencies['vscode-languageclient']);
  assert.ok(existsSync(resolve(EXT, pkg.main)));
  assert.ok(existsSync(resolve(EXT, 'README.md')));
  for (const l of pkg.contributes.languages) assert.ok(existsSync(resolve(EXT, l.configuration)));
  for (const g of pkg.contributes.grammars) assert.ok(existsSync(resolve(EXT, g.path)));
  JSON.parse(readFileSync(resolve(EXT, 'language-configuration.json'), 'utf8'));
  // The extension is plain CommonJS (no build step): it must at least be valid JavaScript.
  const check = spawnSync(process.execPath, ['--check', resolve(EXT, pkg.main)]);
  assert.equal(check.status, 0, check.stderr.toString());
  const source = readFileSync(resolve(EXT, pkg.main), 'utf8');
  assert.match(source, /args: \['lsp', '--stdio'\]/);
});
