/**
 * Read models of the fleet (api.md §2 monitoring, marketplace): stats cards, pages, one worker, and
 * hashrate series. Every figure comes from a database aggregate or a page query, never a table scan.
 */
import type { Context } from "../context.js";
import { isAdmin } from "../context.js";
import { attempt, fail, type Result } from "../errors.js";
import { checkActor, checkId } from "../identifiers.js";
import { computeReputation, type Reputation } from "../market/reputation.js";
import type { CursorQuery, HashratePoint, WorkerPageQuery } from "../ports.js";
import type { Actor, HealthEventRecord, Page, WorkerRecord } from "../types.js";

const HOUR_MS = 3_600_000;

export interface FleetStats {
  totalWorkers: number;
  online: number;
  offline: number;
  totalHashrate: number;
  totalGpus: number;
  activeGpus: number;
  totalBlocks: number;
  blocksLastHour: number;
  hashrateHourAgo: number;
}

export type HistoryRange = "1h" | "6h" | "24h" | "7d" | "30d";

/** Bucket width and source per range (api.md §2 `monitoring.hashrateHistory`). */
export const HISTORY_RANGES: Record<
  HistoryRange,
  { spanMs: number; bucketSec: number; source: "raw" | "hourly" }
> = {
  "1h": { spanMs: HOUR_MS, bucketSec: 30, source: "raw" },
  "6h": { spanMs: 6 * HOUR_MS, bucketSec: 120, source: "raw" },
  "24h": { spanMs: 24 * HOUR_MS, bucketSec: 300, source: "raw" },
  "7d": { spanMs: 7 * 24 * HOUR_MS, bucketSec: 3600, source: "hourly" },
  "30d": { spanMs: 30 * 24 * HOUR_MS, bucketSec: 3600, source: "hourly" },
};

/** Matchable now (platform-rules §5), given whether the worker has an open lease. */
export function isAvailable(w: WorkerRecord, hasOpenLease: boolean): boolean {
  return w.online && w.state === "AVAILABLE" && w.listed && !w.banned && !w.suspect && !hasOpenLease;
}

/** Share of the worker's registered life it spent online, 0–100 with 2 dp. */
export function uptimePct(w: Pick<WorkerRecord, "onlineSec" | "registeredAt">, now: number): number {
  const totalSec = Math.max((now - w.registeredAt) / 1000, 1);
  return Math.round(Math.min(w.onlineSec / totalSec, 1) * 10_000) / 100;
}

export class FleetQueries {
  constructor(private readonly ctx: Context) {}

  /** The fleet's cards (platform-rules §8); with `owner`, one owner's workers and blocks. */
  async stats(owner?: string): Promise<FleetStats> {
    const { storage, clock } = this.ctx;
    const now = clock.now();
    const who = owner === undefined ? {} : { owner: owner.toLowerCase() };
    const [totals, accepted, self, acceptedHour, selfHour, hourAgo] = await Promise.all([
      storage.workers.totals(who),
      storage.blocks.count({ ...who, status: "accepted" }),
      storage.blocks.count({ ...who, status: "self" }),
      storage.blocks.count({ ...who, status: "accepted", since: now - HOUR_MS }),
      storage.blocks.count({ ...who, status: "self", since: now - HOUR_MS }),
      // The snapshot minute that ended an hour ago (snapshots come every 30 s).
      storage.monitoring.series({
        ...who,
        from: now - HOUR_MS - 60_000,
        to: now - HOUR_MS,
        bucketMs: 60_000,
        source: "raw",
      }),
    ]);
    return {
      totalWorkers: totals.total,
      online: totals.online,
      offline: totals.total - totals.online,
      totalHashrate: round2(totals.hashrate),
      totalGpus: totals.gpus,
      activeGpus: totals.activeGpus,
      totalBlocks: accepted + self,
      blocksLastHour: acceptedHour + selfHour,
      hashrateHourAgo: round2(hourAgo.at(-1)?.hashrate ?? 0),
    };
  }

  /** A page of workers; the database filters, sorts and counts. */
  page(q: WorkerPageQuery): Promise<{ items: WorkerRecord[]; total: number }> {
    return this.ctx.storage.workers.page(q);
  }

  /**
   * A page of marketplace listings. `reputation` is not a column (it depends on the time), so that
   * order is computed here over every worker the filters match, then paged: a page never holds a
   * worker that belongs on another one. Ties by worker id. The marketplace reads `ListingIndex`
   * (`platform.queries.listings`) instead, which gives the same pages from memory.
   */
  async listingPage(
    q: Omit<WorkerPageQuery, "sortBy"> & { sortBy: WorkerPageQuery["sortBy"] | "reputation" },
  ): Promise<{ items: WorkerRecord[]; total: number }> {
    if (q.sortBy !== "reputation") return this.ctx.storage.workers.page({ ...q, sortBy: q.sortBy });
    const { items } = await this.ctx.storage.workers.page({
      ...q,
      page: 1,
      limit: 100_000,
      sortBy: "workerId",
      sortDir: "asc",
    });
    const now = this.ctx.clock.now();
    const dir = q.sortDir === "asc" ? 1 : -1;
    const scored = items.map((w) => ({ w, score: computeReputation(w, now).score }));
    scored.sort((a, b) => dir * (a.score - b.score) || (a.w.workerId < b.w.workerId ? -1 : 1));
    const start = (q.page - 1) * q.limit;
    return { items: scored.slice(start, start + q.limit).map((x) => x.w), total: items.length };
  }

  /** Facets of the marketplace filters: GPU models among the workers the filters match. */
  gpuModels(q: Omit<WorkerPageQuery, "page" | "limit" | "sortBy" | "sortDir">) {
    return this.ctx.storage.workers.gpuModelCounts(q);
  }

  /** Which of these workers have an open lease (one query per worker on a page of ≤ 100). */
  async openLeases(workers: readonly WorkerRecord[]): Promise<Map<string, string>> {
    const open = await Promise.all(workers.map((w) => this.ctx.storage.leases.openForWorker(w.workerId)));
    const out = new Map<string, string>();
    for (const lease of open) if (lease) out.set(lease.workerId, lease.leaseId);
    return out;
  }

  /** A worker the caller owns (or any, for an admin): the owner's private views. */
  owned(actor: Actor, workerId: string): Promise<Result<WorkerRecord>> {
    return attempt(async () => {
      const worker = await this.ctx.storage.workers.get(checkId(workerId, `worker ${workerId}`));
      if (!worker) fail("NOT_FOUND", `worker ${workerId} not found`);
      const me = checkActor(actor);
      if (worker.owner !== me && !isAdmin(this.ctx, me)) {
        fail("FORBIDDEN", `only the owner of worker ${workerId} or an admin may see this`);
      }
      return worker;
    });
  }

  /** Matchable now (§5), given whether the worker has an open lease. */
  isAvailable(w: WorkerRecord, hasOpenLease: boolean): boolean {
    return isAvailable(w, hasOpenLease);
  }

  /** The worker's reputation now (O(1): counters on the row). */
  reputation(w: WorkerRecord): Reputation {
    return computeReputation(w, this.ctx.clock.now());
  }

  /** One worker; its open lease id is shown to its owner and admins only. */
  worker(
    workerId: string,
    viewer: string | null,
  ): Promise<Result<{ worker: WorkerRecord; openLeaseId: string | null; showLease: boolean }>> {
    return attempt(async () => {
      const worker = await this.ctx.storage.workers.get(checkId(workerId, `worker ${workerId}`));
      if (!worker) fail("NOT_FOUND", `worker ${workerId} not found`);
      const open = await this.ctx.storage.leases.openForWorker(worker.workerId);
      const me = viewer?.toLowerCase() ?? null;
      const showLease = me !== null && (me === worker.owner || isAdmin(this.ctx, me));
      return { worker, openLeaseId: open?.leaseId ?? null, showLease };
    });
  }

  /** Online/offline transitions, newest first. */
  health(q: CursorQuery & { workerId?: string }): Promise<Page<HealthEventRecord>> {
    return this.ctx.storage.health.list(q);
  }

  /** Every worker (REST `GET /api/workers` is a bare array by contract). */
  all(): Promise<WorkerRecord[]> {
    return this.ctx.storage.workers
      .page({ page: 1, limit: 100_000, sortBy: "workerId", sortDir: "asc" })
      .then((p) => p.items);
  }

  /** Hashrate over a range in server buckets; empty buckets stay absent (gaps, not zeros). */
  async hashrateHistory(q: {
    range: HistoryRange;
    workerId?: string;
    owner?: string;
  }): Promise<{ bucketSec: number; points: HashratePoint[] }> {
    const spec = HISTORY_RANGES[q.range];
    const bucketMs = spec.bucketSec * 1000;
    const now = this.ctx.clock.now();
    const to = Math.floor(now / bucketMs) * bucketMs + bucketMs;
    const points = await this.ctx.storage.monitoring.series({
      from: to - spec.spanMs,
      to,
      bucketMs,
      source: spec.source,
      ...(q.workerId !== undefined && { workerId: q.workerId }),
      ...(q.owner !== undefined && { owner: q.owner.toLowerCase() }),
    });
    return { bucketSec: spec.bucketSec, points: points.map(roundPoint) };
  }
}

export const round2 = (n: number): number => Math.round(n * 100) / 100;

const roundPoint = (p: HashratePoint): HashratePoint => ({
  ...p,
  hashrate: round2(p.hashrate),
  activeGpus: p.activeGpus === null ? null : round2(p.activeGpus),
});
