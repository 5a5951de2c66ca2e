/**
 * One subscriber's view of the live events: an async iterator over a bounded queue.
 *
 * - Events that arrive after the subscriber attached count against its bound (1,000 events or 1 MiB of
 *   JSON); past it the stream fails with `LiveOverflowError`, so a slow client is dropped (and resumes
 *   from its last id) instead of holding memory or slowing the hub. Replayed events are references into
 *   the hub's buffer and do not count.
 * - Heartbeats are coalesced per worker: at most one per window (1 s); one that comes inside the window
 *   waits, replaced by any newer one for that worker, and goes out when the window opens.
 * - A held heartbeat goes out after newer events; its id is then the newest id already delivered, so
 *   the id a client resumes from never makes it receive an event twice.
 */

import type { Clock } from "@xenblocks/core";
import type { LogEntry } from "./event-log.js";
import { type HubEvent, type SnapshotLiveEvent, serializedBytes } from "./events.js";

export interface Delivered<E = HubEvent | SnapshotLiveEvent> {
  /** The tracked id: what the client sends back as `lastEventId`. */
  id: string;
  event: E;
}

export interface QueueLimits {
  maxEvents: number;
  maxBytes: number;
}

export const DEFAULT_QUEUE_LIMITS: QueueLimits = { maxEvents: 1_000, maxBytes: 1024 * 1024 };

export interface ClientStreamOptions {
  clock: Clock;
  filter: (event: HubEvent) => boolean;
  /** Ids up to this one are replay (not counted); later ones are live. */
  attachSeq: number;
  /** The id the client already has: nothing at or before it is queued. */
  resumeSeq: number;
  limits: QueueLimits;
  /** Coalescing window per worker for heartbeats; 0 = no coalescing. */
  heartbeatWindowMs: number;
  /** Called once when the stream ends for any reason (the hub detaches it). */
  onEnd: () => void;
  signal?: AbortSignal;
}

/** The client fell too far behind: it should resubscribe with its last id. */
export class LiveOverflowError extends Error {
  constructor(reason: string) {
    super(`live queue overflow (${reason}): resubscribe with lastEventId`);
    this.name = "LiveOverflowError";
  }
}

type Waiter = {
  resolve: (r: IteratorResult<Delivered>) => void;
  reject: (e: unknown) => void;
};

export class ClientStream implements AsyncIterableIterator<Delivered> {
  private queue: LogEntry[] = [];
  private queueHead = 0;
  private liveEvents = 0;
  private liveBytes = 0;
  private lastQueued: number;
  private highWater: number;
  private snapshot: { state: "none" } | { state: "loading" } | { state: "ready"; value: Delivered } = {
    state: "none",
  };
  private readonly pending = new Map<string, LogEntry>();
  private readonly lastSent = new Map<string, number>();
  private nextReadyAt = Number.POSITIVE_INFINITY;
  private waiter: Waiter | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private ended: { error: unknown; reported: boolean } | null = null;
  private readonly onAbort = () => this.end(null);

  constructor(private readonly options: ClientStreamOptions) {
    this.lastQueued = options.resumeSeq;
    this.highWater = options.resumeSeq;
    if (options.signal?.aborted) this.end(null);
    else options.signal?.addEventListener("abort", this.onAbort, { once: true });
  }

  get closed(): boolean {
    return this.ended !== null;
  }

  /** An event from the hub (live) or the buffer (replay), in id order; duplicates are dropped. */
  push(entry: LogEntry): void {
    if (this.ended || entry.seq <= this.lastQueued) return;
    this.lastQueued = entry.seq;
    if (!this.options.filter(entry.event)) return;
    this.queue.push(entry);
    if (entry.seq > this.options.attachSeq) {
      entry.bytes ??= serializedBytes(entry.event);
      this.liveEvents += 1;
      this.liveBytes += entry.bytes;
      const { maxEvents, maxBytes } = this.options.limits;
      const over =
        this.liveEvents > maxEvents
          ? `more than ${maxEvents} events`
          : this.liveBytes > maxBytes
            ? `more than ${maxBytes} bytes`
            : null;
      if (over) {
        this.end(new LiveOverflowError(over));
        return;
      }
    }
    this.wake();
  }

  /** The first event: sent before anything queued, once loaded; a failure ends the stream. */
  startWithSnapshot(load: Promise<SnapshotLiveEvent>, id: number): void {
    this.snapshot = { state: "loading" };
    load.then(
      (event) => {
        if (this.ended) return;
        this.snapshot = { state: "ready", value: { id: String(id), event } };
        this.wake();
      },
      (error: unknown) => this.end(error),
    );
  }

  next(): Promise<IteratorResult<Delivered>> {
    if (this.ended) return this.settleEnded();
    const item = this.take();
    if (item) return Promise.resolve({ value: item, done: false });
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
      this.armTimer();
    });
  }

  return(): Promise<IteratorResult<Delivered>> {
    this.end(null);
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Ends the stream: with an error the next read (or the waiting one) fails once, then it is done. */
  end(error: unknown): void {
    if (this.ended) return;
    this.ended = { error, reported: error === null };
    this.queue = [];
    this.queueHead = 0;
    this.pending.clear();
    this.clearTimer();
    this.options.signal?.removeEventListener("abort", this.onAbort);
    this.options.onEnd();
    const waiter = this.waiter;
    this.waiter = null;
    if (!waiter) return;
    if (error === null) waiter.resolve({ value: undefined, done: true });
    else {
      this.ended.reported = true;
      waiter.reject(error);
    }
  }

  private settleEnded(): Promise<IteratorResult<Delivered>> {
    const ended = this.ended as { error: unknown; reported: boolean };
    if (ended.reported) return Promise.resolve({ value: undefined, done: true });
    ended.reported = true;
    return Promise.reject(ended.error);
  }

  private wake(): void {
    if (!this.waiter) return;
    const item = this.take();
    if (!item) {
      this.armTimer();
      return;
    }
    const waiter = this.waiter;
    this.waiter = null;
    this.clearTimer();
    waiter.resolve({ value: item, done: false });
  }

  /** The next event to hand out, or null when there is none yet. */
  private take(): Delivered | null {
    if (this.snapshot.state === "loading") return null;
    if (this.snapshot.state === "ready") {
      const value = this.snapshot.value;
      this.snapshot = { state: "none" };
      return value;
    }
    const now = this.options.clock.now();
    const held = this.takeReadyHeartbeat(now);
    if (held) return held;
    const windowMs = this.options.heartbeatWindowMs;
    while (this.queueHead < this.queue.length) {
      const entry = this.dequeue();
      if (windowMs > 0 && entry.event.type === "heartbeat") {
        const workerId = entry.event.workerId;
        const last = this.lastSent.get(workerId);
        if (this.pending.has(workerId) || (last !== undefined && now < last + windowMs)) {
          // Inside the window (or one is already held): hold this one, the latest, until the window opens.
          this.pending.set(workerId, entry);
          this.nextReadyAt = Math.min(this.nextReadyAt, (last ?? 0) + windowMs);
          continue;
        }
        this.lastSent.set(workerId, now);
      }
      return this.deliver(entry);
    }
    return null;
  }

  private takeReadyHeartbeat(now: number): Delivered | null {
    if (this.pending.size === 0 || now < this.nextReadyAt) return null;
    const windowMs = this.options.heartbeatWindowMs;
    let chosen: string | null = null;
    let nextReadyAt = Number.POSITIVE_INFINITY;
    for (const workerId of this.pending.keys()) {
      const readyAt = (this.lastSent.get(workerId) ?? 0) + windowMs;
      if (chosen === null && readyAt <= now) chosen = workerId;
      else nextReadyAt = Math.min(nextReadyAt, readyAt);
    }
    this.nextReadyAt = nextReadyAt;
    if (chosen === null) return null;
    const entry = this.pending.get(chosen) as LogEntry;
    this.pending.delete(chosen);
    this.lastSent.set(chosen, now);
    this.forgetIdleWorkers(now);
    return this.deliver(entry);
  }

  /** Workers whose window has passed with nothing held need no entry (keeps the map to active ones). */
  private forgetIdleWorkers(now: number): void {
    if (this.lastSent.size < 4096) return;
    for (const [workerId, at] of this.lastSent) {
      if (at + this.options.heartbeatWindowMs <= now && !this.pending.has(workerId))
        this.lastSent.delete(workerId);
    }
  }

  private dequeue(): LogEntry {
    const entry = this.queue[this.queueHead] as LogEntry;
    this.queueHead += 1;
    if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.queueHead);
      this.queueHead = 0;
    }
    if (entry.seq > this.options.attachSeq) {
      this.liveEvents -= 1;
      this.liveBytes -= entry.bytes ?? 0;
    }
    return entry;
  }

  private deliver(entry: LogEntry): Delivered {
    this.highWater = Math.max(this.highWater, entry.seq);
    return { id: String(this.highWater), event: entry.event };
  }

  private armTimer(): void {
    this.clearTimer();
    if (!this.waiter || this.pending.size === 0 || this.snapshot.state === "loading") return;
    const delay = Math.max(0, this.nextReadyAt - this.options.clock.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.wake();
    }, delay);
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
