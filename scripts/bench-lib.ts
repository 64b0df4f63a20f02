// Helpers the benchmark runners share.
import { spawnSync, type ChildProcess } from 'node:child_process';

/** The path of a command on PATH, or undefined. */
export function which(cmd: string): string | undefined {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).stdout.trim() || undefined;
}

/** Resolves when the child prints `pattern`; rejects on timeout or when it exits first. */
export function waitFor(child: ChildProcess, pattern: RegExp, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = '';
    const t = setTimeout(() => reject(new Error(`not ready:\n${log}`)), ms);
    const on = (d: Buffer): void => {
      log += d.toString();
      if (pattern.test(log)) {
        clearTimeout(t);
        resolve();
      }
    };
    child.stdout?.on('data', on);
    child.stderr?.on('data', on);
    child.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`exited ${code}:\n${log}`));
    });
  });
}
