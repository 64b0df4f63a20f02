// Everything time-based reads a Clock and schedules on its Timers: `run`
// wires the real ones, dry-run scenarios and tests a virtual clock that only
// moves when told to, firing the timers that fall due on the way.
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export interface TimerHandle {
  cancel(): void;
}

export interface Timers {
  after(ms: number, fn: () => void): TimerHandle;
  every(ms: number, fn: () => void): TimerHandle;
}

export const realClock: Clock = { now: () => Date.now() };

/** Node timers, unref'd: a pending retransmission never keeps the process alive on its own. */
export const realTimers: Timers = {
  after(ms, fn) {
    const t = setTimeout(fn, ms);
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
  every(ms, fn) {
    const t = setInterval(fn, ms);
    t.unref();
    return { cancel: () => clearInterval(t) };
  },
};

interface Scheduled {
  at: number;
  seq: number;
  fn: () => void;
  period: number;
  cancelled: boolean;
}

export class VirtualClock implements Clock, Timers {
  private queue: Scheduled[] = [];
  private seq = 0;

  constructor(private ms: number = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.ms;
  }
  /** Jumps without firing timers (setting the scene before anything is scheduled). */
  set(ms: number): void {
    this.ms = ms;
  }

  /** Moves time forward by `ms`, firing every timer due on the way at its own due time, in order. */
  advance(ms: number): void {
    this.runUntil(this.ms + ms);
  }

  runUntil(target: number): void {
    for (;;) {
      const next = this.nextDue(target);
      if (!next) break;
      this.ms = Math.max(this.ms, next.at);
      if (next.period > 0) {
        next.at += next.period;
        next.seq = this.seq++;
      } else this.drop(next);
      next.fn();
    }
    this.ms = Math.max(this.ms, target);
  }

  /** Due time of the earliest pending timer, if any. */
  nextAt(): number | undefined {
    const live = this.queue.filter((s) => !s.cancelled);
    return live.length ? Math.min(...live.map((s) => s.at)) : undefined;
  }

  after(ms: number, fn: () => void): TimerHandle {
    return this.schedule(ms, fn, 0);
  }
  every(ms: number, fn: () => void): TimerHandle {
    return this.schedule(ms, fn, Math.max(1, ms));
  }

  private schedule(ms: number, fn: () => void, period: number): TimerHandle {
    const s: Scheduled = { at: this.ms + Math.max(0, ms), seq: this.seq++, fn, period, cancelled: false };
    this.queue.push(s);
    return {
      cancel: () => {
        s.cancelled = true;
        this.drop(s);
      },
    };
  }

  private nextDue(target: number): Scheduled | undefined {
    let best: Scheduled | undefined;
    for (const s of this.queue) {
      if (s.cancelled || s.at > target) continue;
      if (!best || s.at < best.at || (s.at === best.at && s.seq < best.seq)) best = s;
    }
    return best;
  }

  private drop(s: Scheduled): void {
    const i = this.queue.indexOf(s);
    if (i >= 0) this.queue.splice(i, 1);
  }
}

/** The timers that go with a clock: a virtual clock schedules on itself. */
export function timersFor(clock: Clock): Timers {
  return clock instanceof VirtualClock ? clock : realTimers;
}
