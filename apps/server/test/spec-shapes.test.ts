/**
 * The shapes of api.md §1–§3 pinned over real sockets: the exact field sets of the shared objects
 * (§1.1), when private fields show, signed ledger amounts, idempotent replays, strict inputs and their
 * limits, the spec's names for enumerations, and the payload of every live event.
 */
import { type BlockRecord, FleetQueries, parseMoney } from "@xenblocks/core";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../src/server.js";
import { blockView } from "../src/trpc/serialize.js";
import {
  apiClient,
  cleanups,
  refusal,
  rentWhenReady,
  signIn,
  startTestServer,
  startWorker,
  type TestWallet,
  until,
  wsApiClient,
} from "./helpers.js";

const FLEET_WORKER = [
  "workerId",
  "owner",
  "state",
  "online",
  "hashrate",
  "activeGpus",
  "gpuCount",
  "gpus",
  "gpuSummary",
  "totalMemoryGb",
  "version",
  "lastSeenAt",
  "registeredAt",
  "listed",
  "leaseBlocks",
  "selfBlocks",
  "uptimePct",
  "reputation",
];
const LISTING = [
  "workerId",
  "owner",
  "state",
  "online",
  "available",
  "gpuSummary",
  "gpus",
  "gpuCount",
  "totalMemoryGb",
  "hashrate",
  "pricePerSec",
  "pricePerHour",
  "minDurationSec",
  "maxDurationSec",
  "reputation",
  "uptimePct",
  "leaseBlocks",
  "valueScore",
];
const WORKER_DETAIL = [
  ...FLEET_WORKER,
  "config",
  "pricePerSec",
  "minDurationSec",
  "maxDurationSec",
  "banned",
  "suspect",
];
const LEASE_ALWAYS = [
  "leaseId",
  "workerId",
  "renter",
  "consumerAddress",
  "durationSec",
  "pricePerSec",
  "state",
  "createdAt",
  "escrow",
  "blocksAccepted",
  "blocksRejected",
  "avgHashrate",
];
const LEASE_OPTIONAL = [
  "prefix",
  "reason",
  "confirmedAt",
  "expiresAt",
  "endedAt",
  "billedSec",
  "cost",
  "refund",
];
const BLOCK_ALWAYS = [
  "id",
  "key",
  "workerId",
  "leaseId",
  "hash",
  "account",
  "attempts",
  "hashrate",
  "blockType",
  "difficulty",
  "status",
  "chainStatus",
  "receivedAt",
];
const SETTLEMENT = [
  "leaseId",
  "renter",
  "workerId",
  "provider",
  "state",
  "billedSec",
  "total",
  "fee",
  "feeBps",
  "providerAmount",
  "refund",
  "settledAt",
];
const LEDGER_ENTRY = ["id", "at", "type", "amount", "balanceAfter", "reference"];
const REPUTATION = ["score", "stars", "blocks", "completion", "uptime", "age"];
const STATS = [
  "totalWorkers",
  "online",
  "offline",
  "totalHashrate",
  "totalGpus",
  "activeGpus",
  "totalBlocks",
  "blocksLastHour",
  "hashrateHourAgo",
];
const MONEY = /^-?\d+\.\d{6}$/;

/** A signed ledger amount to units. */
const signed = (text: string): bigint =>
  text.startsWith("-") ? -parseMoney(text.slice(1)) : parseMoney(text);
const keys = (o: object) => Object.keys(o).sort();
const sorted = (list: string[]) => [...list].sort();

/** Every required key present, nothing outside required + optional. */
function expectKeys(o: object, required: string[], optional: string[] = []) {
  const have = new Set(Object.keys(o));
  for (const k of required) expect(have, `missing ${k}`).toContain(k);
  for (const k of have) expect([...required, ...optional], `unexpected ${k}`).toContain(k);
}

function expectLease(l: Record<string, unknown>, withPrefix: boolean, extra: string[] = []) {
  expectKeys(l, LEASE_ALWAYS, [...LEASE_OPTIONAL, ...extra]);
  if (withPrefix) expect(l.prefix).toMatch(/^[0-9a-f]{16}$/);
  else expect(l).not.toHaveProperty("prefix");
  for (const m of ["pricePerSec", "escrow"]) expect(l[m]).toMatch(MONEY);
  expect(l.createdAt).toBeGreaterThan(1_600_000_000_000);
}

function expectBlock(b: Record<string, unknown>) {
  expectKeys(b, BLOCK_ALWAYS, ["rejectReason", "chainBlockId"]);
  expect(typeof b.hashrate).toBe("string");
  expect(["normal", "super", "xuni", "none"]).toContain(b.blockType);
  expect(["accepted", "rejected", "self"]).toContain(b.status);
  expect(["pending", "verified", "not_found", "skipped"]).toContain(b.chainStatus);
}

interface LiveEvent {
  type: string;
  at: number;
  [k: string]: unknown;
}

interface World {
  s: RunningServer;
  provider: TestWallet;
  renter: TestWallet;
  admin: TestWallet;
  w1: string;
  w2: string;
  leaseId: string;
  rented: Record<string, unknown>;
  stopped: { lease: Record<string, unknown>; settlement: Record<string, unknown> };
  events: Array<{ id: string; data: LiveEvent }>;
  leaseEvents: Array<{ id: string; data: LiveEvent }>;
}
let world: World;
const teardown: Array<() => Promise<unknown> | unknown> = [];

beforeAll(async () => {
  const adminAccount = privateKeyToAccount(generatePrivateKey());
  const s = await startTestServer({ admins: [adminAccount.address.toLowerCase()], faucet: true });
  const provider = await signIn(s);
  const renter = await signIn(s);
  const admin = await signIn(s, adminAccount);

  const events: World["events"] = [];
  const leaseEvents: World["leaseEvents"] = [];
  const ws = wsApiClient(s, renter.token);
  const sub = ws.live.events.subscribe(
    {},
    { onData: (v) => events.push(v as unknown as { id: string; data: LiveEvent }) },
  );
  const leaseSub = ws.live.leases.subscribe(
    {},
    { onData: (v) => leaseEvents.push(v as unknown as { id: string; data: LiveEvent }) },
  );
  cleanups.push(() => {
    sub.unsubscribe();
    leaseSub.unsubscribe();
  });
  await until("the snapshot event", () => events.length > 0);

  const [a, b] = await Promise.all([
    startWorker(s, "spec000000000001", provider.address),
    startWorker(s, "spec000000000002", provider.address),
  ]);
  if (!a || !b) throw new Error("two workers");
  await until("both online", async () => (await s.platform.queries.fleet.stats()).online === 2);
  await provider.api.provider.setPricing.mutate({
    workerId: a.workerId,
    pricePerSec: "0.020000",
    minDurationSec: 1,
    maxDurationSec: 7200,
  });
  await renter.api.account.deposit.mutate({ amount: "40", idempotencyKey: "dep-1" });
  const rented = await rentWhenReady(renter.api, {
    workerId: a.workerId,
    durationSec: 600,
    consumerAddress: renter.address.toLowerCase(),
    idempotencyKey: "rent-1",
  });
  await until(
    "active",
    async () => (await renter.api.rental.lease.query({ leaseId: rented.leaseId })).state === "active",
  );
  await until("a lease block", async () => {
    const blocks = await renter.api.rental.blocks.query({ leaseId: rented.leaseId });
    return blocks.items.some((x) => x.status === "accepted");
  });
  await new Promise((r) => setTimeout(r, 1100));
  const stopped = await renter.api.rental.stop.mutate({ leaseId: rented.leaseId });
  await s.platform.jobs.flushHeartbeats();
  await until("a stats event", () => events.some((e) => e.data.type === "stats"), 15_000);
  await until("the final lease event", () =>
    leaseEvents.some((e) => (e.data.lease as { state: string }).state === "completed"),
  );
  world = {
    s,
    provider,
    renter,
    admin,
    w1: a.workerId,
    w2: b.workerId,
    leaseId: rented.leaseId,
    rented: rented as unknown as Record<string, unknown>,
    stopped: stopped as unknown as World["stopped"],
    events,
    leaseEvents,
  };
  teardown.push(...cleanups.splice(0));
}, 60_000);

afterAll(async () => {
  for (const step of teardown.reverse()) await step();
});

const open = () => apiClient(world.s);

describe("shared objects (§1.1)", () => {
  it("Lease: pending on rent, final with billing after stop; prefix to the parties", async () => {
    expectLease(world.rented, true);
    expect(world.rented).toMatchObject({ state: "pending", consumerAddress: world.renter.address });
    expect(world.rented).not.toHaveProperty("billedSec");
    const final = world.stopped.lease;
    expectLease(final, true);
    expect(final).toMatchObject({ state: "completed", reason: "stopped" });
    for (const k of ["confirmedAt", "expiresAt", "endedAt", "billedSec", "cost", "refund"])
      expect(final).toHaveProperty(k);
    expect(keys(world.stopped.settlement)).toEqual(sorted(SETTLEMENT));
    expect(world.stopped.settlement).toMatchObject({
      renter: world.renter.address,
      provider: world.provider.address,
      feeBps: 500,
    });
    const asProvider = await world.provider.api.rental.lease.query({ leaseId: world.leaseId });
    expectLease(asProvider as never, true, ["settlement"]);
    expect(keys(asProvider.settlement ?? {})).toEqual(sorted(SETTLEMENT));
    const asAdmin = await world.admin.api.rental.lease.query({ leaseId: world.leaseId });
    expect(asAdmin.prefix).toBe(world.rented.prefix);
    expect(await refusal(open().rental.lease.query({ leaseId: world.leaseId }))).toMatchObject({
      appCode: "UNAUTHORIZED",
    });
    const stranger = await signIn(world.s);
    expect(await refusal(stranger.api.rental.lease.query({ leaseId: world.leaseId }))).toMatchObject({
      appCode: "FORBIDDEN",
    });
  });

  it("Block: every field, a string hashrate, the spec's enumerations", async () => {
    const recent = await open().monitoring.recentBlocks.query({ limit: 200 });
    expect(recent.length).toBeGreaterThan(0);
    for (const b of recent) expectBlock(b as never);
    for (let i = 1; i < recent.length; i++)
      expect(recent[i - 1]!.receivedAt).toBeGreaterThanOrEqual(recent[i]!.receivedAt);
    const leaseBlocks = await open().rental.blocks.query({ leaseId: world.leaseId, status: "accepted" });
    expect(leaseBlocks).toHaveProperty("nextCursor");
    for (const b of leaseBlocks.items) {
      expectBlock(b as never);
      expect(b.leaseId).toBe(world.leaseId);
    }
    // A rejected block is never looked up on the chain: still one of the four values.
    const rejected = blockView({
      ...(recent[0] as unknown as BlockRecord),
      status: "rejected",
      rejectReason: "prefix_mismatch",
      chainStatus: null,
      chainBlockId: null,
    });
    expect(rejected).toMatchObject({ chainStatus: "skipped", rejectReason: "prefix_mismatch" });
    expect(rejected).not.toHaveProperty("chainBlockId");
  });

  it("FleetWorker, WorkerDetail (currentLeaseId to owner/admin only) and Reputation", async () => {
    const fleet = await open().monitoring.fleet.query({ sortBy: "workerId", sortDir: "asc" });
    expect(keys(fleet)).toEqual(sorted(["items", "total", "page", "limit", "totalPages"]));
    for (const w of fleet.items) {
      expect(keys(w)).toEqual(sorted(FLEET_WORKER));
      expect(keys(w.reputation)).toEqual(["score", "stars"]);
      expect(w.uptimePct).toBeGreaterThanOrEqual(0);
      expect(w.uptimePct).toBeLessThanOrEqual(100);
      expect(w.owner).toBe(world.provider.address);
      for (const g of w.gpus) expect(keys(g)).toEqual(["busId", "index", "memoryGb", "name"]);
    }
    const pub = await open().monitoring.worker.query({ workerId: world.w1 });
    expect(keys(pub)).toEqual(sorted(WORKER_DETAIL));
    expect(keys(pub.config)).toEqual(["address", "blockPattern", "difficulty", "prefix"]);
    expect(keys(pub.reputation)).toEqual(sorted(REPUTATION));
    expect(pub.reputation.blocks).toMatchObject({ max: 100, weight: 40 });
    expect(pub.reputation.completion).toMatchObject({ weight: 30 });
    expect(keys(pub.reputation.uptime)).toEqual(["onlineSec", "pct", "score", "totalSec", "weight"]);
    expect(pub.reputation.age).toMatchObject({ maxDays: 90, weight: 10 });
    // A signed-in stranger is not the owner either.
    const stranger = await world.renter.api.monitoring.worker.query({ workerId: world.w1 });
    expect(stranger).not.toHaveProperty("currentLeaseId");
    for (const who of [world.provider, world.admin]) {
      const view = await who.api.monitoring.worker.query({ workerId: world.w1 });
      expect(keys(view)).toEqual(sorted([...WORKER_DETAIL, "currentLeaseId"]));
    }
  });

  it("Listing: value score in units/s per H/s, facets, best value first by default", async () => {
    const list = await open().marketplace.list.query({ availableOnly: false });
    expect(keys(list)).toEqual(sorted(["items", "total", "page", "limit", "totalPages", "facets"]));
    expect(list.facets.gpuModels.every((f) => keys(f).join() === "count,model")).toBe(true);
    for (const l of list.items) {
      expect(keys(l)).toEqual(sorted(LISTING));
      const expected = Number(parseMoney(l.pricePerSec)) / l.hashrate;
      expect(l.valueScore).toBeCloseTo(expected, 0);
    }
    const listing = await open().marketplace.listing.query({ workerId: world.w1 });
    expect(keys(listing)).toEqual(sorted(LISTING));
    expect(keys(listing.reputation)).toEqual(sorted(REPUTATION));
    // Default: best value = lowest units/s per H/s first, the same with an empty input or none.
    for (const page of [
      list,
      await open().marketplace.list.query({ availableOnly: false, sortBy: "value" }),
    ]) {
      const scores = page.items.map((l) => l.valueScore ?? Number.POSITIVE_INFINITY);
      expect(scores).toEqual([...scores].sort((a, b) => a - b));
    }
  });

  it("sortBy reputation orders the whole result before paging (FleetQueries.listingPage)", async () => {
    const now = 1_800_000_000_000;
    const base = (await world.s.platform.queries.fleet.page({
      page: 1,
      limit: 1,
      sortBy: "workerId",
      sortDir: "asc",
    }))!.items[0]!;
    // Same age and uptime; only the completion record differs: c > a > b.
    const rows = [
      { ...base, workerId: "a", leasesCompleted: 1, leasesFailed: 1 },
      { ...base, workerId: "b", leasesCompleted: 0, leasesFailed: 3 },
      { ...base, workerId: "c", leasesCompleted: 5, leasesFailed: 0 },
    ].map((w) => ({ ...w, registeredAt: now - 86_400_000, onlineSec: 43_200 }));
    const queries = new FleetQueries({
      clock: { now: () => now },
      storage: { workers: { page: async () => ({ items: rows, total: rows.length }) } },
    } as never);
    const page = (n: number, sortDir: "asc" | "desc") =>
      queries.listingPage({ page: n, limit: 2, sortBy: "reputation", sortDir }).then((p) => ({
        ids: p.items.map((w) => w.workerId),
        total: p.total,
      }));
    expect(await page(1, "desc")).toEqual({ ids: ["c", "a"], total: 3 });
    expect(await page(2, "desc")).toEqual({ ids: ["b"], total: 3 });
    expect(await page(1, "asc")).toEqual({ ids: ["b", "a"], total: 3 });
  });

  it("LedgerEntry: signed from the caller's side, with the balance after it", async () => {
    const tx = await world.renter.api.account.transactions.query({ limit: 100 });
    expect(tx.nextCursor).toBeNull();
    for (const e of tx.items) {
      expect(keys(e)).toEqual(sorted(LEDGER_ENTRY));
      expect(keys(e.reference)).toEqual(["id", "kind"]);
      expect(e.amount).toMatch(MONEY);
      expect(e.balanceAfter).toMatch(MONEY);
    }
    const byType = new Map(tx.items.map((e) => [e.type, e]));
    expect(byType.get("deposit")?.amount).toBe("40.000000");
    expect(byType.get("lease_escrow")?.amount).toBe("-12.000000");
    expect(byType.get("lease_escrow")?.balanceAfter).toBe("28.000000");
    expect(byType.get("lease_refund")?.amount).toMatch(/^\d/);
    // Newest first, and each balance follows from the one before it.
    const oldestFirst = [...tx.items].reverse();
    let balance = 0n;
    for (const e of oldestFirst) {
      balance += signed(e.amount);
      expect(parseMoney(e.balanceAfter)).toBe(balance);
    }
    const provider = await world.provider.api.account.transactions.query({ type: "lease_payment" });
    expect(provider.items).toHaveLength(1);
    expect(signed(provider.items[0]!.amount)).toBeGreaterThan(0n);
  });

  it("Withdrawal, and admin.withdrawals items carry the account", async () => {
    const w = await world.renter.api.account.withdraw.mutate({ amount: "1.5" });
    expectKeys(w, ["id", "amount", "toAddress", "state", "createdAt"], ["reference", "reason", "resolvedAt"]);
    expect(w).toMatchObject({ amount: "1.500000", toAddress: world.renter.address, state: "requested" });
    const all = await world.admin.api.admin.withdrawals.query({ state: "requested" });
    const mine = all.items.find((x) => x.id === w.id);
    expect(mine).toMatchObject({ account: world.renter.address, amount: "1.500000" });
    const cancelled = await world.renter.api.account.cancelWithdrawal.mutate({ id: w.id });
    expect(cancelled).toMatchObject({ state: "cancelled", resolvedAt: expect.any(Number) });
  });
});

describe("procedures (§2)", () => {
  it("hashrateHistory buckets per range; wallet.history has a point per bucket", async () => {
    const want = { "1h": 30, "6h": 120, "24h": 300, "7d": 3600, "30d": 3600 } as const;
    for (const [range, bucketSec] of Object.entries(want)) {
      const h = await open().monitoring.hashrateHistory.query({ range: range as keyof typeof want });
      expect(h.bucketSec).toBe(bucketSec);
      for (const p of h.points) expect(keys(p)).toEqual(["activeGpus", "hashrate", "onlineWorkers", "ts"]);
    }
    const counts = { "24h": 24, "7d": 168, "30d": 720 } as const;
    for (const [period, n] of Object.entries(counts)) {
      const h = await world.provider.api.wallet.history.query({ period: period as keyof typeof counts });
      expect(h).toMatchObject({ period, bucketSec: 3600 });
      expect(h.points).toHaveLength(n);
      for (const p of h.points)
        expect(keys(p)).toEqual(
          sorted([
            "ts",
            "avgHashrate",
            "peakHashrate",
            "onlineWorkers",
            "totalWorkers",
            "blocks",
            "earnings",
          ]),
        );
    }
    const all = await world.provider.api.wallet.history.query({ period: "all" });
    expect(all.bucketSec).toBe(86_400);
    expect(all.points.length).toBeGreaterThanOrEqual(1);
  });

  it("the chain adapter is named as platform-rules §6 does (simulator)", async () => {
    expect((await open().overview.network.query()).chainAdapter).toBe("simulator");
    expect((await world.admin.api.admin.status.query()).chain.adapter).toBe("simulator");
  });

  it("admin.audit shows actor and address targets as EIP-55", async () => {
    await world.admin.api.admin.credit.mutate({
      address: world.renter.address.toLowerCase(),
      amount: "1",
      reference: "audit-check",
    });
    const audit = await world.admin.api.admin.audit.query({});
    const credit = audit.items.find((a) => a.actor === world.admin.address);
    expect(credit).toBeDefined();
    for (const a of audit.items) {
      expect(keys(a)).toEqual(["action", "actor", "at", "id", "result", "target"]);
      expect(a.actor).not.toMatch(/^0x[0-9a-f]{40}$/);
      expect(a.target).not.toMatch(/^0x[0-9a-f]{40}$/);
    }
  });

  it("idempotency: a replay returns the stored result, other input under the key is VALIDATION", async () => {
    const again = await world.renter.api.rental.rent.mutate({
      workerId: world.w1,
      durationSec: 600,
      consumerAddress: world.renter.address,
      idempotencyKey: "rent-1",
    });
    expect(again.leaseId).toBe(world.leaseId);
    expect(again.state).toBe("pending");
    expect(
      await refusal(
        world.renter.api.rental.rent.mutate({
          workerId: world.w1,
          durationSec: 601,
          idempotencyKey: "rent-1",
        }),
      ),
    ).toMatchObject({ appCode: "VALIDATION" });
    const dep = await world.renter.api.account.deposit.mutate({ amount: "40", idempotencyKey: "dep-1" });
    expect(dep.entry.amount).toBe("40.000000");
    expect(
      await refusal(world.renter.api.account.deposit.mutate({ amount: "41", idempotencyKey: "dep-1" })),
    ).toMatchObject({ appCode: "VALIDATION" });
    expect(
      await refusal(world.renter.api.account.deposit.mutate({ amount: "1", idempotencyKey: "k".repeat(65) })),
    ).toMatchObject({ appCode: "VALIDATION" });
  });

  it("inputs are strict: unknown keys and out-of-range limits are VALIDATION", async () => {
    const pub = open();
    const r = world.renter.api;
    const a = world.admin.api;
    const calls: Array<() => Promise<unknown>> = [
      () => pub.monitoring.fleet.query({ junk: 1 } as never),
      () => pub.monitoring.worker.query({ workerId: world.w1, junk: 1 } as never),
      () => pub.monitoring.hashrateHistory.query({ range: "1h", junk: 1 } as never),
      () => pub.monitoring.recentBlocks.query({ limit: 201 }),
      () => pub.monitoring.recentBlocks.query({ limit: 0 }),
      () => pub.monitoring.health.query({ limit: 101 }),
      () => pub.overview.activity.query({ limit: 0 }),
      () => pub.overview.activity.query({ junk: 1 } as never),
      () => pub.overview.activity.query({ cursor: "garbage!!" }),
      () => pub.marketplace.list.query({ limit: 101 }),
      () => pub.marketplace.list.query({ page: 0 }),
      () => pub.marketplace.list.query({ junk: 1 } as never),
      () => pub.marketplace.estimate.query({ durationSec: 60, junk: 1 } as never),
      () => pub.rental.blocks.query({ leaseId: world.leaseId, junk: 1 } as never),
      () => r.rental.rent.mutate({ durationSec: 60, junk: 1 } as never),
      () => r.rental.rent.mutate({ durationSec: 60, consumerAddress: "0x1234" }),
      () => r.rental.leases.query({ limit: 101 }),
      () => r.rental.leases.query({ as: "admin" } as never),
      () => r.account.transactions.query({ junk: 1 } as never),
      () => r.account.deposit.mutate({ amount: "1.0000001" }),
      () => r.account.withdraw.mutate({ amount: "1", junk: 1 } as never),
      () => r.account.withdrawals.query({ limit: 0 }),
      () => r.provider.workers.query({ limit: 101 }),
      () => r.provider.earnings.query({ junk: 1 } as never),
      () => r.wallet.history.query({ period: "1y" } as never),
      () => a.admin.accounts.query({ junk: 1 } as never),
      () => a.admin.withdrawals.query({ state: "open" } as never),
      () => a.admin.audit.query({ limit: 101 }),
    ];
    for (const call of calls) expect(await refusal(call())).toMatchObject({ appCode: "VALIDATION" });
    expect(await pub.monitoring.recentBlocks.query({ limit: 200 })).toBeInstanceOf(Array);
    expect((await pub.marketplace.list.query({ limit: 100 })).limit).toBe(100);
  });
});

describe("live events (§3)", () => {
  it("live.snapshot and the first snapshot event", async () => {
    const snap = await open().live.snapshot.query();
    expect(keys(snap)).toEqual(["eventId", "recentBlocks", "serverTime", "stats"]);
    expect(snap.eventId).toMatch(/^\d+$/);
    expect(keys(snap.stats)).toEqual(sorted(STATS));
    expect(snap.recentBlocks.length).toBeLessThanOrEqual(20);
    for (const b of snap.recentBlocks) expectBlock(b as never);
    const first = world.events[0]!.data;
    expect(first.type).toBe("snapshot");
    expect(keys(first)).toEqual(["at", "eventId", "recentBlocks", "serverTime", "stats", "type"]);
  });

  it("every event has `at` and its payload; ids increase", async () => {
    const payload: Record<string, string[]> = {
      heartbeat: ["workerId", "hashrate", "activeGpus", "lastSeenAt"],
      status: ["workerId", "state", "leaseId"],
      // chainStatus: an addition to api.md's payload, so a new block shows where verification stands.
      block: ["id", "workerId", "leaseId", "key", "blockType", "status", "chainStatus"],
      block_chain: ["id", "chainStatus"],
      health: ["workerId", "kind"],
      worker: ["workerId", "change"],
      activity: ["item"],
      stats: STATS,
    };
    const optional: Record<string, string[]> = {
      block: ["rejectReason"],
      block_chain: ["chainBlockId"],
      health: ["reason", "offlineForSec"],
      stats: ["stats"],
    };
    const ids = world.events.slice(1).map((e) => BigInt(e.id));
    for (let i = 1; i < ids.length; i++) expect(ids[i]! >= ids[i - 1]!).toBe(true);
    const seen = new Set<string>();
    for (const { data } of world.events.slice(1)) {
      seen.add(data.type);
      expect(typeof data.at).toBe("number");
      const fields = payload[data.type];
      expect(fields, `unknown event type ${data.type}`).toBeDefined();
      expectKeys(data, ["type", "at", ...(fields ?? [])], optional[data.type] ?? []);
      if (data.type === "status") expect(data).toHaveProperty("leaseId");
      if (data.type === "block") expect(data.leaseId === null || typeof data.leaseId === "string").toBe(true);
      if (data.type === "activity") {
        const item = data.item as Record<string, unknown>;
        expect([
          "block",
          "lease_started",
          "lease_completed",
          "lease_interrupted",
          "lease_cancelled",
        ]).toContain(item.type);
        expectKeys(
          item,
          ["id", "at", "type", "workerId"],
          ["leaseId", "blockType", "durationSec", "blocksAccepted"],
        );
      }
      if (data.type === "stats")
        expect(data.stats).toEqual(Object.fromEntries(STATS.map((k) => [k, data[k]])));
    }
    for (const t of ["heartbeat", "status", "block", "worker", "activity", "stats"])
      expect(seen).toContain(t);
    // Public events carry no lease prefix field and no lease records.
    expect(JSON.stringify(world.events.slice(1))).not.toContain('"prefix"');
    expect(JSON.stringify(world.events.slice(1))).not.toContain('"renter"');
  });

  it("live.leases: the caller's lease as a Lease with its settlement once final", async () => {
    expect(world.leaseEvents.length).toBeGreaterThan(0);
    for (const { id, data } of world.leaseEvents) {
      expect(id).toMatch(/^\d+$/);
      expectKeys(data, ["type", "at", "lease"], ["settlement"]);
      expect(data.type).toBe("lease");
      expectLease(data.lease as never, true);
    }
    const final = world.leaseEvents.find((e) => (e.data.lease as { state: string }).state === "completed");
    expect(keys(final?.data.settlement as object)).toEqual(sorted(SETTLEMENT));
  });
});
