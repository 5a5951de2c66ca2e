import { describe, expect, it } from "vitest";
import type { WorkerRecord } from "../types.js";
import { LiveFleet } from "./live.js";

const T0 = 1_795_737_600_000;

function workerRecord(patch: Partial<WorkerRecord> = {}): WorkerRecord {
  return {
    workerId: "776536cd9695ca58",
    owner: "0x8d56da55a9d91b40aff945714b19e9dfde32d9c2",
    ethAddress: "0x8d56DA55A9D91b40AfF945714b19E9DfDE32D9C2",
    gpus: [{ index: 0, name: "NVIDIA GeForce RTX 4090", memoryGb: 24, busId: 1 }],
    gpuCount: 1,
    totalMemoryGb: 24,
    version: "2.0.0",
    registeredAt: T0,
    updatedAt: T0,
    state: "MINING",
    stateLeaseId: "lease-1",
    stateAt: T0 + 1_000,
    online: true,
    lastSeenAt: T0 + 30_000,
    offlineSince: null,
    hashrate: 2408.16,
    activeGpus: 1,
    config: {
      address: "0x8d56DA55A9D91b40AfF945714b19E9DfDE32D9C2",
      prefix: "",
      blockPattern: "",
      difficulty: 1727,
    },
    uptimeSec: 30,
    pricePerSec: 10_000n,
    minDurationSec: 60,
    maxDurationSec: 86_400,
    listed: true,
    banned: false,
    banReason: null,
    suspect: false,
    lastSentAt: null,
    releaseLeaseId: null,
    releaseSentAt: null,
    lastLeaseEndedAt: null,
    pendingControl: null,
    onlineSec: 120,
    lastHeartbeatAt: T0 + 30_000,
    leasesCompleted: 3,
    leasesFailed: 1,
    verifiedLeaseBlocks: 7,
    leaseBlocks: 8,
    selfBlocks: 2,
    ...patch,
  };
}

describe("LiveFleet.load / get", () => {
  it("caches the live fields of a stored worker with its active lease", () => {
    const live = new LiveFleet();
    expect(live.get("776536cd9695ca58")).toBeUndefined();
    const entry = live.load(workerRecord(), "lease-1");
    expect(entry).toEqual({
      workerId: "776536cd9695ca58",
      lastSeenAt: T0 + 30_000,
      lastHeartbeatAt: T0 + 30_000,
      hashrate: 2408.16,
      activeGpus: 1,
      uptimeSec: 30,
      onlineSec: 120,
      config: {
        address: "0x8d56DA55A9D91b40AfF945714b19E9DfDE32D9C2",
        prefix: "",
        blockPattern: "",
        difficulty: 1727,
      },
      banned: false,
      online: true,
      state: "MINING",
      stateLeaseId: "lease-1",
      activeLeaseId: "lease-1",
    });
    expect(live.get("776536cd9695ca58")).toBe(entry);
  });

  it("copies the config, so later changes to the record do not leak in", () => {
    const live = new LiveFleet();
    const record = workerRecord();
    live.load(record, null);
    record.config.prefix = "abcd";
    expect(live.get(record.workerId)?.config.prefix).toBe("");
  });

  it("a reload replaces the cached entry", () => {
    const live = new LiveFleet();
    live.load(workerRecord(), "lease-1");
    live.load(workerRecord({ banned: true, online: false }), null);
    expect(live.get("776536cd9695ca58")).toMatchObject({ banned: true, online: false, activeLeaseId: null });
  });

  it("loading does not make a worker dirty", () => {
    const live = new LiveFleet();
    live.load(workerRecord(), null);
    expect(live.drainDirty()).toEqual({ workers: [], leases: [] });
  });
});

describe("LiveFleet.patch / online", () => {
  it("applies a change to a cached worker", () => {
    const live = new LiveFleet();
    live.load(workerRecord(), null);
    live.patch("776536cd9695ca58", { state: "AVAILABLE", stateLeaseId: null, hashrate: 5000 });
    expect(live.get("776536cd9695ca58")).toMatchObject({
      state: "AVAILABLE",
      stateLeaseId: null,
      hashrate: 5000,
    });
    // Not dirty unless asked.
    expect(live.drainDirty().workers).toEqual([]);
  });

  it("ignores an unknown worker, also for markDirty", () => {
    const live = new LiveFleet();
    live.patch("nobody", { hashrate: 1 }, true);
    live.markDirty("nobody");
    expect(live.get("nobody")).toBeUndefined();
    expect(live.drainDirty()).toEqual({ workers: [], leases: [] });
  });

  it("online() lists only online workers, following patches", () => {
    const live = new LiveFleet();
    live.load(workerRecord({ workerId: "a" }), null);
    live.load(workerRecord({ workerId: "b", online: false }), null);
    live.load(workerRecord({ workerId: "c" }), null);
    expect(live.online().map((w) => w.workerId)).toEqual(["a", "c"]);
    live.patch("a", { online: false });
    live.patch("b", { online: true });
    expect(
      live
        .online()
        .map((w) => w.workerId)
        .sort(),
    ).toEqual(["b", "c"]);
  });
});

describe("LiveFleet.drainDirty / restoreDirty", () => {
  it("hands over the dirty workers' live fields once, with the latest values", () => {
    const live = new LiveFleet();
    live.load(workerRecord({ workerId: "a" }), null);
    live.load(workerRecord({ workerId: "b" }), null);
    live.patch("a", { lastSeenAt: T0 + 60_000, hashrate: 4000, onlineSec: 150 }, true);
    live.patch("a", { uptimeSec: 60 }, false);
    const batch = live.drainDirty();
    expect(batch.workers).toEqual([
      {
        workerId: "a",
        lastSeenAt: T0 + 60_000,
        lastHeartbeatAt: T0 + 30_000,
        hashrate: 4000,
        activeGpus: 1,
        uptimeSec: 60,
        onlineSec: 150,
        config: {
          address: "0x8d56DA55A9D91b40AfF945714b19E9DfDE32D9C2",
          prefix: "",
          blockPattern: "",
          difficulty: 1727,
        },
      },
    ]);
    // Only the persisted live fields, not the cached decision fields.
    expect(Object.keys(batch.workers[0] ?? {})).not.toContain("banned");
    expect(Object.keys(batch.workers[0] ?? {})).not.toContain("activeLeaseId");
    expect(live.drainDirty()).toEqual({ workers: [], leases: [] });
  });

  it("markDirty queues a cached worker", () => {
    const live = new LiveFleet();
    live.load(workerRecord(), null);
    live.markDirty("776536cd9695ca58");
    expect(live.drainDirty().workers.map((w) => w.workerId)).toEqual(["776536cd9695ca58"]);
  });

  it("a worker patched twice appears once", () => {
    const live = new LiveFleet();
    live.load(workerRecord(), null);
    live.patch("776536cd9695ca58", { hashrate: 1 }, true);
    live.patch("776536cd9695ca58", { hashrate: 2 }, true);
    expect(live.drainDirty().workers.map((w) => w.hashrate)).toEqual([2]);
  });

  it("the drained batch is a copy: later patches do not change it", () => {
    const live = new LiveFleet();
    live.load(workerRecord(), null);
    live.patch("776536cd9695ca58", { hashrate: 1 }, true);
    live.recordLeaseHeartbeat("lease-1", T0, 100);
    const batch = live.drainDirty();
    live.patch("776536cd9695ca58", { hashrate: 2, config: { ...workerRecord().config, prefix: "ff" } });
    live.recordLeaseHeartbeat("lease-1", T0 + 30_000, 100);
    expect(batch.workers[0]?.hashrate).toBe(1);
    expect(batch.workers[0]?.config.prefix).toBe("");
    expect(batch.leases[0]).toEqual({
      leaseId: "lease-1",
      lastGoodHeartbeatAt: T0,
      hashrateSum: 100,
      hashrateSamples: 1,
    });
  });

  it("restoreDirty puts a failed batch back, and the next drain carries the latest values", () => {
    const live = new LiveFleet();
    live.load(workerRecord(), "lease-1");
    live.patch("776536cd9695ca58", { hashrate: 1 }, true);
    live.recordLeaseHeartbeat("lease-1", T0, 100);
    const failed = live.drainDirty();
    expect(live.drainDirty()).toEqual({ workers: [], leases: [] });
    live.patch("776536cd9695ca58", { hashrate: 3 });
    live.restoreDirty(failed);
    const retry = live.drainDirty();
    expect(retry.workers.map((w) => w.hashrate)).toEqual([3]);
    expect(retry.leases).toEqual([
      { leaseId: "lease-1", lastGoodHeartbeatAt: T0, hashrateSum: 100, hashrateSamples: 1 },
    ]);
  });

  it("restoreDirty does not bring back a lease dropped in the meantime", () => {
    const live = new LiveFleet();
    live.recordLeaseHeartbeat("lease-1", T0, 100);
    const failed = live.drainDirty();
    live.dropLease("lease-1");
    live.restoreDirty(failed);
    expect(live.drainDirty().leases).toEqual([]);
    expect(live.lease("lease-1")).toBeUndefined();
  });
});

describe("LiveFleet lease heartbeats", () => {
  it("accumulate hashrate and samples and move the last good heartbeat", () => {
    const live = new LiveFleet();
    expect(live.lease("lease-1")).toBeUndefined();
    live.recordLeaseHeartbeat("lease-1", T0 + 30_000, 4800);
    live.recordLeaseHeartbeat("lease-1", T0 + 60_000, 4816.5);
    live.recordLeaseHeartbeat("lease-1", T0 + 90_000, 4700);
    expect(live.lease("lease-1")).toEqual({
      leaseId: "lease-1",
      lastGoodHeartbeatAt: T0 + 90_000,
      hashrateSum: 14_316.5,
      hashrateSamples: 3,
    });
    expect(live.drainDirty().leases).toEqual([
      { leaseId: "lease-1", lastGoodHeartbeatAt: T0 + 90_000, hashrateSum: 14_316.5, hashrateSamples: 3 },
    ]);
  });

  it("continue from the stored figures when given (after a restart)", () => {
    const live = new LiveFleet();
    const stored = { leaseId: "lease-1", lastGoodHeartbeatAt: T0, hashrateSum: 1000, hashrateSamples: 4 };
    live.recordLeaseHeartbeat("lease-1", T0 + 30_000, 250, stored);
    expect(live.lease("lease-1")).toEqual({
      leaseId: "lease-1",
      lastGoodHeartbeatAt: T0 + 30_000,
      hashrateSum: 1250,
      hashrateSamples: 5,
    });
    // The stored object itself is not mutated.
    expect(stored).toEqual({
      leaseId: "lease-1",
      lastGoodHeartbeatAt: T0,
      hashrateSum: 1000,
      hashrateSamples: 4,
    });
    // Once cached, stored figures are ignored.
    live.recordLeaseHeartbeat("lease-1", T0 + 60_000, 250, { ...stored, hashrateSum: 0, hashrateSamples: 0 });
    expect(live.lease("lease-1")).toMatchObject({ hashrateSum: 1500, hashrateSamples: 6 });
  });

  it("are kept per lease", () => {
    const live = new LiveFleet();
    live.recordLeaseHeartbeat("lease-1", T0, 10);
    live.recordLeaseHeartbeat("lease-2", T0 + 1, 20);
    expect(live.lease("lease-1")).toMatchObject({ hashrateSum: 10, hashrateSamples: 1 });
    expect(live.lease("lease-2")).toMatchObject({ hashrateSum: 20, hashrateSamples: 1 });
    expect(
      live
        .drainDirty()
        .leases.map((l) => l.leaseId)
        .sort(),
    ).toEqual(["lease-1", "lease-2"]);
  });

  it("dropLease forgets the lease and its pending write", () => {
    const live = new LiveFleet();
    live.recordLeaseHeartbeat("lease-1", T0, 10);
    live.recordLeaseHeartbeat("lease-2", T0, 20);
    live.dropLease("lease-1");
    expect(live.lease("lease-1")).toBeUndefined();
    expect(live.drainDirty().leases.map((l) => l.leaseId)).toEqual(["lease-2"]);
    // A heartbeat after the drop starts afresh.
    live.recordLeaseHeartbeat("lease-1", T0 + 5, 7);
    expect(live.lease("lease-1")).toEqual({
      leaseId: "lease-1",
      lastGoodHeartbeatAt: T0 + 5,
      hashrateSum: 7,
      hashrateSamples: 1,
    });
  });
});
