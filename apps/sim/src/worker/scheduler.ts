/**
 * One timer for many workers. A fleet of 10,000 workers would otherwise hold 30,000 Node timers (heartbeat,
 * watchdog, reconnect) and 30,000 closures; here every deadline is a small entry in a binary min-heap and a
 * single `setTimeout` is armed for the earliest one. Targets are plain objects with an `onTimer` method,
 * so scheduling allocates no closure.
 */

export interface TimerTarget {
  /** Called when a deadline set with `add(at, this, kind, token)` is due. */
  onTimer(kind: number, token: number, now: number): void;
}

interface Entry {
  at: number;
  seq: number;
  target: TimerTarget;
  kind: number;
  token: number;
}

// setTimeout fires immediately for delays above 2^31 - 1 ms; far deadlines are re-armed in steps.
const MAX_DELAY_MS = 2_147_483_647;

export interface SchedulerOptions {
  readonly now?: () => number;
  /** Deadlines handled per turn of the event loop before yielding to I/O (default 2,000). */
  readonly batch?: number;
  /** A throwing target must not stop the others (default: console.error). */
  readonly onError?: (error: unknown) => void;
}

export class Scheduler {
  private readonly heap: Entry[] = [];
  private seq = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private immediate: ReturnType<typeof setImmediate> | null = null;
  private armedAt = Number.POSITIVE_INFINITY;
  /** The scheduler's clock (ms); deadlines passed to `add` are on it. */
  readonly now: () => number;
  private readonly batch: number;
  private readonly onError: (error: unknown) => void;

  constructor(options: SchedulerOptions = {}) {
    this.now = options.now ?? Date.now;
    this.batch = options.batch ?? 2000;
    this.onError = options.onError ?? ((e) => console.error("scheduler target failed:", e));
  }

  /** Pending deadlines. */
  get size(): number {
    return this.heap.length;
  }

  /** Calls `target.onTimer(kind, token, now)` at `at` (ms, the scheduler's clock) or soon after. */
  add(at: number, target: TimerTarget, kind: number, token = 0): void {
    this.push({ at, seq: this.seq++, target, kind, token });
    this.arm();
  }

  /** Drops every deadline of `target` (O(n); done when a worker stops, not on every tick). */
  removeTarget(target: TimerTarget): void {
    const kept = this.heap.filter((e) => e.target !== target);
    if (kept.length === this.heap.length) return;
    this.heap.length = 0;
    for (const e of kept) this.push(e);
    if (this.heap.length === 0) this.disarm();
  }

  private readonly fire = (): void => {
    this.timer = null;
    this.immediate = null;
    this.armedAt = Number.POSITIVE_INFINITY;
    const now = this.now();
    let handled = 0;
    while (this.heap.length > 0 && this.heap[0]!.at <= now) {
      if (handled++ >= this.batch) {
        this.immediate = setImmediate(this.fire);
        return;
      }
      const e = this.pop();
      try {
        e.target.onTimer(e.kind, e.token, now);
      } catch (error) {
        this.onError(error);
      }
    }
    this.arm();
  };

  private arm(): void {
    if (this.immediate !== null || this.heap.length === 0) return;
    const at = this.heap[0]!.at;
    if (at >= this.armedAt) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.armedAt = at;
    this.timer = setTimeout(this.fire, Math.min(MAX_DELAY_MS, Math.max(0, at - this.now())));
  }

  private disarm(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.immediate !== null) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
    this.armedAt = Number.POSITIVE_INFINITY;
  }

  private less(a: Entry, b: Entry): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(entry: Entry): void {
    const h = this.heap;
    h.push(entry);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private pop(): Entry {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

/** The scheduler every worker uses unless given another: one timer for the whole process. */
export const sharedScheduler = new Scheduler();
