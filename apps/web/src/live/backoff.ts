/**
 * Reconnect back-off of the live stream (ui.md §6.5): 1 s, doubling, capped at 30 s; the attempt count
 * starts again after a successful open.
 */
export const BACKOFF_BASE_MS = 1_000;
export const BACKOFF_CAP_MS = 30_000;

/** The delay before reconnect attempt `attempt` (0 = the first after a drop). */
export function backoffDelay(attempt: number): number {
  const n = Math.max(0, Math.floor(attempt));
  // 2 ** 5 already passes the cap; avoid huge powers for long outages.
  return Math.min(BACKOFF_BASE_MS * 2 ** Math.min(n, 5), BACKOFF_CAP_MS);
}

/** The attempt counter around `backoffDelay`. */
export class Backoff {
  private attempt = 0;

  /** The next delay; each call doubles the following one up to the cap. */
  next(): number {
    const delay = backoffDelay(this.attempt);
    this.attempt += 1;
    return delay;
  }

  /** After a successful open. */
  reset(): void {
    this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}
