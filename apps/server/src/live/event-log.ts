/**
 * The one increasing sequence of live event ids and the replay buffer behind it: the newest 10,000
 * events or 10 minutes, whichever is less. Ids are contiguous, so the entries after an id are found
 * by position.
 */

import type { Clock } from "@xenblocks/core";
import type { HubEvent } from "./events.js";

export interface LogEntry {
  readonly seq: number;
  readonly event: HubEvent;
  /** The event's JSON, serialized once for every client (`eventJson`). */
  json?: string;
  /** Serialized size, computed the first time a bound needs it. */
  bytes?: number;
  /** Heartbeats: the worker's small number in this process (the hub's), for per-client coalescing. */
  workerIndex?: number;
  /** What a transport caches to send this event (its messages), shared by every client. */
  wire?: unknown;
}

export interface RetentionLimits {
  maxEvents: number;
  maxAgeMs: number;
}

export const DEFAULT_RETENTION: RetentionLimits = { maxEvents: 10_000, maxAgeMs: 10 * 60_000 };

export class EventLog {
  private entries: LogEntry[] = [];
  private head = 0;
  private last: number;
  /** Every id up to this one is gone (evicted, or from before this process). */
  private evictedThrough: number;

  /**
   * `start` is the id before the first one. Starting from the clock (ms × 1000) keeps ids growing
   * across restarts, so an id from an earlier process reads as too old instead of being misread.
   */
  constructor(
    private readonly clock: Clock,
    start: number,
    private readonly limits: RetentionLimits = DEFAULT_RETENTION,
  ) {
    this.last = start;
    this.evictedThrough = start;
  }

  lastSeq(): number {
    return this.last;
  }

  size(): number {
    return this.entries.length - this.head;
  }

  append(event: HubEvent): LogEntry {
    this.last += 1;
    const entry: LogEntry = { seq: this.last, event };
    this.entries.push(entry);
    this.evict();
    return entry;
  }

  /**
   * Up to `max` entries after `after`, oldest first, without copying the whole tail: [] when there are
   * none yet, null when some of them were evicted already.
   */
  after(after: number, max: number): LogEntry[] | null {
    if (after >= this.last) return [];
    if (after < this.evictedThrough) return null;
    const start = this.head + (after - this.evictedThrough);
    return this.entries.slice(start, Math.min(start + max, this.entries.length));
  }

  /** Every id up to this one is gone from the buffer. */
  evictedSeq(): number {
    return this.evictedThrough;
  }

  /**
   * The entries after `after`, oldest first, or null when the log cannot resume from there: the
   * entries after it were evicted, or the id is not one of this process's.
   */
  since(after: number): LogEntry[] | null {
    this.evict();
    if (!Number.isSafeInteger(after) || after < this.evictedThrough || after > this.last) return null;
    return this.entries.slice(this.head + (after - this.evictedThrough));
  }

  private evict(): void {
    const oldest = this.clock.now() - this.limits.maxAgeMs;
    while (this.head < this.entries.length) {
      const first = this.entries[this.head] as LogEntry;
      if (this.size() <= this.limits.maxEvents && first.event.at >= oldest) break;
      this.evictedThrough = first.seq;
      this.head += 1;
    }
    // Drop the evicted prefix now and then rather than shifting on every append.
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }
}

/** A client's `lastEventId` as a sequence number, or null when it is not one. */
export function parseEventId(id: string | null | undefined): number | null {
  if (id === null || id === undefined || !/^\d{1,16}$/.test(id)) return null;
  const n = Number(id);
  return Number.isSafeInteger(n) ? n : null;
}
