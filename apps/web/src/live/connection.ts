/**
 * Drives the live layer (ui.md §6): `live.snapshot`, then `live.events` from the snapshot's event id
 * (and `live.leases` when signed in). The WebSocket's own reconnects use `backoffDelay` (see trpc.ts) and
 * resume from the last event id; a subscription the server ends with an error (a client that fell
 * behind) is resubscribed here from the last applied id, with the same back-off.
 */
import type { LeaseEvent, LiveEvent, LiveSnapshot } from "../api-types.js";
import { Backoff } from "./backoff.js";
import type { LiveStore } from "./store.js";

export interface Unsubscribable {
  unsubscribe(): void;
}

export interface StreamHandlers<T> {
  onStarted(): void;
  onData(id: string, value: T): void;
  onError(error: unknown): void;
  onComplete(): void;
  /** The socket under the stream: `connecting` (with the error that closed it) or `open`. */
  onSocket(state: "connecting" | "open" | "idle", error: unknown): void;
}

/** What the connection needs from tRPC; tests pass a fake. */
export interface LiveTransport {
  snapshot(): Promise<LiveSnapshot>;
  events(lastEventId: string | null, handlers: StreamHandlers<LiveEvent>): Unsubscribable;
  leases(lastEventId: string | null, handlers: StreamHandlers<LeaseEvent>): Unsubscribable;
  /** Closes the socket so the next subscription opens one with fresh credentials. */
  resetSocket(): Promise<void>;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
};

export class LiveConnection {
  private events: Unsubscribable | null = null;
  private leases: Unsubscribable | null = null;
  private leaseEventId: string | null = null;
  private retry: unknown = null;
  /** Bumped whenever the streams are replaced, so callbacks of an old stream are ignored. */
  private generation = 0;
  private stopped = true;
  private signedIn = false;
  private readonly backoff = new Backoff();

  constructor(
    private readonly store: LiveStore,
    private readonly transport: LiveTransport,
    private readonly timers: Timers = realTimers,
  ) {}

  /** Snapshot, then the event stream. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.store.setConnection({ status: "connecting", disconnectedSince: this.timers.now(), retryAt: null });
    void this.loadSnapshot();
  }

  stop(): void {
    this.stopped = true;
    this.clearRetry();
    this.closeStreams();
  }

  /** The WebSocket connection's reconnect delay was chosen: show "Reconnecting in N s". */
  socketRetryScheduled(delayMs: number): void {
    const now = this.timers.now();
    this.store.setConnection({
      status: "reconnecting",
      retryAt: now + delayMs,
      disconnectedSince: this.store.getState().connection.disconnectedSince ?? now,
    });
  }

  /** Sign-in or sign-out: reopen the socket with the new token, resuming from the last ids. */
  async setSignedIn(signedIn: boolean): Promise<void> {
    if (signedIn === this.signedIn) return;
    this.signedIn = signedIn;
    if (!signedIn) this.leaseEventId = null;
    if (this.stopped) return;
    this.clearRetry();
    this.closeStreams();
    await this.transport.resetSocket();
    if (this.stopped) return;
    this.openEvents();
    this.openLeases();
  }

  private async loadSnapshot(): Promise<void> {
    try {
      const snapshot = await this.transport.snapshot();
      if (this.stopped) return;
      this.store.reset(snapshot);
      this.openEvents();
      this.openLeases();
    } catch {
      if (!this.stopped) this.scheduleRetry(() => void this.loadSnapshot());
    }
  }

  private openEvents(): void {
    const lastEventId = this.store.getState().data.eventId;
    const generation = ++this.generation;
    const current = () => generation === this.generation && !this.stopped;
    this.events = this.transport.events(lastEventId, {
      onStarted: () => current() && this.opened(),
      onData: (id, event) => current() && this.store.enqueue(id, event),
      onError: () => current() && this.streamLost(() => this.openEvents()),
      // Completed without our unsubscribe (e.g. the socket was closed): open again from the last id.
      onComplete: () => current() && this.streamLost(() => this.openEvents()),
      onSocket: (state) => current() && this.socket(state),
    });
  }

  private closeStreams(): void {
    this.generation += 1;
    const events = this.events;
    const leases = this.leases;
    this.events = null;
    this.leases = null;
    events?.unsubscribe();
    leases?.unsubscribe();
  }

  private openLeases(): void {
    if (!this.signedIn || this.leases) return;
    this.leases = this.transport.leases(this.leaseEventId, {
      onStarted: () => {},
      onData: (id, event) => {
        this.leaseEventId = id;
        this.store.enqueueLease(event);
      },
      onError: () => {
        // The event stream's own retry reopens this one too; alone, try again after a pause.
        this.leases = null;
        this.timers.setTimeout(() => {
          if (!this.stopped && this.signedIn && !this.leases && this.events) this.openLeases();
        }, 5_000);
      },
      onComplete: () => {},
      onSocket: () => {},
    });
  }

  private opened(): void {
    this.backoff.reset();
    this.clearRetry();
    this.store.setConnection({ status: "live", retryAt: null, disconnectedSince: null });
  }

  private socket(state: "connecting" | "open" | "idle"): void {
    if (state === "connecting") {
      const c = this.store.getState().connection;
      if (c.status === "live") {
        this.store.setConnection({ status: "reconnecting", disconnectedSince: this.timers.now() });
      }
    }
  }

  private streamLost(reopen: () => void): void {
    this.closeStreams();
    if (this.stopped) return;
    this.scheduleRetry(() => {
      reopen();
      this.openLeases();
    });
  }

  private scheduleRetry(run: () => void): void {
    this.clearRetry();
    const delay = this.backoff.next();
    const now = this.timers.now();
    this.store.setConnection({
      status: "reconnecting",
      retryAt: now + delay,
      disconnectedSince: this.store.getState().connection.disconnectedSince ?? now,
    });
    this.retry = this.timers.setTimeout(() => {
      this.retry = null;
      if (!this.stopped) run();
    }, delay);
  }

  private clearRetry(): void {
    if (this.retry !== null) this.timers.clearTimeout(this.retry);
    this.retry = null;
  }
}
