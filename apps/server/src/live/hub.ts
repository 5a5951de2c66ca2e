/**
 * The live event hub (api.md §3): domain events in, live events out. Each event gets `at` (server
 * time) and an id from one increasing sequence, goes into the replay buffer, and is pushed to every
 * subscriber's bounded stream. A subscriber attaches first and then takes the buffered events after its
 * `lastEventId` in the same tick, so nothing is lost or sent twice; one whose id cannot be resumed
 * from gets a `snapshot` first. Fleet stats are polled and sent when they change.
 */

import type { Clock, DomainEvent } from "@xenblocks/core";
import { ClientStream, DEFAULT_QUEUE_LIMITS, LiveOverflowError, type QueueLimits } from "./client-stream.js";
import {
  DEFAULT_RETENTION,
  EventLog,
  type LogEntry,
  parseEventId,
  type RetentionLimits,
} from "./event-log.js";
import {
  type BlockView,
  type HubEvent,
  LIVE_TOPICS,
  type LiveSnapshot,
  type LiveTopic,
  type MonitoringStats,
  type SnapshotLiveEvent,
  statsEvent,
  toLiveEvents,
} from "./events.js";

export interface LiveHubOptions {
  /** Where domain events come from (`platform.events`). */
  events: { subscribe(subscriber: (event: DomainEvent) => void): () => void };
  clock: Clock;
  /** `monitoring.stats`, polled for `stats` events. */
  stats: () => Promise<MonitoringStats>;
  /** What a `snapshot` carries besides its id and time. */
  snapshot: () => Promise<{ stats: MonitoringStats; recentBlocks: BlockView[] }>;
  /** Default 5 s. */
  statsIntervalMs?: number;
  retention?: RetentionLimits;
  queue?: QueueLimits;
  /** Default 1 s. */
  heartbeatWindowMs?: number;
  /** The id before the first; default now (ms) × 1000, so ids keep growing across restarts. */
  startId?: number;
  onError?: (error: unknown) => void;
}

export interface PublicStreamInput {
  lastEventId?: string | null;
  /** Absent = every public topic. */
  topics?: readonly LiveTopic[];
  signal?: AbortSignal;
}

export interface LeaseStreamInput {
  /** The caller (lowercase): only leases where it is the renter or the provider. */
  address: string;
  lastEventId?: string | null;
  signal?: AbortSignal;
}

/** At most this many events per fan-out batch, so no client's queue takes a huge batch at once. */
const FANOUT_BATCH = 256;
/** A fan-out slice yields to I/O after this long. */
const FANOUT_SLICE_MS = 5;

export class LiveHub {
  private readonly log: EventLog;
  private readonly streams = new Set<ClientStream>();
  /** A small number per worker, shared by every stream's heartbeat coalescing. */
  private readonly workerIndex = new Map<string, number>();
  /** Every event up to this id has been pushed to every stream. */
  private fannedOut: number;
  private fanoutScheduled: ReturnType<typeof setImmediate> | null = null;
  /** A batch whose fan-out a slice left unfinished. */
  private batch: { entries: LogEntry[]; streams: ClientStream[]; index: number } | null = null;
  private readonly detach: () => void;
  private statsTimer: ReturnType<typeof setInterval> | null = null;
  private statsPolling = false;
  private lastStatsJson: string | null = null;
  private closed = false;

  constructor(private readonly options: LiveHubOptions) {
    this.log = new EventLog(
      options.clock,
      options.startId ?? options.clock.now() * 1000,
      options.retention ?? DEFAULT_RETENTION,
    );
    this.fannedOut = this.log.lastSeq();
    this.detach = options.events.subscribe((event) => this.ingest(event));
  }

  /** Starts the stats poll. */
  start(): void {
    if (this.statsTimer || this.closed) return;
    this.statsTimer = setInterval(() => void this.pollStats(), this.options.statsIntervalMs ?? 5_000);
    this.statsTimer.unref?.();
  }

  /** Detaches from the platform, stops the poll and ends every stream. */
  close(): void {
    this.closed = true;
    this.detach();
    if (this.statsTimer) clearInterval(this.statsTimer);
    this.statsTimer = null;
    if (this.fanoutScheduled) clearImmediate(this.fanoutScheduled);
    this.fanoutScheduled = null;
    this.batch = null;
    for (const stream of [...this.streams]) stream.end(null);
  }

  /** Live subscribers (every transport), for metrics. */
  subscriberCount(): number {
    return this.streams.size;
  }

  /** The newest id: a snapshot taken now reflects everything up to it. */
  lastEventId(): string {
    return String(this.log.lastSeq());
  }

  /** `live.snapshot`. The id is read before the data, so resuming from it may repeat, never miss. */
  async snapshot(): Promise<LiveSnapshot> {
    const eventId = this.lastEventId();
    const data = await this.options.snapshot();
    return {
      eventId,
      serverTime: this.options.clock.now(),
      stats: data.stats,
      recentBlocks: data.recentBlocks,
    };
  }

  /** `live.events`: public events of the chosen topics, resumed after `lastEventId` or from a snapshot. */
  events(input: PublicStreamInput = {}): ClientStream {
    const topics = new Set<string>(input.topics ?? LIVE_TOPICS);
    return this.open({
      lastEventId: input.lastEventId,
      filter: (e) => e.type !== "lease" && topics.has(e.type),
      withSnapshot: true,
      signal: input.signal,
    });
  }

  /** `live.leases`: lease changes where `address` is a party; no snapshot (the caller's queries have it). */
  leases(input: LeaseStreamInput): ClientStream {
    const address = input.address.toLowerCase();
    return this.open({
      lastEventId: input.lastEventId,
      filter: (e) => e.type === "lease" && (e.lease.renter === address || e.lease.provider === address),
      withSnapshot: false,
      signal: input.signal,
    });
  }

  /** One stats read; an event when they changed since the last one sent. Skipped with no subscribers. */
  async pollStats(): Promise<void> {
    if (this.statsPolling || this.streams.size === 0 || this.closed) return;
    this.statsPolling = true;
    try {
      const stats = await this.options.stats();
      const json = JSON.stringify(stats);
      if (json !== this.lastStatsJson && !this.closed) {
        this.lastStatsJson = json;
        this.publish(statsEvent(stats, this.options.clock.now()));
      }
    } catch (e) {
      this.options.onError?.(e);
    } finally {
      this.statsPolling = false;
    }
  }

  /** Sequences and buffers one event; fan-out follows shortly (tests and the stats poll use it directly). */
  publish(event: HubEvent): void {
    const entry = this.log.append(event);
    if (event.type === "heartbeat") {
      let index = this.workerIndex.get(event.workerId);
      if (index === undefined) {
        index = this.workerIndex.size;
        this.workerIndex.set(event.workerId, index);
      }
      entry.workerIndex = index;
    }
    this.scheduleFanout();
  }

  private scheduleFanout(): void {
    if (this.fanoutScheduled || this.closed) return;
    this.fanoutScheduled = setImmediate(() => {
      this.fanoutScheduled = null;
      this.fanout();
    });
  }

  /** Pushes what the streams have not had yet, batch by batch; yields after a slice. */
  private fanout(): void {
    const deadline = performance.now() + FANOUT_SLICE_MS;
    for (;;) {
      let batch = this.batch;
      if (batch === null) {
        const entries = this.log.after(this.fannedOut, FANOUT_BATCH);
        if (entries === null) {
          // Fan-out fell so far behind that the buffer dropped events no stream has had yet: those
          // streams cannot continue without a gap, so they are told to resume (and get a snapshot).
          const gone = this.log.evictedSeq();
          for (const stream of [...this.streams]) {
            if (stream.needsThrough(gone))
              stream.end(new LiveOverflowError("the server fell behind; resume from your last id"));
          }
          this.fannedOut = gone;
          continue;
        }
        if (entries.length === 0) return;
        this.fannedOut = (entries[entries.length - 1] as LogEntry).seq;
        if (this.streams.size === 0) continue;
        batch = { entries, streams: [...this.streams], index: 0 };
        this.batch = batch;
      }
      const { entries, streams } = batch;
      while (batch.index < streams.length) {
        const stream = streams[batch.index] as ClientStream;
        batch.index += 1;
        for (let i = 0; i < entries.length; i++) stream.push(entries[i] as LogEntry);
        stream.notify();
        if (
          performance.now() >= deadline &&
          (batch.index < streams.length || this.log.lastSeq() > this.fannedOut)
        ) {
          if (batch.index >= streams.length) this.batch = null;
          this.scheduleFanout();
          return;
        }
      }
      this.batch = null;
    }
  }

  private ingest(event: DomainEvent): void {
    if (this.closed) return;
    try {
      for (const live of toLiveEvents(event, this.options.clock.now())) this.publish(live);
    } catch (e) {
      this.options.onError?.(e);
    }
  }

  private open(spec: {
    lastEventId: string | null | undefined;
    filter: (event: HubEvent) => boolean;
    withSnapshot: boolean;
    signal: AbortSignal | undefined;
  }): ClientStream {
    const attachSeq = this.log.lastSeq();
    const requested = parseEventId(spec.lastEventId);
    // Synchronous from here to the replay: no event can slip in between attaching and replaying.
    const replay = requested === null ? null : this.log.since(requested);
    const resumeSeq = replay === null ? attachSeq : (requested as number);
    const stream: ClientStream = new ClientStream({
      clock: this.options.clock,
      filter: spec.filter,
      attachSeq,
      resumeSeq,
      limits: this.options.queue ?? DEFAULT_QUEUE_LIMITS,
      heartbeatWindowMs: this.options.heartbeatWindowMs ?? 1_000,
      onEnd: () => this.streams.delete(stream),
      ...(spec.signal && { signal: spec.signal }),
    });
    if (stream.closed || this.closed) {
      stream.end(null);
      return stream;
    }
    this.streams.add(stream);
    if (replay !== null) {
      for (const entry of replay) stream.push(entry);
      stream.notify();
    } else if (spec.withSnapshot) {
      stream.startWithSnapshot(this.snapshotEvent(attachSeq), attachSeq);
    }
    return stream;
  }

  private async snapshotEvent(eventId: number): Promise<SnapshotLiveEvent> {
    const data = await this.options.snapshot();
    const now = this.options.clock.now();
    return {
      type: "snapshot",
      at: now,
      eventId: String(eventId),
      serverTime: now,
      stats: data.stats,
      recentBlocks: data.recentBlocks,
    };
  }
}
