/**
 * The repository-level contract of the Storage port (`@xenblocks/core` ports.ts): what every engine of
 * `engines.ts` must do, exercised by calling the repositories directly (no platform, no services).
 * Round trips, partial updates, the uniqueness rules the store enforces, transactions (rollback,
 * nesting, no lost update), queries and pagination, the heartbeat hot path and the monitoring tables
 * (platform-rules §2, §5, §8). Every test opens its own fresh store.
 */
import {
  type ApiKeyRecord,
  applyTransfers,
  type BlockRecord,
  type CandidateQuery,
  ESCROW,
  type HashrateSnapshot,
  type LeaseRecord,
  type LedgerAccount,
  type Page,
  type Repos,
  type SettlementRecord,
  type Storage,
  type Transfer,
  type TransferInput,
  type UniqueConstraint,
  UniqueViolation,
  userAccount,
  type WithdrawalRecord,
  WORLD,
  type WorkerLiveUpdate,
  type WorkerRecord,
} from "@xenblocks/core";
import { afterEach, describe, expect, it } from "vitest";
import { engines } from "./engines.js";

// ------------------------------------------------------------------ fixtures

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** A UTC midnight, so hour and day buckets are exact. */
const D0 = Date.UTC(2026, 8, 1);
/** "Now" of most tests: 10:00 on D0. */
const T0 = D0 + 10 * HOUR;

const OWNER_A = "0x8d56da55a9d91b40aff945714b19e9dfde32d9c2";
const OWNER_B = "0xb0b0000000000000000000000000000000000002";
const RENTER = "0x2ac9de9d494459ab28fd09f10056cfa1d4c6af40";
const RENTER_2 = "0x7777777777777777777777777777777777777777";
/** A distinct lowercase address per number. */
const address = (n: number) => `0x${n.toString(16).padStart(40, "0")}`;

const RTX_4090 = { index: 0, name: "NVIDIA GeForce RTX 4090", memoryGb: 24, busId: 1 };
const RTX_3090 = { index: 1, name: "NVIDIA GeForce RTX 3090", memoryGb: 24, busId: 2 };

function worker(workerId: string, overrides: Partial<WorkerRecord> = {}): WorkerRecord {
  return {
    workerId,
    owner: OWNER_A,
    ethAddress: "0x8d56DA55A9D91b40AfF945714b19E9DfDE32D9C2",
    gpus: [RTX_4090, RTX_3090],
    gpuCount: 2,
    totalMemoryGb: 48,
    version: "2.0.0",
    registeredAt: T0 - DAY,
    updatedAt: T0 - HOUR,
    state: "AVAILABLE",
    stateLeaseId: null,
    stateAt: T0 - HOUR,
    online: true,
    lastSeenAt: T0 - 5_000,
    offlineSince: null,
    hashrate: 4816.54,
    activeGpus: 2,
    config: { address: OWNER_A, prefix: "", blockPattern: "", difficulty: 1727 },
    uptimeSec: 100,
    pricePerSec: 40_000n,
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
    onlineSec: 0,
    lastHeartbeatAt: T0 - 5_000,
    leasesCompleted: 0,
    leasesFailed: 0,
    verifiedLeaseBlocks: 0,
    leaseBlocks: 0,
    selfBlocks: 0,
    ...overrides,
  };
}

function lease(leaseId: string, overrides: Partial<LeaseRecord> = {}): LeaseRecord {
  return {
    leaseId,
    workerId: "w-1",
    renter: RENTER,
    provider: OWNER_A,
    consumerAddress: RENTER,
    prefix: `pfx-${leaseId}`,
    durationSec: 3600,
    pricePerSec: 40_000n,
    escrow: 144_000_000n,
    state: "active",
    reason: null,
    createdAt: T0,
    confirmedAt: T0 + 1_000,
    expiresAt: T0 + 1_000 + HOUR,
    endedAt: null,
    lastGoodHeartbeatAt: null,
    billedSec: null,
    blocksAccepted: 0,
    blocksRejected: 0,
    hashrateSum: 0,
    hashrateSamples: 0,
    ...overrides,
  };
}

function block(key: string, overrides: Partial<Omit<BlockRecord, "id">> = {}): Omit<BlockRecord, "id"> {
  return {
    key,
    workerId: "w-1",
    leaseId: "l-1",
    hash: `$argon2id$v=19$m=1727,t=1,p=1$c2FsdA$${key}XEN11`,
    account: RENTER,
    attempts: 123_456,
    hashrate: "2408.16",
    blockType: "normal",
    difficulty: 1727,
    status: "accepted",
    rejectReason: null,
    chainStatus: "pending",
    chainBlockId: null,
    chainChecks: 0,
    nextChainCheckAt: T0 + 5_000,
    receivedAt: T0,
    ...overrides,
  };
}

function settlement(leaseId: string, overrides: Partial<SettlementRecord> = {}): SettlementRecord {
  return {
    leaseId,
    renter: RENTER,
    workerId: "w-1",
    provider: OWNER_A,
    state: "completed",
    billedSec: 3600,
    total: 144_000_000n,
    fee: 7_200_000n,
    providerAmount: 136_800_000n,
    refund: 0n,
    feeBps: 500,
    settledAt: T0,
    ...overrides,
  };
}

function withdrawal(id: string, overrides: Partial<WithdrawalRecord> = {}): WithdrawalRecord {
  return {
    id,
    address: RENTER,
    amount: 5_000_000n,
    toAddress: "0x9999999999999999999999999999999999999999",
    state: "requested",
    reference: null,
    reason: null,
    createdAt: T0,
    resolvedAt: null,
    ...overrides,
  };
}

function apiKey(id: string, overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  return {
    id,
    address: RENTER,
    name: `key ${id}`,
    hash: `${id}`.padEnd(64, "0"),
    last4: "wxyz",
    createdAt: T0,
    lastUsedAt: null,
    revokedAt: null,
    ...overrides,
  };
}

const snapshot = (workerId: string, ts: number, hashrate: number, activeGpus = 2): HashrateSnapshot => ({
  workerId,
  hashrate,
  activeGpus,
  ts,
});

const deposit = (id: string, to: string, amount: bigint): TransferInput => ({
  id,
  type: "deposit",
  from: WORLD,
  to: userAccount(to),
  amount,
  reference: { kind: "deposit", id },
});

/** Reads the balances, applies the transfers and posts them, as the services do. */
async function post(repos: Repos, inputs: TransferInput[], at: number): Promise<Transfer[]> {
  const touched = [...new Set(inputs.flatMap((t) => [t.from, t.to]))];
  const { balances, posted } = applyTransfers(await repos.ledger.balances(touched), inputs, at);
  await repos.ledger.post(posted, balances);
  return posted;
}
/** `post` in its own transaction. */
const postTx = (s: Storage, inputs: TransferInput[], at = T0) => s.transaction((tx) => post(tx, inputs, at));

async function balanceOf(repos: Repos, account: LedgerAccount): Promise<bigint> {
  return (await repos.ledger.balances([account])).get(account) ?? 0n;
}

// ------------------------------------------------------------------ helpers

/** Settles with the write's error (or undefined) and checks it is the UniqueViolation named. */
async function expectUnique(write: Promise<unknown>, constraint: UniqueConstraint): Promise<void> {
  const error = await write.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected UniqueViolation("${constraint}")`).toBeInstanceOf(UniqueViolation);
  expect((error as UniqueViolation).constraint).toBe(constraint);
}

/** Fails instead of hanging when `work` does not settle in time (a deadlock). */
async function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still waiting after ${ms} ms (deadlock)`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Follows cursors to the end; returns every item and the size of each page. */
async function allPages<T>(fetch: (cursor: string | null) => Promise<Page<T>>) {
  const items: T[] = [];
  const sizes: number[] = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 100; guard++) {
    const page: Page<T> = await fetch(cursor);
    items.push(...page.items);
    sizes.push(page.items.length);
    cursor = page.nextCursor;
    if (cursor === null) return { items, sizes };
  }
  throw new Error("pagination never ended");
}

const workerIds = (rows: readonly { workerId: string }[]) => rows.map((r) => r.workerId);
const sortedWorkerIds = (rows: readonly { workerId: string }[]) => workerIds(rows).sort();
const leaseIds = (rows: readonly { leaseId: string }[]) => rows.map((r) => r.leaseId);
const byWorkerThenBucket = <T extends { workerId: string; bucketStart: number }>(rows: T[]) =>
  [...rows].sort((a, b) =>
    a.workerId < b.workerId ? -1 : a.workerId > b.workerId ? 1 : a.bucketStart - b.bucketStart,
  );

// ------------------------------------------------------------------ the contract

describe.each(engines)("storage contract ($name)", (engine) => {
  const opened: Storage[] = [];
  /** A fresh, empty, migrated store, closed after the test. */
  const open = async () => {
    const store = await engine.create();
    opened.push(store);
    return store;
  };
  afterEach(async () => {
    // A store left stuck by a failed deadlock test must not hang the suite.
    await Promise.all(opened.splice(0).map((s) => within(5_000, "close", s.close()).catch(() => undefined)));
  });

  // ---------------------------------------------------------------- accounts

  describe("accounts", () => {
    it("ensure creates a lowercase account once and returns the same record afterwards", async () => {
      const s = await open();
      const mixed = "0x8d56DA55A9D91b40AfF945714b19E9DfDE32D9C2";
      expect(await s.accounts.get(OWNER_A)).toBeNull();

      const created = await s.accounts.ensure(mixed, T0);
      expect(created).toStrictEqual({ address: OWNER_A, createdAt: T0 });
      // Idempotent: a later ensure (any case) keeps the first creation time.
      expect(await s.accounts.ensure(OWNER_A, T0 + 5_000)).toStrictEqual(created);
      expect(await s.accounts.ensure(mixed.toUpperCase().replace("0X", "0x"), T0 + 9_000)).toStrictEqual(
        created,
      );

      expect(await s.accounts.get(OWNER_A)).toStrictEqual(created);
      expect(await s.accounts.get(mixed)).toStrictEqual(created);
      expect(await s.accounts.get(RENTER)).toBeNull();
    });

    it("concurrent ensures of one address create it once", async () => {
      const s = await open();
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => s.accounts.ensure(RENTER, T0 + i)),
      );
      const first = results[0]!;
      for (const r of results) expect(r).toStrictEqual(first);
      expect(await s.accounts.get(RENTER)).toStrictEqual(first);
    });
  });

  // ---------------------------------------------------------------- workers

  describe("workers", () => {
    it("round-trips every field: bigint price, JSON gpus/config/pendingControl, booleans, fractions", async () => {
      const s = await open();
      const full = worker("w-full", {
        gpus: [
          { index: 0, name: 'NVIDIA "Titan" RTX — ünïcode', memoryGb: 24, busId: 1 },
          { index: 1, name: "NVIDIA A100-SXM4-80GB", memoryGb: 80, busId: 65 },
          { index: 2, name: "AMD Radeon RX 7900 XTX", memoryGb: 24, busId: 129 },
        ],
        gpuCount: 3,
        totalMemoryGb: 128,
        state: "MINING",
        stateLeaseId: "l-9",
        stateAt: T0 + 5,
        lastSeenAt: T0 + 6,
        offlineSince: T0 - 1_000,
        hashrate: 4816.54,
        activeGpus: 3,
        config: { address: OWNER_B, prefix: "abc123", blockPattern: "XEN11", difficulty: 1727 },
        uptimeSec: 86_400,
        pricePerSec: 9_007_199_254_740_991n,
        minDurationSec: 120,
        maxDurationSec: 7_200,
        listed: false,
        banned: true,
        banReason: "abuse",
        suspect: true,
        lastSentAt: T0 + 7,
        releaseLeaseId: "l-8",
        releaseSentAt: T0 + 8,
        lastLeaseEndedAt: T0 + 9,
        pendingControl: {
          action: "set_config",
          config: { difficulty: 2000, nested: { list: [1, "x", null, true] } },
          queuedAt: T0 + 10,
          notBefore: T0 + 10_010,
        },
        onlineSec: 12_345.678,
        lastHeartbeatAt: T0 + 11,
        leasesCompleted: 5,
        leasesFailed: 1,
        verifiedLeaseBlocks: 7,
        leaseBlocks: 9,
        selfBlocks: 3,
      });
      const sparse = worker("w-sparse", {
        state: null,
        stateAt: null,
        online: false,
        offlineSince: T0,
        hashrate: 0,
        activeGpus: 0,
        config: { address: "", prefix: "", blockPattern: "", difficulty: null },
        lastHeartbeatAt: null,
        onlineSec: 0.25,
        pricePerSec: 1n,
      });
      await s.workers.insert(full);
      await s.workers.insert(sparse);

      expect(await s.workers.get("w-full")).toStrictEqual(full);
      expect(await s.workers.get("w-sparse")).toStrictEqual(sparse);
      expect(await s.workers.get("w-unknown")).toBeNull();
    });

    it("hands out copies: mutating a returned record changes nothing stored", async () => {
      const s = await open();
      await s.workers.insert(worker("w-1"));
      const got = (await s.workers.get("w-1"))!;
      got.hashrate = 1;
      got.gpus[0]!.name = "changed";
      got.config.prefix = "changed";
      expect(await s.workers.get("w-1")).toStrictEqual(worker("w-1"));
    });

    it("update changes only the given fields, including JSON and null values", async () => {
      const s = await open();
      const original = worker("w-1", { banReason: "old", lastSentAt: T0 });
      await s.workers.insert(original);
      await s.workers.insert(worker("w-2"));
      const patch: Partial<WorkerRecord> = {
        hashrate: 1.5,
        banned: true,
        banReason: null,
        lastSentAt: null,
        pricePerSec: 123_456_789_012n,
        gpus: [RTX_3090],
        pendingControl: { action: "pause", config: {}, queuedAt: T0, notBefore: T0 + 10_000 },
        state: "ERROR",
      };
      await s.workers.update("w-1", patch);
      expect(await s.workers.get("w-1")).toStrictEqual({ ...original, ...patch });
      // Other rows are untouched.
      expect(await s.workers.get("w-2")).toStrictEqual(worker("w-2"));

      // And back to no pending control.
      await s.workers.update("w-1", { pendingControl: null });
      expect((await s.workers.get("w-1"))!.pendingControl).toBeNull();
    });

    it("update with an empty patch is a no-op; update and addCounters on an unknown id do nothing", async () => {
      const s = await open();
      await s.workers.insert(worker("w-1"));
      await s.workers.update("w-1", {});
      expect(await s.workers.get("w-1")).toStrictEqual(worker("w-1"));

      await expect(s.workers.update("w-ghost", { hashrate: 5 })).resolves.toBeUndefined();
      await expect(s.workers.addCounters("w-ghost", { leasesCompleted: 1 })).resolves.toBeUndefined();
      expect(await s.workers.get("w-ghost")).toBeNull();
      expect(sortedWorkerIds(await s.workers.listByOwner(OWNER_A))).toEqual(["w-1"]);
    });

    it("addCounters increments only the given counters; an empty delta changes nothing", async () => {
      const s = await open();
      const original = worker("w-1", { leasesCompleted: 4, selfBlocks: 2, leasesFailed: 1 });
      await s.workers.insert(original);
      await s.workers.addCounters("w-1", { leasesCompleted: 2, selfBlocks: 3, verifiedLeaseBlocks: 1 });
      await s.workers.addCounters("w-1", {});
      expect(await s.workers.get("w-1")).toStrictEqual({
        ...original,
        leasesCompleted: 6,
        selfBlocks: 5,
        verifiedLeaseBlocks: 1,
      });
    });

    it("addCounters is atomic: 20 concurrent +1 give +20", async () => {
      const s = await open();
      await s.workers.insert(worker("w-1", { leaseBlocks: 3 }));
      await Promise.all(
        Array.from({ length: 20 }, () =>
          s.workers.addCounters("w-1", { leaseBlocks: 1, leasesCompleted: 1 }),
        ),
      );
      const after = (await s.workers.get("w-1"))!;
      expect(after.leaseBlocks).toBe(23);
      expect(after.leasesCompleted).toBe(20);
    });

    it("listOnline, listWithPendingControl and listByOwner return exactly the matching workers", async () => {
      const s = await open();
      const control = { action: "resume" as const, config: {}, queuedAt: T0, notBefore: T0 };
      await s.workers.insert(worker("w-1", { online: true }));
      await s.workers.insert(worker("w-2", { online: false, pendingControl: control }));
      await s.workers.insert(worker("w-3", { online: true, owner: OWNER_B, pendingControl: control }));
      await s.workers.insert(worker("w-4", { online: false, owner: OWNER_B }));

      expect(sortedWorkerIds(await s.workers.listOnline())).toEqual(["w-1", "w-3"]);
      const pending = await s.workers.listWithPendingControl();
      expect(sortedWorkerIds(pending)).toEqual(["w-2", "w-3"]);
      expect(pending.find((w) => w.workerId === "w-2")).toStrictEqual(
        worker("w-2", { online: false, pendingControl: control }),
      );
      expect(sortedWorkerIds(await s.workers.listByOwner(OWNER_A))).toEqual(["w-1", "w-2"]);
      expect(sortedWorkerIds(await s.workers.listByOwner(OWNER_B))).toEqual(["w-3", "w-4"]);
      expect(await s.workers.listByOwner(RENTER)).toEqual([]);

      // Changes show up in the lists.
      await s.workers.update("w-1", { online: false });
      await s.workers.update("w-2", { pendingControl: null });
      expect(sortedWorkerIds(await s.workers.listOnline())).toEqual(["w-3"]);
      expect(sortedWorkerIds(await s.workers.listWithPendingControl())).toEqual(["w-3"]);
    });
  });

  // ---------------------------------------------------------------- matching

  describe("workers.findCandidates", () => {
    const query = (overrides: Partial<CandidateQuery> = {}): CandidateQuery => ({
      now: T0,
      durationSec: 3600,
      settleGapMs: 2_000,
      releaseWaitMs: 30_000,
      renter: RENTER,
      requireHashrate: false,
      limit: 100,
      ...overrides,
    });
    const candidates = async (s: Storage, overrides: Partial<CandidateQuery> = {}) =>
      sortedWorkerIds(await s.workers.findCandidates(query(overrides)));

    it("applies every availability rule: online, AVAILABLE, listed, not banned/suspect, not the renter's", async () => {
      const s = await open();
      await s.workers.insert(worker("c-ok"));
      await s.workers.insert(worker("c-offline", { online: false }));
      await s.workers.insert(worker("c-mining", { state: "MINING" }));
      await s.workers.insert(worker("c-nostate", { state: null }));
      await s.workers.insert(worker("c-unlisted", { listed: false }));
      await s.workers.insert(worker("c-banned", { banned: true, banReason: "x" }));
      await s.workers.insert(worker("c-suspect", { suspect: true }));
      await s.workers.insert(worker("c-own", { owner: RENTER }));

      expect(await candidates(s)).toEqual(["c-ok"]);
      // The renter's address is compared lowercase, whatever case it arrives in.
      expect(await candidates(s, { renter: `0x${RENTER.slice(2).toUpperCase()}` })).toEqual(["c-ok"]);
      // Another renter may rent c-own.
      expect(await candidates(s, { renter: RENTER_2 })).toEqual(["c-ok", "c-own"]);
    });

    it("honours the release wait and the settle gap, inclusive at the boundary", async () => {
      const s = await open();
      await s.workers.insert(worker("r-owed", { releaseLeaseId: "l-old", releaseSentAt: null }));
      await s.workers.insert(worker("r-recent", { releaseLeaseId: "l-old", releaseSentAt: T0 - 29_999 }));
      await s.workers.insert(worker("r-waited", { releaseLeaseId: "l-old", releaseSentAt: T0 - 30_000 }));
      await s.workers.insert(worker("g-recent", { lastSentAt: T0 - 1_999 }));
      await s.workers.insert(worker("g-waited", { lastSentAt: T0 - 2_000 }));
      await s.workers.insert(worker("g-old", { lastSentAt: T0 - HOUR }));

      expect(await candidates(s)).toEqual(["g-old", "g-waited", "r-waited"]);
      expect(await candidates(s, { now: T0 + 1 })).toEqual([
        "g-old",
        "g-recent",
        "g-waited",
        "r-recent",
        "r-waited",
      ]);
    });

    it("honours the duration bounds, inclusive", async () => {
      const s = await open();
      await s.workers.insert(worker("d-short", { minDurationSec: 60, maxDurationSec: 1_800 }));
      await s.workers.insert(worker("d-long", { minDurationSec: 7_200, maxDurationSec: 86_400 }));
      await s.workers.insert(worker("d-exact", { minDurationSec: 3_600, maxDurationSec: 3_600 }));

      expect(await candidates(s)).toEqual(["d-exact"]);
      expect(await candidates(s, { durationSec: 1_800 })).toEqual(["d-short"]);
      expect(await candidates(s, { durationSec: 7_200 })).toEqual(["d-long"]);
      expect(await candidates(s, { durationSec: 59 })).toEqual([]);
    });

    it("filters by maxPricePerSec, minHashrate, workerId and requireHashrate", async () => {
      const s = await open();
      await s.workers.insert(worker("p-cheap", { pricePerSec: 10_000n, hashrate: 1_000 }));
      await s.workers.insert(worker("p-mid", { pricePerSec: 40_000n, hashrate: 4_816.54 }));
      await s.workers.insert(worker("p-dear", { pricePerSec: 40_001n, hashrate: 9_000 }));
      await s.workers.insert(worker("p-zero", { pricePerSec: 5_000n, hashrate: 0 }));

      expect(await candidates(s, { maxPricePerSec: 40_000n })).toEqual(["p-cheap", "p-mid", "p-zero"]);
      expect(await candidates(s, { maxPricePerSec: 9_999n })).toEqual(["p-zero"]);
      expect(await candidates(s, { minHashrate: 4_816.54 })).toEqual(["p-dear", "p-mid"]);
      expect(await candidates(s, { minHashrate: 4_816.55 })).toEqual(["p-dear"]);
      expect(await candidates(s, { requireHashrate: true })).toEqual(["p-cheap", "p-dear", "p-mid"]);
      expect(await candidates(s, { requireHashrate: false })).toEqual([
        "p-cheap",
        "p-dear",
        "p-mid",
        "p-zero",
      ]);
      expect(await candidates(s, { workerId: "p-mid" })).toEqual(["p-mid"]);
      expect(await candidates(s, { workerId: "p-mid", maxPricePerSec: 10_000n })).toEqual([]);
      expect(await candidates(s, { workerId: "nobody" })).toEqual([]);
    });

    it("filters by a GPU name substring, case-insensitively", async () => {
      const s = await open();
      await s.workers.insert(worker("gpu-4090", { gpus: [RTX_4090] }));
      await s.workers.insert(worker("gpu-mixed", { gpus: [RTX_4090, RTX_3090] }));
      await s.workers.insert(
        worker("gpu-a100", { gpus: [{ index: 0, name: "NVIDIA A100-SXM4-80GB", memoryGb: 80, busId: 1 }] }),
      );

      expect(await candidates(s, { gpu: "rtx 3090" })).toEqual(["gpu-mixed"]);
      expect(await candidates(s, { gpu: "RTX 4090" })).toEqual(["gpu-4090", "gpu-mixed"]);
      expect(await candidates(s, { gpu: "geforce" })).toEqual(["gpu-4090", "gpu-mixed"]);
      expect(await candidates(s, { gpu: "a100" })).toEqual(["gpu-a100"]);
      expect(await candidates(s, { gpu: "nvidia" })).toEqual(["gpu-4090", "gpu-a100", "gpu-mixed"]);
      expect(await candidates(s, { gpu: "h100" })).toEqual([]);
    });

    it("matches the GPU filter against GPU names only, not the other GPU fields", async () => {
      const s = await open();
      await s.workers.insert(worker("gpu-4090", { gpus: [RTX_4090] }));
      // "memoryGb", "busId" and 24 are in the stored GPU list but in no GPU's name.
      expect(await candidates(s, { gpu: "memorygb" })).toEqual([]);
      expect(await candidates(s, { gpu: "busid" })).toEqual([]);
      expect(await candidates(s, { gpu: "24" })).toEqual([]);
    });

    it("treats % and _ in the GPU filter as plain characters", async () => {
      const s = await open();
      await s.workers.insert(worker("gpu-4090", { gpus: [RTX_4090] }));
      expect(await candidates(s, { gpu: "%" })).toEqual([]);
      expect(await candidates(s, { gpu: "rtx_4090" })).toEqual([]);
    });

    it("excludes a worker with a pending or active lease, not one whose lease ended", async () => {
      const s = await open();
      for (const id of ["o-pending", "o-active", "o-completed", "o-cancelled", "o-free"]) {
        await s.workers.insert(worker(id));
      }
      await s.leases.insert(lease("l-p", { workerId: "o-pending", state: "pending" }));
      await s.leases.insert(lease("l-a", { workerId: "o-active", state: "active" }));
      await s.leases.insert(lease("l-c", { workerId: "o-completed", state: "completed", endedAt: T0 }));
      await s.leases.insert(lease("l-x", { workerId: "o-cancelled" }));
      await s.leases.update("l-x", { state: "cancelled", endedAt: T0 });

      expect(await candidates(s)).toEqual(["o-cancelled", "o-completed", "o-free"]);
      await s.leases.update("l-a", { state: "interrupted", endedAt: T0 });
      expect(await candidates(s)).toEqual(["o-active", "o-cancelled", "o-completed", "o-free"]);
    });

    it("orders by price per hashrate ascending, then worker id, and honours the limit", async () => {
      const s = await open();
      // price / hashrate: e = 0.1, a = c = 10 (tie → id), b = 30, d = 50.
      await s.workers.insert(worker("o-d", { pricePerSec: 50n, hashrate: 1 }));
      await s.workers.insert(worker("o-c", { pricePerSec: 200n, hashrate: 20 }));
      await s.workers.insert(worker("o-b", { pricePerSec: 300n, hashrate: 10 }));
      await s.workers.insert(worker("o-a", { pricePerSec: 100n, hashrate: 10 }));
      await s.workers.insert(worker("o-e", { pricePerSec: 10n, hashrate: 100 }));

      const all = await s.workers.findCandidates(query({ requireHashrate: true }));
      expect(workerIds(all)).toEqual(["o-e", "o-a", "o-c", "o-b", "o-d"]);
      expect(all[0]).toStrictEqual(worker("o-e", { pricePerSec: 10n, hashrate: 100 }));
      expect(workerIds(await s.workers.findCandidates(query({ requireHashrate: true, limit: 2 })))).toEqual([
        "o-e",
        "o-a",
      ]);
    });

    // Regression: SQLite sorts NULL first in ascending order, so the value order needs NULLS LAST.
    it("puts workers without a hashrate after every worker with one when a hashrate is not required", async () => {
      const s = await open();
      await s.workers.insert(worker("z-2", { pricePerSec: 1n, hashrate: 0 }));
      await s.workers.insert(worker("z-1", { pricePerSec: 1_000n, hashrate: 0 }));
      await s.workers.insert(worker("h-dear", { pricePerSec: 1_000_000n, hashrate: 1 }));
      await s.workers.insert(worker("h-cheap", { pricePerSec: 10n, hashrate: 1 }));
      // price / 0 is +∞: the best-value order cannot start with a worker that hashes nothing.
      expect(workerIds(await s.workers.findCandidates(query({ requireHashrate: false })))).toEqual([
        "h-cheap",
        "h-dear",
        "z-1",
        "z-2",
      ]);
    });
  });

  // ---------------------------------------------------------------- hot path

  describe("workers.updateLive (heartbeat flush)", () => {
    const COUNT = 3_000;
    const live = (i: number): WorkerLiveUpdate => ({
      workerId: `hb-${i}`,
      lastSeenAt: T0 + i,
      lastHeartbeatAt: i % 7 === 0 ? null : T0 + i - 1,
      hashrate: 1_000 + i + 0.25,
      activeGpus: i % 8,
      uptimeSec: i * 10,
      onlineSec: i + 0.5,
      config: {
        address: address(i),
        prefix: `pfx${i}`,
        blockPattern: "XEN11",
        difficulty: i % 3 === 0 ? null : 1_000 + i,
      },
    });
    const base = (i: number) =>
      worker(`hb-${i}`, {
        owner: i % 2 === 0 ? OWNER_A : OWNER_B,
        pricePerSec: BigInt(10_000 + i),
        leasesCompleted: i % 5,
        banned: i % 11 === 0,
        pendingControl: i % 13 === 0 ? { action: "pause", config: {}, queuedAt: T0, notBefore: T0 } : null,
      });

    it("updates the live fields of 3,000 workers in one call and leaves every other field alone", async () => {
      const s = await open();
      await s.transaction(async (tx) => {
        for (let i = 0; i < COUNT; i++) await tx.workers.insert(base(i));
      });
      await s.workers.insert(worker("hb-untouched"));

      const batch = Array.from({ length: COUNT }, (_, i) => live(i));
      batch.push({ ...live(0), workerId: "hb-ghost" }); // an unknown worker is ignored
      await s.workers.updateLive(batch);

      for (const i of [0, 1, 7, 999, 1_000, 1_777, 2_310, COUNT - 1]) {
        const { workerId: _id, ...fields } = live(i);
        expect(await s.workers.get(`hb-${i}`), `hb-${i}`).toStrictEqual({ ...base(i), ...fields });
      }
      expect(await s.workers.get("hb-untouched")).toStrictEqual(worker("hb-untouched"));
      expect(await s.workers.get("hb-ghost")).toBeNull();

      // Every row took its own figures.
      const online = await s.workers.listOnline();
      expect(online).toHaveLength(COUNT + 1);
      const wrong = online.filter((w) => {
        if (w.workerId === "hb-untouched") return false;
        const i = Number(w.workerId.slice(3));
        const u = live(i);
        return (
          w.hashrate !== u.hashrate ||
          w.lastSeenAt !== u.lastSeenAt ||
          w.onlineSec !== u.onlineSec ||
          w.config.prefix !== u.config.prefix ||
          w.pricePerSec !== BigInt(10_000 + i)
        );
      });
      expect(workerIds(wrong)).toEqual([]);
    }, 120_000);

    it("an empty batch is a no-op", async () => {
      const s = await open();
      await s.workers.insert(worker("w-1"));
      await s.workers.updateLive([]);
      expect(await s.workers.get("w-1")).toStrictEqual(worker("w-1"));
    });
  });

  // ---------------------------------------------------------------- leases

  describe("leases", () => {
    it("round-trips active and pending leases with every field", async () => {
      const s = await open();
      const active = lease("l-active", {
        workerId: "w-1",
        consumerAddress: OWNER_B,
        pricePerSec: 9_007_199_254_740_991n,
        escrow: 9_007_199_254_740_991n,
        reason: "stopped",
        endedAt: T0 + 50,
        lastGoodHeartbeatAt: T0 + 40,
        billedSec: 1_234,
        blocksAccepted: 3,
        blocksRejected: 1,
        hashrateSum: 12_345.678,
        hashrateSamples: 7,
      });
      const pending = lease("l-pending", {
        workerId: "w-2",
        state: "pending",
        confirmedAt: null,
        expiresAt: null,
      });
      await s.leases.insert(active);
      await s.leases.insert(pending);
      expect(await s.leases.get("l-active")).toStrictEqual(active);
      expect(await s.leases.get("l-pending")).toStrictEqual(pending);
      expect(await s.leases.getForUpdate("l-pending")).toStrictEqual(pending);
      expect(await s.leases.get("l-unknown")).toBeNull();
      expect(await s.leases.prefixExists("pfx-l-active")).toBe(true);
      expect(await s.leases.prefixExists("pfx-nothing")).toBe(false);
    });

    it("update changes only the given fields; an empty patch or an unknown id does nothing", async () => {
      const s = await open();
      const original = lease("l-1");
      await s.leases.insert(original);
      await s.leases.insert(lease("l-2", { workerId: "w-2" }));
      const patch: Partial<LeaseRecord> = {
        state: "completed",
        reason: "expired",
        endedAt: T0 + HOUR,
        billedSec: 3_600,
        lastGoodHeartbeatAt: null,
      };
      await s.leases.update("l-1", patch);
      expect(await s.leases.get("l-1")).toStrictEqual({ ...original, ...patch });
      expect(await s.leases.get("l-2")).toStrictEqual(lease("l-2", { workerId: "w-2" }));

      await s.leases.update("l-2", {});
      expect(await s.leases.get("l-2")).toStrictEqual(lease("l-2", { workerId: "w-2" }));
      await expect(s.leases.update("l-ghost", { state: "completed" })).resolves.toBeUndefined();
      await expect(s.leases.addBlockCounts("l-ghost", { accepted: 1 })).resolves.toBeUndefined();
      expect(await s.leases.get("l-ghost")).toBeNull();
    });

    it("addBlockCounts increments atomically", async () => {
      const s = await open();
      await s.leases.insert(lease("l-1", { blocksAccepted: 2 }));
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          s.leases.addBlockCounts("l-1", i % 2 === 0 ? { accepted: 1 } : { accepted: 1, rejected: 1 }),
        ),
      );
      expect(await s.leases.get("l-1")).toMatchObject({ blocksAccepted: 22, blocksRejected: 10 });
    });

    it("openForWorker returns the pending or active lease of a worker, and nothing once it ends", async () => {
      const s = await open();
      await s.leases.insert(lease("l-old", { workerId: "w-1", state: "completed", endedAt: T0 - 1 }));
      await s.leases.insert(lease("l-now", { workerId: "w-1", state: "pending" }));
      await s.leases.insert(lease("l-other", { workerId: "w-2", state: "active" }));

      expect(await s.leases.openForWorker("w-1")).toStrictEqual(
        lease("l-now", { workerId: "w-1", state: "pending" }),
      );
      expect((await s.leases.openForWorker("w-2"))?.leaseId).toBe("l-other");
      expect(await s.leases.openForWorker("w-3")).toBeNull();

      await s.leases.update("l-now", { state: "active" });
      expect((await s.leases.openForWorker("w-1"))?.leaseId).toBe("l-now");
      await s.leases.update("l-now", { state: "completed", endedAt: T0 });
      expect(await s.leases.openForWorker("w-1")).toBeNull();
      expect(leaseIds(await s.leases.listOpen())).toEqual(["l-other"]);
    });

    it("list filters by renter, provider, worker and state, newest first", async () => {
      const s = await open();
      await s.leases.insert(
        lease("l-1", {
          workerId: "w-1",
          renter: RENTER,
          provider: OWNER_A,
          state: "completed",
          createdAt: T0 + 1,
        }),
      );
      await s.leases.insert(
        lease("l-2", {
          workerId: "w-1",
          renter: RENTER_2,
          provider: OWNER_A,
          state: "active",
          createdAt: T0 + 2,
        }),
      );
      await s.leases.insert(
        lease("l-3", {
          workerId: "w-2",
          renter: RENTER,
          provider: OWNER_B,
          state: "pending",
          createdAt: T0 + 3,
        }),
      );
      await s.leases.insert(
        lease("l-4", {
          workerId: "w-3",
          renter: RENTER,
          provider: OWNER_A,
          state: "cancelled",
          createdAt: T0 + 4,
        }),
      );
      await s.leases.insert(
        lease("l-5", {
          workerId: "w-2",
          renter: RENTER_2,
          provider: OWNER_B,
          state: "interrupted",
          createdAt: T0 + 5,
        }),
      );

      const ids = async (q: Parameters<Storage["leases"]["list"]>[0]) =>
        leaseIds((await s.leases.list(q)).items);
      expect(await ids({ limit: 50 })).toEqual(["l-5", "l-4", "l-3", "l-2", "l-1"]);
      expect(await ids({ limit: 50, renter: RENTER })).toEqual(["l-4", "l-3", "l-1"]);
      expect(await ids({ limit: 50, provider: OWNER_B })).toEqual(["l-5", "l-3"]);
      expect(await ids({ limit: 50, workerId: "w-1" })).toEqual(["l-2", "l-1"]);
      expect(await ids({ limit: 50, state: "active" })).toEqual(["l-2"]);
      expect(await ids({ limit: 50, renter: RENTER, provider: OWNER_A })).toEqual(["l-4", "l-1"]);
      expect(await ids({ limit: 50, renter: RENTER, state: "interrupted" })).toEqual([]);
      expect(await ids({ limit: 50, renter: OWNER_B })).toEqual([]);

      const page = await s.leases.list({ limit: 50, state: "active" });
      expect(page).toStrictEqual({
        items: [lease("l-2", { workerId: "w-1", renter: RENTER_2, createdAt: T0 + 2 })],
        nextCursor: null,
      });
    });

    it("list pages 25 leases by 10 without repeating or skipping, newest first", async () => {
      const s = await open();
      // Several leases share a creation time: the cursor must still be exact.
      for (let i = 0; i < 25; i++) {
        await s.leases.insert(
          lease(`l-${String(i).padStart(2, "0")}`, {
            workerId: `w-${i}`,
            renter: i % 2 === 0 ? RENTER : RENTER_2,
            state: "completed",
            createdAt: T0 + Math.floor(i / 3) * 1_000,
          }),
        );
      }
      const { items, sizes } = await allPages((cursor) => s.leases.list({ limit: 10, cursor }));
      expect(sizes).toEqual([10, 10, 5]);
      const ids = leaseIds(items);
      expect(new Set(ids).size).toBe(25);
      expect([...ids].sort()).toEqual(
        Array.from({ length: 25 }, (_, i) => `l-${String(i).padStart(2, "0")}`),
      );
      for (let i = 1; i < items.length; i++)
        expect(items[i]!.createdAt).toBeLessThanOrEqual(items[i - 1]!.createdAt);

      // A filtered listing pages the same way.
      const mine = await allPages((cursor) => s.leases.list({ limit: 4, cursor, renter: RENTER }));
      expect(mine.sizes).toEqual([4, 4, 4, 1]);
      expect(new Set(leaseIds(mine.items)).size).toBe(13);
      expect(mine.items.every((l) => l.renter === RENTER)).toBe(true);
    });

    it("dueForExpiry returns active leases whose end is ≤ now, earliest first, up to the limit", async () => {
      const s = await open();
      await s.leases.insert(lease("l-late", { workerId: "w-1", expiresAt: T0 - 1_000 }));
      await s.leases.insert(lease("l-early", { workerId: "w-2", expiresAt: T0 - 5_000 }));
      await s.leases.insert(lease("l-now", { workerId: "w-3", expiresAt: T0 }));
      await s.leases.insert(lease("l-future", { workerId: "w-4", expiresAt: T0 + 1 }));
      await s.leases.insert(lease("l-pending", { workerId: "w-5", state: "pending", expiresAt: null }));
      await s.leases.insert(lease("l-done", { workerId: "w-6", state: "completed", expiresAt: T0 - 9_000 }));

      expect(leaseIds(await s.leases.dueForExpiry(T0, 10))).toEqual(["l-early", "l-late", "l-now"]);
      expect(leaseIds(await s.leases.dueForExpiry(T0, 2))).toEqual(["l-early", "l-late"]);
      expect(leaseIds(await s.leases.dueForExpiry(T0 - 10_000, 10))).toEqual([]);
    });

    it("pendingCreatedBefore returns pending leases created ≤ before, oldest first, up to the limit", async () => {
      const s = await open();
      await s.leases.insert(lease("p-2", { workerId: "w-1", state: "pending", createdAt: T0 - 2_000 }));
      await s.leases.insert(lease("p-1", { workerId: "w-2", state: "pending", createdAt: T0 - 3_000 }));
      await s.leases.insert(lease("p-0", { workerId: "w-3", state: "pending", createdAt: T0 }));
      await s.leases.insert(lease("p-new", { workerId: "w-4", state: "pending", createdAt: T0 + 1 }));
      await s.leases.insert(lease("a-old", { workerId: "w-5", state: "active", createdAt: T0 - 9_000 }));
      await s.leases.insert(lease("c-old", { workerId: "w-6", state: "cancelled", createdAt: T0 - 9_000 }));

      expect(leaseIds(await s.leases.pendingCreatedBefore(T0, 10))).toEqual(["p-1", "p-2", "p-0"]);
      expect(leaseIds(await s.leases.pendingCreatedBefore(T0, 1))).toEqual(["p-1"]);
      expect(leaseIds(await s.leases.pendingCreatedBefore(T0 - 5_000, 10))).toEqual([]);
    });

    it("sumOpenEscrow and sumOpenEscrowOf add the escrow of pending and active leases only", async () => {
      const s = await open();
      expect(await s.leases.sumOpenEscrow()).toBe(0n);
      expect(await s.leases.sumOpenEscrowOf(RENTER)).toBe(0n);

      await s.leases.insert(lease("l-1", { workerId: "w-1", renter: RENTER, state: "active", escrow: 100n }));
      await s.leases.insert(lease("l-2", { workerId: "w-2", renter: RENTER, state: "pending", escrow: 20n }));
      await s.leases.insert(lease("l-3", { workerId: "w-3", renter: RENTER_2, state: "active", escrow: 3n }));
      await s.leases.insert(
        lease("l-4", { workerId: "w-4", renter: RENTER, state: "completed", escrow: 4_000n }),
      );
      await s.leases.insert(
        lease("l-5", { workerId: "w-5", renter: RENTER, state: "interrupted", escrow: 50_000n }),
      );

      expect(await s.leases.sumOpenEscrow()).toBe(123n);
      expect(await s.leases.sumOpenEscrowOf(RENTER)).toBe(120n);
      expect(await s.leases.sumOpenEscrowOf(RENTER_2)).toBe(3n);
      expect(await s.leases.sumOpenEscrowOf(OWNER_A)).toBe(0n);

      await s.leases.update("l-1", { state: "completed" });
      expect(await s.leases.sumOpenEscrow()).toBe(23n);
      expect(await s.leases.sumOpenEscrowOf(RENTER)).toBe(20n);
    });

    it("updateLive touches active leases only", async () => {
      const s = await open();
      await s.leases.insert(lease("l-active", { workerId: "w-1", state: "active" }));
      await s.leases.insert(lease("l-pending", { workerId: "w-2", state: "pending" }));
      await s.leases.insert(
        lease("l-done", {
          workerId: "w-3",
          state: "completed",
          hashrateSum: 7,
          hashrateSamples: 1,
          lastGoodHeartbeatAt: T0,
        }),
      );
      const figures = { lastGoodHeartbeatAt: T0 + 30_000, hashrateSum: 14_449.62, hashrateSamples: 3 };
      await s.leases.updateLive(
        ["l-active", "l-pending", "l-done", "l-ghost"].map((leaseId) => ({ leaseId, ...figures })),
      );
      expect(await s.leases.get("l-active")).toStrictEqual(
        lease("l-active", { workerId: "w-1", ...figures }),
      );
      expect(await s.leases.get("l-pending")).toStrictEqual(
        lease("l-pending", { workerId: "w-2", state: "pending" }),
      );
      expect(await s.leases.get("l-done")).toStrictEqual(
        lease("l-done", {
          workerId: "w-3",
          state: "completed",
          hashrateSum: 7,
          hashrateSamples: 1,
          lastGoodHeartbeatAt: T0,
        }),
      );
      expect(await s.leases.get("l-ghost")).toBeNull();
    });
  });

  // ---------------------------------------------------------------- blocks

  describe("blocks", () => {
    it("insert returns the stored record with a new, increasing id; getByKey finds it", async () => {
      const s = await open();
      const first = block("k-1");
      const second = block("k-2", {
        leaseId: null,
        status: "self",
        blockType: "super",
        difficulty: null,
        chainStatus: null,
        nextChainCheckAt: null,
        account: OWNER_A,
        attempts: 2 ** 40,
        chainBlockId: 31_337_000,
      });
      const third = block("k-3", {
        status: "rejected",
        rejectReason: "prefix_mismatch",
        chainStatus: "skipped",
      });
      const a = await s.blocks.insert(first);
      const b = await s.blocks.insert(second);
      const c = await s.blocks.insert(third);

      expect(a).toStrictEqual({ ...first, id: a.id });
      expect(b).toStrictEqual({ ...second, id: b.id });
      expect(c).toStrictEqual({ ...third, id: c.id });
      expect(Number.isInteger(a.id)).toBe(true);
      expect(b.id).toBeGreaterThan(a.id);
      expect(c.id).toBeGreaterThan(b.id);

      expect(await s.blocks.getByKey("k-2")).toStrictEqual(b);
      expect(await s.blocks.getByKey("k-unknown")).toBeNull();
      expect((await s.blocks.recent(2)).map((x) => x.key)).toEqual(["k-3", "k-2"]);
    });

    it("update changes only the given fields; an empty patch or an unknown id does nothing", async () => {
      const s = await open();
      const stored = await s.blocks.insert(block("k-1"));
      await s.blocks.insert(block("k-2"));
      const patch: Partial<BlockRecord> = {
        chainStatus: "verified",
        chainBlockId: 42,
        chainChecks: 3,
        nextChainCheckAt: null,
      };
      await s.blocks.update(stored.id, patch);
      expect(await s.blocks.getByKey("k-1")).toStrictEqual({ ...stored, ...patch });
      expect(await s.blocks.getByKey("k-2")).toMatchObject(block("k-2"));

      await s.blocks.update(stored.id, {});
      expect(await s.blocks.getByKey("k-1")).toStrictEqual({ ...stored, ...patch });
      await expect(s.blocks.update(999_999, { chainChecks: 9 })).resolves.toBeUndefined();
    });

    it("dueChainChecks returns pending checks due ≤ now, soonest first (then id), up to the limit", async () => {
      const s = await open();
      const later = await s.blocks.insert(block("k-later", { nextChainCheckAt: T0 - 1_000 }));
      const first = await s.blocks.insert(block("k-first", { nextChainCheckAt: T0 - 5_000 }));
      const tieA = await s.blocks.insert(block("k-tie-a", { nextChainCheckAt: T0 }));
      const tieB = await s.blocks.insert(block("k-tie-b", { nextChainCheckAt: T0 }));
      await s.blocks.insert(block("k-future", { nextChainCheckAt: T0 + 1 }));
      await s.blocks.insert(block("k-verified", { chainStatus: "verified", nextChainCheckAt: T0 - 9_000 }));
      await s.blocks.insert(block("k-unscheduled", { chainStatus: "pending", nextChainCheckAt: null }));
      await s.blocks.insert(block("k-none", { chainStatus: null, nextChainCheckAt: null }));

      expect((await s.blocks.dueChainChecks(T0, 10)).map((b) => b.id)).toEqual([
        first.id,
        later.id,
        tieA.id,
        tieB.id,
      ]);
      expect((await s.blocks.dueChainChecks(T0, 2)).map((b) => b.key)).toEqual(["k-first", "k-later"]);
      expect(await s.blocks.dueChainChecks(T0 - 10_000, 10)).toEqual([]);
    });

    it("listByLease returns one lease's blocks in ascending id order, page by page", async () => {
      const s = await open();
      const mine: BlockRecord[] = [];
      for (let i = 0; i < 5; i++) {
        mine.push(await s.blocks.insert(block(`k-mine-${i}`, { leaseId: "l-1" })));
        await s.blocks.insert(block(`k-other-${i}`, { leaseId: "l-2" }));
      }
      await s.blocks.insert(block("k-self", { leaseId: null, status: "self" }));

      const { items, sizes } = await allPages((cursor) => s.blocks.listByLease("l-1", { limit: 2, cursor }));
      expect(sizes).toEqual([2, 2, 1]);
      expect(items).toStrictEqual(mine);
      expect(await s.blocks.listByLease("l-none", { limit: 10 })).toStrictEqual({
        items: [],
        nextCursor: null,
      });
    });
  });

  // ---------------------------------------------------------------- ledger

  describe("ledger", () => {
    it("post then getTransfer returns the transfer exactly; balances follow", async () => {
      const s = await open();
      expect(await s.ledger.balances([userAccount(RENTER), ESCROW])).toStrictEqual(
        new Map([
          [userAccount(RENTER), 0n],
          [ESCROW, 0n],
        ]),
      );
      const [dep] = await postTx(s, [deposit("deposit:manual:ref-1", RENTER, 9_000_000_000n)], T0);
      const [hold] = await postTx(
        s,
        [
          {
            id: "withdrawal:w-1:hold",
            type: "withdrawal_hold",
            from: userAccount(RENTER),
            to: ESCROW,
            amount: 2_500_000n,
            reference: { kind: "withdrawal", id: "w-1" },
          },
        ],
        T0 + 1,
      );

      expect(await s.ledger.getTransfer("deposit:manual:ref-1")).toStrictEqual({
        id: "deposit:manual:ref-1",
        type: "deposit",
        from: WORLD,
        to: userAccount(RENTER),
        amount: 9_000_000_000n,
        reference: { kind: "deposit", id: "deposit:manual:ref-1" },
        createdAt: T0,
        fromBalanceAfter: -9_000_000_000n,
        toBalanceAfter: 9_000_000_000n,
      });
      expect(await s.ledger.getTransfer("withdrawal:w-1:hold")).toStrictEqual({
        id: "withdrawal:w-1:hold",
        type: "withdrawal_hold",
        from: userAccount(RENTER),
        to: ESCROW,
        amount: 2_500_000n,
        reference: { kind: "withdrawal", id: "w-1" },
        createdAt: T0 + 1,
        fromBalanceAfter: 8_997_500_000n,
        toBalanceAfter: 2_500_000n,
      });
      expect(dep).toStrictEqual(await s.ledger.getTransfer(dep!.id));
      expect(hold).toStrictEqual(await s.ledger.getTransfer(hold!.id));
      expect(await s.ledger.getTransfer("nope")).toBeNull();

      expect(
        await s.ledger.balances([WORLD, userAccount(RENTER), ESCROW, userAccount(RENTER_2)]),
      ).toStrictEqual(
        new Map<LedgerAccount, bigint>([
          [WORLD, -9_000_000_000n],
          [userAccount(RENTER), 8_997_500_000n],
          [ESCROW, 2_500_000n],
          [userAccount(RENTER_2), 0n],
        ]),
      );
      const all = await s.ledger.allBalances();
      expect(all.get(WORLD)).toBe(-9_000_000_000n);
      expect(all.get(userAccount(RENTER))).toBe(8_997_500_000n);
      expect(all.get(ESCROW)).toBe(2_500_000n);
      expect([...all.values()].reduce((sum, b) => sum + b, 0n)).toBe(0n);
    });

    it("history lists the transfers touching an account, newest first, by type and page", async () => {
      const s = await open();
      const user = userAccount(RENTER);
      for (let i = 0; i < 5; i++) await postTx(s, [deposit(`dep-${i}`, RENTER, 1_000n)], T0 + i);
      await postTx(s, [deposit("dep-other", RENTER_2, 1_000n)], T0 + 10);
      for (let i = 0; i < 2; i++) {
        await postTx(
          s,
          [
            {
              id: `rent:l-${i}:escrow`,
              type: "lease_escrow",
              from: user,
              to: ESCROW,
              amount: 100n,
              reference: { kind: "lease", id: `l-${i}` },
            },
          ],
          T0 + 20 + i,
        );
      }

      const { items, sizes } = await allPages((cursor) => s.ledger.history(user, { limit: 3, cursor }));
      expect(sizes).toEqual([3, 3, 1]);
      expect(items.map((t) => t.id)).toEqual([
        "rent:l-1:escrow",
        "rent:l-0:escrow",
        "dep-4",
        "dep-3",
        "dep-2",
        "dep-1",
        "dep-0",
      ]);
      expect(items[0]).toStrictEqual(await s.ledger.getTransfer("rent:l-1:escrow"));
      expect(items[0]).toMatchObject({ fromBalanceAfter: 4_800n, toBalanceAfter: 200n });

      const deposits = await s.ledger.history(user, { limit: 10, type: "deposit" });
      expect(deposits.items.map((t) => t.id)).toEqual(["dep-4", "dep-3", "dep-2", "dep-1", "dep-0"]);
      expect(deposits.nextCursor).toBeNull();
      expect((await s.ledger.history(ESCROW, { limit: 10 })).items.map((t) => t.id)).toEqual([
        "rent:l-1:escrow",
        "rent:l-0:escrow",
      ]);
      expect((await s.ledger.history(WORLD, { limit: 10, type: "lease_escrow" })).items).toEqual([]);
      expect((await s.ledger.history(userAccount(OWNER_B), { limit: 10 })).items).toEqual([]);
    });

    it("sumCredits adds credits of a type to an account since a time, optionally by id prefix", async () => {
      const s = await open();
      await postTx(s, [deposit("deposit:faucet:1", RENTER, 100n)], T0 - DAY - 1);
      await postTx(s, [deposit("deposit:faucet:2", RENTER, 200n)], T0 - DAY);
      await postTx(s, [deposit("deposit:faucet:3", RENTER, 400n)], T0);
      await postTx(s, [deposit("deposit:manual:4", RENTER, 800n)], T0);
      await postTx(s, [deposit("deposit:faucet:5", RENTER_2, 1_600n)], T0);
      await postTx(
        s,
        [
          {
            id: "rent:l-1:escrow",
            type: "lease_escrow",
            from: userAccount(RENTER),
            to: ESCROW,
            amount: 50n,
            reference: { kind: "lease", id: "l-1" },
          },
        ],
        T0,
      );

      const to = userAccount(RENTER);
      expect(await s.ledger.sumCredits({ type: "deposit", to, since: T0 - DAY })).toBe(1_400n);
      expect(await s.ledger.sumCredits({ type: "deposit", to, since: 0 })).toBe(1_500n);
      expect(
        await s.ledger.sumCredits({ type: "deposit", to, since: T0 - DAY, idPrefix: "deposit:faucet:" }),
      ).toBe(600n);
      expect(await s.ledger.sumCredits({ type: "deposit", to, since: T0 + 1 })).toBe(0n);
      expect(await s.ledger.sumCredits({ type: "lease_escrow", to: ESCROW, since: 0 })).toBe(50n);
      expect(await s.ledger.sumCredits({ type: "lease_escrow", to, since: 0 })).toBe(0n);
    });
  });

  // ---------------------------------------------------------------- settlements

  describe("settlements", () => {
    it("round-trips a settlement; count counts them", async () => {
      const s = await open();
      const a = settlement("l-1");
      const b = settlement("l-2", {
        state: "interrupted",
        billedSec: 17,
        total: 680_000n,
        fee: 34_000n,
        providerAmount: 646_000n,
        refund: 143_320_000n,
        feeBps: 0,
      });
      expect(await s.settlements.count()).toBe(0);
      await s.settlements.insert(a);
      await s.settlements.insert(b);
      expect(await s.settlements.get("l-1")).toStrictEqual(a);
      expect(await s.settlements.get("l-2")).toStrictEqual(b);
      expect(await s.settlements.get("l-3")).toBeNull();
      expect(await s.settlements.count()).toBe(2);
    });

    it("list filters by party (renter or provider) and by provider, newest first, page by page", async () => {
      const s = await open();
      await s.settlements.insert(settlement("l-1", { renter: RENTER, provider: OWNER_A, settledAt: T0 + 1 }));
      await s.settlements.insert(
        settlement("l-2", { renter: RENTER_2, provider: OWNER_A, settledAt: T0 + 2 }),
      );
      await s.settlements.insert(settlement("l-3", { renter: RENTER, provider: OWNER_B, settledAt: T0 + 3 }));
      await s.settlements.insert(
        settlement("l-4", { renter: OWNER_A, provider: OWNER_B, settledAt: T0 + 4 }),
      );

      const ids = async (q: Parameters<Storage["settlements"]["list"]>[0]) =>
        leaseIds((await s.settlements.list(q)).items);
      expect(await ids({ limit: 10 })).toEqual(["l-4", "l-3", "l-2", "l-1"]);
      expect(await ids({ limit: 10, party: RENTER })).toEqual(["l-3", "l-1"]);
      expect(await ids({ limit: 10, party: OWNER_A })).toEqual(["l-4", "l-2", "l-1"]);
      expect(await ids({ limit: 10, provider: OWNER_A })).toEqual(["l-2", "l-1"]);
      expect(await ids({ limit: 10, provider: OWNER_B })).toEqual(["l-4", "l-3"]);
      expect(await ids({ limit: 10, party: RENTER, provider: OWNER_B })).toEqual(["l-3"]);
      expect(await ids({ limit: 10, party: OWNER_B, provider: OWNER_A })).toEqual([]);

      const { items, sizes } = await allPages((cursor) => s.settlements.list({ limit: 3, cursor }));
      expect(sizes).toEqual([3, 1]);
      expect(leaseIds(items)).toEqual(["l-4", "l-3", "l-2", "l-1"]);
    });
  });

  // ---------------------------------------------------------------- withdrawals

  describe("withdrawals", () => {
    it("round-trips a withdrawal; update changes only the given fields", async () => {
      const s = await open();
      const w = withdrawal("wd-1", { amount: 9_007_199_254_740_991n });
      await s.withdrawals.insert(w);
      await s.withdrawals.insert(withdrawal("wd-2"));
      expect(await s.withdrawals.get("wd-1")).toStrictEqual(w);
      expect(await s.withdrawals.getForUpdate("wd-1")).toStrictEqual(w);
      expect(await s.withdrawals.get("wd-none")).toBeNull();

      const patch: Partial<WithdrawalRecord> = {
        state: "completed",
        reference: "0xtxhash",
        resolvedAt: T0 + 60_000,
      };
      await s.withdrawals.update("wd-1", patch);
      expect(await s.withdrawals.get("wd-1")).toStrictEqual({ ...w, ...patch });
      expect(await s.withdrawals.get("wd-2")).toStrictEqual(withdrawal("wd-2"));

      await s.withdrawals.update("wd-2", {});
      expect(await s.withdrawals.get("wd-2")).toStrictEqual(withdrawal("wd-2"));
      await expect(s.withdrawals.update("wd-ghost", { state: "rejected" })).resolves.toBeUndefined();
      expect(await s.withdrawals.get("wd-ghost")).toBeNull();
    });

    it("list filters by address and state, newest first; sumRequested adds requested amounts", async () => {
      const s = await open();
      await s.withdrawals.insert(withdrawal("wd-1", { address: RENTER, amount: 1n, createdAt: T0 + 1 }));
      await s.withdrawals.insert(withdrawal("wd-2", { address: RENTER_2, amount: 20n, createdAt: T0 + 2 }));
      await s.withdrawals.insert(
        withdrawal("wd-3", {
          address: RENTER,
          amount: 300n,
          createdAt: T0 + 3,
          state: "completed",
          resolvedAt: T0 + 9,
        }),
      );
      await s.withdrawals.insert(withdrawal("wd-4", { address: RENTER, amount: 4_000n, createdAt: T0 + 4 }));
      await s.withdrawals.insert(
        withdrawal("wd-5", {
          address: RENTER,
          amount: 50_000n,
          createdAt: T0 + 5,
          state: "rejected",
          reason: "no",
        }),
      );

      const ids = async (q: Parameters<Storage["withdrawals"]["list"]>[0]) =>
        (await s.withdrawals.list(q)).items.map((w) => w.id);
      expect(await ids({ limit: 10 })).toEqual(["wd-5", "wd-4", "wd-3", "wd-2", "wd-1"]);
      expect(await ids({ limit: 10, address: RENTER })).toEqual(["wd-5", "wd-4", "wd-3", "wd-1"]);
      expect(await ids({ limit: 10, state: "requested" })).toEqual(["wd-4", "wd-2", "wd-1"]);
      expect(await ids({ limit: 10, address: RENTER, state: "requested" })).toEqual(["wd-4", "wd-1"]);
      expect(await ids({ limit: 10, address: OWNER_A })).toEqual([]);
      const { items, sizes } = await allPages((cursor) =>
        s.withdrawals.list({ limit: 2, cursor, address: RENTER }),
      );
      expect(sizes).toEqual([2, 2]);
      expect(items.map((w) => w.id)).toEqual(["wd-5", "wd-4", "wd-3", "wd-1"]);

      expect(await s.withdrawals.sumRequested()).toBe(4_021n);
      expect(await s.withdrawals.sumRequested(RENTER)).toBe(4_001n);
      expect(await s.withdrawals.sumRequested(RENTER_2)).toBe(20n);
      expect(await s.withdrawals.sumRequested(OWNER_A)).toBe(0n);
      await s.withdrawals.update("wd-4", { state: "cancelled", resolvedAt: T0 + 10 });
      expect(await s.withdrawals.sumRequested(RENTER)).toBe(1n);
    });
  });

  // ---------------------------------------------------------------- api keys

  describe("apiKeys", () => {
    it("round-trips a key by id and by hash; update, listByAddress (newest first) and countActive", async () => {
      const s = await open();
      const k1 = apiKey("k-1", { createdAt: T0 + 1 });
      const k2 = apiKey("k-2", { createdAt: T0 + 2, lastUsedAt: T0 + 3 });
      const k3 = apiKey("k-3", { createdAt: T0 + 3, address: RENTER_2 });
      for (const k of [k1, k2, k3]) await s.apiKeys.insert(k);

      expect(await s.apiKeys.get("k-2")).toStrictEqual(k2);
      expect(await s.apiKeys.getByHash(k1.hash)).toStrictEqual(k1);
      expect(await s.apiKeys.get("k-none")).toBeNull();
      expect(await s.apiKeys.getByHash("f".repeat(64))).toBeNull();
      expect((await s.apiKeys.listByAddress(RENTER)).map((k) => k.id)).toEqual(["k-2", "k-1"]);
      expect(await s.apiKeys.countActive(RENTER)).toBe(2);

      await s.apiKeys.update("k-1", { revokedAt: T0 + 10 });
      expect(await s.apiKeys.get("k-1")).toStrictEqual({ ...k1, revokedAt: T0 + 10 });
      expect(await s.apiKeys.countActive(RENTER)).toBe(1);
      expect(await s.apiKeys.countActive(OWNER_A)).toBe(0);
      await s.apiKeys.update("k-2", {});
      expect(await s.apiKeys.get("k-2")).toStrictEqual(k2);
      await expect(s.apiKeys.update("k-ghost", { revokedAt: T0 })).resolves.toBeUndefined();
      expect(await s.apiKeys.get("k-ghost")).toBeNull();
    });
  });

  // ---------------------------------------------------------------- health and audit

  describe("health and audit logs", () => {
    it("health events come back newest first with increasing ids, by worker and page", async () => {
      const s = await open();
      await s.health.append({
        at: T0,
        workerId: "w-1",
        kind: "offline",
        reason: "timeout",
        offlineForSec: null,
      });
      await s.health.append({
        at: T0 + 1,
        workerId: "w-2",
        kind: "offline",
        reason: "will",
        offlineForSec: null,
      });
      await s.health.append({ at: T0 + 2, workerId: "w-1", kind: "online", reason: null, offlineForSec: 92 });
      await s.health.append({
        at: T0 + 3,
        workerId: "w-1",
        kind: "offline",
        reason: "shutdown",
        offlineForSec: null,
      });

      const all = (await s.health.list({ limit: 10 })).items;
      expect(all.map(({ id: _id, ...e }) => e)).toStrictEqual([
        { at: T0 + 3, workerId: "w-1", kind: "offline", reason: "shutdown", offlineForSec: null },
        { at: T0 + 2, workerId: "w-1", kind: "online", reason: null, offlineForSec: 92 },
        { at: T0 + 1, workerId: "w-2", kind: "offline", reason: "will", offlineForSec: null },
        { at: T0, workerId: "w-1", kind: "offline", reason: "timeout", offlineForSec: null },
      ]);
      for (let i = 1; i < all.length; i++) expect(all[i]!.id).toBeLessThan(all[i - 1]!.id);

      expect((await s.health.list({ limit: 10, workerId: "w-1" })).items.map((e) => e.at)).toEqual([
        T0 + 3,
        T0 + 2,
        T0,
      ]);
      const { items, sizes } = await allPages((cursor) =>
        s.health.list({ limit: 2, cursor, workerId: "w-1" }),
      );
      expect(sizes).toEqual([2, 1]);
      expect(items.map((e) => e.at)).toEqual([T0 + 3, T0 + 2, T0]);
      expect((await s.health.list({ limit: 10, workerId: "w-9" })).items).toEqual([]);
    });

    it("audit entries come back newest first with increasing ids, page by page", async () => {
      const s = await open();
      for (let i = 0; i < 5; i++) {
        await s.audit.append({
          at: T0 + i,
          actor: OWNER_A,
          action: `action-${i}`,
          target: `w-${i}`,
          result: "ok",
        });
      }
      const first = await s.audit.list({ limit: 10 });
      expect(first.nextCursor).toBeNull();
      expect(first.items[0]).toStrictEqual({
        id: first.items[0]!.id,
        at: T0 + 4,
        actor: OWNER_A,
        action: "action-4",
        target: "w-4",
        result: "ok",
      });
      for (let i = 1; i < first.items.length; i++)
        expect(first.items[i]!.id).toBeLessThan(first.items[i - 1]!.id);
      const { items, sizes } = await allPages((cursor) => s.audit.list({ limit: 2, cursor }));
      expect(sizes).toEqual([2, 2, 1]);
      expect(items.map((e) => e.action)).toEqual([
        "action-4",
        "action-3",
        "action-2",
        "action-1",
        "action-0",
      ]);
    });
  });

  // ---------------------------------------------------------------- uniqueness

  describe("uniqueness (UniqueViolation)", () => {
    it("worker_id: a second worker with the same id, without touching the first", async () => {
      const s = await open();
      await s.workers.insert(worker("w-1"));
      await expectUnique(s.workers.insert(worker("w-1", { owner: OWNER_B, hashrate: 1 })), "worker_id");
      expect(await s.workers.get("w-1")).toStrictEqual(worker("w-1"));
    });

    it("lease_id: a second lease with the same id", async () => {
      const s = await open();
      await s.leases.insert(lease("l-1", { workerId: "w-1", state: "completed" }));
      await expectUnique(s.leases.insert(lease("l-1", { workerId: "w-2", prefix: "pfx-fresh" })), "lease_id");
      expect(await s.leases.get("l-1")).toStrictEqual(lease("l-1", { workerId: "w-1", state: "completed" }));
      expect(await s.leases.prefixExists("pfx-fresh")).toBe(false);
    });

    it("open_lease_per_worker: a second pending or active lease for a worker", async () => {
      const s = await open();
      await s.leases.insert(lease("l-1", { workerId: "w-1", state: "active" }));
      await expectUnique(
        s.leases.insert(lease("l-2", { workerId: "w-1", state: "pending" })),
        "open_lease_per_worker",
      );
      await expectUnique(
        s.leases.insert(lease("l-3", { workerId: "w-1", state: "active" })),
        "open_lease_per_worker",
      );
      expect(await s.leases.get("l-2")).toBeNull();
      expect(await s.leases.prefixExists("pfx-l-2")).toBe(false);
      // An ended lease for the same worker (history) is fine while one is open.
      await s.leases.insert(lease("l-4", { workerId: "w-1", state: "completed", endedAt: T0 }));
      // Another worker is not affected.
      await s.leases.insert(lease("l-5", { workerId: "w-2", state: "pending" }));
      expect((await s.leases.openForWorker("w-1"))?.leaseId).toBe("l-1");
    });

    it.each(["completed", "cancelled", "interrupted"] as const)(
      "open_lease_per_worker: a new open lease is allowed once the first is %s via update",
      async (ended) => {
        const s = await open();
        await s.leases.insert(lease("l-1", { workerId: "w-1", state: "pending" }));
        await expectUnique(s.leases.insert(lease("l-2", { workerId: "w-1" })), "open_lease_per_worker");
        await s.leases.update("l-1", { state: ended, endedAt: T0 });
        await s.leases.insert(lease("l-2", { workerId: "w-1", state: "pending" }));
        expect((await s.leases.openForWorker("w-1"))?.leaseId).toBe("l-2");
        await expectUnique(s.leases.insert(lease("l-3", { workerId: "w-1" })), "open_lease_per_worker");
      },
    );

    it("open_lease_per_worker: of 10 concurrent open leases for one worker exactly one is stored", async () => {
      const s = await open();
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) =>
          s.leases.insert(lease(`l-${i}`, { workerId: "w-1", state: "pending" })),
        ),
      );
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      for (const r of results) {
        if (r.status === "rejected") {
          const e = r.reason as Error;
          expect(e, `${e.message} (cause: ${String(e.cause)})`).toBeInstanceOf(UniqueViolation);
          expect((e as UniqueViolation).constraint).toBe("open_lease_per_worker");
        }
      }
      expect(leaseIds(await s.leases.listOpen())).toHaveLength(1);
    });

    it("lease_prefix: a reused prefix, even after the first lease ended", async () => {
      const s = await open();
      await s.leases.insert(lease("l-1", { workerId: "w-1", prefix: "abc123" }));
      await expectUnique(
        s.leases.insert(lease("l-2", { workerId: "w-2", prefix: "abc123" })),
        "lease_prefix",
      );
      await s.leases.update("l-1", { state: "completed", endedAt: T0 });
      await expectUnique(
        s.leases.insert(lease("l-3", { workerId: "w-3", prefix: "abc123" })),
        "lease_prefix",
      );
      expect(await s.leases.get("l-2")).toBeNull();
      expect(await s.leases.get("l-3")).toBeNull();
    });

    it("block_key: a key seen before", async () => {
      const s = await open();
      const first = await s.blocks.insert(block("k-1"));
      await expectUnique(s.blocks.insert(block("k-1", { workerId: "w-2", status: "rejected" })), "block_key");
      expect(await s.blocks.getByKey("k-1")).toStrictEqual(first);
      expect(await s.blocks.recent(10)).toHaveLength(1);
    });

    it("transfer_id: ledger.post of a reused id changes no balance", async () => {
      const s = await open();
      await postTx(s, [deposit("dep-1", RENTER, 100n)]);
      await expectUnique(postTx(s, [deposit("dep-1", RENTER, 5n)], T0 + 1), "transfer_id");
      // A batch whose second transfer reuses an id is refused as a whole.
      await expectUnique(
        postTx(s, [deposit("dep-2", RENTER, 7n), deposit("dep-1", RENTER, 9n)], T0 + 2),
        "transfer_id",
      );
      expect(await balanceOf(s, userAccount(RENTER))).toBe(100n);
      expect(await balanceOf(s, WORLD)).toBe(-100n);
      expect(await s.ledger.getTransfer("dep-2")).toBeNull();
      expect((await s.ledger.getTransfer("dep-1"))?.amount).toBe(100n);
    });

    // Regression: the memory store once checked ids only against stored transfers.
    it("transfer_id: a batch that repeats one id within itself", async () => {
      const s = await open();
      await expectUnique(
        postTx(s, [deposit("dep-1", RENTER, 100n), deposit("dep-1", RENTER, 5n)]),
        "transfer_id",
      );
      expect(await s.ledger.getTransfer("dep-1")).toBeNull();
      expect(await balanceOf(s, userAccount(RENTER))).toBe(0n);
    });

    it("settlement_lease: a second settlement for a lease", async () => {
      const s = await open();
      await s.settlements.insert(settlement("l-1"));
      await expectUnique(s.settlements.insert(settlement("l-1", { refund: 5n })), "settlement_lease");
      expect(await s.settlements.get("l-1")).toStrictEqual(settlement("l-1"));
      expect(await s.settlements.count()).toBe(1);
    });

    it("withdrawal_id: a second withdrawal with the same id", async () => {
      const s = await open();
      await s.withdrawals.insert(withdrawal("wd-1"));
      await expectUnique(s.withdrawals.insert(withdrawal("wd-1", { amount: 1n })), "withdrawal_id");
      expect(await s.withdrawals.get("wd-1")).toStrictEqual(withdrawal("wd-1"));
    });

    it("api_key_id and api_key_hash: a reused key id or key hash", async () => {
      const s = await open();
      await s.apiKeys.insert(apiKey("k-1"));
      await expectUnique(s.apiKeys.insert(apiKey("k-1", { hash: "e".repeat(64) })), "api_key_id");
      await expectUnique(s.apiKeys.insert(apiKey("k-2", { hash: apiKey("k-1").hash })), "api_key_hash");
      expect(await s.apiKeys.get("k-1")).toStrictEqual(apiKey("k-1"));
      expect(await s.apiKeys.get("k-2")).toBeNull();
      expect(await s.apiKeys.getByHash("e".repeat(64))).toBeNull();
    });
  });

  // ---------------------------------------------------------------- transactions

  describe("transactions", () => {
    it("returns the body's value and commits its writes", async () => {
      const s = await open();
      const value = await s.transaction(async (tx) => {
        await tx.workers.insert(worker("w-1"));
        await post(tx, [deposit("dep-1", RENTER, 10n)], T0);
        return { answer: 42 };
      });
      expect(value).toStrictEqual({ answer: 42 });
      expect(await s.workers.get("w-1")).toStrictEqual(worker("w-1"));
      expect(await balanceOf(s, userAccount(RENTER))).toBe(10n);
    });

    it("a body sees its own writes, through tx and through getForUpdate", async () => {
      const s = await open();
      await s.transaction(async (tx) => {
        await tx.leases.insert(lease("l-1"));
        await tx.withdrawals.insert(withdrawal("wd-1"));
        expect(await tx.leases.get("l-1")).toStrictEqual(lease("l-1"));
        expect(await tx.leases.getForUpdate("l-1")).toStrictEqual(lease("l-1"));
        expect(await tx.withdrawals.getForUpdate("wd-1")).toStrictEqual(withdrawal("wd-1"));
        await post(tx, [deposit("dep-1", RENTER, 10n)], T0);
        expect(await balanceOf(tx, userAccount(RENTER))).toBe(10n);
      });
    });

    it("a body that throws leaves no trace and rethrows the same error", async () => {
      const s = await open();
      await s.workers.insert(worker("w-existing"));
      await postTx(s, [deposit("dep-0", RENTER, 1_000n)]);
      const boom = new Error("boom");
      const error = await s
        .transaction(async (tx) => {
          await tx.accounts.ensure(OWNER_B, T0);
          await tx.workers.insert(worker("w-new"));
          await tx.workers.update("w-existing", { hashrate: 1, banned: true });
          await tx.workers.addCounters("w-existing", { leasesCompleted: 5 });
          await tx.leases.insert(lease("l-1", { workerId: "w-new" }));
          await tx.blocks.insert(block("k-1"));
          await tx.settlements.insert(settlement("l-0"));
          await tx.withdrawals.insert(withdrawal("wd-1"));
          await tx.apiKeys.insert(apiKey("key-1"));
          await tx.health.append({
            at: T0,
            workerId: "w-new",
            kind: "online",
            reason: null,
            offlineForSec: 1,
          });
          await tx.audit.append({
            at: T0,
            actor: OWNER_A,
            action: "ban",
            target: "w-existing",
            result: "ok",
          });
          await tx.monitoring.insertSnapshots([snapshot("w-new", T0, 5)]);
          await post(
            tx,
            [
              deposit("dep-1", RENTER, 500n),
              {
                id: "rent:l-1:escrow",
                type: "lease_escrow",
                from: userAccount(RENTER),
                to: ESCROW,
                amount: 1_200n,
                reference: { kind: "lease", id: "l-1" },
              },
            ],
            T0 + 1,
          );
          throw boom;
        })
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(error).toBe(boom);

      expect(await s.accounts.get(OWNER_B)).toBeNull();
      expect(await s.workers.get("w-new")).toBeNull();
      expect(await s.workers.get("w-existing")).toStrictEqual(worker("w-existing"));
      expect(await s.leases.get("l-1")).toBeNull();
      expect(await s.leases.openForWorker("w-new")).toBeNull();
      expect(await s.leases.prefixExists("pfx-l-1")).toBe(false);
      expect(await s.leases.sumOpenEscrow()).toBe(0n);
      expect(await s.blocks.getByKey("k-1")).toBeNull();
      expect(await s.settlements.count()).toBe(0);
      expect(await s.withdrawals.get("wd-1")).toBeNull();
      expect(await s.apiKeys.get("key-1")).toBeNull();
      expect((await s.health.list({ limit: 10 })).items).toEqual([]);
      expect((await s.audit.list({ limit: 10 })).items).toEqual([]);
      expect(await s.monitoring.snapshots({ from: 0, to: T0 + DAY })).toEqual([]);
      expect(await s.ledger.getTransfer("dep-1")).toBeNull();
      expect(await s.ledger.getTransfer("rent:l-1:escrow")).toBeNull();
      expect(await balanceOf(s, userAccount(RENTER))).toBe(1_000n);
      expect(await balanceOf(s, ESCROW)).toBe(0n);
      expect(await balanceOf(s, WORLD)).toBe(-1_000n);
      expect((await s.ledger.history(userAccount(RENTER), { limit: 10 })).items.map((t) => t.id)).toEqual([
        "dep-0",
      ]);

      // The store is healthy afterwards: the same writes succeed.
      await s.workers.insert(worker("w-new"));
      await s.leases.insert(lease("l-1", { workerId: "w-new" }));
      await postTx(s, [deposit("dep-1", RENTER, 500n)]);
      expect(await balanceOf(s, userAccount(RENTER))).toBe(1_500n);
    });

    it("a UniqueViolation inside a body rolls the whole body back and surfaces as such", async () => {
      const s = await open();
      await s.blocks.insert(block("k-dup"));
      await expectUnique(
        s.transaction(async (tx) => {
          await tx.leases.insert(lease("l-1"));
          await post(tx, [deposit("dep-1", RENTER, 10n)], T0);
          await tx.blocks.insert(block("k-dup"));
        }),
        "block_key",
      );
      expect(await s.leases.get("l-1")).toBeNull();
      expect(await s.ledger.getTransfer("dep-1")).toBeNull();
      expect(await balanceOf(s, userAccount(RENTER))).toBe(0n);
    });

    it("a nested storage.transaction inside a body completes, and commits with the outer one", async () => {
      const s = await open();
      const result = await within(
        10_000,
        "nested transaction",
        s.transaction(async (tx) => {
          await tx.workers.insert(worker("w-outer"));
          const inner = await s.transaction(async (tx2) => {
            await tx2.workers.insert(worker("w-inner"));
            return "inner";
          });
          await tx.workers.update("w-outer", { hashrate: 7 });
          return `outer+${inner}`;
        }),
      );
      expect(result).toBe("outer+inner");
      expect((await s.workers.get("w-outer"))?.hashrate).toBe(7);
      expect(await s.workers.get("w-inner")).toStrictEqual(worker("w-inner"));
    });

    // Regression: Postgres once opened the nested transaction on another connection and deadlocked.
    it("a nested storage.transaction touching rows the outer body locked does not deadlock", async () => {
      const s = await open();
      await postTx(s, [deposit("dep-0", RENTER, 100n)]);
      await within(
        10_000,
        "nested transaction on the same balance",
        s.transaction(async (tx) => {
          await post(tx, [deposit("dep-outer", RENTER, 10n)], T0 + 1);
          await s.transaction((tx2) => post(tx2, [deposit("dep-inner", RENTER, 1n)], T0 + 2));
        }),
      );
      expect(await balanceOf(s, userAccount(RENTER))).toBe(111n);
    });

    // Regression: the nested transaction once committed on its own connection.
    it("a nested storage.transaction is undone when the outer body throws (it joins or nests)", async () => {
      const s = await open();
      const boom = new Error("outer fails after the nested call");
      const error = await within(
        10_000,
        "nested transaction",
        s.transaction(async () => {
          await s.transaction(async (tx2) => {
            await tx2.workers.insert(worker("w-inner"));
            await post(tx2, [deposit("dep-inner", RENTER, 5n)], T0);
          });
          throw boom;
        }),
      ).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBe(boom);
      expect(await s.workers.get("w-inner")).toBeNull();
      expect(await s.ledger.getTransfer("dep-inner")).toBeNull();
      expect(await balanceOf(s, userAccount(RENTER))).toBe(0n);
    });

    it("a plain storage write made inside a body completes", async () => {
      const s = await open();
      await within(
        10_000,
        "plain write inside a transaction",
        s.transaction(async (tx) => {
          await tx.workers.insert(worker("w-tx"));
          await s.workers.insert(worker("w-plain"));
          await s.audit.append({ at: T0, actor: OWNER_A, action: "plain", target: "w-plain", result: "ok" });
        }),
      );
      expect(await s.workers.get("w-tx")).toStrictEqual(worker("w-tx"));
      expect(await s.workers.get("w-plain")).toStrictEqual(worker("w-plain"));
      expect((await s.audit.list({ limit: 10 })).items.map((a) => a.action)).toEqual(["plain"]);
    });

    // Regression: plain repository calls once ran outside the running transaction and waited on its locks.
    it("a plain storage write to a row the body already wrote completes and is kept", async () => {
      const s = await open();
      await s.workers.insert(worker("w-1"));
      await within(
        10_000,
        "plain write to a row the transaction holds",
        s.transaction(async (tx) => {
          await tx.workers.update("w-1", { hashrate: 1 });
          await s.workers.addCounters("w-1", { leasesCompleted: 1 });
        }),
      );
      expect(await s.workers.get("w-1")).toMatchObject({ hashrate: 1, leasesCompleted: 1 });
    });

    // Regression: memory reads once saw the uncommitted rows of an open transaction.
    it("concurrent plain reads never see the writes of a transaction that is still open", async () => {
      const s = await open();
      const user = userAccount(RENTER);
      let reached!: () => void;
      const bodyReached = new Promise<void>((resolve) => {
        reached = resolve;
      });
      let release!: () => void;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const boom = new Error("rolled back");
      const done = s
        .transaction(async (tx) => {
          await tx.workers.insert(worker("w-uncommitted"));
          await post(tx, [deposit("dep-uncommitted", RENTER, 77n)], T0);
          reached();
          await gate;
          throw boom;
        })
        .then(
          () => null,
          (e: unknown) => e,
        );
      await bodyReached;
      // Reads from outside the transaction, started while it is open (an engine may make them wait).
      const reads = Promise.all([
        s.workers.get("w-uncommitted"),
        s.workers.listOnline(),
        s.ledger.balances([user]),
        s.ledger.getTransfer("dep-uncommitted"),
      ]);
      await new Promise((resolve) => setTimeout(resolve, 50));
      release();
      const [got, online, balances, transfer] = await within(10_000, "reads during a transaction", reads);
      expect(await done).toBe(boom);
      expect(got).toBeNull();
      expect(online).toEqual([]);
      expect(balances.get(user)).toBe(0n);
      expect(transfer).toBeNull();
    });

    it("100 concurrent read-add-write transactions lose no update", async () => {
      const s = await open();
      const user = userAccount(RENTER);
      await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          s.transaction(async (tx) => {
            const current = await tx.ledger.balances([WORLD, user]);
            const next = new Map<string, bigint>([
              [WORLD, current.get(WORLD)! - 1n],
              [user, current.get(user)! + 1n],
            ]);
            await tx.ledger.post(
              [
                {
                  ...deposit(`inc-${i}`, RENTER, 1n),
                  createdAt: T0 + i,
                  fromBalanceAfter: next.get(WORLD)!,
                  toBalanceAfter: next.get(user)!,
                },
              ],
              next,
            );
          }),
        ),
      );
      expect(await balanceOf(s, user)).toBe(100n);
      expect(await balanceOf(s, WORLD)).toBe(-100n);
      const history = (await s.ledger.history(user, { limit: 200 })).items;
      expect(history).toHaveLength(100);
      // Each transaction saw the previous one's result: the running balances are exactly 1..100.
      expect(history.map((t) => t.toBalanceAfter).sort((a, b) => (a < b ? -1 : 1))).toEqual(
        Array.from({ length: 100 }, (_, i) => BigInt(i + 1)),
      );
    }, 120_000);
  });

  // ---------------------------------------------------------------- monitoring

  describe("monitoring", () => {
    it("insertSnapshots stores 2,000 rows in one call; snapshots() reads ranges with and without a worker", async () => {
      const s = await open();
      const rows: HashrateSnapshot[] = [];
      for (let tick = 0; tick < 100; tick++) {
        for (let w = 0; w < 20; w++)
          rows.push(snapshot(`m-${w}`, T0 + tick * 30_000, w * 100 + tick + 0.5, w % 4));
      }
      await s.monitoring.insertSnapshots(rows);

      const all = await s.monitoring.snapshots({ from: T0, to: T0 + 100 * 30_000 });
      expect(all).toHaveLength(2_000);
      const key = (r: HashrateSnapshot) => `${r.workerId}|${r.ts}`;
      const sortByKey = (list: HashrateSnapshot[]) => [...list].sort((a, b) => (key(a) < key(b) ? -1 : 1));
      expect(sortByKey(all)).toStrictEqual(sortByKey(rows));

      const one = await s.monitoring.snapshots({ from: T0, to: T0 + 100 * 30_000, workerId: "m-7" });
      expect(one).toStrictEqual(rows.filter((r) => r.workerId === "m-7"));
      // [from, to): from inclusive, to exclusive.
      const windowed = await s.monitoring.snapshots({ from: T0 + 30_000, to: T0 + 90_000, workerId: "m-3" });
      expect(windowed.map((r) => r.ts)).toEqual([T0 + 30_000, T0 + 60_000]);
      expect(await s.monitoring.snapshots({ from: T0 - HOUR, to: T0 })).toEqual([]);
      expect(await s.monitoring.snapshots({ from: T0, to: T0 + DAY, workerId: "m-99" })).toEqual([]);
      await s.monitoring.insertSnapshots([]);
    }, 60_000);

    it("rollupHour builds per-worker avg, max, samples and online samples; re-running gives the same rows", async () => {
      const s = await open();
      const H = D0 + 5 * HOUR;
      await s.monitoring.insertSnapshots([
        snapshot("w-a", H - 1, 9_999), // previous hour
        snapshot("w-a", H, 100),
        snapshot("w-a", H + 30_000, 200),
        snapshot("w-a", H + 60_000, 0), // a sample, not an online sample
        snapshot("w-a", H + HOUR - 1, 300),
        snapshot("w-b", H + 10_000, 50.5),
        snapshot("w-b", H + 20_000, 50.5),
        snapshot("w-c", H + 10_000, 0),
        snapshot("w-a", H + HOUR, 7_777), // next hour
      ]);

      expect(await s.monitoring.rollupHour(H)).toBe(3);
      const expected = [
        { workerId: "w-a", bucketStart: H, avgHashrate: 150, maxHashrate: 300, samples: 4, onlineSamples: 3 },
        {
          workerId: "w-b",
          bucketStart: H,
          avgHashrate: 50.5,
          maxHashrate: 50.5,
          samples: 2,
          onlineSamples: 2,
        },
        { workerId: "w-c", bucketStart: H, avgHashrate: 0, maxHashrate: 0, samples: 1, onlineSamples: 0 },
      ];
      const rows = await s.monitoring.hourly({ from: H, to: H + HOUR });
      expect(byWorkerThenBucket(rows)).toStrictEqual(expected);

      expect(await s.monitoring.rollupHour(H)).toBe(3);
      expect(byWorkerThenBucket(await s.monitoring.hourly({ from: H, to: H + HOUR }))).toStrictEqual(
        expected,
      );
      // Nothing leaked into the neighbouring hours.
      expect(await s.monitoring.hourly({ from: H - HOUR, to: H })).toEqual([]);
      expect(await s.monitoring.hourly({ from: H + HOUR, to: H + 2 * HOUR })).toEqual([]);

      // A late snapshot and a rebuild update the row in place.
      await s.monitoring.insertSnapshots([snapshot("w-b", H + 40_000, 0)]);
      await s.monitoring.rollupHour(H);
      expect(await s.monitoring.hourly({ from: H, to: H + HOUR, workerId: "w-b" })).toStrictEqual([
        {
          workerId: "w-b",
          bucketStart: H,
          avgHashrate: 101 / 3,
          maxHashrate: 50.5,
          samples: 3,
          onlineSamples: 2,
        },
      ]);
      // An hour without snapshots builds nothing.
      expect(await s.monitoring.rollupHour(H + 3 * HOUR)).toBe(0);
    });

    it("rollupDay builds from the hourly rows with a sample-weighted average", async () => {
      const s = await open();
      await s.monitoring.insertSnapshots([
        // Hour 0 of D0 for w-a: 100, 200, 0, 300 → avg 150 over 4 samples, 3 online.
        snapshot("w-a", D0, 100),
        snapshot("w-a", D0 + 1, 200),
        snapshot("w-a", D0 + 2, 0),
        snapshot("w-a", D0 + 3, 300),
        // Hour 23 of D0 for w-a: 600, 600 → avg 600 over 2 samples.
        snapshot("w-a", D0 + 23 * HOUR, 600),
        snapshot("w-a", D0 + 23 * HOUR + 1, 600),
        // w-b in hour 1 only.
        snapshot("w-b", D0 + HOUR, 10),
        // The day before and the day after.
        snapshot("w-a", D0 - 1, 5_000),
        snapshot("w-a", D0 + DAY, 5_000),
      ]);
      for (const h of [D0 - HOUR, D0, D0 + HOUR, D0 + 23 * HOUR, D0 + DAY]) await s.monitoring.rollupHour(h);

      expect(await s.monitoring.rollupDay(D0)).toBe(2);
      const expected = [
        // (150·4 + 600·2) / 6 = 300, not the unweighted (150 + 600) / 2 = 375.
        {
          workerId: "w-a",
          bucketStart: D0,
          avgHashrate: 300,
          maxHashrate: 600,
          samples: 6,
          onlineSamples: 5,
        },
        { workerId: "w-b", bucketStart: D0, avgHashrate: 10, maxHashrate: 10, samples: 1, onlineSamples: 1 },
      ];
      expect(byWorkerThenBucket(await s.monitoring.daily({ from: D0, to: D0 + DAY }))).toStrictEqual(
        expected,
      );
      expect(await s.monitoring.rollupDay(D0)).toBe(2);
      expect(byWorkerThenBucket(await s.monitoring.daily({ from: D0, to: D0 + DAY }))).toStrictEqual(
        expected,
      );
      expect(await s.monitoring.daily({ from: D0 - DAY, to: D0 })).toEqual([]);
      expect(await s.monitoring.daily({ from: D0, to: D0 + 2 * DAY, workerId: "w-b" })).toStrictEqual([
        expected[1],
      ]);
    });

    it("hourly and daily read [from, to) ranges with and without a worker, oldest bucket first", async () => {
      const s = await open();
      const snaps: HashrateSnapshot[] = [];
      for (let h = 0; h < 4; h++) {
        snaps.push(snapshot("w-a", D0 + h * HOUR, 100 * (h + 1)));
        snaps.push(snapshot("w-b", D0 + h * HOUR + 1, 1_000 * (h + 1)));
      }
      snaps.push(snapshot("w-a", D0 + DAY, 42));
      await s.monitoring.insertSnapshots(snaps);
      for (let h = 0; h < 4; h++) await s.monitoring.rollupHour(D0 + h * HOUR);
      await s.monitoring.rollupHour(D0 + DAY);
      await s.monitoring.rollupDay(D0);
      await s.monitoring.rollupDay(D0 + DAY);

      const hours = await s.monitoring.hourly({ from: D0 + HOUR, to: D0 + 3 * HOUR });
      expect(hours.map((r) => `${r.bucketStart - D0}:${r.workerId}`).sort()).toEqual(
        [`${HOUR}:w-a`, `${HOUR}:w-b`, `${2 * HOUR}:w-a`, `${2 * HOUR}:w-b`].sort(),
      );
      for (let i = 1; i < hours.length; i++)
        expect(hours[i]!.bucketStart).toBeGreaterThanOrEqual(hours[i - 1]!.bucketStart);
      expect(await s.monitoring.hourly({ from: D0, to: D0 + DAY, workerId: "w-b" })).toStrictEqual(
        [0, 1, 2, 3].map((h) => ({
          workerId: "w-b",
          bucketStart: D0 + h * HOUR,
          avgHashrate: 1_000 * (h + 1),
          maxHashrate: 1_000 * (h + 1),
          samples: 1,
          onlineSamples: 1,
        })),
      );

      expect(
        (await s.monitoring.daily({ from: D0, to: D0 + 2 * DAY })).map(
          (r) => `${r.bucketStart - D0}:${r.workerId}`,
        ),
      ).toEqual(["0:w-a", "0:w-b", `${DAY}:w-a`]);
      expect(await s.monitoring.daily({ from: D0, to: D0 + 2 * DAY, workerId: "w-a" })).toStrictEqual([
        {
          workerId: "w-a",
          bucketStart: D0,
          avgHashrate: 250,
          maxHashrate: 400,
          samples: 4,
          onlineSamples: 4,
        },
        {
          workerId: "w-a",
          bucketStart: D0 + DAY,
          avgHashrate: 42,
          maxHashrate: 42,
          samples: 1,
          onlineSamples: 1,
        },
      ]);
      expect(await s.monitoring.daily({ from: D0 + 1, to: D0 + DAY })).toEqual([]);
    });

    it("prune removes exactly the rows older than each cutoff and returns the counts", async () => {
      const s = await open();
      await s.monitoring.insertSnapshots([
        snapshot("w-a", D0 - DAY + 1, 1),
        snapshot("w-a", D0, 2),
        snapshot("w-a", D0 + HOUR - 1, 3),
        snapshot("w-a", D0 + HOUR, 4),
        snapshot("w-a", D0 + 2 * HOUR, 5),
        snapshot("w-b", D0 + 2 * HOUR, 6),
      ]);
      // Hourly rows: D0−1d (a), D0 (a), D0+1h (a), D0+2h (a, b). Daily rows: D0−1d (a), D0 (a, b).
      for (const h of [D0 - DAY, D0, D0 + HOUR, D0 + 2 * HOUR]) await s.monitoring.rollupHour(h);
      await s.monitoring.rollupDay(D0 - DAY);
      await s.monitoring.rollupDay(D0);
      for (const at of [D0 - 1, D0, D0 + 1]) {
        await s.health.append({
          at,
          workerId: "w-a",
          kind: "offline",
          reason: "timeout",
          offlineForSec: null,
        });
      }

      const removed = await s.monitoring.prune({ raw: D0 + HOUR, hourly: D0 + HOUR, daily: D0, health: D0 });
      expect(removed).toStrictEqual({ raw: 3, hourly: 2, daily: 1, health: 1 });

      const wide = { from: 0, to: D0 + 10 * DAY };
      expect((await s.monitoring.snapshots(wide)).map((r) => `${r.workerId}@${r.ts - D0}`).sort()).toEqual(
        [`w-a@${HOUR}`, `w-a@${2 * HOUR}`, `w-b@${2 * HOUR}`].sort(),
      );
      expect(
        (await s.monitoring.hourly(wide)).map((r) => `${r.workerId}@${r.bucketStart - D0}`).sort(),
      ).toEqual([`w-a@${HOUR}`, `w-a@${2 * HOUR}`, `w-b@${2 * HOUR}`].sort());
      expect(
        (await s.monitoring.daily(wide)).map((r) => `${r.workerId}@${r.bucketStart - D0}`).sort(),
      ).toEqual(["w-a@0", "w-b@0"]);
      expect((await s.health.list({ limit: 10 })).items.map((e) => e.at)).toEqual([D0 + 1, D0]);

      // Nothing is left to remove at the same cutoffs.
      expect(
        await s.monitoring.prune({ raw: D0 + HOUR, hourly: D0 + HOUR, daily: D0, health: D0 }),
      ).toStrictEqual({
        raw: 0,
        hourly: 0,
        daily: 0,
        health: 0,
      });
    });
  });
});
