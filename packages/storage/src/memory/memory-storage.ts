/**
 * The in-memory Storage adapter: for tests, demos and embedding. It keeps the same uniqueness rules
 * the SQL schemas enforce (one open lease per worker, one block per key, one transfer per id, one
 * settlement per lease) and runs transactions one at a time with full rollback.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import {
  type AccountRecord,
  type ApiKeyRecord,
  type AuditRecord,
  type BlockFilter,
  type BlockRecord,
  compareWorkers,
  type HashratePoint,
  type HashrateRollup,
  type HashrateSnapshot,
  type HealthEventRecord,
  type IdempotencyRecord,
  isCandidate,
  type LeaseRecord,
  type LeaseState,
  matchesWorkerPage,
  type Repos,
  type SettlementRecord,
  type SettlementTotals,
  type SiweNonceRecord,
  type Storage,
  type TimeRange,
  type Transfer,
  UniqueViolation,
  type WithdrawalRecord,
  type WorkerPageQuery,
  type WorkerRecord,
} from "@xenblocks/core";
import { bucketOf, byBucket, newestFirst, pageOf } from "./paging.js";
import { Journal, Log, Table } from "./table.js";

const isOpen = (l: Pick<LeaseRecord, "state">) => l.state === "pending" || l.state === "active";
/** JavaScript's own string order (code units), the order the SQL adapters' binary collations give. */
const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
type WorkerFilter = Omit<WorkerPageQuery, "page" | "limit" | "sortBy" | "sortDir">;
type LeaseCountQuery = {
  state?: LeaseState;
  open?: boolean;
  renter?: string;
  provider?: string;
  party?: string;
};
const HOUR = 3_600_000;
const DAY = 86_400_000;

const inRange = (ts: number, workerId: string, q: TimeRange) =>
  ts >= q.from && ts < q.to && (q.workerId === undefined || q.workerId === workerId);

/** Replaces the roll-ups of one bucket with the aggregate of `rows` per worker. */
function upsertRollups(table: Table<string, HashrateRollup>, bucketStart: number, rows: HashrateSnapshot[]) {
  const byWorker = new Map<string, HashrateSnapshot[]>();
  for (const r of rows) byWorker.set(r.workerId, [...(byWorker.get(r.workerId) ?? []), r]);
  for (const [workerId, list] of byWorker) {
    table.set(`${workerId}|${bucketStart}`, {
      workerId,
      bucketStart,
      avgHashrate: list.reduce((sum, r) => sum + r.hashrate, 0) / list.length,
      maxHashrate: Math.max(...list.map((r) => r.hashrate)),
      samples: list.length,
      onlineSamples: list.filter((r) => r.hashrate > 0).length,
    });
  }
  return byWorker.size;
}

function removeRollups(table: Table<string, HashrateRollup>, before: number): number {
  const old = [...table.values()].filter((r) => r.bucketStart < before);
  for (const r of old) table.delete(`${r.workerId}|${r.bucketStart}`);
  return old.length;
}

const rollupsIn = async (table: Table<string, HashrateRollup>, q: TimeRange) =>
  [...table.values()]
    .filter((r) => inRange(r.bucketStart, r.workerId, q))
    .sort((a, b) => a.bucketStart - b.bucketStart || (a.workerId < b.workerId ? -1 : 1))
    .map((r) => ({ ...r }));

export function createMemoryStorage(): Storage {
  const txScope = new AsyncLocalStorage<Journal>();
  const journal = () => txScope.getStore() ?? null;
  let queue: Promise<unknown> = Promise.resolve();

  const accounts = new Table<string, AccountRecord>(journal);
  const apiKeys = new Table<string, ApiKeyRecord>(journal);
  const workers = new Table<string, WorkerRecord>(journal);
  const leases = new Table<string, LeaseRecord>(journal);
  const openLeaseByWorker = new Table<string, string>(journal);
  const prefixes = new Table<string, true>(journal);
  const blocks = new Table<number, BlockRecord>(journal);
  const blockIdByKey = new Table<string, number>(journal);
  let blockSeq = 0;
  const transfers = new Table<string, Transfer>(journal);
  const transferOrder = new Log<{ id: number; transferId: string }>(journal);
  const balances = new Table<string, bigint>(journal);
  const settlements = new Table<string, SettlementRecord>(journal);
  const withdrawals = new Table<string, WithdrawalRecord>(journal);
  const health = new Log<HealthEventRecord>(journal);
  const snapshots = new Log<HashrateSnapshot & { id: number }>(journal);
  const hourly = new Table<string, HashrateRollup>(journal);
  const daily = new Table<string, HashrateRollup>(journal);
  const idempotency = new Table<string, IdempotencyRecord>(journal);
  const audit = new Log<AuditRecord>(journal);
  const settings = new Table<string, string>(journal);
  const revokedTokens = new Table<string, number>(journal);
  /** By nonce; `seq` is the insertion order (the per-address bound drops the lowest). */
  const siweNonces = new Table<string, SiweNonceRecord & { seq: number }>(journal);
  let siweNonceSeq = 0;

  /** The page filters of core, plus `leased` (whether the worker has an open lease). */
  const matchesWorkers = (w: WorkerRecord, q: WorkerFilter) => {
    const leased = openLeaseByWorker.has(w.workerId);
    return (
      matchesWorkerPage(w, q as WorkerPageQuery, leased) && (q.leased === undefined || q.leased === leased)
    );
  };
  const matchesLease = (l: LeaseRecord, q: LeaseCountQuery & { workerId?: string }) =>
    (q.renter === undefined || l.renter === q.renter) &&
    (q.provider === undefined || l.provider === q.provider) &&
    (q.party === undefined || l.renter === q.party || l.provider === q.party) &&
    (q.workerId === undefined || l.workerId === q.workerId) &&
    (q.state === undefined || l.state === q.state) &&
    (q.open === undefined || isOpen(l) === q.open);
  const matchesBlock = (b: BlockRecord, q: BlockFilter) =>
    (q.workerId === undefined || b.workerId === q.workerId) &&
    (q.owner === undefined || workers.get(b.workerId)?.owner === q.owner.toLowerCase()) &&
    (q.leaseId === undefined || b.leaseId === q.leaseId) &&
    (!q.selfOnly || b.leaseId === null) &&
    (q.status === undefined || b.status === q.status) &&
    (q.chainStatus === undefined || b.chainStatus === q.chainStatus) &&
    (q.since === undefined || b.receivedAt >= q.since) &&
    (q.until === undefined || b.receivedAt <= q.until);
  const matchesSettlement = (
    s: SettlementRecord,
    q: { party?: string; provider?: string; renter?: string; leaseId?: string },
  ) =>
    (q.party === undefined || s.renter === q.party || s.provider === q.party) &&
    (q.provider === undefined || s.provider === q.provider) &&
    (q.renter === undefined || s.renter === q.renter) &&
    (q.leaseId === undefined || s.leaseId === q.leaseId);
  /** Workers an owner filter keeps (all when there is none). */
  const ownerKeeps = (owner: string | undefined) => {
    if (owner === undefined) return () => true;
    const lower = owner.toLowerCase();
    return (workerId: string) => workers.get(workerId)?.owner === lower;
  };

  /** Runs a body alone (after every earlier write), rolling back all of its writes if it throws. */
  function exclusive<T>(body: () => Promise<T>): Promise<T> {
    if (txScope.getStore()) return body(); // already inside this caller's transaction
    const run = queue.then(() => {
      const j = new Journal();
      return txScope.run(j, async () => {
        try {
          return await body();
        } catch (error) {
          j.rollback();
          throw error;
        }
      });
    });
    queue = run.catch(() => undefined);
    return run;
  }
  /**
   * Every call outside a transaction runs alone, after the transactions before it: a write is its
   * own small transaction, and a read never sees another transaction's uncommitted rows.
   */
  const serialized = <R extends object>(repo: R): R => {
    const wrapped = { ...repo };
    for (const name of Object.keys(repo) as (keyof R)[]) {
      const fn = repo[name] as unknown as (...args: unknown[]) => Promise<unknown>;
      (wrapped as Record<keyof R, unknown>)[name] = (...args: unknown[]) => exclusive(() => fn(...args));
    }
    return wrapped;
  };

  const clone = <T>(v: T | undefined): T | null => (v === undefined ? null : structuredClone(v));

  const repos: Repos = {
    accounts: serialized({
      get: async (address) => accounts.get(address.toLowerCase()) ?? null,
      async ensure(address, now) {
        const id = address.toLowerCase();
        const existing = accounts.get(id);
        if (existing) return existing;
        const created = { address: id, createdAt: now };
        accounts.set(id, created);
        return created;
      },
      // Transactions run one at a time here: holding the row needs nothing more.
      async lock() {},
      count: async () => accounts.size,
      async list(q) {
        const prefix = q.search?.toLowerCase() ?? "";
        return pageOf(
          [...accounts.values()]
            .filter((a) => a.address.startsWith(prefix))
            .sort((a, b) => compareText(a.address, b.address)),
          q,
        );
      },
    }),

    apiKeys: serialized({
      async insert(key) {
        if (apiKeys.has(key.id)) throw new UniqueViolation("api_key_id");
        if ([...apiKeys.values()].some((k) => k.hash === key.hash)) throw new UniqueViolation("api_key_hash");
        apiKeys.set(key.id, key);
      },
      getByHash: async (hash) => clone([...apiKeys.values()].find((k) => k.hash === hash)),
      get: async (id) => apiKeys.get(id) ?? null,
      async update(id, patch) {
        apiKeys.patch(id, patch);
      },
      listByAddress: async (address) =>
        newestFirst(
          [...apiKeys.values()].filter((k) => k.address === address),
          (k) => k.createdAt,
          (k) => k.id,
        ).map((k) => structuredClone(k)),
      countActive: async (address) =>
        [...apiKeys.values()].filter((k) => k.address === address && k.revokedAt === null).length,
    }),

    workers: serialized({
      get: async (id) => workers.get(id) ?? null,
      async insert(worker) {
        if (workers.has(worker.workerId)) throw new UniqueViolation("worker_id");
        workers.set(worker.workerId, worker);
      },
      async update(id, patch) {
        workers.patch(id, patch);
      },
      async addCounters(id, delta) {
        const w = workers.get(id);
        if (!w) return;
        const next: Partial<WorkerRecord> = {};
        for (const [key, by] of Object.entries(delta) as [keyof typeof delta, number][]) {
          if (by) next[key] = w[key] + by;
        }
        workers.patch(id, next);
      },
      async updateLive(batch) {
        for (const u of batch) {
          const { workerId, ...fields } = u;
          workers.patch(workerId, fields);
        }
      },
      listOnline: async () => [...workers.values()].filter((w) => w.online).map((w) => structuredClone(w)),
      async findCandidates(q) {
        const matches = [...workers.values()].filter(
          (w) =>
            (q.workerId === undefined || w.workerId === q.workerId) &&
            isCandidate(w, openLeaseByWorker.has(w.workerId), q),
        );
        // price/hashrate ascending by cross-multiplication, then id: the order the SQL adapters use.
        matches.sort((a, b) => {
          const left = a.pricePerSec * BigInt(Math.round(b.hashrate * 100));
          const right = b.pricePerSec * BigInt(Math.round(a.hashrate * 100));
          return left < right ? -1 : left > right ? 1 : a.workerId < b.workerId ? -1 : 1;
        });
        return matches.slice(0, q.limit).map((w) => structuredClone(w));
      },
      listWithPendingControl: async () =>
        [...workers.values()].filter((w) => w.pendingControl !== null).map((w) => structuredClone(w)),
      listByOwner: async (owner) =>
        [...workers.values()].filter((w) => w.owner === owner).map((w) => structuredClone(w)),
      async page(q) {
        const matching = [...workers.values()]
          .filter((w) => matchesWorkers(w, q))
          .sort((a, b) => compareWorkers(a, b, q.sortBy, q.sortDir));
        const start = (q.page - 1) * q.limit;
        return {
          items: matching.slice(start, start + q.limit).map((w) => structuredClone(w)),
          total: matching.length,
        };
      },
      async totals(q = {}) {
        const owner = q.owner?.toLowerCase();
        const mine = [...workers.values()].filter((w) => owner === undefined || w.owner === owner);
        const online = mine.filter((w) => w.online);
        const sum = (rows: WorkerRecord[], of: (w: WorkerRecord) => number) =>
          rows.reduce((total, w) => total + of(w), 0);
        return {
          total: mine.length,
          online: online.length,
          banned: mine.filter((w) => w.banned).length,
          suspect: mine.filter((w) => w.suspect).length,
          listed: mine.filter((w) => w.listed).length,
          hashrate: sum(online, (w) => w.hashrate),
          gpus: sum(mine, (w) => w.gpuCount),
          activeGpus: sum(online, (w) => w.activeGpus),
          leaseBlocks: sum(mine, (w) => w.leaseBlocks),
          selfBlocks: sum(mine, (w) => w.selfBlocks),
          owners: new Set(mine.map((w) => w.owner)).size,
          firstRegisteredAt: mine.reduce<number | null>(
            (first, w) => (first === null || w.registeredAt < first ? w.registeredAt : first),
            null,
          ),
        };
      },
      async gpuModelCounts(q) {
        const counts = new Map<string, number>();
        for (const w of workers.values()) {
          if (!matchesWorkers(w, q)) continue;
          for (const model of new Set(w.gpus.map((g) => g.name)))
            counts.set(model, (counts.get(model) ?? 0) + 1);
        }
        return [...counts]
          .map(([model, count]) => ({ model, count }))
          .sort((a, b) => b.count - a.count || compareText(a.model, b.model));
      },
    }),

    leases: serialized({
      get: async (id) => leases.get(id) ?? null,
      // Transactions run one at a time here, so a plain read is already exclusive.
      getForUpdate: async (id) => leases.get(id) ?? null,
      async insert(lease) {
        if (leases.has(lease.leaseId)) throw new UniqueViolation("lease_id");
        if (isOpen(lease) && openLeaseByWorker.has(lease.workerId)) {
          throw new UniqueViolation("open_lease_per_worker");
        }
        if (prefixes.has(lease.prefix)) throw new UniqueViolation("lease_prefix");
        leases.set(lease.leaseId, lease);
        prefixes.set(lease.prefix, true);
        if (isOpen(lease)) openLeaseByWorker.set(lease.workerId, lease.leaseId);
      },
      async update(id, patch) {
        const before = leases.get(id);
        if (!before) return;
        leases.patch(id, patch);
        if (isOpen(before) && patch.state !== undefined && !isOpen({ state: patch.state })) {
          openLeaseByWorker.delete(before.workerId);
        }
      },
      async updateLive(batch) {
        for (const { leaseId, ...fields } of batch) {
          // Only a running lease takes live figures; an ended one keeps what settlement wrote.
          if (leases.get(leaseId)?.state === "active") leases.patch(leaseId, fields);
        }
      },
      async addBlockCounts(id, delta) {
        const l = leases.get(id);
        if (!l) return;
        leases.patch(id, {
          blocksAccepted: l.blocksAccepted + (delta.accepted ?? 0),
          blocksRejected: l.blocksRejected + (delta.rejected ?? 0),
        });
      },
      async openForWorker(workerId) {
        const id = openLeaseByWorker.get(workerId);
        return id === undefined ? null : (leases.get(id) ?? null);
      },
      prefixExists: async (prefix) => prefixes.has(prefix),
      dueForExpiry: async (now, limit) =>
        [...leases.values()]
          .filter((l) => l.state === "active" && l.expiresAt !== null && l.expiresAt <= now)
          .sort((a, b) => a.expiresAt! - b.expiresAt!)
          .slice(0, limit)
          .map((l) => structuredClone(l)),
      pendingCreatedBefore: async (before, limit) =>
        [...leases.values()]
          .filter((l) => l.state === "pending" && l.createdAt <= before)
          .sort((a, b) => a.createdAt - b.createdAt)
          .slice(0, limit)
          .map((l) => structuredClone(l)),
      listOpen: async () => [...leases.values()].filter(isOpen).map((l) => structuredClone(l)),
      sumOpenEscrow: async () => [...leases.values()].filter(isOpen).reduce((sum, l) => sum + l.escrow, 0n),
      sumOpenEscrowOf: async (renter) =>
        [...leases.values()]
          .filter((l) => isOpen(l) && l.renter === renter)
          .reduce((s, l) => s + l.escrow, 0n),
      list: async (q) =>
        pageOf(
          newestFirst(
            [...leases.values()].filter((l) => matchesLease(l, q)),
            (l) => l.createdAt,
            (l) => l.leaseId,
          ),
          q,
        ),
      count: async (q = {}) => [...leases.values()].filter((l) => matchesLease(l, q)).length,
      countRenters: async () => new Set([...leases.values()].map((l) => l.renter)).size,
      sumBlocksAccepted: async (q) =>
        [...leases.values()].filter((l) => matchesLease(l, q)).reduce((n, l) => n + l.blocksAccepted, 0),
      confirmedBefore: async (at, limit) =>
        newestFirst(
          [...leases.values()].filter((l) => l.confirmedAt !== null && (at === null || l.confirmedAt <= at)),
          (l) => l.confirmedAt!,
          (l) => l.leaseId,
        )
          .slice(0, limit)
          .map((l) => structuredClone(l)),
      endedBefore: async (at, limit) =>
        newestFirst(
          [...leases.values()].filter(
            (l) => !isOpen(l) && l.endedAt !== null && (at === null || l.endedAt <= at),
          ),
          (l) => l.endedAt!,
          (l) => l.leaseId,
        )
          .slice(0, limit)
          .map((l) => structuredClone(l)),
    }),

    blocks: serialized({
      async insert(block) {
        if (blockIdByKey.has(block.key)) throw new UniqueViolation("block_key");
        const id = ++blockSeq;
        const row = { ...block, id };
        blocks.set(id, row);
        blockIdByKey.set(block.key, id);
        journal()?.record(() => {
          if (blockSeq === id) blockSeq--;
        });
        return structuredClone(row);
      },
      async getByKey(key) {
        const id = blockIdByKey.get(key);
        return id === undefined ? null : (blocks.get(id) ?? null);
      },
      async update(id, patch) {
        blocks.patch(id, patch);
      },
      dueChainChecks: async (now, limit) =>
        [...blocks.values()]
          .filter(
            (b) => b.chainStatus === "pending" && b.nextChainCheckAt !== null && b.nextChainCheckAt <= now,
          )
          .sort((a, b) => a.nextChainCheckAt! - b.nextChainCheckAt! || a.id - b.id)
          .slice(0, limit)
          .map((b) => structuredClone(b)),
      listByLease: async (leaseId, q) =>
        pageOf(
          [...blocks.values()].filter((b) => b.leaseId === leaseId).sort((a, b) => a.id - b.id),
          q,
        ),
      recent: async (limit) =>
        [...blocks.values()]
          .sort((a, b) => b.id - a.id)
          .slice(0, limit)
          .map((b) => structuredClone(b)),
      list: async (q) =>
        pageOf(
          [...blocks.values()]
            .filter((b) => matchesBlock(b, q))
            .sort((a, b) => (q.order === "oldest" ? a.id - b.id : b.id - a.id)),
          q,
        ),
      count: async (q = {}) => [...blocks.values()].filter((b) => matchesBlock(b, q)).length,
      countByBucket: async (q) =>
        byBucket(
          [...blocks.values()].filter(
            (b) => b.receivedAt >= q.from && b.receivedAt < q.to && matchesBlock(b, q),
          ),
          (b) => bucketOf(b.receivedAt, q.bucketMs),
          0,
          (n) => n + 1,
        ).map(({ ts, value }) => ({ ts, count: value })),
    }),

    ledger: serialized({
      async balances(list) {
        return new Map(list.map((account) => [account, balances.get(account) ?? 0n]));
      },
      async post(posted, next) {
        const ids = new Set(posted.map((t) => t.id));
        if (ids.size < posted.length || posted.some((t) => transfers.has(t.id))) {
          throw new UniqueViolation("transfer_id");
        }
        for (const t of posted) {
          transfers.set(t.id, t);
          transferOrder.append({ transferId: t.id });
        }
        for (const [account, balance] of next) balances.set(account, balance);
      },
      getTransfer: async (id) => transfers.get(id) ?? null,
      async sumCredits(q) {
        let sum = 0n;
        for (const t of transfers.values()) {
          if (t.type === q.type && t.to === q.to && t.createdAt >= q.since) {
            if (q.idPrefix === undefined || t.id.startsWith(q.idPrefix)) sum += t.amount;
          }
        }
        return sum;
      },
      async history(account, q) {
        const mine = transferOrder
          .all()
          .map((o) => transfers.get(o.transferId)!)
          .filter(
            (t) => (t.from === account || t.to === account) && (q.type === undefined || t.type === q.type),
          )
          .reverse();
        return pageOf(mine, q);
      },
      allBalances: async () => new Map([...balancesEntries()]),
    }),

    settlements: serialized({
      async insert(s) {
        if (settlements.has(s.leaseId)) throw new UniqueViolation("settlement_lease");
        settlements.set(s.leaseId, s);
      },
      get: async (leaseId) => settlements.get(leaseId) ?? null,
      list: async (q) =>
        pageOf(
          newestFirst(
            [...settlements.values()].filter((s) => matchesSettlement(s, q)),
            (s) => s.settledAt,
            (s) => s.leaseId,
          ),
          q,
        ),
      count: async (q = {}) => [...settlements.values()].filter((s) => matchesSettlement(s, q)).length,
      async totals(q = {}) {
        const totals: SettlementTotals = {
          count: 0,
          completed: 0,
          interrupted: 0,
          cancelled: 0,
          total: 0n,
          fee: 0n,
          providerAmount: 0n,
          refund: 0n,
        };
        for (const s of settlements.values()) {
          if (!matchesSettlement(s, q) || (q.since !== undefined && s.settledAt < q.since)) continue;
          totals.count++;
          if (s.state === "completed" || s.state === "interrupted" || s.state === "cancelled")
            totals[s.state]++;
          totals.total += s.total;
          totals.fee += s.fee;
          totals.providerAmount += s.providerAmount;
          totals.refund += s.refund;
        }
        return totals;
      },
      providerEarningsByBucket: async (q) =>
        byBucket(
          [...settlements.values()].filter(
            (s) => s.provider === q.provider && s.settledAt >= q.from && s.settledAt < q.to,
          ),
          (s) => bucketOf(s.settledAt, q.bucketMs),
          0n,
          (sum, s) => sum + s.providerAmount,
        ).map(({ ts, value }) => ({ ts, sum: value })),
    }),

    withdrawals: serialized({
      async insert(w) {
        if (withdrawals.has(w.id)) throw new UniqueViolation("withdrawal_id");
        withdrawals.set(w.id, w);
      },
      get: async (id) => withdrawals.get(id) ?? null,
      getForUpdate: async (id) => withdrawals.get(id) ?? null,
      async update(id, patch) {
        withdrawals.patch(id, patch);
      },
      sumRequested: async (address) =>
        [...withdrawals.values()]
          .filter((w) => w.state === "requested" && (address === undefined || w.address === address))
          .reduce((sum, w) => sum + w.amount, 0n),
      list: async (q) =>
        pageOf(
          newestFirst(
            [...withdrawals.values()].filter(
              (w) =>
                (q.address === undefined || w.address === q.address) &&
                (q.state === undefined || w.state === q.state),
            ),
            (w) => w.createdAt,
            (w) => w.id,
          ),
          q,
        ),
    }),

    health: serialized({
      async append(e) {
        health.append(e);
      },
      list: async (q) =>
        pageOf(
          health
            .all()
            .filter((e) => q.workerId === undefined || e.workerId === q.workerId)
            .slice()
            .reverse(),
          q,
        ),
    }),

    audit: serialized({
      async append(e) {
        audit.append(e);
      },
      list: async (q) => pageOf(audit.all().slice().reverse(), q),
    }),

    monitoring: serialized({
      async insertSnapshots(rows) {
        for (const row of rows) snapshots.append(row);
      },
      async rollupHour(hourStart) {
        const rows = snapshots.all().filter((s) => s.ts >= hourStart && s.ts < hourStart + HOUR);
        return upsertRollups(hourly, hourStart, rows);
      },
      async rollupDay(dayStart) {
        const rows = [...hourly.values()].filter(
          (h) => h.bucketStart >= dayStart && h.bucketStart < dayStart + DAY,
        );
        const byWorker = new Map<string, HashrateRollup[]>();
        for (const h of rows) byWorker.set(h.workerId, [...(byWorker.get(h.workerId) ?? []), h]);
        for (const [workerId, hours] of byWorker) {
          const samples = hours.reduce((n, h) => n + h.samples, 0);
          daily.set(`${workerId}|${dayStart}`, {
            workerId,
            bucketStart: dayStart,
            avgHashrate: hours.reduce((sum, h) => sum + h.avgHashrate * h.samples, 0) / samples,
            maxHashrate: Math.max(...hours.map((h) => h.maxHashrate)),
            samples,
            onlineSamples: hours.reduce((n, h) => n + h.onlineSamples, 0),
          });
        }
        return byWorker.size;
      },
      async prune(before) {
        const result = {
          raw: snapshots.removeWhere((s) => s.ts < before.raw),
          hourly: removeRollups(hourly, before.hourly),
          daily: removeRollups(daily, before.daily),
          health: health.removeWhere((e) => e.at < before.health),
        };
        return result;
      },
      snapshots: async (q) =>
        snapshots
          .all()
          .filter((s) => inRange(s.ts, s.workerId, q))
          .map(({ id: _id, ...s }) => ({ ...s })),
      hourly: async (q) => rollupsIn(hourly, q),
      daily: async (q) => rollupsIn(daily, q),
      async series(q) {
        const keeps = ownerKeeps(q.owner);
        const inQuery = (ts: number, workerId: string) =>
          ts >= q.from &&
          ts < q.to &&
          (q.workerId === undefined || q.workerId === workerId) &&
          keeps(workerId);
        // Per bucket and worker: Σ hashrate × weight, Σ active GPUs × weight, Σ weight, online weight.
        type Acc = { hashrate: number; gpus: number; weight: number; online: number };
        const buckets = new Map<number, Map<string, Acc>>();
        const add = (ts: number, workerId: string, row: Acc) => {
          const bucket = bucketOf(ts, q.bucketMs);
          const perWorker = buckets.get(bucket) ?? new Map<string, Acc>();
          buckets.set(bucket, perWorker);
          const acc = perWorker.get(workerId) ?? { hashrate: 0, gpus: 0, weight: 0, online: 0 };
          perWorker.set(workerId, {
            hashrate: acc.hashrate + row.hashrate,
            gpus: acc.gpus + row.gpus,
            weight: acc.weight + row.weight,
            online: acc.online + row.online,
          });
        };
        if (q.source === "raw") {
          for (const s of snapshots.all()) {
            if (inQuery(s.ts, s.workerId))
              add(s.ts, s.workerId, { hashrate: s.hashrate, gpus: s.activeGpus, weight: 1, online: 0 });
          }
        } else {
          for (const r of (q.source === "hourly" ? hourly : daily).values()) {
            if (inQuery(r.bucketStart, r.workerId))
              add(r.bucketStart, r.workerId, {
                hashrate: r.avgHashrate * r.samples,
                gpus: 0,
                weight: r.samples,
                online: r.onlineSamples,
              });
          }
        }
        const points: HashratePoint[] = [];
        for (const [ts, perWorker] of [...buckets].sort(([a], [b]) => a - b)) {
          let hashrate = 0;
          let gpus = 0;
          let online = 0;
          for (const acc of perWorker.values()) {
            const average = acc.weight > 0 ? acc.hashrate / acc.weight : 0;
            hashrate += average;
            gpus += acc.weight > 0 ? acc.gpus / acc.weight : 0;
            if (q.source === "raw" ? average > 0 : acc.online > 0) online++;
          }
          points.push({ ts, hashrate, activeGpus: q.source === "raw" ? gpus : null, onlineWorkers: online });
        }
        return points;
      },
    }),

    idempotency: serialized({
      get: async (actor, key) => idempotency.get(`${actor}|${key}`) ?? null,
      async insert(record) {
        const id = `${record.actor}|${record.key}`;
        if (idempotency.has(id)) throw new UniqueViolation("idempotency_key");
        idempotency.set(id, record);
      },
      async prune(before) {
        const old = [...idempotency.values()].filter((r) => r.createdAt < before);
        for (const r of old) idempotency.delete(`${r.actor}|${r.key}`);
        return old.length;
      },
    }),

    settings: serialized({
      get: async (key) => settings.get(key) ?? null,
      async setIfAbsent(key, value) {
        const stored = settings.get(key);
        if (stored !== undefined) return stored;
        settings.set(key, value);
        return value;
      },
    }),

    revokedTokens: serialized({
      async revoke(tokenId, expiresAt) {
        if (!revokedTokens.has(tokenId)) revokedTokens.set(tokenId, expiresAt);
      },
      isRevoked: async (tokenId) => revokedTokens.has(tokenId),
      async prune(before) {
        const old: string[] = [];
        for (const [tokenId, expiresAt] of revokedTokens.entries()) if (expiresAt < before) old.push(tokenId);
        for (const tokenId of old) revokedTokens.delete(tokenId);
        return old.length;
      },
    }),

    siweNonces: serialized({
      async insert(record) {
        if (siweNonces.has(record.nonce)) throw new Error(`nonce ${record.nonce} is already stored`);
        siweNonces.set(record.nonce, { ...record, seq: ++siweNonceSeq });
      },
      async take(nonce) {
        const row = siweNonces.get(nonce);
        if (!row) return null;
        siweNonces.delete(nonce);
        const { seq: _, ...record } = row;
        return record;
      },
      async countForAddress(address, now) {
        let count = 0;
        for (const n of siweNonces.values()) if (n.address === address && n.expiresAt > now) count++;
        return count;
      },
      async trimForAddress(address, keep) {
        if (!Number.isSafeInteger(keep) || keep < 0) {
          throw new RangeError(`keep must be a non-negative integer, got ${keep}`);
        }
        const mine = [...siweNonces.values()]
          .filter((n) => n.address === address)
          .sort((a, b) => b.seq - a.seq);
        const old = mine.slice(keep);
        for (const n of old) siweNonces.delete(n.nonce);
        return old.length;
      },
      async prune(before) {
        const old = [...siweNonces.values()].filter((n) => n.expiresAt < before);
        for (const n of old) siweNonces.delete(n.nonce);
        return old.length;
      },
    }),
  };

  function* balancesEntries(): Generator<[string, bigint]> {
    for (const account of balanceAccounts()) yield [account, balances.get(account) ?? 0n];
  }
  function balanceAccounts(): Set<string> {
    const accountsSeen = new Set<string>();
    for (const t of transfers.values()) {
      accountsSeen.add(t.from);
      accountsSeen.add(t.to);
    }
    return accountsSeen;
  }

  return {
    engine: "memory",
    ...repos,
    transaction: (body) => exclusive(() => body(repos)),
    async close() {},
  };
}
