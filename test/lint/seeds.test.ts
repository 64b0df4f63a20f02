// Lint of the blog's two configs, verbatim: every real problem, no false one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintCfg } from '../../src/lint/lint.js';
import { BLOG_DIR } from '../helpers/cfg.js';

const lint = (f: string, strict = false): string[] =>
  lintCfg(BLOG_DIR + f, { profile: { strict } }).diagnostics.map(
    (d) => `${d.severity} ${d.rule} ${d.span.line}:${d.span.col}`,
  );

// lint says what OpenSIPS 3.3 would refuse whatever the profile (design.md, "Two acceptance profiles"): the lists
// are the same in both profiles; under the default one the message adds that `run` tolerates it.
const REGISTRAR_PROBLEMS = [
  'error missing-transport 1:1', // socket=udp without proto_udp
  'error missing-transport 2:1', // socket=tcp without proto_tcp
  'error missing-dependency 6:1', // registrar needs signaling, never loaded
  'error placeholder 13:5', // the blog's `...`
  'error missing-loadmodule 14:9', // is_method: sipmsgops
  'warning flag-never-set 17:23', // SRC_WS is never set (the part that set it was elided); 3.3 accepts it
  'error missing-loadmodule 21:17', // sl_reply_error: sl
  'error missing-loadmodule 28:14', // t_relay: tm
  'error missing-loadmodule 29:17', // send_reply: signaling
  'error missing-loadmodule 35:9', // t_newtran: tm
  'error missing-loadmodule 36:9', // t_reply: tm
  'error route-undefined 40:11', // route(relay) is never defined
];

test('blog-registrar.cfg: the exact list of problems, errors where OpenSIPS 3.3 refuses even in the default profile', () => {
  assert.deepEqual(lint('blog-registrar.cfg'), REGISTRAR_PROBLEMS);
  const diags = lintCfg(BLOG_DIR + 'blog-registrar.cfg', { profile: { strict: false } }).diagnostics;
  const undefinedRoute = diags.find((d) => d.rule === 'route-undefined')!;
  assert.match(
    undefinedRoute.message,
    /OpenSIPS 3\.3 refuses to start.*`run` and `check` tolerate it in the default profile/,
  );
  assert.ok(
    diags.filter((d) => d.severity === 'error').every((d) => /tolerate it in the default profile/.test(d.message)),
  );
  assert.ok(!/tolerate/.test(diags.find((d) => d.rule === 'flag-never-set')!.message));
});

test('blog-mid-registrar.cfg: the exact list of problems', () => {
  assert.deepEqual(lint('blog-mid-registrar.cfg'), [
    'error missing-transport 1:1',
    'error missing-transport 3:1',
    'error missing-dependency 6:1', // mid_registrar needs usrloc (and signaling, tm)
    'error missing-dependency 6:1',
    'error missing-dependency 6:1',
    'error placeholder 15:5',
    'error missing-loadmodule 16:9',
    'warning flag-never-set 20:23',
    'error missing-loadmodule 32:18',
    'error missing-loadmodule 33:17',
    'error missing-loadmodule 41:17',
  ]);
});

test('under --strict the same problems, without the note about the default profile', () => {
  assert.deepEqual(lint('blog-registrar.cfg', true), REGISTRAR_PROBLEMS);
  const diags = lintCfg(BLOG_DIR + 'blog-registrar.cfg', { profile: { strict: true } }).diagnostics;
  assert.ok(diags.every((d) => !/tolerate/.test(d.message)));
});
