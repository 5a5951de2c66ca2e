import {
  type BlockRecord,
  createEventBus,
  type DomainEvent,
  type FleetStats,
  type LeaseRecord,
  type SettlementRecord,
} from "@xenblocks/core";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type ClientStream, type Delivered, LiveOverflowError } from "./client-stream.js";
import type { LiveTopic } from "./events.js";
import { LiveHub, type LiveHubOptions } from "./hub.js";

const START = 5_000_000;
const RENTER = "0x1111111111111111111111111111111111111111";
const PROVIDER = "0x2222222222222222222222222222222222222222";
const STRANGER = "0x3333333333333333333333333333333333333333";

const stats = (online: number): FleetStats => ({
  totalWorkers: 3,
  online,
  offline: 3 - online,
  totalHashrate: 10,
  totalGpus: 4,
  activeGpus: 4,
  totalBlocks: 7,
  blocksLastHour: 1,
  hashrateHourAgo: 9,
});

function lease(patch: Partial<LeaseRecord> = {}): LeaseRecord {
  return {
    leaseId: "L1",
    workerId: "w1",
    renter: RENTER,
    provider: PROVIDER,
    consumerAddress: RENTER,
    prefix: "secretprefix",
    durationSec: 60,
    pricePerSec: 1000n,
    escrow: 60_000n,
    state: "pending",
    reason: null,
    createdAt: 1,
    confirmedAt: null,
    expiresAt: null,
    endedAt: null,
    lastGoodHeartbeatAt: null,
    billedSec: null,
    blocksAccepted: 0,
    blocksRejected: 0,
    hashrateSum: 0,
    hashrateSamples: 0,
    ...patch,
  };
}

function block(id: number): BlockRecord {
  return {
    id,
    key: `k${id}`,
    workerId: "w1",
    leaseId: "L1",
    hash: "h",
    account: RENTER,
    attempts: 1,
    hashrate: "1.0",
    blockType: "normal",
    difficulty: 1,
    status: "accepted",
    rejectReason: null,
    chainStatus: "pending",
    chainBlockId: null,
    chainChecks: 0,
    nextChainCheckAt: null,
    receivedAt: 42,
  };
}

const status = (workerId: string): DomainEvent => ({
  type: "WorkerStatusChanged",
  at: 0,
  workerId,
  state: "AVAILABLE",
  leaseId: null,
});
const heartbeat = (workerId: string, hashrate: number): DomainEvent => ({
  type: "Heartbeat",
  at: Date.now(),
  workerId,
  hashrate,
  activeGpus: 1,
});

let bus: ReturnType<typeof createEventBus>;
const hubs: LiveHub[] = [];
function makeHub(overrides: Partial<LiveHubOptions> = {}): LiveHub {
  const hub = new LiveHub({
    events: bus,
    clock: { now: () => Date.now() },
    stats: async () => stats(2),
    snapshot: async () => ({ stats: stats(2), recentBlocks: [] }),
    startId: START,
    ...overrides,
  });
  hubs.push(hub);
  return hub;
}

/**
 * Reads a stream in a test: `drain` takes what is ready now and keeps the read it leaves waiting, so
 * the next call gets that read's value instead of losing it.
 */
class Reader {
  private waiting: Promise<IteratorResult<Delivered>> | null = null;
  constructor(readonly stream: ClientStream) {}

  next(): Promise<IteratorResult<Delivered>> {
    const read = this.waiting ?? this.stream.next();
    this.waiting = null;
    return read;
  }

  async drain(): Promise<Delivered[]> {
    const out: Delivered[] = [];
    for (;;) {
      const read = this.next();
      const idle = new Promise<"idle">((resolve) => setImmediate(() => resolve("idle")));
      const result = await Promise.race([read, idle]);
      if (result === "idle") {
        this.waiting = read;
        return out;
      }
      if (result.done) return out;
      out.push(result.value);
    }
  }

  /** Takes `n` events, waiting as needed. */
  async take(n: number): Promise<Delivered[]> {
    const out: Delivered[] = [];
    while (out.length < n) {
      const result = await this.next();
      if (result.done) break;
      out.push(result.value);
    }
    return out;
  }
}
const reader = (stream: ClientStream) => new Reader(stream);

beforeEach(() => {
  bus = createEventBus();
  vi.useFakeTimers({
    now: 1_000_000,
    toFake: ["Date", "setTimeout", "clearTimeout", "setInterval", "clearInterval"],
  });
});
afterEach(() => {
  for (const hub of hubs.splice(0)) hub.close();
  vi.useRealTimers();
});

describe("LiveHub", () => {
  it("numbers every event from one increasing sequence and stamps it with server time", async () => {
    const hub = makeHub();
    const stream = reader(hub.events({ lastEventId: String(START) }));
    bus.publish(status("w1"));
    vi.setSystemTime(1_000_500);
    bus.publish({ type: "BlockRecorded", at: 0, block: block(9) });
    bus.publish({ type: "WorkerChanged", at: 0, workerId: "w1", change: "pricing" });
    const got = await stream.take(4);
    expect(got.map((d) => d.id)).toEqual(["5000001", "5000002", "5000003", "5000004"]);
    expect(got.map((d) => d.event.type)).toEqual(["status", "block", "activity", "worker"]);
    expect(got[0]?.event.at).toBe(1_000_000);
    expect(got[1]?.event).toEqual({
      type: "block",
      at: 1_000_500,
      id: 9,
      workerId: "w1",
      leaseId: "L1",
      key: "k9",
      blockType: "normal",
      status: "accepted",
      chainStatus: "pending",
    });
    expect(got[2]?.event).toMatchObject({ type: "activity", item: { id: "block:9", type: "block" } });
    expect(got[3]?.event).toMatchObject({ type: "worker", change: "updated" });
    expect(hub.lastEventId()).toBe("5000004");
  });

  it("turns lease changes into private lease events and feed items at confirmation and at the end", async () => {
    const hub = makeHub();
    const pub = reader(hub.events({ lastEventId: String(START) }));
    const renter = reader(hub.leases({ address: RENTER }));
    bus.publish({ type: "LeaseChanged", at: 0, lease: lease(), settlement: null });
    bus.publish({
      type: "LeaseChanged",
      at: 0,
      lease: lease({ state: "active", confirmedAt: 10, expiresAt: 60_010 }),
      settlement: null,
    });
    const settlement = { leaseId: "L1", total: 60_000n } as SettlementRecord;
    bus.publish({
      type: "LeaseChanged",
      at: 0,
      lease: lease({ state: "completed", confirmedAt: 10, endedAt: 70_000, blocksAccepted: 2 }),
      settlement,
    });
    const items = (await pub.drain()).map((d) => d.event);
    expect(items).toEqual([
      expect.objectContaining({
        type: "activity",
        item: expect.objectContaining({ id: "lease_started:L1" }),
      }),
      expect.objectContaining({
        type: "activity",
        item: expect.objectContaining({ id: "lease_ended:L1", type: "lease_completed", blocksAccepted: 2 }),
      }),
    ]);
    // Nothing public carries the lease prefix.
    expect(JSON.stringify(items)).not.toContain("secretprefix");
    const leases = (await renter.drain()).map((d) => d.event);
    expect(leases.map((e) => (e.type === "lease" ? e.lease.state : e.type))).toEqual([
      "pending",
      "active",
      "completed",
    ]);
    expect(leases[2]).toMatchObject({ settlement });
  });

  it("sends lease events to the renter and the provider only", async () => {
    const hub = makeHub();
    const renter = reader(hub.leases({ address: RENTER.toUpperCase().replace("0X", "0x") }));
    const provider = reader(hub.leases({ address: PROVIDER }));
    const stranger = reader(hub.leases({ address: STRANGER }));
    bus.publish({ type: "LeaseChanged", at: 0, lease: lease(), settlement: null });
    bus.publish(status("w1"));
    expect((await renter.drain()).map((d) => d.event.type)).toEqual(["lease"]);
    expect((await provider.drain()).map((d) => d.event.type)).toEqual(["lease"]);
    expect(await stranger.drain()).toEqual([]);
  });

  it("replays after lastEventId without gaps or duplicates while events keep arriving", async () => {
    const hub = makeHub();
    const first = reader(hub.events({ lastEventId: String(START) }));
    const seen: string[] = [];
    for (let i = 0; i < 30; i++) bus.publish(status(`w${i}`));
    for (const d of await first.take(12)) seen.push(d.id);
    await first.stream.return();
    // While it is away, more happen.
    for (let i = 30; i < 60; i++) bus.publish(status(`w${i}`));
    const again = reader(hub.events({ lastEventId: seen.at(-1) as string }));
    // Reading and publishing interleave.
    for (let round = 0; round < 10; round++) {
      for (const d of await again.take(5)) seen.push(d.id);
      bus.publish(status(`x${round}`));
    }
    for (const d of await again.drain()) seen.push(d.id);
    const expected = Array.from({ length: 70 }, (_, i) => String(START + 1 + i));
    expect(seen).toEqual(expected);
  });

  it("starts with a snapshot when there is no lastEventId, then sends what happened meanwhile", async () => {
    let release: () => void = () => {};
    const hub = makeHub({
      snapshot: () =>
        new Promise((resolve) => {
          release = () => resolve({ stats: stats(1), recentBlocks: [] });
        }),
    });
    bus.publish(status("before"));
    const stream = reader(hub.events());
    const firstRead = stream.next();
    // Events arriving while the snapshot loads are kept, and come after it.
    bus.publish(status("during"));
    release();
    const first = await firstRead;
    expect(first.value?.event).toMatchObject({ type: "snapshot", eventId: "5000001", stats: stats(1) });
    expect(first.value?.id).toBe("5000001");
    const rest = await stream.drain();
    expect(rest.map((d) => [d.id, d.event.type === "status" && d.event.workerId])).toEqual([
      ["5000002", "during"],
    ]);
  });

  it("sends a snapshot first when lastEventId is too old, unknown or from an earlier process", async () => {
    const hub = makeHub({ retention: { maxEvents: 10, maxAgeMs: 10 * 60_000 } });
    for (let i = 0; i < 30; i++) bus.publish(status(`w${i}`));
    for (const lastEventId of [String(START + 5), String(START - 100), "99999999999", "abc"]) {
      const stream = reader(hub.events({ lastEventId }));
      const [first] = await stream.take(1);
      expect(first?.event).toMatchObject({ type: "snapshot", eventId: String(START + 30) });
      await stream.stream.return();
    }
    // The oldest id still buffered resumes without a snapshot.
    const ok = reader(hub.events({ lastEventId: String(START + 20) }));
    expect((await ok.drain()).map((d) => d.id)).toEqual(
      Array.from({ length: 10 }, (_, i) => String(START + 21 + i)),
    );
  });

  it("forgets events older than the retention time", async () => {
    const hub = makeHub();
    bus.publish(status("old"));
    vi.advanceTimersByTime(11 * 60_000);
    const stream = reader(hub.events({ lastEventId: String(START) }));
    const [first] = await stream.take(1);
    expect(first?.event.type).toBe("snapshot");
  });

  it("coalesces heartbeats to one per worker per second per client, latest wins", async () => {
    const hub = makeHub();
    const stream = reader(hub.events({ lastEventId: String(START) }));
    bus.publish(heartbeat("w1", 1));
    expect((await stream.drain()).map((d) => d.event)).toMatchObject([{ workerId: "w1", hashrate: 1 }]);
    vi.advanceTimersByTime(100);
    bus.publish(heartbeat("w1", 2)); // inside w1's window: held
    bus.publish(heartbeat("w2", 7)); // another worker: out at once
    vi.advanceTimersByTime(100);
    bus.publish(heartbeat("w1", 3)); // replaces the held one
    bus.publish(status("w1")); // not a heartbeat: never held
    const now = await stream.drain();
    expect(now.map((d) => d.event.type === "heartbeat" && [d.event.workerId, d.event.hashrate])).toEqual([
      ["w2", 7],
      false,
    ]);
    // Nothing more until w1's window opens, then the latest.
    const later = stream.next();
    let settled = false;
    void later.then(() => {
      settled = true;
    });
    await vi.advanceTimersByTimeAsync(799);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(settled).toBe(true);
    const held = (await later).value as Delivered;
    expect(held.event).toMatchObject({ type: "heartbeat", workerId: "w1", hashrate: 3 });
    // Its id is the newest already delivered, so resuming from it repeats nothing.
    expect(held.id).toBe(now.at(-1)?.id);
    // Another client has its own windows: w1's first heartbeat, w2's, and w1's latest held.
    const other = reader(hub.events({ lastEventId: String(START) }));
    const replayed = await other.drain();
    expect(replayed.filter((d) => d.event.type === "heartbeat").length).toBe(2);
  });

  it("filters by topic", async () => {
    const hub = makeHub();
    const topics: LiveTopic[] = ["block", "health"];
    const stream = reader(hub.events({ lastEventId: String(START), topics }));
    bus.publish(status("w1"));
    bus.publish({ type: "BlockRecorded", at: 0, block: block(1) });
    bus.publish({
      type: "WorkerHealthChanged",
      at: 0,
      workerId: "w1",
      kind: "offline",
      reason: "timeout",
      offlineForSec: null,
    });
    bus.publish({ type: "BlockChainStatus", at: 0, blockId: 1, chainStatus: "verified", chainBlockId: 5 });
    expect((await stream.drain()).map((d) => d.event)).toEqual([
      expect.objectContaining({ type: "block", id: 1 }),
      { type: "health", at: 1_000_000, workerId: "w1", kind: "offline", reason: "timeout" },
    ]);
  });

  it("ends only the slow client's stream when its queue overflows", async () => {
    const hub = makeHub({ queue: { maxEvents: 5, maxBytes: 1024 * 1024 } });
    const slow = reader(hub.events({ lastEventId: String(START) }));
    const fast = reader(hub.events({ lastEventId: String(START) }));
    const received: string[] = [];
    for (let i = 0; i < 20; i++) {
      bus.publish(status(`w${i}`));
      for (const d of await fast.drain()) received.push(d.id);
    }
    await expect(slow.next()).rejects.toBeInstanceOf(LiveOverflowError);
    expect((await slow.next()).done).toBe(true);
    expect(received.length).toBe(20);
    expect(hub.subscriberCount()).toBe(1);
  });

  it("bounds the queue by serialized bytes too", async () => {
    const hub = makeHub({ queue: { maxEvents: 1000, maxBytes: 400 } });
    const slow = reader(hub.events({ lastEventId: String(START) }));
    for (let i = 0; i < 10; i++) bus.publish(status(`worker-${i}`));
    await expect(slow.next()).rejects.toBeInstanceOf(LiveOverflowError);
  });

  it("does not count a replay against the bound", async () => {
    const hub = makeHub({ queue: { maxEvents: 5, maxBytes: 1024 * 1024 } });
    for (let i = 0; i < 50; i++) bus.publish(status(`w${i}`));
    const stream = reader(hub.events({ lastEventId: String(START) }));
    expect((await stream.drain()).length).toBe(50);
  });

  it("sends stats when they change, and only while someone listens", async () => {
    let online = 1;
    const read = vi.fn(async () => stats(online));
    const hub = makeHub({ stats: read });
    await hub.pollStats();
    expect(read).not.toHaveBeenCalled();
    const stream = reader(hub.events({ lastEventId: String(START) }));
    await hub.pollStats();
    await hub.pollStats();
    online = 2;
    await hub.pollStats();
    expect((await stream.drain()).map((d) => d.event)).toEqual([
      { ...stats(1), type: "stats", at: 1_000_000, stats: stats(1) },
      { ...stats(2), type: "stats", at: 1_000_000, stats: stats(2) },
    ]);
  });

  it("ends streams on abort and when the hub closes", async () => {
    const hub = makeHub();
    const controller = new AbortController();
    const aborted = reader(hub.events({ lastEventId: String(START), signal: controller.signal }));
    const waiting = aborted.next();
    controller.abort();
    expect((await waiting).done).toBe(true);
    const open = reader(hub.events({ lastEventId: String(START) }));
    const pending = open.next();
    hub.close();
    expect((await pending).done).toBe(true);
    expect(hub.subscriberCount()).toBe(0);
  });
});
