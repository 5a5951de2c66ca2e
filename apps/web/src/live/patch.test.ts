import { describe, expect, it } from "vitest";
import type { LiveEvent } from "../api-types.js";
import { block, snapshot, statsEvent } from "./fixtures.js";
import { applyEvents, EMPTY_LIVE, fromSnapshot, LIVE_BLOCKS_CAP, patchRow } from "./patch.js";

const base = fromSnapshot(EMPTY_LIVE, snapshot());
const ev = (id: number, event: LiveEvent) => ({ id: String(id), event });

describe("live patches", () => {
  it("starts from the snapshot", () => {
    expect(base.eventId).toBe("5");
    expect(base.stats?.totalBlocks).toBe(10);
    expect(base.blocks.map((b) => b.id)).toEqual([2, 1]);
  });

  it("replaces stats from stats events and never counts blocks itself", () => {
    const next = applyEvents(base, [
      ev(6, {
        type: "block",
        at: 6000,
        id: 3,
        workerId: "w1",
        leaseId: null,
        key: "k3",
        blockType: "normal",
        status: "self",
        chainStatus: "pending",
      }),
    ]);
    expect(next.stats?.totalBlocks).toBe(10);
    const after = applyEvents(next, [ev(7, statsEvent(7000, { totalBlocks: 11 }))]);
    expect(after.stats?.totalBlocks).toBe(11);
    expect(after.statsAt).toBe(7000);
    expect(after.eventId).toBe("7");
  });

  it("prepends blocks newest first, capped at 20, and fills chain status in place", () => {
    const events = Array.from({ length: 25 }, (_, i) =>
      ev(10 + i, {
        type: "block",
        at: 10_000 + i,
        id: 100 + i,
        workerId: "w2",
        leaseId: i % 2 ? "lease-x" : null,
        key: `k${i}`,
        blockType: "normal",
        status: "accepted",
        chainStatus: "pending",
      }),
    );
    const next = applyEvents(base, events);
    expect(next.blocks).toHaveLength(LIVE_BLOCKS_CAP);
    expect(next.blocks[0]?.id).toBe(124);
    expect(next.blocks[0]?.chainStatus).toBe("pending");
    const verified = applyEvents(next, [
      ev(40, { type: "block_chain", at: 1, id: 124, chainStatus: "verified", chainBlockId: 7 }),
    ]);
    expect(verified.blocks[0]).toMatchObject({ id: 124, chainStatus: "verified", chainBlockId: 7 });
    expect(verified.blocks.map((b) => b.id)).toEqual(next.blocks.map((b) => b.id));
  });

  it("patches workers from heartbeat, status and health without touching others", () => {
    const next = applyEvents(base, [
      ev(6, { type: "heartbeat", at: 1, workerId: "w1", hashrate: 321, activeGpus: 2, lastSeenAt: 900 }),
      ev(7, { type: "status", at: 2, workerId: "w1", state: "MINING", leaseId: "lease-1" }),
      ev(8, { type: "health", at: 3, workerId: "w2", kind: "offline", reason: "silent", offlineForSec: 0 }),
    ]);
    expect(next.workers.w1).toEqual({
      hashrate: 321,
      activeGpus: 2,
      lastSeenAt: 900,
      state: "MINING",
      leaseId: "lease-1",
    });
    expect(next.workers.w2).toEqual({ online: false });
    expect(next.health[0]).toMatchObject({ workerId: "w2", kind: "offline", reason: "silent" });
    const row = { workerId: "w1", hashrate: 1, lastSeenAt: 1, state: "AVAILABLE", online: true, other: "x" };
    expect(patchRow(row, next.workers.w1)).toEqual({
      workerId: "w1",
      hashrate: 321,
      lastSeenAt: 900,
      state: "MINING",
      online: true,
      other: "x",
    });
  });

  it("prepends activity, counts worker changes and resyncs on a snapshot event", () => {
    const next = applyEvents(base, [
      ev(6, { type: "activity", at: 1, item: { id: "block:3", at: 1, type: "block", workerId: "w1" } }),
      ev(7, { type: "activity", at: 2, item: { id: "block:4", at: 2, type: "block", workerId: "w1" } }),
      ev(8, { type: "worker", at: 3, workerId: "w9", change: "registered" }),
    ]);
    expect(next.activity.map((a) => a.id)).toEqual(["block:4", "block:3"]);
    expect(next.workerChanges).toBe(1);
    const resynced = applyEvents(next, [
      ev(50, { type: "snapshot", at: 9, ...snapshot({ eventId: "49", recentBlocks: [block(9)] }) }),
    ]);
    expect(resynced.resyncs).toBe(1);
    expect(resynced.eventId).toBe("50");
    expect(resynced.blocks.map((b) => b.id)).toEqual([9]);
  });

  it("returns the same state for an empty batch", () => {
    expect(applyEvents(base, [])).toBe(base);
  });
});
