/**
 * The listing index on a tiny fake storage: when it loads (single flight, staleness, age), and what a
 * query answers (orders with nulls last and id ties, reputation paging, facets, open leases). Its
 * equality with the storage adapters over random fleets is tested in packages/storage.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { computeReputation } from "../market/reputation.js";
import { compareWorkers, matchesWorkerPage } from "../market/worker-page.js";
import { Counters } from "../metrics.js";
import { fakeClock, seededRandom } from "../testing/index.js";
import type { LeaseRecord, WorkerRecord } from "../types.js";
import { ListingIndex, type ListingQuery } from "./listing-index.js";

const NOW = 1_800_000_000_000;

function worker(workerId: string, over: Partial<WorkerRecord> = {}): WorkerRecord {
  return {
    workerId,
    owner: "0xa000000000000000000000000000000000000001",
    ethAddress: "0xa000000000000000000000000000000000000001",
    gpus: [{ index: 0, name: "NVIDIA GeForce RTX 4090", memoryGb: 24, busId: 0 }],
    gpuCount: 1,
    totalMemoryGb: 24,
    version: "2.0.0",
    registeredAt: NOW - 86_400_000,
    updatedAt: NOW,
    state: "AVAILABLE",
    stateLeaseId: null,
    stateAt: null,
    online: true,
    lastSeenAt: NOW,
    offlineSince: null,
    hashrate: 1000,
    activeGpus: 1,
    config: { address: "", prefix: "", blockPattern: "", difficulty: null },
    uptimeSec: 0,
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
    onlineSec: 43_200,
    lastHeartbeatAt: null,
    leasesCompleted: 0,
    leasesFailed: 0,
    verifiedLeaseBlocks: 0,
    leaseBlocks: 0,
    selfBlocks: 0,
    ...over,
  };
}

/** A storage with just the two reads the index makes; `gate` holds loads until released. */
function fakeSource(rows: WorkerRecord[], openFor: string[] = []) {
  const clock = fakeClock(NOW);
  const state = {
    rows,
    openFor,
    pageCalls: 0,
    fail: null as Error | null,
    gate: null as Promise<void> | null,
  };
  const source = {
    clock,
    storage: {
      workers: {
        page: async (q: { listed?: boolean }) => {
          state.pageCalls++;
          const snapshot = state.rows.filter((w) => q.listed === undefined || w.listed === q.listed);
          if (state.gate) await state.gate;
          if (state.fail) throw state.fail;
          return { items: snapshot.map((w) => structuredClone(w)), total: snapshot.length };
        },
      },
      leases: {
        listOpen: async () => state.openFor.map((workerId) => ({ workerId }) as LeaseRecord),
      },
    },
  };
  return { clock, source, state };
}

const q = (over: Partial<ListingQuery> = {}): ListingQuery => ({
  page: 1,
  limit: 20,
  sortBy: "value",
  sortDir: "asc",
  ...over,
});
const ids = (p: { items: readonly WorkerRecord[] }) => p.items.map((w) => w.workerId);

describe("ListingIndex loading", () => {
  it("loads once for concurrent callers and not again while fresh", async () => {
    const { source, state, clock } = fakeSource([worker("a"), worker("b")]);
    const index = new ListingIndex(source, { maxAgeMs: 1000 });
    const [p1, p2, p3] = await Promise.all([index.page(q()), index.page(q()), index.page(q())]);
    expect([p1.total, p2.total, p3.total]).toEqual([2, 2, 2]);
    expect(index.loads).toBe(1);
    expect(state.pageCalls).toBe(1);
    clock.advance(999);
    await index.page(q({ sortBy: "hashrate" }));
    expect(index.loads).toBe(1);
  });

  it("after maxAgeMs answers from the old snapshot and reloads once in the background", async () => {
    const { source, state, clock } = fakeSource([worker("a", { hashrate: 1000 })]);
    const index = new ListingIndex(source, { maxAgeMs: 1000 });
    await index.page(q());
    clock.advance(999);
    await index.page(q());
    expect(index.loads).toBe(1);
    clock.advance(-999);
    await index.page(q());
    state.rows = [worker("a", { hashrate: 5000 })];
    clock.advance(1000);
    let release!: () => void;
    state.gate = new Promise((r) => {
      release = r;
    });
    const [old1, old2] = await Promise.all([index.page(q()), index.page(q())]);
    expect(old1.items[0]!.hashrate).toBe(1000);
    expect(old2.items[0]!.hashrate).toBe(1000);
    expect(index.loads).toBe(2);
    release();
    state.gate = null;
    await new Promise((r) => setImmediate(r));
    const fresh = await index.page(q());
    expect(fresh.items[0]!.hashrate).toBe(5000);
    expect(fresh.at).toBe(NOW + 1000);
    expect(index.loads).toBe(2);
  });

  it("after markStale the next call waits for a load that started after the mark", async () => {
    const { source, state } = fakeSource([worker("a"), worker("b")]);
    const index = new ListingIndex(source, { refreshMs: 60_000, maxAgeMs: 60_000 });
    expect((await index.page(q())).total).toBe(2);
    state.rows = [worker("a"), worker("b", { listed: false })];
    index.markStale();
    // Read your writes: no rate limit and no old snapshot after a change.
    expect(ids(await index.page(q()))).toEqual(["a"]);
    expect(index.loads).toBe(2);
  });

  it("coalesces marks during a load into one more load, shared by the callers after them", async () => {
    const { source, state } = fakeSource([worker("a")]);
    const index = new ListingIndex(source);
    await index.page(q());
    let release!: () => void;
    state.gate = new Promise((r) => {
      release = r;
    });
    index.markStale();
    const during = index.page(q()); // starts load 2 (reads rows = [a])
    state.rows = [worker("a"), worker("b")];
    index.markStale();
    index.markStale();
    const after = [index.page(q()), index.page(q())]; // need a load started after these marks
    release();
    state.gate = null;
    expect((await during).total).toBe(1);
    expect((await Promise.all(after)).map((p) => p.total)).toEqual([2, 2]);
    expect(index.loads).toBe(3);
  });

  it("a failed first load fails the callers; a failed background reload keeps the old snapshot", async () => {
    const { source, state, clock } = fakeSource([worker("a")]);
    const counters = new Counters();
    const index = new ListingIndex({ ...source, counters }, { maxAgeMs: 1000, refreshMs: 1000 });
    state.fail = new Error("database down");
    await expect(index.page(q())).rejects.toThrow("database down");
    state.fail = null;
    expect((await index.page(q())).total).toBe(1);
    clock.advance(1500);
    state.fail = new Error("database down");
    expect((await index.page(q())).total).toBe(1); // old snapshot, reload failing behind it
    await new Promise((r) => setImmediate(r));
    expect(index.lastError).toBeInstanceOf(Error);
    expect(counters.snapshot()["listing_index_load_failed_total"]).toBe(2);
    expect((await index.page(q())).total).toBe(1);
    expect(index.loads).toBe(3); // no retry before another refreshMs
    state.fail = null;
    clock.advance(1000);
    await index.page(q());
    await new Promise((r) => setImmediate(r));
    expect(index.lastError).toBeNull();
    expect(index.loads).toBe(4);
  });
});

describe("ListingIndex answers", () => {
  it("orders nulls last both ways with ties by worker id, and pages", async () => {
    const rows = [
      worker("d", { hashrate: 0, pricePerSec: 5n }), // value null
      worker("c", { hashrate: 100, pricePerSec: 100n }), // value 1
      worker("b", { hashrate: 200, pricePerSec: 200n }), // value 1
      worker("a", { hashrate: 100, pricePerSec: 300n }), // value 3
      worker("e", { hashrate: 0, pricePerSec: 1n }), // value null
    ];
    const index = new ListingIndex(fakeSource(rows).source);
    expect(ids(await index.page(q({ sortBy: "value", sortDir: "asc" })))).toEqual(["b", "c", "a", "d", "e"]);
    expect(ids(await index.page(q({ sortBy: "value", sortDir: "desc" })))).toEqual(["a", "b", "c", "d", "e"]);
    expect(ids(await index.page(q({ sortBy: "price", sortDir: "desc" })))).toEqual(["a", "b", "c", "d", "e"]);
    expect(ids(await index.page(q({ sortBy: "hashrate", sortDir: "desc" })))).toEqual([
      "b",
      "a",
      "c",
      "d",
      "e",
    ]);
    const p2 = await index.page(q({ sortBy: "value", sortDir: "desc", page: 2, limit: 2 }));
    expect({ ids: ids(p2), total: p2.total }).toEqual({ ids: ["c", "d"], total: 5 });
    const p4 = await index.page(q({ page: 4, limit: 2 }));
    expect({ ids: ids(p4), total: p4.total }).toEqual({ ids: [], total: 5 });
  });

  it("sorts by reputation over the whole result before paging, scored at load time", async () => {
    // Same age and uptime; only the completion record differs: c > a > b.
    const rows = [
      worker("a", { leasesCompleted: 1, leasesFailed: 1 }),
      worker("b", { leasesCompleted: 0, leasesFailed: 3 }),
      worker("c", { leasesCompleted: 5, leasesFailed: 0 }),
    ];
    const index = new ListingIndex(fakeSource(rows).source);
    const page = async (n: number, sortDir: "asc" | "desc") => {
      const p = await index.page(q({ page: n, limit: 2, sortBy: "reputation", sortDir }));
      return { ids: ids(p), total: p.total };
    };
    expect(await page(1, "desc")).toEqual({ ids: ["c", "a"], total: 3 });
    expect(await page(2, "desc")).toEqual({ ids: ["b"], total: 3 });
    expect(await page(1, "asc")).toEqual({ ids: ["b", "a"], total: 3 });
    const scores = rows.map((w) => computeReputation(w, NOW).score);
    expect(new Set(scores).size).toBe(3);
  });

  it("counts facets per distinct model, count descending then name ascending", async () => {
    const gpu = (name: string, index = 0) => ({ index, name, memoryGb: 24, busId: index });
    const rows = [
      worker("a", { gpus: [gpu("B"), gpu("B", 1), gpu("A", 2)], gpuCount: 3 }),
      worker("b", { gpus: [gpu("C")] }),
      worker("c", { gpus: [gpu("A")] }),
      worker("d", { gpus: [gpu("C")], hashrate: 10 }),
      worker("e", { gpus: [] }),
    ];
    const index = new ListingIndex(fakeSource(rows).source);
    expect((await index.page(q())).gpuModels).toEqual([
      { model: "A", count: 2 },
      { model: "C", count: 2 },
      { model: "B", count: 1 },
    ]);
    expect((await index.page(q({ minHashrate: 100 }))).gpuModels).toEqual([
      { model: "A", count: 2 },
      { model: "B", count: 1 },
      { model: "C", count: 1 },
    ]);
    // Repeating a filter set (from the per-snapshot cache) gives the same, unshared answer.
    const again = await index.page(q({ minHashrate: 100, sortBy: "gpus", sortDir: "desc" }));
    expect(again.total).toBe(4);
    again.gpuModels[0]!.count = 99;
    expect((await index.page(q({ minHashrate: 100 }))).gpuModels[0]).toEqual({ model: "A", count: 2 });
  });

  it("compares prices beyond 2^53 exactly, and merges the workers of several GPU models once each", async () => {
    const big = 2n ** 60n; // Number(big) === Number(big + 1n)
    const rows = [
      worker("a", { pricePerSec: big - 1n }),
      worker("b", { pricePerSec: big }),
      worker("c", { pricePerSec: big + 1n }),
      worker("d", {
        pricePerSec: 1n,
        gpus: [
          { index: 0, name: "NVIDIA GeForce RTX 4090", memoryGb: 24, busId: 0 },
          { index: 1, name: "NVIDIA GeForce RTX 4080", memoryGb: 16, busId: 1 },
        ],
        gpuCount: 2,
      }),
      worker("e", { gpus: [], gpuCount: 0, hashrate: 0 }),
      // Enough others that the candidate lists (not the whole fleet) are walked.
      ...["f", "g", "h"].map((id) => worker(id, { gpus: [], gpuCount: 0, pricePerSec: 4n * big })),
    ];
    const index = new ListingIndex(fakeSource(rows).source);
    const sorted = (p: { items: readonly WorkerRecord[] }) => ids(p).sort();
    expect(sorted(await index.page(q({ maxPricePerSec: big, limit: 10 })))).toEqual(["a", "b", "d", "e"]);
    expect(sorted(await index.page(q({ maxPricePerSec: big - 1n, limit: 10 })))).toEqual(["a", "d", "e"]);
    const rtx = await index.page(q({ gpu: "rtx 40", limit: 10 }));
    expect([rtx.total, sorted(rtx)]).toEqual([4, ["a", "b", "c", "d"]]);
    expect(rtx.gpuModels).toEqual([
      { model: "NVIDIA GeForce RTX 4090", count: 4 },
      { model: "NVIDIA GeForce RTX 4080", count: 1 },
    ]);
    expect((await index.page(q({ gpu: "", limit: 10 }))).total).toBe(4);
    expect(sorted(await index.page(q({ minHashrate: 1000, minGpus: 2, limit: 10 })))).toEqual(["d"]);
  });

  it("holds listed workers only and knows their open leases (availableOnly excludes them)", async () => {
    const rows = [worker("a"), worker("b", { listed: false }), worker("c")];
    const index = new ListingIndex(fakeSource(rows, ["c"]).source);
    const all = await index.page(q());
    expect(ids(all)).toEqual(["a", "c"]);
    expect(all.hasOpenLease("c")).toBe(true);
    expect(all.hasOpenLease("a")).toBe(false);
    expect(ids(await index.page(q({ availableOnly: true })))).toEqual(["a"]);
  });
});

describe("ListingIndex against matchesWorkerPage + compareWorkers", () => {
  const NAMES = [
    "NVIDIA GeForce RTX 4090",
    "NVIDIA A100 80GB",
    "nvidia a100 80gb",
    "AMD Radeon RX 7900",
    "X",
  ];
  const r = seededRandom(99);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(r() * items.length)]!;
  const fleet = Array.from({ length: 240 }, (_, i) => {
    const gpuCount = pick([0, 1, 2, 3]);
    return worker(`${pick(["W", "w", "x"])}${(i * 7919).toString(16).padStart(5, "0")}`, {
      owner: pick(["0xa1", "0xb2", "0xab"]),
      gpus: Array.from({ length: gpuCount }, (_, index) => ({
        index,
        name: pick(NAMES),
        memoryGb: 24,
        busId: index,
      })),
      gpuCount,
      totalMemoryGb: pick([0, 24, 48]),
      state: pick(["AVAILABLE", "AVAILABLE", "MINING", null] as const),
      online: r() < 0.7,
      hashrate: pick([0, 0.5, 1000, 1000, 2500]),
      pricePerSec: BigInt(pick([0, 1, 5000, 5000, 20_000])),
      minDurationSec: pick([60, 600]),
      maxDurationSec: pick([600, 3600]),
      listed: r() < 0.85,
      banned: r() < 0.1,
      suspect: r() < 0.1,
      leasesCompleted: pick([0, 1, 4]),
      leasesFailed: pick([0, 1]),
      onlineSec: pick([0, 100, 43_200]),
    });
  });
  const leased = new Set(fleet.filter((_, i) => i % 7 === 0).map((w) => w.workerId));
  const query: fc.Arbitrary<ListingQuery> = fc.record(
    {
      page: fc.integer({ min: 1, max: 5 }),
      limit: fc.integer({ min: 1, max: 60 }),
      sortBy: fc.constantFrom("value", "price", "hashrate", "gpus", "memory", "reputation"),
      sortDir: fc.constantFrom("asc" as const, "desc" as const),
      status: fc.constantFrom("all" as const, "online" as const, "offline" as const),
      owner: fc.constantFrom("0xa1", "0xB2", "0xa", ""),
      search: fc.constantFrom("w0", "W", "x0", "0xa", "A100", "rx 7", "", "zz"),
      availableOnly: fc.boolean(),
      gpu: fc.constantFrom("4090", "a100", "", "x", "AMD", "none"),
      minHashrate: fc.constantFrom(0, 0.5, 1000, 1000.5),
      maxPricePerSec: fc.constantFrom(0n, 1n, 5000n),
      minGpus: fc.integer({ min: 0, max: 3 }),
      minMemoryGb: fc.constantFrom(0, 24, 25),
      durationSec: fc.constantFrom(60, 600, 601, 3600, 3601),
    },
    { requiredKeys: ["page", "limit", "sortBy", "sortDir"] },
  );

  it("pages, totals and facets equal the reference", async () => {
    const { source, state } = fakeSource(fleet, [...leased]);
    const index = new ListingIndex(source);
    await fc.assert(
      fc.asyncProperty(query, async (q) => {
        const { page, limit, sortBy, sortDir, ...filters } = q;
        const where = { ...filters, page, limit, sortBy: "workerId" as const, sortDir, listed: true };
        const matching = fleet.filter((w) => matchesWorkerPage(w, where, leased.has(w.workerId)));
        const key = (w: WorkerRecord) => computeReputation(w, NOW).score;
        const sorted =
          sortBy === "reputation"
            ? matching.sort(
                (a, b) =>
                  (sortDir === "asc" ? 1 : -1) * (key(a) - key(b)) || (a.workerId < b.workerId ? -1 : 1),
              )
            : matching.sort((a, b) => compareWorkers(a, b, sortBy, sortDir));
        const counts = new Map<string, number>();
        for (const w of matching)
          for (const m of new Set(w.gpus.map((g) => g.name))) counts.set(m, (counts.get(m) ?? 0) + 1);
        const facets = [...counts]
          .map(([model, count]) => ({ model, count }))
          .sort((a, b) => b.count - a.count || (a.model < b.model ? -1 : a.model > b.model ? 1 : 0));
        const got = await index.page(q);
        expect(got.total).toBe(matching.length);
        expect(ids(got)).toEqual(sorted.slice((page - 1) * limit, page * limit).map((w) => w.workerId));
        expect(got.gpuModels).toEqual(facets);
      }),
      { numRuns: 1500, seed: 1 },
    );
    expect(state.pageCalls).toBe(1);
  });
});

describe("ListingIndex loads in slices", () => {
  /** Pages by worker id as the storage adapters do (offset = (page − 1) × limit); `between` runs before each page. */
  function pagedSource(rows: WorkerRecord[]) {
    const clock = fakeClock(NOW);
    const state = { rows, pages: [] as number[], between: null as ((page: number) => void) | null };
    const source = {
      clock,
      storage: {
        workers: {
          page: async (q: { page: number; limit: number; listed?: boolean }) => {
            state.between?.(q.page);
            state.pages.push(q.page);
            const listed = state.rows
              .filter((w) => q.listed === undefined || w.listed === q.listed)
              .sort((a, b) => (a.workerId < b.workerId ? -1 : 1));
            const items = listed.slice((q.page - 1) * q.limit, q.page * q.limit);
            return { items: items.map((w) => structuredClone(w)), total: listed.length };
          },
        },
        leases: { listOpen: async () => [] as LeaseRecord[] },
      },
    };
    return { clock, source, state };
  }
  const r = seededRandom(11);
  const fleet = Array.from({ length: 47 }, (_, i) =>
    worker(`s${String(i).padStart(3, "0")}`, {
      hashrate: Math.floor(r() * 5000),
      pricePerSec: BigInt(Math.floor(r() * 20_000)),
      listed: i === 1 || r() < 0.9,
    }),
  );
  const queries = (["value", "price", "hashrate", "gpus", "memory", "reputation"] as const).flatMap(
    (sortBy) => [1, 2, 3].map((page) => q({ sortBy, page, limit: 7, sortDir: page === 2 ? "desc" : "asc" })),
  );

  it("answers as one read does, yielding between the slices", async () => {
    // A one-query load never yields; a sliced one between its slices and then between the steps that
    // build the sort orders and candidate lists.
    let prebuildYields = 0;
    const whole = new ListingIndex(pagedSource(fleet).source, {
      sliceRows: 100_000,
      yieldToLoop: async () => {
        prebuildYields++;
      },
    });
    const sliced = pagedSource(fleet);
    let yields = 0;
    let betweenSlices = 0;
    const slices = Math.ceil(fleet.filter((w) => w.listed).length / 5);
    const index = new ListingIndex(sliced.source, {
      sliceRows: 5,
      yieldToLoop: async () => {
        yields++;
        if (sliced.state.pages.length < slices) betweenSlices++;
      },
    });
    for (const query of queries) {
      const [a, b] = [await whole.page(query), await index.page(query)];
      expect(ids(b)).toEqual(ids(a));
      expect([b.total, b.gpuModels]).toEqual([a.total, a.gpuModels]);
    }
    const listed = fleet.filter((w) => w.listed).length;
    expect(sliced.state.pages).toEqual(Array.from({ length: Math.ceil(listed / 5) }, (_, i) => i + 1));
    expect(prebuildYields).toBe(0);
    expect(betweenSlices).toBe(slices - 1);
    expect(yields).toBeGreaterThan(slices - 1);
  });

  it("reads everything again in one query when the listed set changes between slices", async () => {
    const sliced = pagedSource(fleet);
    const index = new ListingIndex(sliced.source, { sliceRows: 5, yieldToLoop: async () => {} });
    // A worker near the front leaves the listings after the second slice: offsets shift by one.
    sliced.state.between = (page) => {
      if (page === 3) sliced.state.rows = fleet.filter((w) => w.workerId !== "s001");
    };
    const got = await index.page(q({ limit: 100, sortBy: "gpus" }));
    const expected = fleet.filter((w) => w.listed && w.workerId !== "s001").map((w) => w.workerId);
    expect([...ids(got)].sort()).toEqual(expected);
    expect(sliced.state.pages.at(-1)).toBe(1); // the whole read
  });

  it("reads everything again when a change is marked during the load, even one that keeps the total", async () => {
    const sliced = pagedSource(fleet);
    const index = new ListingIndex(sliced.source, { sliceRows: 5, yieldToLoop: async () => {} });
    // Before the third slice, s001 (near the front) is unlisted and a new worker listed at the end: the
    // total stays, the pages shift by one, so the worker at the boundary would be skipped. The change's
    // event marks the index stale.
    const newcomer = worker("s999", { listed: true });
    sliced.state.between = (page) => {
      if (page !== 3 || sliced.state.rows.includes(newcomer)) return;
      sliced.state.rows = [...fleet.filter((w) => w.workerId !== "s001"), newcomer];
      index.markStale();
    };
    const first = await index.page(q({ limit: 100, sortBy: "gpus" }));
    const expected = [
      ...fleet.filter((w) => w.listed && w.workerId !== "s001").map((w) => w.workerId),
      "s999",
    ];
    expect([...ids(first)].sort()).toEqual(expected);
  });
});
