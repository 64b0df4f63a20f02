// Waiting for an event instead of sleeping a fixed time: a loaded CI machine
// can take seconds for what takes milliseconds here, and a fixed sleep then
// an assertion fails there (or wastes time everywhere).

/**
 * Polls `cond` every `stepMs` until it is true; throws after `timeoutMs`
 * (generous by default: the deadline is only reached when something is wrong).
 */
export async function waitFor(
  cond: () => boolean | Promise<boolean>,
  what: string | (() => string),
  timeoutMs = 20_000,
  stepMs = 20,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > end)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/** Like waitFor, but gives up quietly: for "nothing more arrives" checks that then assert on what did. */
export async function settle(cond: () => boolean, timeoutMs: number, stepMs = 20): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, stepMs));
}

/** `p`, or undefined after `ms`; the timer is cleared either way (a pending timer would keep the test process alive). */
export async function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), ms)));
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}
