// Work per message must grow linearly with its size: these helpers time the
// same handling at two sizes (CPU, best of a few runs) and compare the ratio.
// A quadratic step gives ~16x for 4x the size; linear work stays near 4x.

/** CPU milliseconds `fn` takes (user + system). */
export function cpuMs(fn: () => void): number {
  const t = process.cpuUsage();
  fn();
  const u = process.cpuUsage(t);
  return (u.user + u.system) / 1000;
}

/** Best of `runs` timings of `make(n)()` (each run builds its input outside the timing). */
export function bestCpuMs(make: (n: number) => () => void, n: number, runs = 3): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const fn = make(n);
    best = Math.min(best, cpuMs(fn));
  }
  return best;
}

export interface Growth {
  small: number;
  large: number;
  ratio: number;
}

/**
 * CPU at `small` and at 4x `small` items, after a warm-up at `small` (the JIT's
 * first compilations are not the handling's cost). The ratio is what tests assert.
 */
export function growth(make: (n: number) => () => void, small: number, factor = 4): Growth {
  bestCpuMs(make, small, 2);
  const s = bestCpuMs(make, small, 5);
  const l = bestCpuMs(make, small * factor, 5);
  // A floor keeps sub-millisecond timings from making the ratio noise.
  return { small: s, large: l, ratio: l / Math.max(s, 0.5) };
}

export function fmtGrowth(what: string, small: number, g: Growth, factor = 4): string {
  return `${what}: ${small} -> ${g.small.toFixed(1)} ms, ${small * factor} -> ${g.large.toFixed(1)} ms CPU (x${g.ratio.toFixed(1)})`;
}
