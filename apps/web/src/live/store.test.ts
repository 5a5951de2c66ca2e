import { describe, expect, it, vi } from "vitest";
import { snapshot, statsEvent } from "./fixtures.js";
import { connectionView, LiveStore } from "./store.js";

describe("live store", () => {
  it("applies queued events in one batch per frame and notifies once", () => {
    let frame: (() => void) | null = null;
    const schedule = vi.fn((flush: () => void) => {
      frame = flush;
      return () => {};
    });
    const store = new LiveStore(schedule, () => 42);
    store.reset(snapshot());
    const listener = vi.fn();
    const batches = vi.fn();
    store.subscribe(listener);
    store.onBatch(batches);
    store.enqueue("6", statsEvent(1, { totalBlocks: 20 }));
    store.enqueue("7", statsEvent(2, { totalBlocks: 21 }));
    expect(schedule).toHaveBeenCalledTimes(1);
    expect(store.getState().data.stats?.totalBlocks).toBe(10);
    (frame as unknown as () => void)();
    expect(listener).toHaveBeenCalledTimes(1);
    expect(batches).toHaveBeenCalledTimes(1);
    expect(store.getState().data.stats?.totalBlocks).toBe(21);
    expect(store.getState().data.eventId).toBe("7");
    expect(store.getState().connection.lastEventAt).toBe(42);
  });
});

describe("connection view", () => {
  const base = { retryAt: null, disconnectedSince: null, lastEventAt: 100 };
  it("is live while the stream is open", () => {
    expect(connectionView({ ...base, status: "live" }, 1000)).toEqual({ kind: "live", lastEventAt: 100 });
  });
  it("counts down the reconnect, then says offline after 30 s without a connection", () => {
    const c = { ...base, status: "reconnecting" as const, retryAt: 5_000, disconnectedSince: 1_000 };
    expect(connectionView(c, 2_100)).toEqual({ kind: "reconnecting", retryInSec: 3, lastEventAt: 100 });
    expect(connectionView({ ...c, retryAt: 40_000 }, 31_500)).toMatchObject({
      kind: "offline",
      retryInSec: 9,
    });
  });
});
