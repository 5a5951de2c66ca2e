/**
 * One subscriber's view of the live events: a bounded queue, read either as an async iterator or, by a
 * transport that writes pre-serialized messages itself, with `drain` whenever the stream says it has
 * something (`listen`).
 *
 * - The hub pushes events (`push`, then `notify` once per batch). Events that arrive after the
 *   subscriber attached count against its bound (1,000 events or 1 MiB of JSON); past it the stream
 *   fails with `LiveOverflowError`, so a slow client is dropped (and resumes from its last id) instead of
 *   holding memory or slowing the hub. Replayed events are references into the hub's buffer and do not
 *   count.
 * - Heartbeats are coalesced per worker in windows of `heartbeatWindowMs` (1 s) aligned to the clock: at
 *   most one per worker per window. One that comes when its worker already had one in the window waits,
 *   replaced by any newer one for that worker (latest wins), and goes out when the next window opens.
 *   What a client remembers is one 16-bit window stamp per worker (by the hub's worker number: 20 KiB
 *   for 10,000 workers, nothing allocated per heartbeat) and the held heartbeats. A stamp repeats after
 *   65,535 windows (18 h): a worker silent for exactly that long may see one heartbeat held for a window.
 * - A held heartbeat goes out after newer events; its id is then the newest id already delivered, so
 *   the id a client resumes from never makes it receive an event twice.
 */

import type { Clock } from "@xenblocks/core";
import type { LogEntry } from "./event-log.js";
import { eventJson, type HubEvent, type SnapshotLiveEvent } from "./events.js";

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

const SNAPSHOT = Symbol("snapshot");

/**
 * What `drain` hands out: the buffered entry (null for the snapshot), its tracked id and the event.
 * Returning false stops the drain after this event.
 */
export type DrainWriter = (
  entry: LogEntry | null,
  id: number,
  event: HubEvent | SnapshotLiveEvent,
) => boolean;

export class ClientStream implements AsyncIterableIterator<Delivered> {
  private queue: LogEntry[] = [];
  private queueHead = 0;
  private liveEvents = 0;
  private liveBytes = 0;
  private lastQueued: number;
  private highWater: number;
  private snapshot:
    | { state: "none" }
    | { state: "loading" }
    | { state: "ready"; id: number; event: SnapshotLiveEvent } = { state: "none" };
  /** End of the current coalescing window (0 before the first read). */
  private windowEnd = 0;
  /** Per worker number, the stamp of the window its last heartbeat went out in (0 = none yet). */
  private sentStamp = new Uint16Array(0);
  /** The current window's stamp: 1 to 65,535. */
  private windowStamp = 0;
  /** Heartbeats waiting for the next window, the latest of each worker. */
  private held = new Map<string, LogEntry>();
  /** Held heartbeats whose window has opened: they go out before the queue. */
  private released = new Map<string, LogEntry>();
  private waiter: Waiter | null = null;
  private listener: (() => void) | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private timerAt = 0;
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

  /** Why the stream ended: null while open or when it ended normally. */
  get failure(): unknown {
    return this.ended?.error ?? null;
  }

  /** How full the bounded queue is: 1 = at the bound (the larger of the event and byte shares). */
  fill(): number {
    const { maxEvents, maxBytes } = this.options.limits;
    return Math.max(this.liveEvents / maxEvents, this.liveBytes / maxBytes);
  }

  /** Whether the stream still needs events up to `seq` that the hub has not pushed to it. */
  needsThrough(seq: number): boolean {
    return !this.ended && this.lastQueued < seq;
  }

  /**
   * An event from the hub (live) or the buffer (replay), in id order; duplicates are dropped. The reader
   * hears of it at the next `notify`.
   */
  push(entry: LogEntry): void {
    if (this.ended || entry.seq <= this.lastQueued) return;
    this.lastQueued = entry.seq;
    if (!this.options.filter(entry.event)) return;
    this.queue.push(entry);
    if (entry.seq > this.options.attachSeq) {
      if (entry.bytes === undefined) entry.bytes = Buffer.byteLength(eventJson(entry));
      this.liveEvents += 1;
      this.liveBytes += entry.bytes;
      const { maxEvents, maxBytes } = this.options.limits;
      if (this.liveEvents > maxEvents) this.end(new LiveOverflowError(`more than ${maxEvents} events`));
      else if (this.liveBytes > maxBytes) this.end(new LiveOverflowError(`more than ${maxBytes} bytes`));
    }
  }

  /** Tells the reader that events were pushed (once per batch rather than once per event). */
  notify(): void {
    if (this.ended) return;
    if (this.listener) this.listener();
    else this.wake();
  }

  /**
   * Reads with `drain` instead of the iterator: `onReady` is called when events may be ready (the
   * caller then drains, now or a little later) and once when the stream ends (see `closed`, `failure`).
   */
  listen(onReady: () => void): void {
    this.listener = onReady;
    if (this.ended) onReady();
    else if (this.hasReady()) onReady();
  }

  /**
   * Hands out, in order, up to `max` events ready now; true when more are ready. A transport that writes
   * pre-serialized messages reads this way, with no promise or object per event.
   */
  drain(write: DrainWriter, max: number): boolean {
    if (this.ended) return false;
    const now = this.options.clock.now();
    let n = 0;
    while (n < max) {
      const entry = this.nextEntry(now);
      if (entry === null) break;
      n += 1;
      if (entry === SNAPSHOT) {
        const snapshot = this.snapshot as { state: "ready"; id: number; event: SnapshotLiveEvent };
        this.snapshot = { state: "none" };
        if (!write(null, snapshot.id, snapshot.event)) break;
      } else {
        if (entry.seq > this.highWater) this.highWater = entry.seq;
        if (!write(entry, this.highWater, entry.event)) break;
      }
      if (this.ended) return false;
    }
    if (this.ended) return false;
    this.armTimer(now);
    return this.hasReady();
  }

  /** The first event: sent before anything queued, once loaded; a failure ends the stream. */
  startWithSnapshot(load: Promise<SnapshotLiveEvent>, id: number): void {
    this.snapshot = { state: "loading" };
    load.then(
      (event) => {
        if (this.ended) return;
        this.snapshot = { state: "ready", id, event };
        this.notify();
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
      this.armTimer(this.options.clock.now());
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
    this.held.clear();
    this.released.clear();
    this.sentStamp = new Uint16Array(0);
    this.clearTimer();
    this.options.signal?.removeEventListener("abort", this.onAbort);
    this.options.onEnd();
    const listener = this.listener;
    if (listener) {
      this.ended.reported = true;
      listener();
      return;
    }
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
      this.armTimer(this.options.clock.now());
      return;
    }
    const waiter = this.waiter;
    this.waiter = null;
    this.clearTimer();
    waiter.resolve({ value: item, done: false });
  }

  /** The next event for the iterator, or null when there is none yet. */
  private take(): Delivered | null {
    const entry = this.nextEntry(this.options.clock.now());
    if (entry === null) return null;
    if (entry === SNAPSHOT) {
      const snapshot = this.snapshot as { state: "ready"; id: number; event: SnapshotLiveEvent };
      this.snapshot = { state: "none" };
      return { id: String(snapshot.id), event: snapshot.event };
    }
    if (entry.seq > this.highWater) this.highWater = entry.seq;
    return { id: String(this.highWater), event: entry.event };
  }

  private hasReady(): boolean {
    if (this.snapshot.state === "loading") return false;
    if (this.snapshot.state === "ready") return true;
    return (
      this.released.size > 0 ||
      this.queueHead < this.queue.length ||
      (this.held.size > 0 && this.options.clock.now() >= this.windowEnd)
    );
  }

  /** The next entry to hand out (SNAPSHOT for the snapshot), or null when there is none yet. */
  private nextEntry(now: number): LogEntry | typeof SNAPSHOT | null {
    if (this.snapshot.state === "loading") return null;
    if (this.snapshot.state === "ready") return SNAPSHOT;
    const windowMs = this.options.heartbeatWindowMs;
    if (windowMs > 0 && now >= this.windowEnd) this.openWindow(now, windowMs);
    if (this.released.size > 0) {
      for (const [workerId, entry] of this.released) {
        this.released.delete(workerId);
        return entry;
      }
    }
    while (this.queueHead < this.queue.length) {
      const entry = this.dequeue();
      if (windowMs > 0 && entry.event.type === "heartbeat") {
        const workerId = entry.event.workerId;
        if (this.released.has(workerId)) {
          // Its window's heartbeat has not gone out yet: this newer one goes in its place.
          this.released.set(workerId, entry);
          continue;
        }
        if (this.held.has(workerId) || this.sentIn(entry)) {
          // Its worker already had one in this window: hold the latest until the next window.
          this.held.set(workerId, entry);
          continue;
        }
        this.markSent(entry);
      }
      return entry;
    }
    return null;
  }

  /** A new window: the held heartbeats go out first and count as their workers' one for it. */
  private openWindow(now: number, windowMs: number): void {
    const window = Math.floor(now / windowMs);
    this.windowEnd = (window + 1) * windowMs;
    this.windowStamp = (window % 65_535) + 1;
    if (this.held.size === 0) return;
    if (this.released.size === 0) {
      const held = this.held;
      this.held = this.released;
      this.released = held;
    } else {
      for (const [workerId, entry] of this.held) this.released.set(workerId, entry);
      this.held.clear();
    }
    for (const entry of this.released.values()) this.markSent(entry);
  }

  /** Whether the entry's worker already had a heartbeat go out in this window. */
  private sentIn(entry: LogEntry): boolean {
    const i = entry.workerIndex;
    return i !== undefined && i < this.sentStamp.length && this.sentStamp[i] === this.windowStamp;
  }

  private markSent(entry: LogEntry): void {
    const i = entry.workerIndex;
    if (i === undefined) return;
    if (i >= this.sentStamp.length) {
      const grown = new Uint16Array(Math.max(i + 1, this.sentStamp.length * 2, 1024));
      grown.set(this.sentStamp);
      this.sentStamp = grown;
    }
    this.sentStamp[i] = this.windowStamp;
  }

  private dequeue(): LogEntry {
    const entry = this.queue[this.queueHead] as LogEntry;
    this.queueHead += 1;
    if (this.queueHead === this.queue.length) {
      this.queue.length = 0;
      this.queueHead = 0;
    } else if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.queueHead);
      this.queueHead = 0;
    }
    if (entry.seq > this.options.attachSeq) {
      this.liveEvents -= 1;
      this.liveBytes -= entry.bytes ?? 0;
    }
    return entry;
  }

  /** A wake-up when the window with held heartbeats ends (iterator: only while a read waits). */
  private armTimer(now: number): void {
    if (this.held.size === 0 || this.snapshot.state === "loading" || this.ended) {
      this.clearTimer();
      return;
    }
    if (!this.listener && !this.waiter) {
      this.clearTimer();
      return;
    }
    if (this.timer !== null && this.timerAt === this.windowEnd) return;
    this.clearTimer();
    this.timerAt = this.windowEnd;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.notify();
      },
      Math.max(0, this.windowEnd - now),
    );
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
