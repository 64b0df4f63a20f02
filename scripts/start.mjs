// `npm start`: the main job from the built code when dist/ is newer than every
// source file (about 1 s to start), through tsx otherwise (about 3 s).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const built = 'dist/src/cli/main-job.js';

function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

const current = existsSync(built) && statSync(built).mtimeMs >= Math.max(newest('src'), newest('grammar'));
const [cmd, args] = current ? [process.execPath, [built]] : [process.execPath, ['--import', 'tsx', 'src/cli/main-job.ts']];
const child = spawn(cmd, [...args, ...process.argv.slice(2)], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => { process.exitCode = code ?? (signal ? 1 : 0); });
