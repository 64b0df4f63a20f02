// The published package: `npm pack` ships the built CLI, README, LICENSE and
// docs, and no tests, benchmarks, scripts or source maps; the tarball installs
// into an empty prefix and its `opensips-ts` bin runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

test(
  'npm pack ships the CLI without tests or source maps, and the installed bin runs check',
  { timeout: 240_000 },
  () => {
    const out = mkdtempSync(join(tmpdir(), 'ots-pack-'));
    try {
      const packed = JSON.parse(
        execFileSync('npm', ['pack', '--json', '--pack-destination', out], {
          cwd: ROOT,
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
        }),
      ) as { filename: string; files: { path: string }[] }[];
      const files = packed[0]!.files.map((f) => f.path);
      for (const must of [
        'README.md',
        'LICENSE',
        'package.json',
        'dist/src/cli/bin.js',
        'dist/src/index.js',
        'dist/src/catalog/opensips-3.3.json',
        'docs/compatibility.md',
      ]) {
        assert.ok(files.includes(must), `${must} is in the package`);
      }
      const stray = files.filter(
        (f) => /^(test|bench|scripts|conformance|src)\//.test(f) || f.startsWith('dist/test/') || f.endsWith('.map'),
      );
      assert.deepEqual(stray, [], 'no tests, benchmarks, scripts, sources or source maps');
      const prefix = join(out, 'prefix');
      // Dependencies come from npm's cache (filled by `npm ci`); install scripts are not needed to run `check`.
      execFileSync(
        'npm',
        [
          'install',
          '--no-audit',
          '--no-fund',
          '--prefer-offline',
          '--ignore-scripts',
          '--prefix',
          prefix,
          join(out, packed[0]!.filename),
        ],
        { stdio: 'ignore' },
      );
      const bin = join(prefix, 'node_modules', '.bin', 'opensips-ts');
      assert.match(execFileSync(bin, ['--version'], { encoding: 'utf8' }), /^opensips-ts \d+\.\d+\.\d+/);
      const checked = execFileSync(bin, ['check', join(ROOT, 'conformance/blog/blog-registrar.cfg')], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      assert.match(checked, /config file ok/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  },
);
