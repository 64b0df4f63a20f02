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

/** Best of `runs` timings of `calls` calls of `make(n)()` (each run builds its input outside the timing). */
export function bestCpuMs(make: (n: number) => () => void, n: number, runs = 3, calls = 1): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const fn = make(n);
    best = Math.min(
      best,
      cpuMs(() => {
        for (let c = 0; c < calls; c++) fn();
      }),
    );
  }
  return best;
}

export interface Growth {
  small: number;
  large: number;
  ratio: number;
}

/** Calls per timing so that the small size takes at least MIN_TIMED_MS: a 1 ms timing is mostly noise (GC, scheduling). */
const MIN_TIMED_MS = 25;

function callsFor(make: (n: number) => () => void, small: number): number {
  const once = Math.max(bestCpuMs(make, small, 2), 0.05);
  return Math.min(200, Math.max(1, Math.ceil(MIN_TIMED_MS / once)));
}

function measure(make: (n: number) => () => void, small: number, factor: number, calls: number): Growth {
  const s = bestCpuMs(make, small, 5, calls) / calls;
  const l = bestCpuMs(make, small * factor, 5, calls) / calls;
  return { small: s, large: l, ratio: l / Math.max(s, 0.01) };
}

/**
 * CPU per handling at `small` and at 4x `small` items, after a warm-up at
 * `small` (the JIT's first compilations are not the handling's cost). A ratio
 * above `limit` is measured again, up to three times in all, and the lowest
 * kept: noise on a shared CI machine comes and goes, a quadratic step does not.
 */
export function growth(make: (n: number) => () => void, small: number, factor = 4, limit = 8): Growth {
  const calls = callsFor(make, small);
  let best = measure(make, small, factor, calls);
  for (let attempt = 1; attempt < 3 && best.ratio >= limit; attempt++) {
    const again = measure(make, small, factor, calls);
    if (again.ratio < best.ratio) best = again;
  }
  return best;
}

export function fmtGrowth(what: string, small: number, g: Growth, factor = 4): string {
  return `${what}: ${small} -> ${g.small.toFixed(2)} ms, ${small * factor} -> ${g.large.toFixed(2)} ms CPU (x${g.ratio.toFixed(1)})`;
}
