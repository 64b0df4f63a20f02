// `-C` prints the position OpenSIPS 3.3.10 prints: checked against every
// `parse error in FILE:L:C1-C2` that real 3.3.10 gave on the corpus
// (../shared/corpus/LABELS.tsv), and on minimal cases of each rule of
// cfg.lex's counting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { main } from '../../src/cli/main.js';
import { opensipsPosition } from '../../src/cli/opensips-columns.js';
import { CORPUS_DIR } from '../helpers/cfg.js';

const POSITION = /parse error in .*?:(\d+):(\d+)-(\d+)/;

test('every yyerror position of real OpenSIPS 3.3.10 on the corpus is the one -C prints', () => {
  const rows = readFileSync(CORPUS_DIR + 'LABELS.tsv', 'utf8')
    .split('\n')
    .slice(1);
  let compared = 0;
  for (const row of rows) {
    const [file, , , , message] = row.split('\t');
    const want = POSITION.exec(message ?? '');
    if (!file || !want) continue;
    const out: string[] = [];
    main(['-C', '-f', file, '--strict'], {
      out: (s) => out.push(s),
      err: (s) => out.push(s),
      color: false,
      cwd: CORPUS_DIR,
    });
    const got = POSITION.exec(out.join('\n'));
    assert.deepEqual(got?.slice(1), want.slice(1), `${file}: ${out.join('\n')}`);
    compared++;
  }
  assert.ok(compared >= 20, `${compared} positioned errors in the labels`);
});

test("cfg.lex's counting: string contents, escapes, pseudo-variables, multi-line strings and comments", () => {
  const at = (text: string, token: string, nth = 0): string => {
    let i = -1;
    for (let k = 0; k <= nth; k++) i = text.indexOf(token, i + 1);
    const p = opensipsPosition(text, i, i + token.length);
    return `${p.line}:${p.start}-${p.end}`;
  };
  assert.equal(at('a = "xyz" ;', ';'), '1:8-9', 'the 3 characters inside the quotes are not counted');
  assert.equal(at('a = "x\\ny" ;', ';'), '1:10-11', 'an escape is counted (2), plain characters are not');
  assert.equal(at("a = 'xyz' ;", ';'), '1:8-9');
  assert.equal(at('$ru ;', ';'), '1:6-7', 'the space ending $ru is counted twice');
  assert.equal(at('$var(x) ;', ';'), '1:9-10', 'a pseudo-variable closed by its parenthesis is counted once');
  assert.equal(at('x = "a\nb" ; y', 'y'), '1:5-6', 'a string over two lines: the line marker inside it is eaten');
  assert.equal(at('/* a\nb */ z\nw', 'z'), '1:6-7');
  assert.equal(at('/* a\nb */ z\nw', 'w'), '3:1-2', 'the next line starts outside the comment: its marker is read');
  assert.equal(at('f("abc")', ')'), '1:5-6');
});
