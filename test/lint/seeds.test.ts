// Lint of the blog's two configs, verbatim: every real problem, no false one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintCfg } from '../../src/lint/lint.js';
import { BLOG_DIR } from '../helpers/cfg.js';

const lint = (f: string, strict = false): string[] =>
  lintCfg(BLOG_DIR + f, { profile: { strict } }).diagnostics.map((d) => `${d.severity} ${d.rule} ${d.span.line}:${d.span.col}`);

test('blog-registrar.cfg: the exact list of problems', () => {
  assert.deepEqual(lint('blog-registrar.cfg'), [
    'warning missing-transport 1:1', // socket=udp without proto_udp
    'warning missing-transport 2:1', // socket=tcp without proto_tcp
    'warning placeholder 13:5', // the blog's `...`
    'warning missing-loadmodule 14:9', // is_method: sipmsgops
    'warning flag-never-set 17:23', // SRC_WS is never set (the part that set it was elided)
    'warning missing-loadmodule 21:17', // sl_reply_error: sl
    'warning missing-loadmodule 28:14', // t_relay: tm
    'warning missing-loadmodule 29:17', // send_reply: signaling
    'warning route-undefined 40:11', // route(relay) is never defined
  ]);
});

test('blog-mid-registrar.cfg: the exact list of problems', () => {
  assert.deepEqual(lint('blog-mid-registrar.cfg'), [
    'warning missing-transport 1:1',
    'warning missing-transport 3:1',
    'warning missing-dependency 6:1', // mid_registrar needs usrloc
    'warning placeholder 15:5',
    'warning missing-loadmodule 16:9',
    'warning flag-never-set 20:23',
    'warning missing-loadmodule 32:18',
    'warning missing-loadmodule 33:17',
  ]);
});

test('under --strict the same problems are errors, plus what auto-loading hid: OpenSIPS 3.3 would refuse the config', () => {
  assert.deepEqual(lint('blog-registrar.cfg', true), [
    'error missing-transport 1:1',
    'error missing-transport 2:1',
    'error missing-dependency 6:1', // registrar needs signaling, never loaded
    'error placeholder 13:5',
    'error missing-loadmodule 14:9',
    'warning flag-never-set 17:23', // 3.3 accepts it: a warning still
    'error missing-loadmodule 21:17',
    'error missing-loadmodule 28:14',
    'error missing-loadmodule 29:17',
    'error missing-loadmodule 35:9', // t_newtran: tm
    'error missing-loadmodule 36:9', // t_reply: tm
    'error route-undefined 40:11',
  ]);
});
