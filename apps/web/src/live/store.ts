/**
 * The live store: the live data (patch.ts) plus the connection's state. Events are queued and applied
 * in one batch per animation frame (ui.md §6.4); listeners hear about each applied batch once.
 */
import type { LeaseEvent, LiveEvent, LiveSnapshot } from "../api-types.js";
import { applyEvents, type Delivered, EMPTY_LIVE, fromSnapshot, type LiveData } from "./patch.js";

export type ConnectionStatus = "connecting" | "live" | "reconnecting";

export interface ConnectionState {
  status: ConnectionStatus;
  /** Client time (ms) of the next reconnect attempt, while reconnecting. */
  retryAt: number | null;
  /** Client time (ms) the stream was last lost (or first tried), null while live. */
  disconnectedSince: number | null;
  /** Client time (ms) of the last event received. */
  lastEventAt: number | null;
}

export interface LiveState {
  data: LiveData;
  connection: ConnectionState;
}

/** Runs `flush` at the next frame; returns a cancel function. */
export type FrameScheduler = (flush: () => void) => () => void;

export const animationFrame: FrameScheduler = (flush) => {
  if (typeof requestAnimationFrame === "function") {
    const id = requestAnimationFrame(() => flush());
    return () => cancelAnimationFrame(id);
  }
  const id = setTimeout(flush, 16);
  return () => clearTimeout(id);
};

export interface Batch {
  events: readonly Delivered[];
  leases: readonly LeaseEvent[];
}

export class LiveStore {
  private state: LiveState;
  private queue: Delivered[] = [];
  private leaseQueue: LeaseEvent[] = [];
  private cancelFlush: (() => void) | null = null;
  private readonly listeners = new Set<() => void>();
  private readonly batchListeners = new Set<(batch: Batch) => void>();

  constructor(
    private readonly schedule: FrameScheduler = animationFrame,
    private readonly now: () => number = Date.now,
  ) {
    this.state = {
      data: EMPTY_LIVE,
      connection: { status: "connecting", retryAt: null, disconnectedSince: now(), lastEventAt: null },
    };
  }

  getState = (): LiveState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Side effects per applied batch (query invalidation, notifications). */
  onBatch(listener: (batch: Batch) => void): () => void {
    this.batchListeners.add(listener);
    return () => this.batchListeners.delete(listener);
  }

  /** The picture `live.snapshot` gave; applied at once. */
  reset(snapshot: LiveSnapshot): void {
    this.queue = [];
    this.set({ ...this.state, data: fromSnapshot(this.state.data, snapshot) });
  }

  enqueue(id: string, event: LiveEvent): void {
    this.queue.push({ id, event });
    this.request();
  }

  enqueueLease(event: LeaseEvent): void {
    this.leaseQueue.push(event);
    this.request();
  }

  setConnection(patch: Partial<ConnectionState>): void {
    this.set({ ...this.state, connection: { ...this.state.connection, ...patch } });
  }

  /** Applies what is queued now (the frame callback; tests call it directly). */
  flush = (): void => {
    this.cancelFlush = null;
    const events = this.queue;
    const leases = this.leaseQueue;
    if (events.length === 0 && leases.length === 0) return;
    this.queue = [];
    this.leaseQueue = [];
    const data = applyEvents(this.state.data, events);
    this.set({ data, connection: { ...this.state.connection, lastEventAt: this.now() } });
    for (const listener of this.batchListeners) listener({ events, leases });
  };

  private request(): void {
    if (this.cancelFlush === null) this.cancelFlush = this.schedule(this.flush);
  }

  private set(next: LiveState): void {
    this.state = next;
    for (const listener of this.listeners) listener();
  }
}

/** Disconnected for longer than this: "Offline", and visible queries poll. */
export const OFFLINE_AFTER_MS = 30_000;

export type ConnectionView =
  | { kind: "live"; lastEventAt: number | null }
  | { kind: "connecting"; lastEventAt: number | null }
  | { kind: "reconnecting"; retryInSec: number; lastEventAt: number | null }
  | { kind: "offline"; retryInSec: number | null; lastEventAt: number | null };

/** What the connection indicator shows at `now` (ui.md §1). */
export function connectionView(c: ConnectionState, now: number): ConnectionView {
  if (c.status === "live") return { kind: "live", lastEventAt: c.lastEventAt };
  const retryInSec = c.retryAt === null ? null : Math.max(0, Math.ceil((c.retryAt - now) / 1000));
  if (c.disconnectedSince !== null && now - c.disconnectedSince > OFFLINE_AFTER_MS) {
    return { kind: "offline", retryInSec, lastEventAt: c.lastEventAt };
  }
  if (c.status === "reconnecting" && retryInSec !== null) {
    return { kind: "reconnecting", retryInSec, lastEventAt: c.lastEventAt };
  }
  return { kind: "connecting", lastEventAt: c.lastEventAt };
}
