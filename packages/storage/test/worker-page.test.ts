/**
 * The fleet/marketplace page query: every engine returns exactly what the pure reference
 * (`matchesWorkerPage` + `compareWorkers` of @xenblocks/core) gives, for random fleets and queries.
 */
import {
  compareWorkers,
  matchesWorkerPage,
  type Storage,
  type WorkerPageQuery,
  type WorkerRecord,
  type WorkerSort,
} from "@xenblocks/core";
import { seededRandom } from "@xenblocks/core/testing";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { engines } from "./engines.js";

const GPU_NAMES = [
  "NVIDIA GeForce RTX 4090",
  "NVIDIA GeForce RTX 3060",
  "NVIDIA A100 80GB",
  "AMD Radeon RX 7900 XTX",
];
const OWNERS = ["0xa000000000000000000000000000000000000001", "0xb000000000000000000000000000000000000002"];
const SORTS: WorkerSort[] = [
  "value",
  "price",
  "hashrate",
  "gpus",
  "memory",
  "lastSeen",
  "workerId",
  "owner",
  "state",
  "blocks",
  "activeGpus",
  "uptime",
];

function worker(i: number, r: () => number): WorkerRecord {
  const gpuCount = 1 + Math.floor(r() * 4);
  const name = GPU_NAMES[Math.floor(r() * GPU_NAMES.length)]!;
  return {
    workerId: `w_${(i * 7919).toString(16).padStart(6, "0")}${i % 3 === 0 ? "%x" : ""}`,
    owner: OWNERS[i % 2]!,
    ethAddress: OWNERS[i % 2]!,
    gpus: Array.from({ length: gpuCount }, (_, index) => ({ index, name, memoryGb: 24, busId: index })),
    gpuCount,
    totalMemoryGb: 24 * gpuCount,
    version: "2.0.0",
    registeredAt: 1_000,
    updatedAt: 1_000,
    state: (["AVAILABLE", "MINING", "IDLE", null] as const)[Math.floor(r() * 4)]!,
    stateLeaseId: null,
    stateAt: null,
    online: r() < 0.7,
    lastSeenAt: 1_000 + Math.floor(r() * 100) * 1000,
    offlineSince: null,
    hashrate: r() < 0.15 ? 0 : Math.round(r() * 10_000 * 100) / 100,
    activeGpus: gpuCount,
    config: { address: "", prefix: "", blockPattern: "", difficulty: null },
    uptimeSec: 0,
    pricePerSec: BigInt(1000 * (1 + Math.floor(r() * 20))),
    minDurationSec: [60, 600][Math.floor(r() * 2)]!,
    maxDurationSec: [3600, 86_400][Math.floor(r() * 2)]!,
    listed: r() < 0.8,
    banned: r() < 0.1,
    banReason: null,
    suspect: r() < 0.1,
    lastSentAt: null,
    releaseLeaseId: null,
    releaseSentAt: null,
    lastLeaseEndedAt: null,
    pendingControl: null,
    onlineSec: Math.floor(r() * 5000) + 0.5,
    lastHeartbeatAt: null,
    leasesCompleted: 0,
    leasesFailed: 0,
    verifiedLeaseBlocks: 0,
    leaseBlocks: Math.floor(r() * 5),
    selfBlocks: 0,
  };
}

const query: fc.Arbitrary<WorkerPageQuery> = fc.record(
  {
    page: fc.integer({ min: 1, max: 4 }),
    limit: fc.integer({ min: 1, max: 25 }),
    sortBy: fc.constantFrom(...SORTS),
    sortDir: fc.constantFrom("asc" as const, "desc" as const),
    status: fc.constantFrom("all" as const, "online" as const, "offline" as const),
    owner: fc.constantFrom(...OWNERS),
    search: fc.constantFrom("w_0", "rtx", "0xb", "%", "a100", "radeon", "zzz"),
    listed: fc.boolean(),
    availableOnly: fc.boolean(),
    gpu: fc.constantFrom("4090", "A100", "3060", "x"),
    minHashrate: fc.constantFrom(0, 1000, 5000),
    maxPricePerSec: fc.constantFrom(2000n, 10_000n),
    minGpus: fc.integer({ min: 1, max: 4 }),
    minMemoryGb: fc.constantFrom(24, 48, 96),
    durationSec: fc.constantFrom(60, 600, 7200),
  },
  { requiredKeys: ["page", "limit", "sortBy", "sortDir"] },
);

describe.each(engines)("worker page query ($name)", (engine) => {
  let storage: Storage;
  let fleet: WorkerRecord[];
  const leased = new Set<string>();

  beforeAll(async () => {
    storage = await engine.create({ forFile: true });
    const r = seededRandom(12345);
    fleet = Array.from({ length: 80 }, (_, i) => worker(i, r));
    for (const w of fleet) await storage.workers.insert(w);
    // A few workers with an open lease are never "available".
    for (const w of fleet.filter((x) => x.state === "AVAILABLE").slice(0, 4)) {
      leased.add(w.workerId);
      await storage.leases.insert({
        leaseId: `lease-${w.workerId}`,
        workerId: w.workerId,
        renter: "0xc000000000000000000000000000000000000003",
        provider: w.owner,
        consumerAddress: "0xc000000000000000000000000000000000000003",
        prefix: `${w.workerId.replace(/[^0-9a-f]/g, "")}`.padEnd(16, "0").slice(0, 16),
        durationSec: 60,
        pricePerSec: w.pricePerSec,
        escrow: 60n * w.pricePerSec,
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
      });
    }
  });

  it("matches the reference for random filters, sorts and pages", { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(query, async (q) => {
        const expected = fleet
          .filter((w) => matchesWorkerPage(w, q, leased.has(w.workerId)))
          .sort((a, b) => compareWorkers(a, b, q.sortBy, q.sortDir));
        const start = (q.page - 1) * q.limit;
        const got = await storage.workers.page(q);
        expect(got.total).toBe(expected.length);
        expect(got.items.map((w) => w.workerId)).toEqual(
          expected.slice(start, start + q.limit).map((w) => w.workerId),
        );
      }),
      { numRuns: 300 },
    );
  });

  it("treats % and _ in a search as plain characters", async () => {
    const got = await storage.workers.page({
      page: 1,
      limit: 100,
      sortBy: "workerId",
      sortDir: "asc",
      search: "w_0",
    });
    expect(got.items.every((w) => w.workerId.startsWith("w_0"))).toBe(true);
    const none = await storage.workers.page({
      page: 1,
      limit: 100,
      sortBy: "workerId",
      sortDir: "asc",
      search: "w%",
    });
    expect(none.total).toBe(0);
  });
});
