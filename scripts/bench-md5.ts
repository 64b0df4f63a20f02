// To-tag MD5: the hand-written src/sip/md5.ts against node:crypto's one-shot
// hash('md5', ...) and createHash, on the three parts a To tag hashes (top
// Via host, port, branch). Prints ns per tag for each; bounded: a fixed
// number of rounds, best of five runs.
//   npx tsx scripts/bench-md5.ts
import { createHash, hash } from 'node:crypto';
import { md5Hex } from '../src/sip/md5.js';

const N = 200_000;
const inputs = Array.from(
  { length: 1024 },
  (_, i) => ['127.0.0.11', '5060', `z9hG4bK-${i.toString(16)}-${(i * 7919).toString(36)}`] as const,
);

const candidates: [string, (a: string, b: string, c: string) => string][] = [
  ['src/sip/md5.ts md5Hex', (a, b, c) => md5Hex(a, b, c)],
  ["crypto.hash('md5')", (a, b, c) => hash('md5', a + b + c)],
  ["createHash('md5')", (a, b, c) => createHash('md5').update(a).update(b).update(c).digest('hex')],
];

// Same digests first: a benchmark of a wrong function proves nothing.
for (const [a, b, c] of inputs.slice(0, 16)) {
  const want = createHash('md5')
    .update(a + b + c)
    .digest('hex');
  for (const [name, f] of candidates) if (f(a, b, c) !== want) throw new Error(`${name} gives a different digest`);
}

let sink = 0;
for (const [name, f] of candidates) {
  let best = Infinity;
  for (let run = 0; run < 5; run++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) {
      const p = inputs[i & 1023]!;
      sink += f(p[0], p[1], p[2]).length;
    }
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / N);
  }
  console.log(`${name.padEnd(24)} ${best.toFixed(0)} ns per To tag (best of 5 x ${N})`);
}
if (sink === 0) console.log('');
