// Everything time-based reads a Clock: `run` wires the real one, dry-runs and
// tests a virtual one that only moves when told to.
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const realClock: Clock = { now: () => Date.now() };

export class VirtualClock implements Clock {
  constructor(private ms: number = Date.UTC(2026, 0, 1)) {}
  now(): number { return this.ms; }
  set(ms: number): void { this.ms = ms; }
  advance(ms: number): void { this.ms += ms; }
}
