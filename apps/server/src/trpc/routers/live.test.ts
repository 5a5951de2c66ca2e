import { isTrackedEnvelope, TRPCError } from "@trpc/server";
import { createEventBus, type FleetStats, type LeaseRecord, type SettlementRecord } from "@xenblocks/core";
import { afterEach, describe, expect, it } from "vitest";
import { LiveHub } from "../../live/hub.js";
import { live } from "./live.js";

const RENTER = "0x1111111111111111111111111111111111111111";
const PROVIDER = "0x2222222222222222222222222222222222222222";
const STATS: FleetStats = {
  totalWorkers: 1,
  online: 1,
  offline: 0,
  totalHashrate: 5,
  totalGpus: 1,
  activeGpus: 1,
  totalBlocks: 0,
  blocksLastHour: 0,
  hashrateHourAgo: 0,
};

const lease: LeaseRecord = {
  leaseId: "L1",
  workerId: "w1",
  renter: RENTER,
  provider: PROVIDER,
  consumerAddress: RENTER,
  prefix: "abc123",
  durationSec: 60,
  pricePerSec: 1_000n,
  escrow: 60_000n,
  state: "completed",
  reason: "expired",
  createdAt: 1,
  confirmedAt: 2,
  expiresAt: 60_002,
  endedAt: 60_002,
  lastGoodHeartbeatAt: null,
  billedSec: 60,
  blocksAccepted: 1,
  blocksRejected: 0,
  hashrateSum: 10,
  hashrateSamples: 2,
};
const settlement: SettlementRecord = {
  leaseId: "L1",
  renter: RENTER,
  workerId: "w1",
  provider: PROVIDER,
  state: "completed",
  billedSec: 60,
  total: 60_000n,
  fee: 6_000n,
  providerAmount: 54_000n,
  refund: 0n,
  feeBps: 1000,
  settledAt: 60_002,
};

const hubs: LiveHub[] = [];
afterEach(() => {
  for (const hub of hubs.splice(0)) hub.close();
});

function setup(queue?: { maxEvents: number; maxBytes: number }) {
  const bus = createEventBus();
  const hub = new LiveHub({
    events: bus,
    clock: { now: () => 1_000 },
    stats: async () => STATS,
    snapshot: async () => ({ stats: STATS, recentBlocks: [] }),
    startId: 100,
    ...(queue && { queue }),
  });
  hubs.push(hub);
  const caller = (actor: { address: string; via: "wallet" | "api_key" } | null) =>
    live.createCaller({ live: hub, actor } as never);
  return { bus, hub, caller };
}

/** The first `n` values, as the `[id, data]` of their tracked envelopes. */
async function first(iterable: AsyncIterable<unknown>, n: number): Promise<Array<[string, unknown]>> {
  const out: Array<[string, unknown]> = [];
  for await (const value of iterable) {
    expect(isTrackedEnvelope(value)).toBe(true);
    const [id, data] = value as [string, unknown];
    out.push([id, data]);
    if (out.length === n) break;
  }
  return out;
}

describe("live router", () => {
  it("answers a snapshot with the id it reflects", async () => {
    const { caller, bus } = setup();
    bus.publish({ type: "Heartbeat", at: 1, workerId: "w1", hashrate: 1, activeGpus: 1 });
    expect(await caller(null).snapshot()).toEqual({
      eventId: "101",
      serverTime: 1_000,
      stats: STATS,
      recentBlocks: [],
    });
  });

  it("streams public events as tracked values, resuming after lastEventId", async () => {
    const { caller, bus } = setup();
    bus.publish({ type: "WorkerChanged", at: 1, workerId: "w1", change: "listed" });
    bus.publish({ type: "WorkerChanged", at: 1, workerId: "w1", change: "unlisted" });
    const values = await first(await caller(null).events({ lastEventId: "101" }), 1);
    expect(values).toEqual([["102", { type: "worker", at: 1_000, workerId: "w1", change: "unlisted" }]]);
    const fresh = await first(await caller(null).events({ topics: ["worker"] }), 1);
    expect(fresh[0]?.[1]).toMatchObject({ type: "snapshot", eventId: "102" });
  });

  it("refuses unknown input", async () => {
    const { caller } = setup();
    await expect(caller(null).events({ topics: ["lease" as never] })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });

  it("streams the caller's lease changes, serialized, to a signed-in party only", async () => {
    const { caller, bus } = setup();
    await expect(caller(null).leases({})).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    const renter = await caller({ address: RENTER, via: "wallet" }).leases({});
    bus.publish({ type: "LeaseChanged", at: 1, lease, settlement });
    const [[id, data] = ["", null]] = await first(renter, 1);
    expect(id).toBe("101");
    expect(data).toMatchObject({
      type: "lease",
      at: 1_000,
      lease: { leaseId: "L1", prefix: "abc123", pricePerSec: "0.001000", state: "completed" },
      settlement: { total: "0.060000", providerAmount: "0.054000" },
    });
  });

  it("tells a client that fell behind to resume, with a client error", async () => {
    const { caller, bus } = setup({ maxEvents: 2, maxBytes: 1024 * 1024 });
    const stream = await caller(null).events({ lastEventId: "100" });
    for (let i = 0; i < 5; i++)
      bus.publish({ type: "WorkerChanged", at: 1, workerId: `w${i}`, change: "listed" });
    const error = await first(stream, 10).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCError);
    expect(error).toMatchObject({ code: "TOO_MANY_REQUESTS" });
  });
});
