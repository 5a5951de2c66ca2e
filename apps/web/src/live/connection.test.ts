import { describe, expect, it } from "vitest";
import type { LeaseEvent, LiveEvent } from "../api-types.js";
import { LiveConnection, type LiveTransport, type StreamHandlers, type Timers } from "./connection.js";
import { snapshot, statsEvent } from "./fixtures.js";
import { LiveStore } from "./store.js";

class FakeTimers implements Timers {
  time = 0;
  private tasks: Array<{ at: number; fn: () => void; id: number }> = [];
  private nextId = 1;
  setTimeout(fn: () => void, ms: number) {
    const id = this.nextId++;
    this.tasks.push({ at: this.time + ms, fn, id });
    return id;
  }
  clearTimeout(id: unknown) {
    this.tasks = this.tasks.filter((t) => t.id !== id);
  }
  now() {
    return this.time;
  }
  advance(ms: number) {
    this.time += ms;
    const due = this.tasks.filter((t) => t.at <= this.time);
    this.tasks = this.tasks.filter((t) => t.at > this.time);
    for (const t of due) t.fn();
  }
}

function fakeTransport() {
  const opened: Array<{ lastEventId: string | null; handlers: StreamHandlers<LiveEvent>; closed: boolean }> =
    [];
  const leaseStreams: Array<{ lastEventId: string | null; handlers: StreamHandlers<LeaseEvent> }> = [];
  let resets = 0;
  const transport: LiveTransport = {
    snapshot: async () => snapshot({ eventId: "5" }),
    events(lastEventId, handlers) {
      const s = { lastEventId, handlers, closed: false };
      opened.push(s);
      return { unsubscribe: () => (s.closed = true) };
    },
    leases(lastEventId, handlers) {
      leaseStreams.push({ lastEventId, handlers });
      return { unsubscribe: () => {} };
    },
    resetSocket: async () => {
      resets += 1;
    },
  };
  return { transport, opened, leaseStreams, resets: () => resets };
}

/** Applies each batch at once instead of at the next frame. */
const immediately = (flush: () => void) => {
  flush();
  return () => {};
};

const tick = () => new Promise((r) => setTimeout(r, 0));

describe("live connection", () => {
  it("loads the snapshot, then subscribes from its event id and goes live", async () => {
    const timers = new FakeTimers();
    const store = new LiveStore(immediately, () => timers.now());
    const { transport, opened } = fakeTransport();
    const conn = new LiveConnection(store, transport, timers);
    conn.start();
    await tick();
    expect(opened).toHaveLength(1);
    expect(opened[0]?.lastEventId).toBe("5");
    opened[0]?.handlers.onStarted();
    expect(store.getState().connection.status).toBe("live");
    opened[0]?.handlers.onData("6", statsEvent(1, { online: 9 }));
    expect(store.getState().data.stats?.online).toBe(9);
  });

  it("resubscribes after an error from the last applied id with 1 s, 2 s, 4 s back-off, reset on open", async () => {
    const timers = new FakeTimers();
    const store = new LiveStore(immediately, () => timers.now());
    const { transport, opened } = fakeTransport();
    const conn = new LiveConnection(store, transport, timers);
    conn.start();
    await tick();
    opened[0]?.handlers.onData("7", statsEvent(1, {}));
    opened[0]?.handlers.onError(new Error("too slow"));
    expect(opened[0]?.closed).toBe(true);
    expect(store.getState().connection).toMatchObject({ status: "reconnecting", retryAt: 1000 });
    timers.advance(999);
    expect(opened).toHaveLength(1);
    timers.advance(1);
    expect(opened).toHaveLength(2);
    expect(opened[1]?.lastEventId).toBe("7");
    opened[1]?.handlers.onError(new Error("again"));
    expect(store.getState().connection.retryAt).toBe(timers.now() + 2000);
    timers.advance(2000);
    opened[2]?.handlers.onError(new Error("again"));
    expect(store.getState().connection.retryAt).toBe(timers.now() + 4000);
    timers.advance(4000);
    opened[3]?.handlers.onStarted();
    expect(store.getState().connection.status).toBe("live");
    opened[3]?.handlers.onError(new Error("later"));
    expect(store.getState().connection.retryAt).toBe(timers.now() + 1000);
  });

  it("reopens the socket with the lease stream on sign-in and ignores the old stream", async () => {
    const timers = new FakeTimers();
    const store = new LiveStore(immediately, () => timers.now());
    const fake = fakeTransport();
    const conn = new LiveConnection(store, fake.transport, timers);
    conn.start();
    await tick();
    await conn.setSignedIn(true);
    expect(fake.resets()).toBe(1);
    expect(fake.opened).toHaveLength(2);
    expect(fake.opened[0]?.closed).toBe(true);
    expect(fake.leaseStreams).toHaveLength(1);
    // A late completion of the replaced stream does not start another one.
    fake.opened[0]?.handlers.onComplete();
    timers.advance(60_000);
    expect(fake.opened).toHaveLength(2);
  });
});
