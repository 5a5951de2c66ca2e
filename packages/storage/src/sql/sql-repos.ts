/**
 * The repositories of the Storage port over SQL, written once for SQLite (libSQL) and Postgres.
 * Filters, sorts and pagination run in the database; uniqueness that guards money is enforced by
 * the schema's indexes and surfaces as the domain's `UniqueViolation`.
 */
import {
  type BlockFilter,
  type CursorQuery,
  type HashratePoint,
  type LeaseRecord,
  type LeaseState,
  type Page,
  type Repos,
  type TimeRange,
  type Transfer,
  UniqueViolation,
  type WorkerCounterDelta,
  type WorkerPageQuery,
  type WorkerSort,
} from "@xenblocks/core";
import {
  and,
  asc,
  desc,
  eq,
  getTableColumns,
  gt,
  gte,
  inArray,
  isNotNull,
  isNull,
  lt,
  lte,
  ne,
  notInArray,
  or,
  type SQL,
  type SQLWrapper,
  sql,
} from "drizzle-orm";
import { chunks, type Db, type Dialect, likeLiteral, type Tables } from "./dialect.js";

const OPEN_STATES = ["pending", "active"] as const;
/** Rows per multi-row insert: 4–12 columns each stays far below SQLite's 32,766 parameters. */
const INSERT_CHUNK = 1000;

export interface SqlContext {
  dialect: Dialect;
  t: Tables;
  /** True inside a transaction: Postgres then locks the rows it reads for update. */
  inTransaction: boolean;
}

/** Where a page starts: an explicit `offset` wins over the cursor (REST offset pages). */
const offsetOf = (q: CursorQuery) => {
  if (q.offset !== undefined) return Number.isSafeInteger(q.offset) && q.offset > 0 ? q.offset : 0;
  const n = q.cursor ? Number.parseInt(q.cursor, 10) : 0;
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
};
/** Reads one row more than asked to know whether a next page exists. */
function pageFrom<T>(rows: T[], q: CursorQuery): Page<T> {
  const offset = offsetOf(q);
  const items = rows.slice(0, q.limit);
  return { items, nextCursor: rows.length > q.limit ? String(offset + q.limit) : null };
}
/** The searchable form of a worker's GPUs: lowercase names, one per line. */
export const gpuNamesOf = (gpus: readonly { name: string }[]) =>
  gpus.map((g) => g.name.toLowerCase()).join("\n");

/** The distinct GPU names as reported, a JSON array: what the facet query counts. */
export const gpuModelsOf = (gpus: readonly { name: string }[]) =>
  JSON.stringify([...new Set(gpus.map((g) => g.name))]);

const toBigint = (value: unknown): bigint =>
  value === null || value === undefined
    ? 0n
    : BigInt(typeof value === "number" ? Math.trunc(value) : String(value));
/** Counts, sums and averages come back as numbers (SQLite) or strings (Postgres int8/numeric). */
const toNumber = (value: unknown): number => (value === null || value === undefined ? 0 : Number(value));
/**
 * An exact bigint sum of a money column: the text form of the SQL sum, so neither Postgres' numeric
 * nor SQLite's 64-bit integer passes through a JavaScript number on the way.
 */
const moneySum = (column: SQLWrapper) => sql<string | null>`CAST(sum(${column}) AS TEXT)`;

type WorkerFilter = Omit<WorkerPageQuery, "page" | "limit" | "sortBy" | "sortDir">;

/** Bucket widths are whole, positive milliseconds. */
function checkBucket(bucketMs: number): void {
  if (!Number.isSafeInteger(bucketMs) || bucketMs <= 0)
    throw new RangeError(`bucketMs must be a positive integer, got ${bucketMs}`);
}

export function createSqlRepos(db: Db, ctx: SqlContext): Repos {
  const { t, dialect } = ctx;

  /** Runs a write and turns a unique-index refusal into the domain's UniqueViolation. */
  async function guard<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      const constraint = dialect.uniqueConstraint(error);
      if (constraint) throw new UniqueViolation(constraint);
      throw error;
    }
  }
  const first = <T>(rows: T[]): T | null => rows[0] ?? null;
  const hasKeys = (patch: object) => Object.keys(patch).length > 0;

  const transferRow = (x: Transfer) => ({
    id: x.id,
    type: x.type,
    from: x.from,
    to: x.to,
    amount: x.amount,
    referenceKind: x.reference.kind,
    referenceId: x.reference.id,
    createdAt: x.createdAt,
    fromBalanceAfter: x.fromBalanceAfter,
    toBalanceAfter: x.toBalanceAfter,
  });
  const toTransfer = (r: typeof t.transfers.$inferSelect): Transfer => ({
    id: r.id,
    type: r.type,
    from: r.from as Transfer["from"],
    to: r.to as Transfer["to"],
    amount: r.amount,
    reference: { kind: r.referenceKind, id: r.referenceId },
    createdAt: r.createdAt,
    fromBalanceAfter: r.fromBalanceAfter,
    toBalanceAfter: r.toBalanceAfter,
  });
  const rangeOf = (
    ts: typeof t.hashrateSnapshots.ts,
    workerId: typeof t.hashrateSnapshots.workerId,
    q: TimeRange,
  ) => and(gte(ts, q.from), lt(ts, q.to), q.workerId === undefined ? undefined : eq(workerId, q.workerId));
  const isOpenLease = inArray(t.leases.state, [...OPEN_STATES]);
  // Every column of a worker but the derived search columns: rows come back as WorkerRecords.
  const { gpuNames, gpuModels: _gpuModels, ...workerColumns } = getTableColumns(t.workers);
  const workersSelect = () => db.select(workerColumns).from(t.workers);
  const gpuMatches = (text: string) => sql`${gpuNames} LIKE ${`%${likeLiteral(text)}%`} ESCAPE '\\'`;
  const w = t.workers;
  const hasOpenLease = sql`EXISTS (SELECT 1 FROM ${t.leases} WHERE ${t.leases.workerId} = ${w.workerId} AND ${t.leases.state} IN ('pending', 'active'))`;

  /** The filters of a worker page (core's `matchesWorkerPage`, plus `leased`). */
  function workerWhere(q: WorkerFilter): SQL | undefined {
    const search = q.search ? likeLiteral(q.search) : null;
    return and(
      q.status === "online" ? eq(w.online, true) : q.status === "offline" ? eq(w.online, false) : undefined,
      q.owner === undefined ? undefined : eq(w.owner, q.owner.toLowerCase()),
      q.listed === undefined ? undefined : eq(w.listed, q.listed),
      q.availableOnly
        ? and(
            eq(w.online, true),
            eq(w.state, "AVAILABLE"),
            eq(w.listed, true),
            eq(w.banned, false),
            eq(w.suspect, false),
            sql`NOT ${hasOpenLease}`,
          )
        : undefined,
      search === null
        ? undefined
        : or(
            sql`lower(${w.workerId}) LIKE ${`${search}%`} ESCAPE '\\'`,
            sql`${w.owner} LIKE ${`${search}%`} ESCAPE '\\'`,
            gpuMatches(q.search!),
          ),
      q.gpu === undefined ? undefined : gpuMatches(q.gpu),
      q.minHashrate === undefined ? undefined : gte(w.hashrate, q.minHashrate),
      q.maxPricePerSec === undefined ? undefined : lte(w.pricePerSec, q.maxPricePerSec),
      q.minGpus === undefined ? undefined : gte(w.gpuCount, q.minGpus),
      q.minMemoryGb === undefined ? undefined : gte(w.totalMemoryGb, q.minMemoryGb),
      q.durationSec === undefined
        ? undefined
        : and(lte(w.minDurationSec, q.durationSec), gte(w.maxDurationSec, q.durationSec)),
      q.leased === undefined ? undefined : q.leased ? hasOpenLease : sql`NOT ${hasOpenLease}`,
    );
  }

  /** The worker ids of one owner, for filters on other tables (owner is stored lowercase). */
  const workersOf = (owner: string) =>
    db.select({ id: w.workerId }).from(w).where(eq(w.owner, owner.toLowerCase()));

  const l = t.leases;
  function leaseWhere(q: {
    renter?: string;
    provider?: string;
    party?: string;
    workerId?: string;
    state?: LeaseState;
    open?: boolean;
  }): SQL | undefined {
    return and(
      q.renter === undefined ? undefined : eq(l.renter, q.renter),
      q.provider === undefined ? undefined : eq(l.provider, q.provider),
      q.party === undefined ? undefined : or(eq(l.renter, q.party), eq(l.provider, q.party)),
      q.workerId === undefined ? undefined : eq(l.workerId, q.workerId),
      q.state === undefined ? undefined : eq(l.state, q.state),
      q.open === undefined ? undefined : q.open ? isOpenLease : notInArray(l.state, [...OPEN_STATES]),
    );
  }

  const b = t.blocks;
  function blockWhere(q: BlockFilter): SQL | undefined {
    return and(
      q.workerId === undefined ? undefined : eq(b.workerId, q.workerId),
      q.owner === undefined ? undefined : inArray(b.workerId, workersOf(q.owner)),
      q.leaseId === undefined ? undefined : eq(b.leaseId, q.leaseId),
      q.selfOnly ? isNull(b.leaseId) : undefined,
      q.status === undefined ? undefined : eq(b.status, q.status),
      q.chainStatus === undefined ? undefined : eq(b.chainStatus, q.chainStatus),
      q.since === undefined ? undefined : gte(b.receivedAt, q.since),
      q.until === undefined ? undefined : lte(b.receivedAt, q.until),
    );
  }

  const st = t.settlements;
  function settlementWhere(q: {
    party?: string;
    provider?: string;
    renter?: string;
    leaseId?: string;
    since?: number;
  }): SQL | undefined {
    return and(
      q.party === undefined ? undefined : or(eq(st.renter, q.party), eq(st.provider, q.party)),
      q.provider === undefined ? undefined : eq(st.provider, q.provider),
      q.renter === undefined ? undefined : eq(st.renter, q.renter),
      q.leaseId === undefined ? undefined : eq(st.leaseId, q.leaseId),
      q.since === undefined ? undefined : gte(st.settledAt, q.since),
    );
  }

  /** floor(column / bucketMs) * bucketMs in SQL (integer division; times are never negative). */
  const bucketStart = (column: SQLWrapper, bucketMs: number) =>
    sql<number>`(${column} / CAST(${bucketMs} AS BIGINT)) * CAST(${bucketMs} AS BIGINT)`;

  return {
    accounts: {
      get: async (address) =>
        first(
          await db.select().from(t.accounts).where(eq(t.accounts.address, address.toLowerCase())).limit(1),
        ),
      async ensure(address, now) {
        const id = address.toLowerCase();
        await db.insert(t.accounts).values({ address: id, createdAt: now }).onConflictDoNothing();
        return (await db.select().from(t.accounts).where(eq(t.accounts.address, id)).limit(1))[0]!;
      },
      async lock(address) {
        const query = db
          .select({ a: t.accounts.address })
          .from(t.accounts)
          .where(eq(t.accounts.address, address.toLowerCase()));
        await (ctx.inTransaction ? dialect.forUpdate(query) : query);
      },
      count: () => db.$count(t.accounts).then(Number),
      async list(q) {
        const a = t.accounts;
        const rows = await db
          .select()
          .from(a)
          .where(q.search ? sql`${a.address} LIKE ${`${likeLiteral(q.search)}%`} ESCAPE '\\'` : undefined)
          .orderBy(asc(a.address))
          .limit(q.limit + 1)
          .offset(offsetOf(q));
        return pageFrom(rows, q);
      },
    },

    apiKeys: {
      insert: (key) => guard(async () => void (await db.insert(t.apiKeys).values(key))),
      getByHash: async (hash) =>
        first(await db.select().from(t.apiKeys).where(eq(t.apiKeys.hash, hash)).limit(1)),
      get: async (id) => first(await db.select().from(t.apiKeys).where(eq(t.apiKeys.id, id)).limit(1)),
      async update(id, patch) {
        if (hasKeys(patch)) await db.update(t.apiKeys).set(patch).where(eq(t.apiKeys.id, id));
      },
      listByAddress: (address) =>
        db
          .select()
          .from(t.apiKeys)
          .where(eq(t.apiKeys.address, address))
          .orderBy(desc(t.apiKeys.createdAt), desc(t.apiKeys.id)),
      countActive: (address) =>
        db.$count(t.apiKeys, and(eq(t.apiKeys.address, address), isNull(t.apiKeys.revokedAt))).then(Number),
    },

    workers: {
      get: async (id) => first(await workersSelect().where(eq(t.workers.workerId, id)).limit(1)),
      insert: (worker) =>
        guard(
          async () =>
            void (await db
              .insert(t.workers)
              .values({ ...worker, gpuNames: gpuNamesOf(worker.gpus), gpuModels: gpuModelsOf(worker.gpus) })),
        ),
      async update(id, patch) {
        if (!hasKeys(patch)) return;
        const set = patch.gpus
          ? { ...patch, gpuNames: gpuNamesOf(patch.gpus), gpuModels: gpuModelsOf(patch.gpus) }
          : patch;
        await db.update(t.workers).set(set).where(eq(t.workers.workerId, id));
      },
      async addCounters(id, delta: WorkerCounterDelta) {
        const set: Record<string, SQL> = {};
        for (const [key, by] of Object.entries(delta) as [keyof WorkerCounterDelta, number][]) {
          if (by) set[key] = sql`${t.workers[key]} + ${by}`;
        }
        if (hasKeys(set)) await db.update(t.workers).set(set).where(eq(t.workers.workerId, id));
      },
      updateLive: (batch) => (batch.length > 0 ? dialect.updateWorkersLive(db, batch) : Promise.resolve()),
      listOnline: () => workersSelect().where(eq(t.workers.online, true)),
      findCandidates(q) {
        const w = t.workers;
        const conditions = [
          eq(w.online, true),
          eq(w.state, "AVAILABLE"),
          eq(w.listed, true),
          eq(w.banned, false),
          eq(w.suspect, false),
          ne(w.owner, q.renter.toLowerCase()),
          or(
            isNull(w.releaseLeaseId),
            and(isNotNull(w.releaseSentAt), lte(w.releaseSentAt, q.now - q.releaseWaitMs)),
          ),
          or(isNull(w.lastSentAt), lte(w.lastSentAt, q.now - q.settleGapMs)),
          lte(w.minDurationSec, q.durationSec),
          gte(w.maxDurationSec, q.durationSec),
          sql`NOT EXISTS (SELECT 1 FROM ${t.leases} WHERE ${t.leases.workerId} = ${w.workerId} AND ${t.leases.state} IN ('pending', 'active'))`,
          q.workerId === undefined ? undefined : eq(w.workerId, q.workerId),
          q.maxPricePerSec === undefined ? undefined : lte(w.pricePerSec, q.maxPricePerSec),
          q.minHashrate === undefined ? undefined : gte(w.hashrate, q.minHashrate),
          q.gpu === undefined ? undefined : gpuMatches(q.gpu),
          q.requireHashrate ? sql`${w.hashrate} > 0` : undefined,
        ];
        return workersSelect()
          .where(and(...conditions))
          .orderBy(sql`${w.pricePerSec} * 1.0 / NULLIF(${w.hashrate}, 0) ASC NULLS LAST`, asc(w.workerId))
          .limit(q.limit);
      },
      listWithPendingControl: () => workersSelect().where(isNotNull(t.workers.pendingControl)),
      listByOwner: (owner) =>
        workersSelect().where(eq(t.workers.owner, owner)).orderBy(asc(t.workers.workerId)),
      async page(q) {
        const where = workerWhere(q);
        const column: Record<WorkerSort, SQL> = {
          value: sql`${w.pricePerSec} * 1.0 / NULLIF(${w.hashrate}, 0)`,
          price: sql`${w.pricePerSec}`,
          hashrate: sql`${w.hashrate}`,
          gpus: sql`${w.gpuCount}`,
          memory: sql`${w.totalMemoryGb}`,
          lastSeen: sql`${w.lastSeenAt}`,
          workerId: sql`${w.workerId}`,
          owner: sql`${w.owner}`,
          state: sql`COALESCE(${w.state}, '')`,
          blocks: sql`${w.leaseBlocks}`,
          activeGpus: sql`${w.activeGpus}`,
          uptime: sql`${w.onlineSec}`,
        };
        const direction = q.sortDir === "asc" ? sql`ASC` : sql`DESC`;
        // Sort and page narrow rows (id + total via a window count, one scan), then read the page's
        // full rows: sorting thousands of wide rows costs far more than 18 lookups by key.
        const page = await db
          .select({ id: w.workerId, total: sql<number>`count(*) OVER ()` })
          .from(w)
          .where(where)
          .orderBy(sql`${column[q.sortBy]} ${direction} NULLS LAST`, asc(w.workerId))
          .limit(q.limit)
          .offset((q.page - 1) * q.limit);
        if (page.length === 0)
          return { items: [], total: q.page === 1 ? 0 : Number(await db.$count(w, where)) };
        const rows = await workersSelect().where(
          inArray(
            w.workerId,
            page.map((p) => p.id),
          ),
        );
        const byId = new Map(rows.map((r) => [r.workerId, r]));
        return { items: page.map((p) => byId.get(p.id)!), total: Number(page[0]!.total) };
      },
      async totals(q = {}) {
        const [row] = await db
          .select({
            total: sql`count(*)`,
            online: sql`sum(CASE WHEN ${w.online} THEN 1 ELSE 0 END)`,
            banned: sql`sum(CASE WHEN ${w.banned} THEN 1 ELSE 0 END)`,
            suspect: sql`sum(CASE WHEN ${w.suspect} THEN 1 ELSE 0 END)`,
            listed: sql`sum(CASE WHEN ${w.listed} THEN 1 ELSE 0 END)`,
            hashrate: sql`sum(CASE WHEN ${w.online} THEN ${w.hashrate} ELSE 0 END)`,
            gpus: sql`sum(${w.gpuCount})`,
            activeGpus: sql`sum(CASE WHEN ${w.online} THEN ${w.activeGpus} ELSE 0 END)`,
            leaseBlocks: sql`sum(${w.leaseBlocks})`,
            selfBlocks: sql`sum(${w.selfBlocks})`,
            owners: sql`count(DISTINCT ${w.owner})`,
            firstRegisteredAt: sql`min(${w.registeredAt})`,
          })
          .from(w)
          .where(q.owner === undefined ? undefined : eq(w.owner, q.owner.toLowerCase()));
        return {
          total: toNumber(row?.total),
          online: toNumber(row?.online),
          banned: toNumber(row?.banned),
          suspect: toNumber(row?.suspect),
          listed: toNumber(row?.listed),
          hashrate: toNumber(row?.hashrate),
          gpus: toNumber(row?.gpus),
          activeGpus: toNumber(row?.activeGpus),
          leaseBlocks: toNumber(row?.leaseBlocks),
          selfBlocks: toNumber(row?.selfBlocks),
          owners: toNumber(row?.owners),
          firstRegisteredAt:
            row?.firstRegisteredAt === null || row?.firstRegisteredAt === undefined
              ? null
              : Number(row.firstRegisteredAt),
        };
      },
      async gpuModelCounts(q) {
        // One row per distinct GPU name of each matching worker (gpu_models holds each name once).
        const rows = await dialect.rows<{ model: string; count: unknown }>(
          db,
          sql`SELECT m.value AS model, count(*) AS count
              FROM ${w}, ${dialect.jsonTextElements(w.gpuModels, "m")}
              WHERE ${workerWhere(q) ?? sql`1 = 1`}
              GROUP BY m.value`,
        );
        // A few dozen names at most: the tie-break by name runs here, in binary order on every engine.
        return rows
          .map((r) => ({ model: String(r.model), count: toNumber(r.count) }))
          .sort((a, b) => b.count - a.count || (a.model < b.model ? -1 : a.model > b.model ? 1 : 0));
      },
    },

    leases: {
      get: async (id) => first(await db.select().from(t.leases).where(eq(t.leases.leaseId, id)).limit(1)),
      getForUpdate: async (id) => {
        const query = db.select().from(t.leases).where(eq(t.leases.leaseId, id)).limit(1);
        return first(await (ctx.inTransaction ? dialect.forUpdate(query) : query));
      },
      insert: (lease) => guard(async () => void (await db.insert(t.leases).values(lease))),
      async update(id, patch) {
        if (hasKeys(patch)) await db.update(t.leases).set(patch).where(eq(t.leases.leaseId, id));
      },
      updateLive: (batch) => (batch.length > 0 ? dialect.updateLeasesLive(db, batch) : Promise.resolve()),
      async addBlockCounts(id, delta) {
        await db
          .update(t.leases)
          .set({
            blocksAccepted: sql`${t.leases.blocksAccepted} + ${delta.accepted ?? 0}`,
            blocksRejected: sql`${t.leases.blocksRejected} + ${delta.rejected ?? 0}`,
          })
          .where(eq(t.leases.leaseId, id));
      },
      openForWorker: async (workerId) =>
        first(
          await db
            .select()
            .from(t.leases)
            .where(and(eq(t.leases.workerId, workerId), isOpenLease))
            .limit(1),
        ),
      prefixExists: async (prefix) => (await db.$count(t.leases, eq(t.leases.prefix, prefix))) > 0,
      dueForExpiry: (now, limit) =>
        db
          .select()
          .from(t.leases)
          .where(and(eq(t.leases.state, "active"), lte(t.leases.expiresAt, now)))
          .orderBy(asc(t.leases.expiresAt))
          .limit(limit),
      pendingCreatedBefore: (before, limit) =>
        db
          .select()
          .from(t.leases)
          .where(and(eq(t.leases.state, "pending"), lte(t.leases.createdAt, before)))
          .orderBy(asc(t.leases.createdAt))
          .limit(limit),
      listOpen: () => db.select().from(t.leases).where(isOpenLease),
      sumOpenEscrow: async () =>
        toBigint(
          (
            await db
              .select({ s: sql`sum(${t.leases.escrow})` })
              .from(t.leases)
              .where(isOpenLease)
          )[0]?.s,
        ),
      sumOpenEscrowOf: async (renter) =>
        toBigint(
          (
            await db
              .select({ s: sql`sum(${t.leases.escrow})` })
              .from(t.leases)
              .where(and(isOpenLease, eq(t.leases.renter, renter)))
          )[0]?.s,
        ),
      async list(q) {
        const rows: LeaseRecord[] = await db
          .select()
          .from(l)
          .where(leaseWhere(q))
          .orderBy(desc(l.createdAt), desc(l.leaseId))
          .limit(q.limit + 1)
          .offset(offsetOf(q));
        return pageFrom(rows, q);
      },
      count: (q = {}) => db.$count(l, leaseWhere(q)).then(Number),
      countRenters: async () =>
        toNumber((await db.select({ n: sql`count(DISTINCT ${l.renter})` }).from(l))[0]?.n),
      sumBlocksAccepted: async (q) =>
        toNumber(
          (
            await db
              .select({ s: sql`sum(${l.blocksAccepted})` })
              .from(l)
              .where(leaseWhere(q))
          )[0]?.s,
        ),
      confirmedBefore: (at, limit) =>
        db
          .select()
          .from(l)
          .where(at === null ? isNotNull(l.confirmedAt) : lte(l.confirmedAt, at))
          .orderBy(desc(l.confirmedAt), desc(l.leaseId))
          .limit(limit),
      endedBefore: (at, limit) =>
        db
          .select()
          .from(l)
          .where(
            and(
              notInArray(l.state, [...OPEN_STATES]),
              at === null ? isNotNull(l.endedAt) : lte(l.endedAt, at),
            ),
          )
          .orderBy(desc(l.endedAt), desc(l.leaseId))
          .limit(limit),
    },

    blocks: {
      insert: (block) => guard(async () => (await db.insert(t.blocks).values(block).returning())[0]!),
      getByKey: async (key) => first(await db.select().from(t.blocks).where(eq(t.blocks.key, key)).limit(1)),
      async update(id, patch) {
        if (hasKeys(patch)) await db.update(t.blocks).set(patch).where(eq(t.blocks.id, id));
      },
      dueChainChecks: (now, limit) =>
        db
          .select()
          .from(t.blocks)
          .where(and(eq(t.blocks.chainStatus, "pending"), lte(t.blocks.nextChainCheckAt, now)))
          .orderBy(asc(t.blocks.nextChainCheckAt), asc(t.blocks.id))
          .limit(limit),
      listByLease: async (leaseId, q) =>
        pageFrom(
          await db
            .select()
            .from(t.blocks)
            .where(eq(t.blocks.leaseId, leaseId))
            .orderBy(asc(t.blocks.id))
            .limit(q.limit + 1)
            .offset(offsetOf(q)),
          q,
        ),
      recent: (limit) => db.select().from(t.blocks).orderBy(desc(t.blocks.id)).limit(limit),
      list: async (q) =>
        pageFrom(
          await db
            .select()
            .from(b)
            .where(blockWhere(q))
            .orderBy(q.order === "oldest" ? asc(b.id) : desc(b.id))
            .limit(q.limit + 1)
            .offset(offsetOf(q)),
          q,
        ),
      count: (q = {}) => db.$count(b, blockWhere(q)).then(Number),
      async countByBucket(q) {
        checkBucket(q.bucketMs);
        const rows = await db
          .select({ ts: bucketStart(b.receivedAt, q.bucketMs), count: sql`count(*)` })
          .from(b)
          .where(and(gte(b.receivedAt, q.from), lt(b.receivedAt, q.to), blockWhere(q)))
          .groupBy(sql`1`)
          .orderBy(sql`1`);
        return rows.map((r) => ({ ts: Number(r.ts), count: toNumber(r.count) }));
      },
    },

    ledger: {
      async balances(accounts) {
        const sorted = [...new Set(accounts)].sort();
        if (ctx.inTransaction && dialect.name === "pg") {
          // Lock every row this transaction will change, in one order, so concurrent money paths
          // queue instead of deadlocking; create missing rows first so there is a row to lock.
          await db
            .insert(t.balances)
            .values(sorted.map((account) => ({ account, balance: 0n })))
            .onConflictDoNothing();
        }
        const query = db
          .select()
          .from(t.balances)
          .where(inArray(t.balances.account, sorted))
          .orderBy(asc(t.balances.account));
        const rows = await (ctx.inTransaction ? dialect.forUpdate(query) : query);
        const found = new Map(rows.map((r) => [r.account, r.balance]));
        return new Map(
          sorted.map((account) => [account as (typeof accounts)[number], found.get(account) ?? 0n]),
        );
      },
      async post(posted, balances) {
        await guard(async () => {
          for (const part of chunks(posted, INSERT_CHUNK))
            if (part.length) await db.insert(t.transfers).values(part.map(transferRow));
        });
        const rows = [...balances].map(([account, balance]) => ({ account, balance }));
        if (rows.length === 0) return;
        await db
          .insert(t.balances)
          .values(rows)
          .onConflictDoUpdate({ target: t.balances.account, set: { balance: sql`excluded.balance` } });
      },
      getTransfer: async (id) => {
        const row = first(await db.select().from(t.transfers).where(eq(t.transfers.id, id)).limit(1));
        return row ? toTransfer(row) : null;
      },
      async sumCredits(q) {
        const x = t.transfers;
        const [row] = await db
          .select({ s: sql`sum(${x.amount})` })
          .from(x)
          .where(
            and(
              eq(x.type, q.type),
              eq(x.to, q.to),
              gte(x.createdAt, q.since),
              q.idPrefix === undefined ? undefined : sql`${x.id} LIKE ${`${q.idPrefix}%`}`,
            ),
          );
        return toBigint(row?.s);
      },
      async history(account, q) {
        const x = t.transfers;
        const rows = await db
          .select()
          .from(x)
          .where(
            and(
              or(eq(x.from, account), eq(x.to, account)),
              q.type === undefined ? undefined : eq(x.type, q.type),
            ),
          )
          .orderBy(desc(x.seq))
          .limit(q.limit + 1)
          .offset(offsetOf(q));
        return pageFrom(rows.map(toTransfer), q);
      },
      allBalances: async () =>
        new Map((await db.select().from(t.balances)).map((r) => [r.account, r.balance])),
    },

    settlements: {
      insert: (s) => guard(async () => void (await db.insert(t.settlements).values(s))),
      get: async (leaseId) =>
        first(await db.select().from(t.settlements).where(eq(t.settlements.leaseId, leaseId)).limit(1)),
      async list(q) {
        const rows = await db
          .select()
          .from(st)
          .where(settlementWhere(q))
          .orderBy(desc(st.settledAt), desc(st.leaseId))
          .limit(q.limit + 1)
          .offset(offsetOf(q));
        return pageFrom(rows, q);
      },
      count: (q = {}) => db.$count(st, settlementWhere(q)).then(Number),
      async totals(q = {}) {
        const stateCount = (state: LeaseState) =>
          sql`sum(CASE WHEN ${st.state} = ${state} THEN 1 ELSE 0 END)`;
        const [row] = await db
          .select({
            count: sql`count(*)`,
            completed: stateCount("completed"),
            interrupted: stateCount("interrupted"),
            cancelled: stateCount("cancelled"),
            total: moneySum(st.total),
            fee: moneySum(st.fee),
            providerAmount: moneySum(st.providerAmount),
            refund: moneySum(st.refund),
          })
          .from(st)
          .where(settlementWhere(q));
        return {
          count: toNumber(row?.count),
          completed: toNumber(row?.completed),
          interrupted: toNumber(row?.interrupted),
          cancelled: toNumber(row?.cancelled),
          total: toBigint(row?.total),
          fee: toBigint(row?.fee),
          providerAmount: toBigint(row?.providerAmount),
          refund: toBigint(row?.refund),
        };
      },
      async providerEarningsByBucket(q) {
        checkBucket(q.bucketMs);
        const rows = await db
          .select({ ts: bucketStart(st.settledAt, q.bucketMs), sum: moneySum(st.providerAmount) })
          .from(st)
          .where(and(eq(st.provider, q.provider), gte(st.settledAt, q.from), lt(st.settledAt, q.to)))
          .groupBy(sql`1`)
          .orderBy(sql`1`);
        return rows.map((r) => ({ ts: Number(r.ts), sum: toBigint(r.sum) }));
      },
    },

    withdrawals: {
      insert: (w) => guard(async () => void (await db.insert(t.withdrawals).values(w))),
      get: async (id) =>
        first(await db.select().from(t.withdrawals).where(eq(t.withdrawals.id, id)).limit(1)),
      getForUpdate: async (id) => {
        const query = db.select().from(t.withdrawals).where(eq(t.withdrawals.id, id)).limit(1);
        return first(await (ctx.inTransaction ? dialect.forUpdate(query) : query));
      },
      async update(id, patch) {
        if (hasKeys(patch)) await db.update(t.withdrawals).set(patch).where(eq(t.withdrawals.id, id));
      },
      async sumRequested(address) {
        const w = t.withdrawals;
        const [row] = await db
          .select({ s: sql`sum(${w.amount})` })
          .from(w)
          .where(and(eq(w.state, "requested"), address === undefined ? undefined : eq(w.address, address)));
        return toBigint(row?.s);
      },
      async list(q) {
        const w = t.withdrawals;
        const rows = await db
          .select()
          .from(w)
          .where(
            and(
              q.address === undefined ? undefined : eq(w.address, q.address),
              q.state === undefined ? undefined : eq(w.state, q.state),
            ),
          )
          .orderBy(desc(w.createdAt), desc(w.id))
          .limit(q.limit + 1)
          .offset(offsetOf(q));
        return pageFrom(rows, q);
      },
    },

    health: {
      append: async (e) => void (await db.insert(t.healthEvents).values(e)),
      list: async (q) =>
        pageFrom(
          await db
            .select()
            .from(t.healthEvents)
            .where(q.workerId === undefined ? undefined : eq(t.healthEvents.workerId, q.workerId))
            .orderBy(desc(t.healthEvents.id))
            .limit(q.limit + 1)
            .offset(offsetOf(q)),
          q,
        ),
    },

    audit: {
      append: async (e) => void (await db.insert(t.auditLog).values(e)),
      list: async (q) =>
        pageFrom(
          await db
            .select()
            .from(t.auditLog)
            .orderBy(desc(t.auditLog.id))
            .limit(q.limit + 1)
            .offset(offsetOf(q)),
          q,
        ),
    },

    idempotency: {
      get: async (actor, key) =>
        first(
          await db
            .select()
            .from(t.idempotencyKeys)
            .where(and(eq(t.idempotencyKeys.actor, actor), eq(t.idempotencyKeys.key, key)))
            .limit(1),
        ),
      insert: (record) => guard(async () => void (await db.insert(t.idempotencyKeys).values(record))),
      prune: (before) =>
        dialect.execute(
          db,
          sql`DELETE FROM ${t.idempotencyKeys} WHERE ${t.idempotencyKeys.createdAt} < ${before}`,
        ),
    },

    monitoring: {
      async insertSnapshots(rows) {
        for (const part of chunks(rows, INSERT_CHUNK)) await db.insert(t.hashrateSnapshots).values(part);
      },
      async rollupHour(hourStart) {
        const s = t.hashrateSnapshots;
        const affected = await dialect.execute(
          db,
          sql`INSERT INTO ${t.hashrateHourly} (worker_id, bucket_start, avg_hashrate, max_hashrate, samples, online_samples)
              SELECT ${s.workerId}, CAST(${hourStart} AS BIGINT), avg(${s.hashrate}), max(${s.hashrate}), count(*),
                     sum(CASE WHEN ${s.hashrate} > 0 THEN 1 ELSE 0 END)
              FROM ${s} WHERE ${s.ts} >= ${hourStart} AND ${s.ts} < ${hourStart + 3_600_000}
              GROUP BY ${s.workerId}
              ON CONFLICT (worker_id, bucket_start) DO UPDATE SET avg_hashrate = excluded.avg_hashrate,
                max_hashrate = excluded.max_hashrate, samples = excluded.samples, online_samples = excluded.online_samples`,
        );
        return affected;
      },
      async rollupDay(dayStart) {
        const h = t.hashrateHourly;
        const affected = await dialect.execute(
          db,
          sql`INSERT INTO ${t.hashrateDaily} (worker_id, bucket_start, avg_hashrate, max_hashrate, samples, online_samples)
              SELECT ${h.workerId}, CAST(${dayStart} AS BIGINT), sum(${h.avgHashrate} * ${h.samples}) / sum(${h.samples}),
                     max(${h.maxHashrate}), sum(${h.samples}), sum(${h.onlineSamples})
              FROM ${h} WHERE ${h.bucketStart} >= ${dayStart} AND ${h.bucketStart} < ${dayStart + 86_400_000}
              GROUP BY ${h.workerId}
              ON CONFLICT (worker_id, bucket_start) DO UPDATE SET avg_hashrate = excluded.avg_hashrate,
                max_hashrate = excluded.max_hashrate, samples = excluded.samples, online_samples = excluded.online_samples`,
        );
        return affected;
      },
      async prune(before) {
        const gone = (query: SQL) => dialect.execute(db, query);
        return {
          raw: await gone(
            sql`DELETE FROM ${t.hashrateSnapshots} WHERE ${t.hashrateSnapshots.ts} < ${before.raw}`,
          ),
          hourly: await gone(
            sql`DELETE FROM ${t.hashrateHourly} WHERE ${t.hashrateHourly.bucketStart} < ${before.hourly}`,
          ),
          daily: await gone(
            sql`DELETE FROM ${t.hashrateDaily} WHERE ${t.hashrateDaily.bucketStart} < ${before.daily}`,
          ),
          health: await gone(
            sql`DELETE FROM ${t.healthEvents} WHERE ${t.healthEvents.at} < ${before.health}`,
          ),
        };
      },
      async snapshots(q) {
        const s = t.hashrateSnapshots;
        const rows = await db
          .select({ workerId: s.workerId, hashrate: s.hashrate, activeGpus: s.activeGpus, ts: s.ts })
          .from(s)
          .where(rangeOf(s.ts, s.workerId, q))
          .orderBy(asc(s.ts), asc(s.id));
        return rows;
      },
      hourly: (q) => {
        const h = t.hashrateHourly;
        return db.select().from(h).where(rollupRange(h, q)).orderBy(asc(h.bucketStart), asc(h.workerId));
      },
      daily: (q) => {
        const d = t.hashrateDaily;
        return db.select().from(d).where(rollupRange(d, q)).orderBy(asc(d.bucketStart), asc(d.workerId));
      },
      async series(q) {
        checkBucket(q.bucketMs);
        const ownWorkers = (workerId: SQLWrapper) =>
          q.owner === undefined ? undefined : sql`${workerId} IN ${workersOf(q.owner)}`;
        const rawPerWorker = () => {
          const s = t.hashrateSnapshots;
          return db
            .select({
              bucket: bucketStart(s.ts, q.bucketMs).as("bucket"),
              hashrate: sql<number>`avg(${s.hashrate})`.as("avg_hashrate"),
              gpus: sql<number | null>`avg(${s.activeGpus})`.as("avg_gpus"),
              online: sql<number>`max(CASE WHEN ${s.hashrate} > 0 THEN 1 ELSE 0 END)`.as("online"),
            })
            .from(s)
            .where(and(rangeOf(s.ts, s.workerId, q), ownWorkers(s.workerId)))
            .groupBy(sql`1`, s.workerId)
            .as("per_worker");
        };
        const rollupPerWorker = () => {
          const r = q.source === "hourly" ? t.hashrateHourly : t.hashrateDaily;
          return db
            .select({
              bucket: bucketStart(r.bucketStart, q.bucketMs).as("bucket"),
              // The sample-weighted average: the mean of the snapshots the roll-ups were built from.
              hashrate: sql<number>`sum(${r.avgHashrate} * ${r.samples}) / NULLIF(sum(${r.samples}), 0)`.as(
                "avg_hashrate",
              ),
              // Roll-ups keep no GPU counts; a typed NULL so Postgres can sum the column.
              gpus: sql<number | null>`CAST(NULL AS DOUBLE PRECISION)`.as("avg_gpus"),
              online: sql<number>`max(CASE WHEN ${r.onlineSamples} > 0 THEN 1 ELSE 0 END)`.as("online"),
            })
            .from(r)
            .where(and(rollupRange(r, q), ownWorkers(r.workerId)))
            .groupBy(sql`1`, r.workerId)
            .as("per_worker");
        };
        // Inner query: one row per bucket and worker with that worker's average in the bucket; the
        // outer query sums those averages over the workers of each bucket.
        const perWorker = q.source === "raw" ? rawPerWorker() : rollupPerWorker();
        const rows = await db
          .select({
            ts: perWorker.bucket,
            hashrate: sql`sum(${perWorker.hashrate})`,
            activeGpus: sql`sum(${perWorker.gpus})`,
            onlineWorkers: sql`sum(${perWorker.online})`,
          })
          .from(perWorker)
          .groupBy(sql`${perWorker.bucket}`)
          .orderBy(sql`${perWorker.bucket}`);
        return rows.map(
          (row): HashratePoint => ({
            ts: Number(row.ts),
            hashrate: toNumber(row.hashrate),
            activeGpus: q.source === "raw" ? toNumber(row.activeGpus) : null,
            onlineWorkers: toNumber(row.onlineWorkers),
          }),
        );
      },
    },

    settings: {
      get: async (key) =>
        (await db.select().from(t.settings).where(eq(t.settings.key, key)).limit(1))[0]?.value ?? null,
      async setIfAbsent(key, value) {
        // The database decides who was first: a concurrent writer's row survives, and is returned.
        await db.insert(t.settings).values({ key, value }).onConflictDoNothing();
        return (await db.select().from(t.settings).where(eq(t.settings.key, key)).limit(1))[0]!.value;
      },
    },

    revokedTokens: {
      async revoke(tokenId, expiresAt) {
        await db.insert(t.revokedTokens).values({ jti: tokenId, expiresAt }).onConflictDoNothing();
      },
      isRevoked: async (tokenId) =>
        (
          await db
            .select({ jti: t.revokedTokens.jti })
            .from(t.revokedTokens)
            .where(eq(t.revokedTokens.jti, tokenId))
            .limit(1)
        ).length > 0,
      prune: (before) =>
        dialect.execute(
          db,
          sql`DELETE FROM ${t.revokedTokens} WHERE ${t.revokedTokens.expiresAt} < ${before}`,
        ),
    },

    siweNonces: {
      async insert(record) {
        await db.insert(t.siweNonces).values(record);
      },
      async take(nonce) {
        // One statement deletes and returns: of concurrent takes, only the one whose DELETE removed
        // the row gets it back (Postgres re-checks the row after waiting on a concurrent delete).
        const n = t.siweNonces;
        const rows = await db.delete(n).where(eq(n.nonce, nonce)).returning({
          nonce: n.nonce,
          address: n.address,
          chainId: n.chainId,
          message: n.message,
          issuedAt: n.issuedAt,
          expiresAt: n.expiresAt,
        });
        const row = first(rows);
        return (
          row && {
            ...row,
            chainId: Number(row.chainId),
            issuedAt: Number(row.issuedAt),
            expiresAt: Number(row.expiresAt),
          }
        );
      },
      countForAddress: (address, now) =>
        db
          .$count(t.siweNonces, and(eq(t.siweNonces.address, address), gt(t.siweNonces.expiresAt, now)))
          .then(Number),
      async trimForAddress(address, keep) {
        if (!Number.isSafeInteger(keep) || keep < 0) {
          throw new RangeError(`keep must be a non-negative integer, got ${keep}`);
        }
        const n = t.siweNonces;
        // Everything at or below the address's (keep + 1)-th newest; no such row → NULL → nothing.
        return dialect.execute(
          db,
          sql`DELETE FROM ${n} WHERE ${n.address} = ${address} AND ${n.seq} <= (
            SELECT ${n.seq} FROM ${n} WHERE ${n.address} = ${address}
            ORDER BY ${n.seq} DESC LIMIT 1 OFFSET ${keep})`,
        );
      },
      prune: (before) =>
        dialect.execute(db, sql`DELETE FROM ${t.siweNonces} WHERE ${t.siweNonces.expiresAt} < ${before}`),
    },
  };

  function rollupRange(table: Tables["hashrateHourly"] | Tables["hashrateDaily"], q: TimeRange) {
    return and(
      gte(table.bucketStart, q.from),
      lt(table.bucketStart, q.to),
      q.workerId === undefined ? undefined : eq(table.workerId, q.workerId),
    );
  }
}
