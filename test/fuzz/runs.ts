// How hard the property tests push: a few hundred cases each in `npm test`
// (bounded, seconds), FUZZ_RUNS=N for deep runs (`npm run fuzz`). FUZZ_SEED
// replays a failure fast-check reported.
export function fuzzRuns(quick: number): number {
  const n = Number(process.env.FUZZ_RUNS);
  return Number.isInteger(n) && n > 0 ? n : quick;
}

export function fuzzParams(quick: number): { numRuns: number; seed?: number } {
  const seed = Number(process.env.FUZZ_SEED);
  return { numRuns: fuzzRuns(quick), ...(Number.isInteger(seed) ? { seed } : {}) };
}
