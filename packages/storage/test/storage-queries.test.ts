/**
 * The read-model queries of the Storage port (ports.ts): offset pages on every cursor list, worker
 * totals and GPU facets, lease, block and settlement counts, sums and buckets, the account list,
 * the bucketed hashrate series, settings and revoked tokens. Same engines as the repository
 * contract (`engines.ts`); every test opens its own fresh store and checks exact values.
 */
import type {
  BlockRecord,
  HashrateSnapshot,
  LeaseRecord,
  Page,
  SettlementRecord,
  Storage,
  WithdrawalRecord,
  WorkerRecord,
} from "@xenblocks/core";
import { describe, expect, it } from "vitest";
import { engines } from "./engines.js";

// ------------------------------------------------------------------ fixtures

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** A UTC midnight, so hour and day buckets are exact. */
const D0 = Date.UTC(2026, 8, 1);
const T0 = D0 + 10 * HOUR;

const OWNER_A = "0x8d56da55a9d91b40aff945714b19e9dfde32d9c2";
const OWNER_B = "0xb0b0000000000000000000000000000000000002";
const RENTER = "0x2ac9de9d494459ab28fd09f10056cfa1d4c6af40";
const RENTER_2 = "0x7777777777777777777777777777777777777777";
const address = (n: number) => `0x${n.toString(16).padStart(40, "0")}`;

const gpu = (index: number, name: string) => ({ index, name, memoryGb: 24, busId: index + 1 });
const RTX_4090 = "NVIDIA GeForce RTX 4090";
const RTX_3090 = "NVIDIA GeForce RTX 3090";
const A100 = "NVIDIA A100-SXM4-80GB";

function worker(workerId: string, overrides: Partial<WorkerRecord> = {}): WorkerRecord {
  return {
    workerId,
    owner: OWNER_A,
    ethAddress: OWNER_A,
    gpus: [gpu(0, RTX_4090), gpu(1, RTX_3090)],
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
    hashrate: 1000,
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
    state: "completed",
    reason: null,
    createdAt: T0,
    confirmedAt: null,
    expiresAt: null,
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
    attempts: 1000,
    hashrate: "2408.16",
    blockType: "normal",
    difficulty: 1727,
    status: "accepted",
    rejectReason: null,
    chainStatus: "pending",
    chainBlockId: null,
    chainChecks: 0,
    nextChainCheckAt: null,
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

const snapshot = (workerId: string, ts: number, hashrate: number, activeGpus = 2): HashrateSnapshot => ({
  workerId,
  hashrate,
  activeGpus,
  ts,
});

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

const ids = <T extends { leaseId: string }>(rows: readonly T[]) => rows.map((r) => r.leaseId);
const keys = (page: Page<BlockRecord>) => page.items.map((b) => b.key);

// ------------------------------------------------------------------ the contract

describe.each(engines)("storage queries ($name)", (engine) => {
  const open = () => engine.create();

  // -------------------------------------------------------------- offset pages

  describe("offset pages (CursorQuery.offset)", () => {
    it("leases.list: an offset skips rows of the same order, ignores the cursor, and its nextCursor continues", async () => {
      const s = await open();
      for (let i = 0; i < 7; i++)
        await s.leases.insert(lease(`l-${i}`, { workerId: `w-${i}`, createdAt: T0 + i }));
      const newestFirst = ["l-6", "l-5", "l-4", "l-3", "l-2", "l-1", "l-0"];

      const page = await s.leases.list({ limit: 3, offset: 2 });
      expect(ids(page.items)).toEqual(["l-4", "l-3", "l-2"]);
      // A cursor given with an offset is ignored.
      expect(ids((await s.leases.list({ limit: 3, offset: 2, cursor: "5" })).items)).toEqual(
        newestFirst.slice(2, 5),
      );
      // nextCursor points past the page: following it gives the rest, no repeat, no gap.
      expect(page.nextCursor).not.toBeNull();
      const rest = await s.leases.list({ limit: 10, cursor: page.nextCursor });
      expect(ids(rest.items)).toEqual(["l-1", "l-0"]);
      expect(rest.nextCursor).toBeNull();
      // The last rows, and past the end.
      expect(await s.leases.list({ limit: 3, offset: 5 })).toMatchObject({ nextCursor: null });
      expect(ids((await s.leases.list({ limit: 3, offset: 5 })).items)).toEqual(["l-1", "l-0"]);
      expect(await s.leases.list({ limit: 3, offset: 7 })).toStrictEqual({ items: [], nextCursor: null });
      expect(await s.leases.list({ limit: 3, offset: 70 })).toStrictEqual({ items: [], nextCursor: null });
      // Offset 0 is the first page; a filter applies before the offset.
      expect(ids((await s.leases.list({ limit: 2, offset: 0 })).items)).toEqual(["l-6", "l-5"]);
      expect(ids((await s.leases.list({ limit: 10, offset: 1, workerId: "w-3" })).items)).toEqual([]);
    });

    it("every other cursor list honours the offset: settlements, withdrawals, ledger, health, audit, blocks", async () => {
      const s = await open();
      for (let i = 0; i < 5; i++) {
        await s.settlements.insert(settlement(`l-${i}`, { settledAt: T0 + i }));
        await s.withdrawals.insert(withdrawal(`wd-${i}`, { createdAt: T0 + i }));
        await s.health.append({
          at: T0 + i,
          workerId: "w-1",
          kind: "online",
          reason: null,
          offlineForSec: i,
        });
        await s.audit.append({ at: T0 + i, actor: "admin", action: `act-${i}`, target: "t", result: "ok" });
        await s.blocks.insert(block(`k-${i}`, { leaseId: "l-1", receivedAt: T0 + i }));
        await s.transaction(async (tx) => {
          const before = (await tx.ledger.balances(["world", `user:${RENTER}`])).get(`user:${RENTER}`)!;
          await tx.ledger.post(
            [
              {
                id: `dep-${i}`,
                type: "deposit",
                from: "world",
                to: `user:${RENTER}`,
                amount: 10n,
                reference: { kind: "deposit", id: `dep-${i}` },
                createdAt: T0 + i,
                fromBalanceAfter: -(before + 10n),
                toBalanceAfter: before + 10n,
              },
            ],
            new Map([
              ["world", -(before + 10n)],
              [`user:${RENTER}`, before + 10n],
            ]),
          );
        });
      }
      const q = { limit: 2, offset: 1, cursor: "3" };
      expect((await s.settlements.list(q)).items.map((x) => x.leaseId)).toEqual(["l-3", "l-2"]);
      expect((await s.withdrawals.list(q)).items.map((x) => x.id)).toEqual(["wd-3", "wd-2"]);
      expect((await s.ledger.history(`user:${RENTER}`, q)).items.map((x) => x.id)).toEqual([
        "dep-3",
        "dep-2",
      ]);
      expect((await s.health.list(q)).items.map((x) => x.offlineForSec)).toEqual([3, 2]);
      expect((await s.audit.list(q)).items.map((x) => x.action)).toEqual(["act-3", "act-2"]);
      // listByLease is oldest first.
      expect(keys(await s.blocks.listByLease("l-1", q))).toEqual(["k-1", "k-2"]);
      const tail = await s.blocks.listByLease("l-1", { limit: 2, offset: 3 });
      expect(keys(tail)).toEqual(["k-3", "k-4"]);
      expect(tail.nextCursor).toBeNull();
      const mid = await s.settlements.list({ limit: 2, offset: 2 });
      expect(
        (await s.settlements.list({ limit: 5, cursor: mid.nextCursor })).items.map((x) => x.leaseId),
      ).toEqual(["l-0"]);
    });
  });

  // -------------------------------------------------------------- workers

  describe("workers: leased filter, totals, GPU facets", () => {
    async function fleet(s: Storage) {
      await s.workers.insert(worker("w-1", { gpus: [gpu(0, RTX_4090), gpu(1, RTX_4090)] }));
      await s.workers.insert(worker("w-2", { gpus: [gpu(0, RTX_4090), gpu(1, RTX_3090)] }));
      await s.workers.insert(worker("w-3", { gpus: [gpu(0, A100)], gpuCount: 1, owner: OWNER_B }));
      await s.workers.insert(worker("w-4", { gpus: [gpu(0, RTX_3090)], gpuCount: 1, online: false }));
      await s.workers.insert(worker("w-5", { gpus: [gpu(0, "nvidia a100-sxm4-80gb")], gpuCount: 1 }));
      await s.leases.insert(lease("l-1", { workerId: "w-1", state: "active" }));
      await s.leases.insert(lease("l-2", { workerId: "w-3", state: "pending" }));
      await s.leases.insert(lease("l-3", { workerId: "w-2", state: "completed" }));
    }
    const base = { page: 1, limit: 50, sortBy: "workerId", sortDir: "asc" } as const;

    it("page filters by leased: an open (pending or active) lease, or none", async () => {
      const s = await open();
      await fleet(s);
      const page = async (leased?: boolean) =>
        (await s.workers.page({ ...base, ...(leased !== undefined && { leased }) })).items.map(
          (w) => w.workerId,
        );
      expect(await page(true)).toEqual(["w-1", "w-3"]);
      expect(await page(false)).toEqual(["w-2", "w-4", "w-5"]);
      expect(await page()).toEqual(["w-1", "w-2", "w-3", "w-4", "w-5"]);
      expect((await s.workers.page({ ...base, leased: false, status: "online" })).total).toBe(2);
      await s.leases.update("l-1", { state: "completed" });
      expect(await page(true)).toEqual(["w-3"]);
    });

    it("gpuModelCounts counts workers per GPU name as reported, each worker once per name, by count then name", async () => {
      const s = await open();
      await fleet(s);
      expect(await s.workers.gpuModelCounts({})).toStrictEqual([
        { model: RTX_3090, count: 2 },
        { model: RTX_4090, count: 2 },
        { model: A100, count: 1 },
        { model: "nvidia a100-sxm4-80gb", count: 1 },
      ]);
      // The same filters as page.
      expect(
        await s.workers.gpuModelCounts({ owner: OWNER_B.toUpperCase().replace("0X", "0x") }),
      ).toStrictEqual([{ model: A100, count: 1 }]);
      expect(await s.workers.gpuModelCounts({ status: "online", leased: false })).toStrictEqual([
        { model: RTX_3090, count: 1 },
        { model: RTX_4090, count: 1 },
        { model: "nvidia a100-sxm4-80gb", count: 1 },
      ]);
      expect(await s.workers.gpuModelCounts({ availableOnly: true })).toStrictEqual([
        { model: RTX_3090, count: 1 },
        { model: RTX_4090, count: 1 },
        { model: "nvidia a100-sxm4-80gb", count: 1 },
      ]);
      expect(await s.workers.gpuModelCounts({ gpu: "a100" })).toStrictEqual([
        { model: A100, count: 1 },
        { model: "nvidia a100-sxm4-80gb", count: 1 },
      ]);
      // Every GPU of a worker matching a filter counts, not only the one that matched.
      expect(await s.workers.gpuModelCounts({ gpu: "4090", minGpus: 2 })).toStrictEqual([
        { model: RTX_4090, count: 2 },
        { model: RTX_3090, count: 1 },
      ]);
      expect(await s.workers.gpuModelCounts({ minHashrate: 1e9 })).toStrictEqual([]);
      // An update of the GPUs is what the facets see next.
      await s.workers.update("w-4", { gpus: [gpu(0, A100), gpu(1, A100), gpu(2, RTX_4090)], gpuCount: 3 });
      expect(await s.workers.gpuModelCounts({})).toStrictEqual([
        { model: RTX_4090, count: 3 },
        { model: A100, count: 2 },
        { model: RTX_3090, count: 1 },
        { model: "nvidia a100-sxm4-80gb", count: 1 },
      ]);
    });

    it("gpuModelCounts of 300 workers in one query", async () => {
      const s = await open();
      const names = ["B", "A", "C"];
      for (let i = 0; i < 300; i++) {
        const own = [names[i % 3]!, names[i % 3]!, ...(i % 5 === 0 ? ["Z"] : [])];
        await s.workers.insert(
          worker(`w-${i}`, { gpus: own.map((n, k) => gpu(k, n)), gpuCount: own.length }),
        );
      }
      expect(await s.workers.gpuModelCounts({})).toStrictEqual([
        { model: "A", count: 100 },
        { model: "B", count: 100 },
        { model: "C", count: 100 },
        { model: "Z", count: 60 },
      ]);
    });

    it("totals sums the fleet or one owner's workers; an empty set gives zeros and no first registration", async () => {
      const s = await open();
      expect(await s.workers.totals()).toStrictEqual({
        total: 0,
        online: 0,
        banned: 0,
        suspect: 0,
        listed: 0,
        hashrate: 0,
        gpus: 0,
        activeGpus: 0,
        leaseBlocks: 0,
        selfBlocks: 0,
        owners: 0,
        firstRegisteredAt: null,
      });
      await s.workers.insert(
        worker("w-1", {
          hashrate: 1000.5,
          activeGpus: 2,
          leaseBlocks: 3,
          selfBlocks: 1,
          registeredAt: T0 - 5,
        }),
      );
      await s.workers.insert(
        worker("w-2", {
          hashrate: 250.25,
          activeGpus: 1,
          banned: true,
          listed: false,
          leaseBlocks: 4,
          registeredAt: T0 - 7,
        }),
      );
      await s.workers.insert(
        worker("w-3", {
          online: false,
          hashrate: 999,
          activeGpus: 2,
          suspect: true,
          gpuCount: 4,
          selfBlocks: 7,
          registeredAt: T0 - 9,
        }),
      );
      await s.workers.insert(
        worker("w-4", { owner: OWNER_B, hashrate: 10, activeGpus: 1, gpuCount: 1, registeredAt: T0 - 100 }),
      );
      expect(await s.workers.totals()).toStrictEqual({
        total: 4,
        online: 3,
        banned: 1,
        suspect: 1,
        listed: 3,
        hashrate: 1260.75,
        gpus: 9,
        activeGpus: 4,
        leaseBlocks: 7,
        selfBlocks: 8,
        owners: 2,
        firstRegisteredAt: T0 - 100,
      });
      expect(await s.workers.totals({ owner: OWNER_A })).toStrictEqual({
        total: 3,
        online: 2,
        banned: 1,
        suspect: 1,
        listed: 2,
        hashrate: 1250.75,
        gpus: 8,
        activeGpus: 3,
        leaseBlocks: 7,
        selfBlocks: 8,
        owners: 1,
        firstRegisteredAt: T0 - 9,
      });
      expect((await s.workers.totals({ owner: RENTER })).total).toBe(0);
    });
  });

  // -------------------------------------------------------------- leases

  describe("leases: party, counts, sums, confirmedBefore, endedBefore", () => {
    async function leases(s: Storage) {
      // renter / provider / state / confirmedAt / endedAt / blocksAccepted
      const rows: [string, string, string, LeaseRecord["state"], number | null, number | null, number][] = [
        ["l-1", RENTER, OWNER_A, "completed", T0 + 10, T0 + 100, 3],
        ["l-2", RENTER_2, OWNER_A, "active", T0 + 20, null, 5],
        ["l-3", RENTER, OWNER_B, "pending", null, null, 0],
        ["l-4", OWNER_A, OWNER_B, "interrupted", T0 + 20, T0 + 200, 7],
        ["l-5", RENTER_2, RENTER, "cancelled", null, T0 + 200, 0],
        ["l-6", RENTER, OWNER_A, "completed", T0 + 30, T0 + 50, 11],
      ];
      for (const [leaseId, renter, provider, state, confirmedAt, endedAt, blocksAccepted] of rows) {
        await s.leases.insert(
          lease(leaseId, {
            workerId: `w-${leaseId}`,
            renter,
            provider,
            state,
            confirmedAt,
            endedAt,
            blocksAccepted,
            createdAt: T0 + Number(leaseId.slice(2)),
          }),
        );
      }
    }

    it("list by party returns leases where the address is renter or provider, combinable with other filters", async () => {
      const s = await open();
      await leases(s);
      const list = async (q: Parameters<Storage["leases"]["list"]>[0]) => ids((await s.leases.list(q)).items);
      expect(await list({ limit: 50, party: OWNER_A })).toEqual(["l-6", "l-4", "l-2", "l-1"]);
      expect(await list({ limit: 50, party: RENTER })).toEqual(["l-6", "l-5", "l-3", "l-1"]);
      expect(await list({ limit: 50, party: RENTER, state: "completed" })).toEqual(["l-6", "l-1"]);
      expect(await list({ limit: 2, offset: 1, party: OWNER_A })).toEqual(["l-4", "l-2"]);
      expect(await list({ limit: 50, party: address(99) })).toEqual([]);
    });

    it("count counts by state, open, renter, provider and party", async () => {
      const s = await open();
      expect(await s.leases.count()).toBe(0);
      await leases(s);
      expect(await s.leases.count()).toBe(6);
      expect(await s.leases.count({})).toBe(6);
      expect(await s.leases.count({ state: "completed" })).toBe(2);
      expect(await s.leases.count({ open: true })).toBe(2);
      expect(await s.leases.count({ open: false })).toBe(4);
      expect(await s.leases.count({ renter: RENTER })).toBe(3);
      expect(await s.leases.count({ provider: OWNER_A })).toBe(3);
      expect(await s.leases.count({ party: OWNER_A })).toBe(4);
      expect(await s.leases.count({ party: RENTER, open: true })).toBe(1);
      expect(await s.leases.count({ provider: OWNER_B, state: "interrupted" })).toBe(1);
    });

    it("countRenters counts distinct renters; sumBlocksAccepted adds accepted blocks of the matching leases", async () => {
      const s = await open();
      expect(await s.leases.countRenters()).toBe(0);
      expect(await s.leases.sumBlocksAccepted({})).toBe(0);
      await leases(s);
      expect(await s.leases.countRenters()).toBe(3);
      expect(await s.leases.sumBlocksAccepted({})).toBe(26);
      expect(await s.leases.sumBlocksAccepted({ renter: RENTER })).toBe(14);
      expect(await s.leases.sumBlocksAccepted({ provider: OWNER_A })).toBe(19);
      expect(await s.leases.sumBlocksAccepted({ renter: RENTER, provider: OWNER_A })).toBe(14);
      expect(await s.leases.sumBlocksAccepted({ renter: address(99) })).toBe(0);
    });

    it("confirmedBefore: confirmed leases at or before a time, newest confirmation first, then lease id desc", async () => {
      const s = await open();
      await leases(s);
      expect(ids(await s.leases.confirmedBefore(null, 10))).toEqual(["l-6", "l-4", "l-2", "l-1"]);
      expect(ids(await s.leases.confirmedBefore(T0 + 20, 10))).toEqual(["l-4", "l-2", "l-1"]);
      expect(ids(await s.leases.confirmedBefore(T0 + 19, 10))).toEqual(["l-1"]);
      expect(ids(await s.leases.confirmedBefore(T0 + 9, 10))).toEqual([]);
      expect(ids(await s.leases.confirmedBefore(null, 2))).toEqual(["l-6", "l-4"]);
      expect((await s.leases.confirmedBefore(T0 + 10, 1))[0]).toStrictEqual(
        lease("l-1", {
          workerId: "w-l-1",
          renter: RENTER,
          provider: OWNER_A,
          state: "completed",
          confirmedAt: T0 + 10,
          endedAt: T0 + 100,
          blocksAccepted: 3,
          createdAt: T0 + 1,
        }),
      );
    });

    it("endedBefore: final leases ended at or before a time, newest end first, then lease id desc", async () => {
      const s = await open();
      await leases(s);
      // An open lease with an end time (inconsistent, but possible mid-update) is not final.
      await s.leases.update("l-2", { endedAt: T0 + 40 });
      expect(ids(await s.leases.endedBefore(null, 10))).toEqual(["l-5", "l-4", "l-1", "l-6"]);
      expect(ids(await s.leases.endedBefore(T0 + 199, 10))).toEqual(["l-1", "l-6"]);
      expect(ids(await s.leases.endedBefore(T0 + 200, 2))).toEqual(["l-5", "l-4"]);
      expect(ids(await s.leases.endedBefore(T0 + 49, 10))).toEqual([]);
    });
  });

  // -------------------------------------------------------------- blocks

  describe("blocks: list, count, countByBucket", () => {
    async function blocks(s: Storage) {
      await s.workers.insert(worker("w-1", { owner: OWNER_A }));
      await s.workers.insert(worker("w-2", { owner: OWNER_B }));
      await s.workers.insert(worker("w-3", { owner: OWNER_A }));
      const rows: [
        string,
        string,
        string | null,
        BlockRecord["status"],
        BlockRecord["chainStatus"],
        number,
      ][] = [
        ["b1", "w-1", "l-1", "accepted", "pending", T0],
        ["b2", "w-2", null, "self", "verified", T0 + MINUTE],
        ["b3", "w-1", "l-1", "rejected", null, T0 + 2 * MINUTE],
        ["b4", "w-3", null, "self", "not_found", T0 + HOUR - 1],
        ["b5", "w-1", "l-2", "accepted", "verified", T0 + HOUR],
        ["b6", "w-2", "l-3", "accepted", "pending", T0 + 3 * HOUR + 5],
        ["b7", "w-9", null, "self", "skipped", T0 + 3 * HOUR + 6],
      ];
      for (const [key, workerId, leaseId, status, chainStatus, receivedAt] of rows)
        await s.blocks.insert(block(key, { workerId, leaseId, status, chainStatus, receivedAt }));
    }
    type Q = Parameters<Storage["blocks"]["list"]>[0];

    it("list filters by worker, owner, lease, self-mined, status, chain status, since and until", async () => {
      const s = await open();
      await blocks(s);
      const list = async (q: Partial<Q>) => keys(await s.blocks.list({ limit: 50, ...q }));
      expect(await list({})).toEqual(["b7", "b6", "b5", "b4", "b3", "b2", "b1"]);
      expect(await list({ order: "oldest" })).toEqual(["b1", "b2", "b3", "b4", "b5", "b6", "b7"]);
      expect(await list({ workerId: "w-1" })).toEqual(["b5", "b3", "b1"]);
      expect(await list({ owner: OWNER_A })).toEqual(["b5", "b4", "b3", "b1"]);
      expect(await list({ owner: OWNER_B, selfOnly: true })).toEqual(["b2"]);
      expect(await list({ leaseId: "l-1" })).toEqual(["b3", "b1"]);
      expect(await list({ selfOnly: true })).toEqual(["b7", "b4", "b2"]);
      expect(await list({ status: "accepted" })).toEqual(["b6", "b5", "b1"]);
      expect(await list({ chainStatus: "verified" })).toEqual(["b5", "b2"]);
      expect(await list({ since: T0 + HOUR })).toEqual(["b7", "b6", "b5"]);
      expect(await list({ until: T0 + MINUTE })).toEqual(["b2", "b1"]);
      expect(await list({ since: T0 + MINUTE, until: T0 + HOUR, order: "oldest" })).toEqual([
        "b2",
        "b3",
        "b4",
        "b5",
      ]);
      expect(await list({ owner: RENTER })).toEqual([]);
      expect(await list({ limit: 2, offset: 1, owner: OWNER_A })).toEqual(["b4", "b3"]);
      const first = (await s.blocks.list({ limit: 1, workerId: "w-2" })).items[0];
      expect(first).toStrictEqual({
        ...block("b6", {
          workerId: "w-2",
          leaseId: "l-3",
          status: "accepted",
          chainStatus: "pending",
          receivedAt: T0 + 3 * HOUR + 5,
        }),
        id: first!.id,
      });
    });

    it("list pages by cursor in either order without repeating or skipping", async () => {
      const s = await open();
      await blocks(s);
      const newest = await allPages((cursor) => s.blocks.list({ limit: 3, cursor }));
      expect(newest.sizes).toEqual([3, 3, 1]);
      expect(newest.items.map((b) => b.key)).toEqual(["b7", "b6", "b5", "b4", "b3", "b2", "b1"]);
      const oldest = await allPages((cursor) =>
        s.blocks.list({ limit: 2, cursor, order: "oldest", owner: OWNER_A }),
      );
      expect(oldest.sizes).toEqual([2, 2]);
      expect(oldest.items.map((b) => b.key)).toEqual(["b1", "b3", "b4", "b5"]);
    });

    it("count counts the blocks matching the same filters", async () => {
      const s = await open();
      expect(await s.blocks.count()).toBe(0);
      await blocks(s);
      expect(await s.blocks.count()).toBe(7);
      expect(await s.blocks.count({ owner: OWNER_A })).toBe(4);
      expect(await s.blocks.count({ selfOnly: true, owner: OWNER_A })).toBe(1);
      expect(await s.blocks.count({ status: "self" })).toBe(3);
      expect(await s.blocks.count({ workerId: "w-2", since: T0 + 2 * MINUTE })).toBe(1);
      expect(await s.blocks.count({ chainStatus: "pending", until: T0 + 3 * HOUR + 5 })).toBe(2);
    });

    it("countByBucket counts per bucket over [from, to), ascending, empty buckets absent", async () => {
      const s = await open();
      await blocks(s);
      expect(await s.blocks.countByBucket({ from: D0, to: D0 + DAY, bucketMs: HOUR })).toStrictEqual([
        { ts: T0, count: 4 },
        { ts: T0 + HOUR, count: 1 },
        { ts: T0 + 3 * HOUR, count: 2 },
      ]);
      // from is inclusive, to exclusive.
      expect(
        await s.blocks.countByBucket({ from: T0 + MINUTE, to: T0 + HOUR, bucketMs: HOUR }),
      ).toStrictEqual([{ ts: T0, count: 3 }]);
      expect(
        await s.blocks.countByBucket({ from: T0, to: T0 + 4 * HOUR, bucketMs: 30 * MINUTE, owner: OWNER_A }),
      ).toStrictEqual([
        { ts: T0, count: 2 },
        { ts: T0 + 30 * MINUTE, count: 1 },
        { ts: T0 + HOUR, count: 1 },
      ]);
      expect(
        await s.blocks.countByBucket({ from: D0, to: D0 + DAY, bucketMs: DAY, selfOnly: true }),
      ).toStrictEqual([{ ts: D0, count: 3 }]);
      expect(await s.blocks.countByBucket({ from: D0 - DAY, to: D0, bucketMs: HOUR })).toStrictEqual([]);
    });
  });

  // -------------------------------------------------------------- settlements

  describe("settlements: filters, totals, earnings per bucket", () => {
    async function settlements(s: Storage) {
      await s.settlements.insert(settlement("l-1", { settledAt: T0 }));
      await s.settlements.insert(
        settlement("l-2", {
          renter: RENTER_2,
          state: "interrupted",
          total: 4_000_000_000_000_001n,
          fee: 200_000_000_000_001n,
          providerAmount: 3_800_000_000_000_000n,
          refund: 1_000_000_000_000_003n,
          settledAt: T0 + HOUR,
        }),
      );
      await s.settlements.insert(
        settlement("l-3", {
          provider: OWNER_B,
          state: "cancelled",
          total: 0n,
          fee: 0n,
          providerAmount: 0n,
          refund: 144_000_000n,
          settledAt: T0 + HOUR + 1,
        }),
      );
      await s.settlements.insert(
        settlement("l-4", {
          renter: OWNER_B,
          state: "completed",
          total: 4_000_000_000_000_001n,
          fee: 200_000_000_000_001n,
          providerAmount: 3_800_000_000_000_000n,
          refund: 0n,
          settledAt: T0 + 2 * HOUR,
        }),
      );
      await s.settlements.insert(
        settlement("l-5", {
          total: 4_000_000_000_000_001n,
          fee: 200_000_000_000_001n,
          providerAmount: 3_800_000_000_000_001n,
          refund: 7n,
          settledAt: T0 + 2 * HOUR + 30 * MINUTE,
        }),
      );
    }

    it("list filters by renter and lease id as well as party and provider", async () => {
      const s = await open();
      await settlements(s);
      const list = async (q: Parameters<Storage["settlements"]["list"]>[0]) =>
        ids((await s.settlements.list(q)).items);
      expect(await list({ limit: 50, renter: RENTER })).toEqual(["l-5", "l-3", "l-1"]);
      expect(await list({ limit: 50, leaseId: "l-3" })).toEqual(["l-3"]);
      expect(await list({ limit: 50, leaseId: "l-3", renter: RENTER_2 })).toEqual([]);
      expect(await list({ limit: 50, party: OWNER_B })).toEqual(["l-4", "l-3"]);
      expect(await list({ limit: 50, provider: OWNER_A, renter: RENTER })).toEqual(["l-5", "l-1"]);
      expect((await s.settlements.list({ limit: 1, leaseId: "l-2" })).items[0]?.total).toBe(
        4_000_000_000_000_001n,
      );
    });

    it("count counts all or by party, provider and renter", async () => {
      const s = await open();
      expect(await s.settlements.count()).toBe(0);
      await settlements(s);
      expect(await s.settlements.count()).toBe(5);
      expect(await s.settlements.count({ party: OWNER_B })).toBe(2);
      expect(await s.settlements.count({ provider: OWNER_A })).toBe(4);
      expect(await s.settlements.count({ renter: RENTER })).toBe(3);
      expect(await s.settlements.count({ renter: RENTER, provider: OWNER_B })).toBe(1);
    });

    it("totals counts by state and sums money exactly as bigint, past 2^53; since is inclusive", async () => {
      const s = await open();
      const zero = {
        count: 0,
        completed: 0,
        interrupted: 0,
        cancelled: 0,
        total: 0n,
        fee: 0n,
        providerAmount: 0n,
        refund: 0n,
      };
      expect(await s.settlements.totals()).toStrictEqual(zero);
      await settlements(s);
      expect(await s.settlements.totals()).toStrictEqual({
        count: 5,
        completed: 3,
        interrupted: 1,
        cancelled: 1,
        total: 12_000_000_144_000_003n,
        fee: 600_000_007_200_003n,
        providerAmount: 11_400_000_136_800_001n,
        refund: 1_000_000_144_000_010n,
      });
      expect(await s.settlements.totals({ provider: OWNER_A })).toStrictEqual({
        count: 4,
        completed: 3,
        interrupted: 1,
        cancelled: 0,
        total: 12_000_000_144_000_003n,
        fee: 600_000_007_200_003n,
        providerAmount: 11_400_000_136_800_001n,
        refund: 1_000_000_000_000_010n,
      });
      expect(await s.settlements.totals({ renter: RENTER, since: T0 + HOUR + 1 })).toStrictEqual({
        count: 2,
        completed: 1,
        interrupted: 0,
        cancelled: 1,
        total: 4_000_000_000_000_001n,
        fee: 200_000_000_000_001n,
        providerAmount: 3_800_000_000_000_001n,
        refund: 144_000_007n,
      });
      expect(await s.settlements.totals({ renter: address(5) })).toStrictEqual(zero);
    });

    it("providerEarningsByBucket sums one provider's amounts per bucket over [from, to)", async () => {
      const s = await open();
      await settlements(s);
      expect(
        await s.settlements.providerEarningsByBucket({
          provider: OWNER_A,
          from: D0,
          to: D0 + DAY,
          bucketMs: HOUR,
        }),
      ).toStrictEqual([
        { ts: T0, sum: 136_800_000n },
        { ts: T0 + HOUR, sum: 3_800_000_000_000_000n },
        { ts: T0 + 2 * HOUR, sum: 7_600_000_000_000_001n },
      ]);
      expect(
        await s.settlements.providerEarningsByBucket({
          provider: OWNER_A,
          from: T0 + 1,
          to: T0 + 2 * HOUR + 30 * MINUTE,
          bucketMs: DAY,
        }),
      ).toStrictEqual([{ ts: D0, sum: 7_600_000_000_000_000n }]);
      expect(
        await s.settlements.providerEarningsByBucket({
          provider: OWNER_B,
          from: D0,
          to: D0 + DAY,
          bucketMs: HOUR,
        }),
      ).toStrictEqual([{ ts: T0 + HOUR, sum: 0n }]);
      expect(
        await s.settlements.providerEarningsByBucket({
          provider: RENTER,
          from: D0,
          to: D0 + DAY,
          bucketMs: HOUR,
        }),
      ).toStrictEqual([]);
    });
  });

  // -------------------------------------------------------------- accounts

  describe("accounts: count and list", () => {
    it("count counts accounts; list goes by address ascending with a case-insensitive prefix search", async () => {
      const s = await open();
      expect(await s.accounts.count()).toBe(0);
      expect(await s.accounts.list({ limit: 10 })).toStrictEqual({ items: [], nextCursor: null });
      const addresses = [
        "0xab00000000000000000000000000000000000003",
        "0x0000000000000000000000000000000000000001",
        "0xabcd000000000000000000000000000000000002",
        "0xff00000000000000000000000000000000000004",
        "0xab10000000000000000000000000000000000005",
      ];
      for (const [i, a] of addresses.entries())
        await s.accounts.ensure(a.toUpperCase().replace("0X", "0x"), T0 + i);
      expect(await s.accounts.count()).toBe(5);
      const sorted = [...addresses].sort();
      const all = await allPages((cursor) => s.accounts.list({ limit: 2, cursor }));
      expect(all.sizes).toEqual([2, 2, 1]);
      expect(all.items.map((a) => a.address)).toEqual(sorted);
      expect((await s.accounts.list({ limit: 1 })).items).toStrictEqual([
        { address: "0x0000000000000000000000000000000000000001", createdAt: T0 + 1 },
      ]);
      const search = async (q: string, extra: { offset?: number; limit?: number } = {}) =>
        (await s.accounts.list({ limit: 10, search: q, ...extra })).items.map((a) => a.address);
      expect(await search("0xAB")).toEqual([addresses[0], addresses[4], addresses[2]]);
      expect(await search("0xabc")).toEqual([addresses[2]]);
      expect(await search("0xAB", { offset: 1, limit: 1 })).toEqual([addresses[4]]);
      expect(await search("ab")).toEqual([]);
      // LIKE wildcards are plain characters.
      expect(await search("0x%")).toEqual([]);
      expect(await search("0x_b")).toEqual([]);
      expect(await search("")).toEqual(sorted);
    });
  });

  // -------------------------------------------------------------- monitoring.series

  describe("monitoring.series", () => {
    async function snapshots(s: Storage) {
      await s.workers.insert(worker("w-1", { owner: OWNER_A }));
      await s.workers.insert(worker("w-2", { owner: OWNER_A }));
      await s.workers.insert(worker("w-3", { owner: OWNER_B }));
      await s.monitoring.insertSnapshots([
        // Bucket T0 (5 min): w-1 averages 150 (2 samples), w-2 averages 60, w-3 is at 0.
        snapshot("w-1", T0, 100, 2),
        snapshot("w-1", T0 + 4 * MINUTE, 200, 1),
        snapshot("w-2", T0 + MINUTE, 60, 1),
        snapshot("w-3", T0 + 2 * MINUTE, 0, 0),
        // Bucket T0 + 5 min: w-1 only, its last sample 1 ms before the next bucket.
        snapshot("w-1", T0 + 5 * MINUTE, 300, 2),
        snapshot("w-1", T0 + 10 * MINUTE - 1, 500, 2),
        // Bucket T0 + 15 min, after an empty one.
        snapshot("w-3", T0 + 15 * MINUTE, 40, 2),
        snapshot("w-3", T0 + 16 * MINUTE, 20, 1),
        // At the range's end (`to` is exclusive).
        snapshot("w-2", T0 + 20 * MINUTE, 999, 2),
      ]);
    }

    it("raw: sums each worker's average per bucket, averages active GPUs, counts workers above 0", async () => {
      const s = await open();
      await snapshots(s);
      const range = { from: T0, to: T0 + 20 * MINUTE, bucketMs: 5 * MINUTE, source: "raw" } as const;
      expect(await s.monitoring.series(range)).toStrictEqual([
        { ts: T0, hashrate: 210, activeGpus: 2.5, onlineWorkers: 2 },
        { ts: T0 + 5 * MINUTE, hashrate: 400, activeGpus: 2, onlineWorkers: 1 },
        { ts: T0 + 15 * MINUTE, hashrate: 30, activeGpus: 1.5, onlineWorkers: 1 },
      ]);
      expect(await s.monitoring.series({ ...range, owner: OWNER_B })).toStrictEqual([
        { ts: T0, hashrate: 0, activeGpus: 0, onlineWorkers: 0 },
        { ts: T0 + 15 * MINUTE, hashrate: 30, activeGpus: 1.5, onlineWorkers: 1 },
      ]);
      expect(await s.monitoring.series({ ...range, workerId: "w-1" })).toStrictEqual([
        { ts: T0, hashrate: 150, activeGpus: 1.5, onlineWorkers: 1 },
        { ts: T0 + 5 * MINUTE, hashrate: 400, activeGpus: 2, onlineWorkers: 1 },
      ]);
      expect(await s.monitoring.series({ ...range, workerId: "w-1", owner: OWNER_B })).toStrictEqual([]);
      // from is inclusive.
      expect(await s.monitoring.series({ ...range, from: T0 + 1, workerId: "w-1" })).toStrictEqual([
        { ts: T0, hashrate: 200, activeGpus: 1, onlineWorkers: 1 },
        { ts: T0 + 5 * MINUTE, hashrate: 400, activeGpus: 2, onlineWorkers: 1 },
      ]);
      // One wide bucket averages each worker over all of its samples: 275 + 529.5 + 20.
      expect(
        await s.monitoring.series({ from: T0, to: T0 + 20 * MINUTE + 1, bucketMs: HOUR, source: "raw" }),
      ).toStrictEqual([{ ts: T0, hashrate: 824.5, activeGpus: 4.25, onlineWorkers: 3 }]);
    });

    it("hourly and daily: sample-weighted averages of the roll-ups, online by online samples, no GPUs", async () => {
      const s = await open();
      await s.workers.insert(worker("w-1", { owner: OWNER_A }));
      await s.workers.insert(worker("w-2", { owner: OWNER_B }));
      await s.monitoring.insertSnapshots([
        // Hour T0: w-1 averages 100 over 3 samples, w-2 is at 0 over 1.
        snapshot("w-1", T0, 50),
        snapshot("w-1", T0 + MINUTE, 100),
        snapshot("w-1", T0 + 2 * MINUTE, 150),
        snapshot("w-2", T0, 0),
        // Hour T0 + 1 h: w-1 averages 400 over 1 sample, w-2 60 over 2.
        snapshot("w-1", T0 + HOUR, 400),
        snapshot("w-2", T0 + HOUR, 0),
        snapshot("w-2", T0 + HOUR + MINUTE, 120),
        // The next day.
        snapshot("w-2", D0 + DAY + HOUR, 30),
      ]);
      for (const hour of [T0, T0 + HOUR, D0 + DAY + HOUR]) await s.monitoring.rollupHour(hour);
      for (const day of [D0, D0 + DAY]) await s.monitoring.rollupDay(day);

      const hourly = { from: D0, to: D0 + 2 * DAY, bucketMs: HOUR, source: "hourly" } as const;
      expect(await s.monitoring.series(hourly)).toStrictEqual([
        { ts: T0, hashrate: 100, activeGpus: null, onlineWorkers: 1 },
        { ts: T0 + HOUR, hashrate: 460, activeGpus: null, onlineWorkers: 2 },
        { ts: D0 + DAY + HOUR, hashrate: 30, activeGpus: null, onlineWorkers: 1 },
      ]);
      // Two hours in one bucket: w-1 (3 samples at 100, 1 at 400) = 175; w-2 (1 at 0, 2 at 60) = 40.
      expect(await s.monitoring.series({ ...hourly, bucketMs: 2 * HOUR })).toStrictEqual([
        { ts: T0, hashrate: 215, activeGpus: null, onlineWorkers: 2 },
        { ts: D0 + DAY, hashrate: 30, activeGpus: null, onlineWorkers: 1 },
      ]);
      expect(await s.monitoring.series({ ...hourly, owner: OWNER_B, to: T0 + HOUR })).toStrictEqual([
        { ts: T0, hashrate: 0, activeGpus: null, onlineWorkers: 0 },
      ]);
      const daily = { from: D0, to: D0 + 2 * DAY, bucketMs: DAY, source: "daily" } as const;
      expect(await s.monitoring.series(daily)).toStrictEqual([
        { ts: D0, hashrate: 215, activeGpus: null, onlineWorkers: 2 },
        { ts: D0 + DAY, hashrate: 30, activeGpus: null, onlineWorkers: 1 },
      ]);
      expect(await s.monitoring.series({ ...daily, workerId: "w-1" })).toStrictEqual([
        { ts: D0, hashrate: 175, activeGpus: null, onlineWorkers: 1 },
      ]);
      expect(await s.monitoring.series({ ...daily, from: D0 + 1 })).toStrictEqual([
        { ts: D0 + DAY, hashrate: 30, activeGpus: null, onlineWorkers: 1 },
      ]);
    });
  });

  // -------------------------------------------------------------- settings and revoked tokens

  describe("settings", () => {
    it("get is null until set; setIfAbsent stores once and returns the stored value afterwards", async () => {
      const s = await open();
      expect(await s.settings.get("jwt_secret")).toBeNull();
      expect(await s.settings.setIfAbsent("jwt_secret", "first")).toBe("first");
      expect(await s.settings.setIfAbsent("jwt_secret", "second")).toBe("first");
      expect(await s.settings.get("jwt_secret")).toBe("first");
      expect(await s.settings.get("other")).toBeNull();
      expect(await s.settings.setIfAbsent("other", "x".repeat(5000))).toBe("x".repeat(5000));
    });

    it("of 20 concurrent setIfAbsent calls exactly one value wins and every caller gets it", async () => {
      const s = await open();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => s.settings.setIfAbsent("jwt_secret", `secret-${i}`)),
      );
      const stored = await s.settings.get("jwt_secret");
      expect(stored).toMatch(/^secret-\d+$/);
      expect(new Set(results)).toEqual(new Set([stored]));
    });

    it("inside a transaction: seen by the body, gone when it throws", async () => {
      const s = await open();
      await expect(
        s.transaction(async (tx) => {
          expect(await tx.settings.setIfAbsent("k", "v1")).toBe("v1");
          expect(await tx.settings.get("k")).toBe("v1");
          throw new Error("boom");
        }),
      ).rejects.toThrow("boom");
      expect(await s.settings.get("k")).toBeNull();
      await s.transaction((tx) => tx.settings.setIfAbsent("k", "v2"));
      expect(await s.settings.get("k")).toBe("v2");
    });
  });

  describe("revokedTokens", () => {
    it("revoke is idempotent; isRevoked; prune forgets tokens expired before the cutoff and counts them", async () => {
      const s = await open();
      expect(await s.revokedTokens.isRevoked("jti-1")).toBe(false);
      await s.revokedTokens.revoke("jti-1", T0);
      await s.revokedTokens.revoke("jti-1", T0);
      await s.revokedTokens.revoke("jti-2", T0 + 1);
      await s.revokedTokens.revoke("jti-3", T0 + HOUR);
      expect(await s.revokedTokens.isRevoked("jti-1")).toBe(true);
      expect(await s.revokedTokens.isRevoked("jti-2")).toBe(true);
      expect(await s.revokedTokens.isRevoked("jti-4")).toBe(false);

      expect(await s.revokedTokens.prune(T0)).toBe(0);
      expect(await s.revokedTokens.prune(T0 + 2)).toBe(2);
      expect(await s.revokedTokens.isRevoked("jti-1")).toBe(false);
      expect(await s.revokedTokens.isRevoked("jti-2")).toBe(false);
      expect(await s.revokedTokens.isRevoked("jti-3")).toBe(true);
      expect(await s.revokedTokens.prune(T0 + 2)).toBe(0);
    });

    it("inside a transaction: a revocation rolls back with the body", async () => {
      const s = await open();
      await expect(
        s.transaction(async (tx) => {
          await tx.revokedTokens.revoke("jti-1", T0);
          expect(await tx.revokedTokens.isRevoked("jti-1")).toBe(true);
          throw new Error("boom");
        }),
      ).rejects.toThrow("boom");
      expect(await s.revokedTokens.isRevoked("jti-1")).toBe(false);
    });
  });
});
