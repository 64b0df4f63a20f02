// Which cfgs would start under `opensips-ts run` (no function without a native
// implementation), and which modules block the others, ranked by how many
// cfgs each blocks. Usage: npx tsx scripts/native-coverage.ts DIR|FILE...
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadCfg } from '../src/cfg/load.js';
import { buildEngine } from '../src/script/engine.js';
import { notNative } from '../src/script/native-coverage.js';
import { VirtualClock } from '../src/base/clock.js';
import { Logger } from '../src/base/logger.js';

function cfgFiles(args: string[]): string[] {
  return args.flatMap((a) =>
    statSync(a).isDirectory()
      ? readdirSync(a)
          .filter((f) => f.endsWith('.cfg'))
          .map((f) => join(a, f))
      : [a],
  );
}

const files = cfgFiles(process.argv.slice(2));
if (!files.length) {
  console.error('usage: npx tsx scripts/native-coverage.ts DIR|FILE...');
  process.exit(2);
}
const blockers = new Map<string, string[]>();
let runs = 0,
  refused = 0;
for (const file of files) {
  const path = resolve(file);
  const loaded = loadCfg(path, {
    profile: { strict: false },
    readFile: (p) => readFileSync(p, 'latin1'),
    fileExists: existsSync,
    cwd: resolve(path, '..'),
  });
  if (loaded.diagnostics.some((d) => d.severity === 'error')) {
    refused++;
    continue;
  }
  const clock = new VirtualClock(0);
  const engine = buildEngine(loaded, {
    profile: { strict: false },
    clock,
    logger: new Logger(clock, { write: () => undefined }),
  });
  const missing = new Set(
    notNative(loaded, engine.runtime).map((d) => /\(module (\S+)\)/.exec(d.message)?.[1] ?? 'partly native'),
  );
  if (!missing.size) runs++;
  for (const m of missing) blockers.set(m, [...(blockers.get(m) ?? []), file]);
}
console.log(
  `${files.length} cfgs: ${runs} would start natively, ${files.length - runs - refused} stop at functions not native yet, ${refused} do not load (cfg errors)`,
);
console.log('\nmodule              blocks');
for (const [m, list] of [...blockers].sort((a, b) => b[1].length - a[1].length))
  console.log(`${m.padEnd(20)}${list.length}`);
