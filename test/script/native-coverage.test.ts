import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCfg } from '../../src/cfg/load.js';
import { VirtualClock } from '../../src/base/clock.js';
import { Logger } from '../../src/base/logger.js';
import { buildEngine } from '../../src/core/engine.js';
import { notNative } from '../../src/script/native-coverage.js';
import { BLOG_DIR } from '../helpers/cfg.js';

function coverage(file: string, stubs: string[] = []): string[] {
  const loaded = loadCfg(file, { profile: { strict: false } });
  const clock = new VirtualClock();
  const { runtime } = buildEngine(loaded, {
    profile: { strict: false },
    clock,
    logger: new Logger(clock, { write: () => undefined }),
  });
  for (const s of stubs) runtime.stubs.set(s, 1);
  return notNative(loaded, runtime).map((d) => `${d.span.line}:${d.message}`);
}

test('every function of blog-registrar.cfg runs natively', () => {
  assert.deepEqual(coverage(BLOG_DIR + 'blog-registrar.cfg'), []);
});

test('every function of blog-mid-registrar.cfg runs natively too', () => {
  assert.deepEqual(coverage(BLOG_DIR + 'blog-mid-registrar.cfg'), []);
});

test('what is not native yet is listed all at once with its line; a stub covers it', () => {
  const file = new URL('../../conformance/run/not-native.cfg', import.meta.url).pathname;
  assert.deepEqual(coverage(file), [
    '9:`bm_start_timer` (module benchmark) has no native implementation in opensips-ts yet',
    '10:`rest_append_hf` (module rest_client) has no native implementation in opensips-ts yet',
  ]);
  assert.deepEqual(coverage(file, ['bm_start_timer', 'rest_append_hf']), []);
});
