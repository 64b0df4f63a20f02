// The shared test messages (RFC 4475 torture tests, captured REGISTERs).
import { readdirSync, readFileSync } from 'node:fs';

export const RFC4475_DIR = new URL('../../../../shared/data/rfc4475/', import.meta.url).pathname;
export const REGISTER_DIR = new URL('../../../../shared/data/register-samples/', import.meta.url).pathname;

export interface Rfc4475Case {
  file: string;
  valid: boolean;
  bytes: Buffer;
}

export function rfc4475(): Rfc4475Case[] {
  const index = readFileSync(RFC4475_DIR + 'INDEX.tsv', 'utf8')
    .trim()
    .split('\n')
    .slice(1);
  return index.map((line) => {
    const [file, , validity] = line.split('\t') as [string, string, string];
    return { file, valid: validity === 'valid', bytes: readFileSync(RFC4475_DIR + file) };
  });
}

export function registerSamples(): Array<{ file: string; bytes: Buffer }> {
  return readdirSync(REGISTER_DIR)
    .filter((f) => f.endsWith('.sip'))
    .sort()
    .map((file) => ({ file, bytes: readFileSync(REGISTER_DIR + file) }));
}

export function registerSample(prefix: string): Buffer {
  const file = readdirSync(REGISTER_DIR).find((f) => f.startsWith(prefix));
  if (!file) throw new Error(`no register sample ${prefix}`);
  return readFileSync(REGISTER_DIR + file);
}
