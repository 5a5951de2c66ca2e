/**
 * Core's in-memory listing index (`ListingIndex`, `platform.queries.listings`) answers exactly what the
 * storage queries answer: pages, totals and GPU facets against `workers.page` + `gpuModelCounts` of the
 * memory storage (the reference), for a random fleet (seeded) and random filters, sorts and pages — with
 * the index reading from every engine. The `reputation` order is the one `FleetQueries.listingPage`
 * computed: every matching worker scored at the same time, then paged, ties by worker id.
 */
import {
  computeReputation,
  type LeaseRecord,
  ListingIndex,
  type ListingQuery,
  type ListingSort,
  type Storage,
  type WorkerPageQuery,
  type WorkerRecord,
} from "@xenblocks/core";
import { fakeClock, seededRandom } from "@xenblocks/core/testing";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { createMemoryStorage } from "../src/index.js";
import { engines } from "./engines.js";

const NOW = 1_800_000_000_000;
const DAY = 86_400_000;
const GPU_NAMES = [
  "NVIDIA GeForce RTX 4090",
  "NVIDIA GeForce RTX 3090",
  "NVIDIA GeForce RTX 3060",
  "NVIDIA A100 80GB",
  "NVIDIA H100",
  "AMD Radeon RX 7900 XTX",
  "Unknown GPU",
];
const OWNERS = [
  "0xa000000000000000000000000000000000000001",
  "0xb000000000000000000000000000000000000002",
  "0xc000000000000000000000000000000000000003",
];
const SORTS: ListingSort[] = ["value", "price", "hashrate", "gpus", "memory", "reputation"];

function worker(i: number, r: () => number): WorkerRecord {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(r() * items.length)]!;
  const gpuCount = pick([0, 1, 1, 2, 4, 8]);
  // Mostly one model per rig, sometimes mixed; names repeat within a rig.
  const base = pick(GPU_NAMES);
  const gpus = Array.from({ length: gpuCount }, (_, index) => ({
    index,
    name: r() < 0.2 ? pick(GPU_NAMES) : base,
    memoryGb: pick([8, 12, 24, 80]),
    busId: index,
  }));
  const registeredAt = NOW - Math.floor(r() * 120 * DAY);
  return {
    workerId: `w${(i * 7919).toString(16).padStart(7, "0")}`,
    owner: pick(OWNERS),
    ethAddress: pick(OWNERS),
    gpus,
    gpuCount,
    totalMemoryGb: pick([0, 24, 48, 96, 160]),
    version: "2.0.0",
    registeredAt,
    updatedAt: registeredAt,
    state: pick(["AVAILABLE", "AVAILABLE", "AVAILABLE", "MINING", "IDLE", null] as const),
    stateLeaseId: null,
    stateAt: null,
    online: r() < 0.8,
    lastSeenAt: NOW - Math.floor(r() * 100_000),
    offlineSince: null,
    // Ties on purpose: few distinct hashrates and prices, some zero hashrates (value null).
    hashrate: r() < 0.12 ? 0 : pick([500, 1000, 1000, 2500, 5000, 12_345.67]),
    activeGpus: gpuCount,
    config: { address: "", prefix: "", blockPattern: "", difficulty: null },
    uptimeSec: 0,
    pricePerSec: BigInt(pick([1000, 2500, 5000, 5000, 10_000, 25_000])),
    minDurationSec: pick([60, 600, 3600]),
    maxDurationSec: pick([3600, 86_400, 604_800]),
    listed: r() < 0.85,
    banned: r() < 0.05,
    banReason: null,
    suspect: r() < 0.05,
    lastSentAt: null,
    releaseLeaseId: null,
    releaseSentAt: null,
    lastLeaseEndedAt: null,
    pendingControl: null,
    onlineSec: r() < 0.1 ? 0 : Math.round(r() * ((NOW - registeredAt) / 1000) * 1000) / 1000,
    lastHeartbeatAt: null,
    leasesCompleted: pick([0, 0, 1, 3, 10]),
    leasesFailed: pick([0, 0, 0, 1, 2]),
    verifiedLeaseBlocks: pick([0, 0, 5, 40, 150]),
    leaseBlocks: pick([0, 3, 50]),
    selfBlocks: pick([0, 1]),
  };
}

function openLease(w: WorkerRecord, n: number): LeaseRecord {
  return {
    leaseId: `lease-${w.workerId}-${n}`,
    workerId: w.workerId,
    renter: "0xd000000000000000000000000000000000000004",
    provider: w.owner,
    consumerAddress: "0xd000000000000000000000000000000000000004",
    prefix: `${n.toString(16)}${w.workerId.slice(1)}`.padEnd(16, "0").slice(0, 16),
    durationSec: 600,
    pricePerSec: w.pricePerSec,
    escrow: 600n * w.pricePerSec,
    state: n % 2 === 0 ? "pending" : "active",
    reason: null,
    createdAt: NOW - 1000,
    confirmedAt: null,
    expiresAt: null,
    endedAt: null,
    lastGoodHeartbeatAt: null,
    billedSec: null,
    blocksAccepted: 0,
    blocksRejected: 0,
    hashrateSum: 0,
    hashrateSamples: 0,
  };
}

const listingQuery: fc.Arbitrary<ListingQuery> = fc.record(
  {
    page: fc.constantFrom(1, 1, 2, 3, 5, 12),
    limit: fc.constantFrom(1, 7, 20, 50, 100),
    sortBy: fc.constantFrom(...SORTS),
    sortDir: fc.constantFrom("asc" as const, "desc" as const),
    status: fc.constantFrom("all" as const, "online" as const, "offline" as const),
    owner: fc.constantFrom(...OWNERS, OWNERS[0]!.toUpperCase().replace("0X", "0x")),
    search: fc.constantFrom("w0", "W00", "rtx", "0xb", "a100", "radeon", "zzz", ""),
    availableOnly: fc.boolean(),
    gpu: fc.constantFrom("4090", "RTX", "a100", "h100", "7900", "gpu", "x"),
    minHashrate: fc.constantFrom(0, 1000, 2500.5, 5000),
    maxPricePerSec: fc.constantFrom(1000n, 5000n, 10_000n),
    minGpus: fc.constantFrom(0, 1, 2, 4),
    minMemoryGb: fc.constantFrom(24, 48, 96),
    durationSec: fc.constantFrom(60, 600, 7200, 604_800),
  },
  { requiredKeys: ["page", "limit", "sortBy", "sortDir"] },
);

/** What the storage queries answer for a listing query (the marketplace always asks `listed: true`). */
async function expected(reference: Storage, q: ListingQuery, now: number) {
  const { page, limit, sortBy, sortDir, ...filters } = q;
  const where = { ...filters, listed: true };
  const gpuModels = await reference.workers.gpuModelCounts(where);
  if (sortBy !== "reputation") {
    const got = await reference.workers.page({ ...where, page, limit, sortBy, sortDir } as WorkerPageQuery);
    return { items: got.items, total: got.total, gpuModels };
  }
  // FleetQueries.listingPage: every match scored, sorted, then paged.
  const all = await reference.workers.page({
    ...where,
    page: 1,
    limit: 100_000,
    sortBy: "workerId",
    sortDir: "asc",
  });
  const dir = sortDir === "asc" ? 1 : -1;
  const scored = all.items.map((w) => ({ w, score: computeReputation(w, now).score }));
  scored.sort((a, b) => dir * (a.score - b.score) || (a.w.workerId < b.w.workerId ? -1 : 1));
  const start = (page - 1) * limit;
  return { items: scored.slice(start, start + limit).map((x) => x.w), total: all.total, gpuModels };
}

describe.each(engines)("listing index over $name equals the memory storage queries", (engine) => {
  let storage: Storage;
  let reference: Storage;
  let fleet: WorkerRecord[];
  const clock = fakeClock(NOW);
  let index: ListingIndex;

  beforeAll(async () => {
    storage = await engine.create({ forFile: true });
    reference = createMemoryStorage();
    const r = seededRandom(20261128);
    fleet = Array.from({ length: 400 }, (_, i) => worker(i, r));
    for (const w of fleet) {
      await storage.workers.insert(w);
      await reference.workers.insert(w);
    }
    // Open leases on some available workers and on a few others: never "available", still listed.
    const leased = fleet.filter((w, i) => (w.state === "AVAILABLE" && i % 6 === 0) || i % 37 === 0);
    for (const [n, w] of leased.entries()) {
      await storage.leases.insert(openLease(w, n));
      await reference.leases.insert(openLease(w, n));
    }
    index = new ListingIndex({ storage, clock });
  });

  const compare = async (q: ListingQuery) => {
    const want = await expected(reference, q, clock.now());
    const got = await index.page(q);
    expect(got.total).toBe(want.total);
    expect(got.items.map((w) => w.workerId)).toEqual(want.items.map((w) => w.workerId));
    expect(got.gpuModels).toEqual(want.gpuModels);
    return { got, want };
  };

  it("pages, totals and facets for random filters, sorts and pages", { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(listingQuery, (q) => compare(q).then(() => undefined)),
      {
        numRuns: 400,
        seed: 42,
      },
    );
    // One load served every query (the clock never moved, nothing was marked).
    expect(index.loads).toBe(1);
  });

  it("every sort and direction over the whole listing, with the records as stored", async () => {
    for (const sortBy of SORTS) {
      for (const sortDir of ["asc", "desc"] as const) {
        for (const availableOnly of [false, true]) {
          const { got, want } = await compare({ page: 1, limit: 100_000, sortBy, sortDir, availableOnly });
          expect(got.items).toEqual(want.items);
          for (const w of got.items) {
            expect(got.hasOpenLease(w.workerId)).toBe(
              (await reference.leases.openForWorker(w.workerId)) !== null,
            );
          }
        }
      }
    }
  });

  it("after changes and markStale, answers from the changed rows", async () => {
    const r = seededRandom(7);
    const changed = fleet.filter((_, i) => i % 9 === 0);
    for (const w of changed) {
      const patch: Partial<WorkerRecord> = {
        listed: !w.listed,
        pricePerSec: BigInt(1000 * (1 + Math.floor(r() * 30))),
        hashrate: Math.floor(r() * 10) * 700,
        online: r() < 0.5,
      };
      await storage.workers.update(w.workerId, patch);
      await reference.workers.update(w.workerId, patch);
    }
    clock.advance(3 * DAY); // reputation moves with time: the reload scores at the new time
    index.markStale();
    await fc.assert(
      fc.asyncProperty(listingQuery, (q) => compare(q).then(() => undefined)),
      {
        numRuns: 150,
        seed: 7,
      },
    );
    expect(index.loads).toBe(2);
  });
});
