/**
 * Read models of the marketplace's money and leases (api.md §2 overview, rental, provider, account,
 * admin): totals from database aggregates, lists as pages, every private view checked for its party.
 */
import type { Context } from "../context.js";
import { isAdmin } from "../context.js";
import { attempt, fail, type Result } from "../errors.js";
import { checkActor, checkId } from "../identifiers.js";
import { type Transfer, type TransferType, userAccount } from "../ledger.js";
import type { Units } from "../money.js";
import type { BlockFilter, CursorQuery, SettlementTotals } from "../ports.js";
import type {
  Actor,
  BlockRecord,
  BlockStatus,
  LeaseRecord,
  LeaseState,
  Page,
  SettlementRecord,
  WithdrawalRecord,
  WithdrawalState,
} from "../types.js";
import { round2 } from "./fleet-queries.js";

const DAY_MS = 86_400_000;

export interface OverviewStats {
  accounts: number;
  providers: number;
  renters: number;
  totalWorkers: number;
  onlineWorkers: number;
  totalHashrate: number;
  totalBlocks: number;
  blocks24h: number;
  totalLeases: number;
  activeLeases: number;
  settledVolume: Units;
  settledVolume24h: Units;
  platformRevenue: Units;
}

export interface ActivityItem {
  id: string;
  at: number;
  type: "block" | "lease_started" | "lease_completed" | "lease_interrupted" | "lease_cancelled";
  workerId: string;
  leaseId?: string;
  blockType?: string;
  durationSec?: number;
  blocksAccepted?: number;
}

export interface RenterStats {
  activeLeases: number;
  completedLeases: number;
  interruptedLeases: number;
  cancelledLeases: number;
  totalSpent: Units;
  totalRefunded: Units;
  avgCostPerLease: Units;
  blocksAccepted: number;
}

export interface ProviderDashboard {
  workerCount: number;
  onlineCount: number;
  leasedCount: number;
  currentHashrate: number;
  totalEarned: Units;
  earned24h: Units;
  activeLeases: number;
  leaseBlocks: number;
  selfBlocks: number;
}

/** The activity feed's lease items: started at confirmation, ended at the final state. */
export function leaseActivity(lease: LeaseRecord, kind: "started" | "ended"): ActivityItem | null {
  if (kind === "started") {
    if (lease.confirmedAt === null) return null;
    return {
      id: `lease_started:${lease.leaseId}`,
      at: lease.confirmedAt,
      type: "lease_started",
      workerId: lease.workerId,
      leaseId: lease.leaseId,
      durationSec: lease.durationSec,
    };
  }
  if (
    lease.endedAt === null ||
    (lease.state !== "completed" && lease.state !== "interrupted" && lease.state !== "cancelled")
  ) {
    return null;
  }
  return {
    id: `lease_ended:${lease.leaseId}`,
    at: lease.endedAt,
    type: `lease_${lease.state}`,
    workerId: lease.workerId,
    leaseId: lease.leaseId,
    durationSec: lease.durationSec,
    blocksAccepted: lease.blocksAccepted,
  };
}

export function blockActivity(block: BlockRecord): ActivityItem {
  return {
    id: `block:${block.id}`,
    at: block.receivedAt,
    type: "block",
    workerId: block.workerId,
    ...(block.leaseId !== null && { leaseId: block.leaseId }),
    blockType: block.blockType,
  };
}

/** Newest first; ties on `at` by id descending, which the cursor `at:id` continues after. */
const compareActivity = (a: ActivityItem, b: ActivityItem): number =>
  a.at !== b.at ? b.at - a.at : a.id < b.id ? 1 : a.id > b.id ? -1 : 0;

function parseActivityCursor(cursor: string | null | undefined): { at: number; id: string } | null {
  if (!cursor) return null;
  const sep = cursor.indexOf(":");
  const at = Number(cursor.slice(0, sep));
  if (sep < 1 || !Number.isSafeInteger(at)) return null;
  return { at, id: cursor.slice(sep + 1) };
}

export class MarketQueries {
  constructor(private readonly ctx: Context) {}

  async overviewStats(): Promise<OverviewStats> {
    const { storage, clock } = this.ctx;
    const since = clock.now() - DAY_MS;
    const [accounts, renters, workers, accepted, self, accepted24, self24, leases, active, all, day] =
      await Promise.all([
        storage.accounts.count(),
        storage.leases.countRenters(),
        storage.workers.totals(),
        storage.blocks.count({ status: "accepted" }),
        storage.blocks.count({ status: "self" }),
        storage.blocks.count({ status: "accepted", since }),
        storage.blocks.count({ status: "self", since }),
        storage.leases.count(),
        storage.leases.count({ open: true }),
        storage.settlements.totals(),
        storage.settlements.totals({ since }),
      ]);
    return {
      accounts,
      providers: workers.owners,
      renters,
      totalWorkers: workers.total,
      onlineWorkers: workers.online,
      totalHashrate: round2(workers.hashrate),
      totalBlocks: accepted + self,
      blocks24h: accepted24 + self24,
      totalLeases: leases,
      activeLeases: active,
      settledVolume: all.total,
      settledVolume24h: day.total,
      platformRevenue: all.fee,
    };
  }

  /**
   * Blocks and lease starts/ends merged newest first. Each source is read up to the cursor's time
   * (indexed), then merged; the cursor `at:id` is exclusive, so pages neither repeat nor skip.
   */
  async activity(q: CursorQuery): Promise<Page<ActivityItem>> {
    const { storage } = this.ctx;
    const after = parseActivityCursor(q.cursor);
    const at = after?.at ?? null;
    // Items sharing the cursor's millisecond are read again and filtered, so take a margin.
    const take = q.limit + 50;
    const [blocks, started, ended] = await Promise.all([
      storage.blocks.list({ limit: take, order: "newest", ...(at !== null && { until: at }) }),
      storage.leases.confirmedBefore(at, take),
      storage.leases.endedBefore(at, take),
    ]);
    const items: ActivityItem[] = [
      ...blocks.items.map(blockActivity),
      ...started.map((l) => leaseActivity(l, "started")),
      ...ended.map((l) => leaseActivity(l, "ended")),
    ]
      .filter((i): i is ActivityItem => i !== null)
      .filter((i) => after === null || compareActivity(i, { ...i, at: after.at, id: after.id }) > 0)
      .sort(compareActivity);
    const page = items.slice(0, q.limit);
    const last = page.at(-1);
    return { items: page, nextCursor: items.length > q.limit && last ? `${last.at}:${last.id}` : null };
  }

  /** Blocks, newest first by default; public (block data is on the chain anyway). */
  blocks(q: CursorQuery & BlockFilter & { order?: "newest" | "oldest" }): Promise<Page<BlockRecord>> {
    return this.ctx.storage.blocks.list(q);
  }

  countBlocks(q: BlockFilter = {}): Promise<number> {
    return this.ctx.storage.blocks.count(q);
  }

  /** The caller's leases as renter or provider, newest first. */
  leases(
    actor: Actor,
    q: CursorQuery & { as?: "renter" | "provider" | "party"; state?: LeaseState },
  ): Promise<Result<Page<LeaseRecord>>> {
    return attempt(async () => {
      const me = checkActor(actor);
      const as = q.as ?? "renter";
      return this.ctx.storage.leases.list({
        ...page(q),
        ...(as === "renter" ? { renter: me } : as === "provider" ? { provider: me } : { party: me }),
        ...(q.state !== undefined && { state: q.state }),
      });
    });
  }

  /** Every lease (admins), or the caller's as either party. */
  leasesFor(
    actor: Actor,
    q: CursorQuery & { state?: LeaseState },
  ): Promise<Result<{ page: Page<LeaseRecord>; total: number }>> {
    return attempt(async () => {
      const me = checkActor(actor);
      const scope = isAdmin(this.ctx, me) ? {} : { party: me };
      const state = q.state !== undefined ? { state: q.state } : {};
      const [list, total] = await Promise.all([
        this.ctx.storage.leases.list({ ...page(q), ...scope, ...state }),
        this.ctx.storage.leases.count({ ...scope, ...state }),
      ]);
      return { page: list, total };
    });
  }

  /** A lease's blocks, oldest first (public: block data is on the chain anyway). */
  leaseBlocks(
    leaseId: string,
    q: CursorQuery & { status?: BlockStatus },
  ): Promise<Result<Page<BlockRecord>>> {
    return attempt(async () => {
      const lease = await this.ctx.storage.leases.get(checkId(leaseId, `lease ${leaseId}`));
      if (!lease) fail("NOT_FOUND", `lease ${leaseId} not found`);
      return this.ctx.storage.blocks.list({
        ...page(q),
        leaseId: lease.leaseId,
        order: "oldest",
        ...(q.status !== undefined && { status: q.status }),
      });
    });
  }

  async renterStats(actor: Actor): Promise<RenterStats> {
    const me = checkActor(actor);
    const { storage } = this.ctx;
    const [active, totals, blocks] = await Promise.all([
      storage.leases.count({ renter: me, open: true }),
      storage.settlements.totals({ renter: me }),
      storage.leases.sumBlocksAccepted({ renter: me }),
    ]);
    return {
      activeLeases: active,
      completedLeases: totals.completed,
      interruptedLeases: totals.interrupted,
      cancelledLeases: totals.cancelled,
      totalSpent: totals.total,
      totalRefunded: totals.refund,
      avgCostPerLease: totals.count > 0 ? totals.total / BigInt(totals.count) : 0n,
      blocksAccepted: blocks,
    };
  }

  async providerDashboard(address: string): Promise<ProviderDashboard> {
    const me = address.toLowerCase();
    const { storage, clock } = this.ctx;
    const [workers, leased, all, day] = await Promise.all([
      storage.workers.totals({ owner: me }),
      storage.leases.count({ provider: me, open: true }),
      storage.settlements.totals({ provider: me }),
      storage.settlements.totals({ provider: me, since: clock.now() - DAY_MS }),
    ]);
    return {
      workerCount: workers.total,
      onlineCount: workers.online,
      leasedCount: leased,
      currentHashrate: round2(workers.hashrate),
      totalEarned: all.providerAmount,
      earned24h: day.providerAmount,
      activeLeases: leased,
      leaseBlocks: workers.leaseBlocks,
      selfBlocks: workers.selfBlocks,
    };
  }

  /** Settlements: the caller's as provider (`provider.earnings`). */
  earnings(actor: Actor, q: CursorQuery): Promise<Page<SettlementRecord>> {
    return this.ctx.storage.settlements.list({ ...page(q), provider: checkActor(actor) });
  }

  /** Settlements visible to the caller: all for admins, else where the caller is a party. */
  settlementsFor(
    actor: Actor,
    q: CursorQuery & { leaseId?: string; address?: string },
  ): Promise<Result<{ page: Page<SettlementRecord>; total: number }>> {
    return attempt(async () => {
      const me = checkActor(actor);
      const admin = isAdmin(this.ctx, me);
      const party = admin ? q.address?.toLowerCase() : me;
      const scope = party !== undefined ? { party } : {};
      const [list, total] = await Promise.all([
        this.ctx.storage.settlements.list({
          ...page(q),
          ...scope,
          ...(q.leaseId !== undefined && { leaseId: q.leaseId }),
        }),
        this.ctx.storage.settlements.count(scope),
      ]);
      return { page: list, total };
    });
  }

  settlementTotals(
    q: { renter?: string; provider?: string; since?: number } = {},
  ): Promise<SettlementTotals> {
    return this.ctx.storage.settlements.totals(q);
  }

  /** The caller's ledger lines, newest first. */
  transactions(actor: Actor, q: CursorQuery & { type?: TransferType }): Promise<Page<Transfer>> {
    return this.ctx.storage.ledger.history(userAccount(checkActor(actor)), {
      ...page(q),
      ...(q.type !== undefined && { type: q.type }),
    });
  }

  /** The faucet's limits and what is left of the caller's 24 h allowance. */
  async faucetAllowance(actor: Actor): Promise<{
    enabled: boolean;
    perRequest: Units;
    per24h: Units;
    remaining24h: Units;
  }> {
    const { enabled, perRequest, per24h } = this.ctx.config.faucet;
    const used = await this.ctx.storage.ledger.sumCredits({
      type: "deposit",
      to: userAccount(checkActor(actor)),
      since: this.ctx.clock.now() - DAY_MS,
      idPrefix: "deposit:faucet:",
    });
    return { enabled, perRequest, per24h, remaining24h: used >= per24h ? 0n : per24h - used };
  }

  /** The caller's withdrawals, or (admins, `all`) everyone's. */
  withdrawals(
    actor: Actor,
    q: CursorQuery & { state?: WithdrawalState; all?: boolean },
  ): Promise<Result<Page<WithdrawalRecord>>> {
    return attempt(async () => {
      const me = checkActor(actor);
      if (q.all && !isAdmin(this.ctx, me)) fail("FORBIDDEN", "admins only");
      return this.ctx.storage.withdrawals.list({
        ...page(q),
        ...(!q.all && { address: me }),
        ...(q.state !== undefined && { state: q.state }),
      });
    });
  }
}

/** The paging fields of a query, passed on as they came. */
export function page(q: CursorQuery): CursorQuery {
  return {
    limit: q.limit,
    ...(q.cursor != null && { cursor: q.cursor }),
    ...(q.offset !== undefined && { offset: q.offset }),
  };
}
